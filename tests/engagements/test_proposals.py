"""Staff propose only workers who are green, offer the service and are free for the whole period;
a request to a company gets that company's own workers; a resident sees the candidates masked."""

import pytest

from tests.engagements.conftest import engagement_body


def proposable(client, engagement_id, headers) -> list[int]:
    response = client.get(f"/api/v1/engagements/{engagement_id}/proposable-workers", headers=headers)
    assert response.status_code == 200, response.json
    return [worker["id"] for worker in response.json["items"]]


def test_only_free_green_workers_offering_the_service_are_proposable(
    client, post, requested, chosen, staff, maternity_worker, make_issued, green_worker
):
    free = maternity_worker()
    cleaner = green_worker()  # green, offers no 月嫂 service
    yellow = maternity_worker(checks=[])  # no background check nor insurance: yellow
    busy = maternity_worker()
    chosen(worker=busy, days_ahead=20)  # another family holds her from day 20 to 45
    engagement, _ = requested(days_ahead=40)  # days 40 to 65 overlap
    clerk = staff()

    listed = proposable(client, engagement["id"], clerk)
    assert free["id"] in listed
    assert not {cleaner["id"], yellow["id"], busy["id"]} & set(listed)

    for refused in (cleaner, yellow, busy):
        response = post(f"/engagements/{engagement['id']}/proposals", clerk, {"worker_ids": [refused["id"]]})
        assert (response.status_code, response.json["code"]) == (422, "worker_not_proposable"), response.json
    assert post(f"/engagements/{engagement['id']}/proposals", clerk, {"worker_ids": [free["id"]]}).status_code == 200


def test_a_day_engagement_leaves_the_evenings_and_other_days_free(client, requested, chosen, staff, maternity_worker):
    worker = maternity_worker()
    chosen(worker=worker, days_ahead=20, live_in=False, day_starts_at="08:00", day_ends_at="12:00")
    afternoons, _ = requested(days_ahead=20, live_in=False, day_starts_at="13:00", day_ends_at="18:00")
    live_in, _ = requested(days_ahead=30)
    assert worker["id"] in proposable(client, afternoons["id"], staff())
    assert worker["id"] not in proposable(client, live_in["id"], staff())


def test_a_request_to_a_company_is_proposed_its_own_workers_by_its_admins(
    client, post, resident, login, make_company, maternity_worker
):
    company = make_company()
    own, other = maternity_worker(company_id=company["id"]), maternity_worker()
    admin = login("company_admin", company_id=company["id"])
    body = engagement_body(days_ahead=15) | {"company_id": company["id"]}
    del body["station_code"]
    engagement = post("/engagements", resident(), body).json
    listed = proposable(client, engagement["id"], admin)
    assert own["id"] in listed and other["id"] not in listed
    handled = client.get("/api/v1/engagement-requests", headers=admin).json["items"]
    assert [item["id"] for item in handled] == [engagement["id"]]


def test_no_more_candidates_than_configured(app, post, requested, staff, maternity_worker):
    engagement, _ = requested()
    clerk = staff()
    limit = app.config["ENGAGEMENT_MAX_CANDIDATES"]
    workers = [maternity_worker()["id"] for _ in range(limit + 1)]
    too_many = post(f"/engagements/{engagement['id']}/proposals", clerk, {"worker_ids": workers})
    assert (too_many.status_code, too_many.json["code"]) == (409, "too_many_candidates")
    assert post(f"/engagements/{engagement['id']}/proposals", clerk, {"worker_ids": workers[:limit]}).status_code == 200


def test_the_preferred_worker_comes_first_then_the_best_as_many_as_asked_and_a_search_finds_the_others(
    client, requested, staff, maternity_worker
):
    workers = {w["id"]: w for w in (maternity_worker(name=name) for name in ("欧阳秀英", "陈小红", "李丽华"))}
    plain, _ = requested(days_ahead=40)
    clerk = staff()

    def listed(engagement, **query):
        path = f"/api/v1/engagements/{engagement['id']}/proposable-workers"
        response = client.get(path, query_string=query, headers=clerk)
        assert response.status_code == 200, response.json
        return [worker["id"] for worker in response.json["items"]]

    every = listed(plain)
    assert set(workers) <= set(every)
    assert listed(plain, limit=1) == every[:1]
    last = next(worker_id for worker_id in reversed(every) if worker_id in workers)
    assert last != every[0]
    assert listed(plain, limit=1, q=workers[last]["name"][1:]) == [last]
    assert listed(plain, limit=1, q=workers[last]["certificate"]["number"].lower()) == [last]

    preferring, _ = requested(days_ahead=40, preferred_worker_id=last)
    assert listed(preferring) == [last, *(worker_id for worker_id in every if worker_id != last)]
    assert listed(preferring, limit=1) == [last]
    other = next(worker_id for worker_id in workers if worker_id != last)
    assert listed(preferring, q=workers[other]["name"]) == [other]  # the search holds for her too


@pytest.mark.parametrize(
    "query, field",
    [({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"limit": "all"}, "limit"), ({"q": "张" * 101}, "q")],
)
def test_a_limit_out_of_range_or_a_search_too_long_is_a_422_naming_it(client, requested, staff, query, field):
    engagement, _ = requested()
    path = f"/api/v1/engagements/{engagement['id']}/proposable-workers"
    response = client.get(path, query_string=query, headers=staff())
    assert response.status_code == 422 and list(response.json["errors"]) == [field], response.json
    assert response.json["code"]
