"""Residents choose a worker (issue 16): the certified workers a station could send, or a company's,
who offer a service; masked, green only, best first, paged; and the id shown is the one a booking
takes as its preferred worker."""

from urllib.parse import urlsplit

from tests.factories import STATION_A, booking_body, image_bytes, key_header, token_of, upload_part

URL = "/api/v1/choosable-workers"


def choose(client, headers, **query):
    return client.get(URL, query_string={"service": "cleaning", "per_page": 200} | query, headers=headers)


def listed(client, headers, **query) -> dict[int, dict]:
    response = choose(client, headers, **query)
    assert response.status_code == 200, response.json
    return {worker["id"]: worker for worker in response.json["items"]}


def test_a_station_lists_its_green_workers_of_the_service_masked(
    green_worker, make_applicant, step, client, operator, resident
):
    cleaner = green_worker(name="张秀梅", photo_url="https://example.org/photos/1.jpg", years_of_experience=5)
    carer = green_worker(service_types=["elderly_care"])
    yellow = green_worker(checks=[])
    suspended = green_worker()
    step(suspended["id"], "suspend", {"reason": "调查中"})
    withdrawn = green_worker()
    step(withdrawn["id"], "withdraw-authorisation", {"reason": "本人撤回"})
    applicant = make_applicant()

    shown = listed(client, resident(), station=STATION_A)

    assert cleaner["id"] in shown
    assert not {carer["id"], yellow["id"], suspended["id"], withdrawn["id"], applicant["id"]} & set(shown)
    worker = shown[cleaner["id"]]
    stars = client.get(f"/api/v1/workers/{cleaner['id']}", headers=operator).json["stars"]
    assert worker["name"] == "张*梅" and "秀" not in str(worker)
    assert (worker["stars"], worker["years_of_experience"]) == (stars, 5)
    assert worker["photo_url"] == "https://example.org/photos/1.jpg"
    assert {"code": "cleaning", "name": "保洁"} in worker["service_types"]
    assert worker["company"]["name"] and worker["company"]["grade"]
    assert not {"id_number", "phone", "certificate", "scan_url"} & set(worker)


def test_a_company_lists_only_its_own_workers(green_worker, make_company, client, resident):
    ours = make_company()
    mine, theirs = green_worker(company_id=ours["id"]), green_worker()
    shown = listed(client, resident(), company_id=ours["id"])
    assert set(shown) == {mine["id"]} and theirs["id"] not in shown


def test_best_first_with_ties_in_a_stable_order_across_pages(green_worker, make_company, client, operator, resident):
    company = make_company()
    workers = [green_worker(company_id=company["id"]) for _ in range(4)]
    rated = workers[2]
    for _ in range(3):
        client.post(
            f"/api/v1/workers/{rated['id']}/credit-events",
            json={"kind": "rating", "value": 5, "reason": "好评"},
            headers=operator,
        )
    headers = resident()
    whole = [w["id"] for w in choose(client, headers, company_id=company["id"]).json["items"]]
    assert whole[0] == rated["id"]
    facts = {w["id"]: client.get(f"/api/v1/workers/{w['id']}", headers=operator).json for w in workers}
    keys = [(-facts[i]["stars"], -facts[i]["credit_score"], i) for i in whole]
    assert keys == sorted(keys)
    paged = [
        w["id"]
        for page in (1, 2)
        for w in choose(client, headers, company_id=company["id"], per_page=2, page=page).json["items"]
    ]
    assert paged == whole


def test_an_uploaded_photo_is_shown_through_the_list_never_through_the_code(green_worker, client, operator, resident):
    worker = green_worker()
    uploaded = client.put(
        f"/api/v1/workers/{worker['id']}/photo",
        data={"file": upload_part(image_bytes())},
        content_type="multipart/form-data",
        headers=operator,
    )
    assert uploaded.status_code == 200, uploaded.json
    headers = resident()
    url = listed(client, headers, station=STATION_A)[worker["id"]]["photo_url"]
    assert url.endswith(f"{URL}/{worker['id']}/photo.jpg") and token_of(worker) not in url
    photo = client.get(urlsplit(url).path, headers=headers)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"{URL}/{worker['id']}/photo.jpg").status_code == 401


def test_no_photo_for_a_worker_residents_may_not_choose(green_worker, step, client, resident):
    suspended, without_photo = green_worker(), green_worker()
    step(suspended["id"], "suspend", {"reason": "调查中"})
    headers = resident()
    for worker in (suspended, without_photo):
        response = client.get(f"{URL}/{worker['id']}/photo.jpg", headers=headers)
        assert (response.status_code, response.json["code"]) == (404, "no_photo")


def test_the_resident_books_the_worker_chosen_as_the_preferred_one(green_worker, client, resident):
    worker = green_worker()
    headers = resident()
    chosen = listed(client, headers, station=STATION_A)[worker["id"]]
    response = client.post(
        "/api/v1/bookings", json=booking_body(preferred_worker_id=chosen["id"]), headers=headers | key_header()
    )
    assert response.status_code == 201, response.json
    assert response.json["preferred_worker_id"] == worker["id"]


def test_bad_queries_name_their_field_and_anonymous_callers_log_in_first(make_company, client, resident, staff):
    headers = resident()
    company = make_company()
    closed = {"opens_at": "08:00", "closes_at": "16:00", "slot_minutes": 480, "capacity": 1, "active": False}
    assert client.put(f"/api/v1/stations/{STATION_A}/offers/maternity", json=closed, headers=staff()).status_code == 200
    for query, field, code in (
        ({"service": "gardening", "station": STATION_A}, "service", "invalid_input"),
        ({"station": STATION_A, "company_id": company["id"]}, "station", "invalid_input"),
        ({}, "station", "invalid_input"),
        ({"station": "12345"}, "station", "invalid_input"),
        ({"station": "440106999999"}, "station", "unknown_station"),
        ({"station": STATION_A, "service": "maternity"}, "service", "not_offered"),
        ({"company_id": 999999}, "company_id", "unknown_company"),
    ):
        response = choose(client, headers, **query)
        assert (response.status_code, response.json["code"]) == (422, code), (query, response.json)
        assert field in response.json["errors"], response.json
    assert choose(client, {}, station=STATION_A).status_code == 401


def test_the_list_costs_the_same_few_queries_at_one_worker_and_at_many(
    green_worker, make_company, client, resident, count_statements
):
    company, headers = make_company(), resident()

    def statements_for_a_page() -> int:
        with count_statements() as statements:
            assert choose(client, headers, company_id=company["id"]).status_code == 200
        return len(statements)

    green_worker(company_id=company["id"])
    few = statements_for_a_page()
    for _ in range(4):
        green_worker(company_id=company["id"])
    assert statements_for_a_page() == few
