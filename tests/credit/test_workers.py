"""Worker and company records: validation, masking, encryption at rest, and who may touch whom."""

from credit.demo import DEMO_WORKERS
from credit.identifiers import id_number_problem
from tests.factories import new_credit_code, new_id_number


def test_a_worker_file_shows_the_id_number_and_phone_masked(make_applicant):
    id_number = new_id_number()
    worker = make_applicant(id_number=id_number, phone="13812345678")
    assert worker["id_number"] == id_number[:4] + "*" * 10 + id_number[-4:]
    assert worker["phone"] == "138****5678"


def test_the_database_row_holds_no_plain_id_number_or_phone(make_applicant, isolated):
    id_number = new_id_number()
    make_applicant(id_number=id_number, phone="13812345678")
    raw_id, id_hash, raw_phone = isolated.exec_driver_sql("SELECT id_number, id_number_hash, phone FROM workers").one()
    for raw in (bytes(raw_id), bytes(raw_phone)):
        assert id_number.encode() not in raw and b"13812345678" not in raw and id_number[-6:].encode() not in raw
    assert id_number not in id_hash


def test_the_ledger_never_holds_a_phone_number(make_applicant, client, operator, isolated):
    worker = make_applicant(phone="13812345678")
    client.patch(f"/api/v1/workers/{worker['id']}", json={"phone": "13987654321"}, headers=operator)
    rows = isolated.exec_driver_sql("SELECT CAST(before AS TEXT), CAST(after AS TEXT) FROM credit_events").all()
    assert not any("1381234" in str(row) or "1398765" in str(row) for row in rows)


def test_the_same_id_number_cannot_apply_twice(make_applicant, client, operator):
    id_number = new_id_number()
    make_applicant(id_number=id_number)
    response = client.post("/api/v1/workers", json={"name": "李四", "id_number": id_number}, headers=operator)
    assert response.status_code == 409
    assert "id_number" in response.json["errors"]


def test_a_lower_case_x_check_character_is_accepted(client, operator):
    response = client.post(
        "/api/v1/workers", json={"name": "王五", "id_number": "11010519491231002x"}, headers=operator
    )
    assert response.status_code == 201
    assert response.json["id_number"].endswith("002X")


def test_an_invalid_id_number_is_a_422_naming_the_field_and_writes_nothing(client, operator, isolated):
    response = client.post(
        "/api/v1/workers", json={"name": "赵六", "id_number": "110105194912310021", "phone": "12345"}, headers=operator
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"id_number", "phone"}
    assert isolated.exec_driver_sql("SELECT count(*) FROM workers").scalar() == 0


def test_a_worker_of_an_unknown_company_is_refused(client, operator):
    response = client.post(
        "/api/v1/workers", json={"name": "钱七", "id_number": new_id_number(), "company_id": 999999}, headers=operator
    )
    assert response.status_code == 422
    assert "company_id" in response.json["errors"]


def test_a_company_admin_registers_workers_into_its_own_company(make_company, make_applicant, login):
    company = make_company()
    admin = login("company_admin", company_id=company["id"])
    worker = make_applicant(headers=admin)
    assert worker["company_id"] == company["id"]


def test_a_company_admin_cannot_register_a_worker_for_another_company(make_company, client, login):
    mine, theirs = make_company(), make_company()
    admin = login("company_admin", company_id=mine["id"])
    response = client.post(
        "/api/v1/workers",
        json={"name": "孙八", "id_number": new_id_number(), "company_id": theirs["id"]},
        headers=admin,
    )
    assert response.status_code == 403


def test_a_company_admin_cannot_see_or_edit_another_companys_worker(make_company, make_applicant, client, login):
    mine, theirs = make_company(), make_company()
    worker = make_applicant(company_id=theirs["id"])
    admin = login("company_admin", company_id=mine["id"])
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=admin).status_code == 404
    response = client.patch(f"/api/v1/workers/{worker['id']}", json={"skills": ["保洁"]}, headers=admin)
    assert response.status_code == 404


def test_a_company_admin_edits_its_own_worker_and_the_ledger_says_what_changed(
    make_company, make_applicant, client, login, operator
):
    company = make_company()
    admin = login("company_admin", company_id=company["id"])
    worker = make_applicant(company_id=company["id"])
    response = client.patch(f"/api/v1/workers/{worker['id']}", json={"skills": ["保洁", "烹饪"]}, headers=admin)
    assert response.status_code == 200
    assert response.json["skills"] == ["保洁", "烹饪"]
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]
    assert {"before": {"skills": ["月嫂"]}, "after": {"skills": ["保洁", "烹饪"]}}.items() <= history[-1].items()


def test_residents_and_station_staff_cannot_read_worker_files(make_applicant, client, login):
    worker = make_applicant()
    for headers in (login(), login("station_staff", station_code="440106001000")):
        assert client.get(f"/api/v1/workers/{worker['id']}", headers=headers).status_code == 403


def test_a_company_with_an_invalid_credit_code_is_refused(client, operator):
    response = client.post(
        "/api/v1/companies",
        json={"name": "某某家政", "credit_code": "91350100M000100Y44", "district_code": "440106"},
        headers=operator,
    )
    assert response.status_code == 422
    assert "校验码" in response.json["errors"]["credit_code"][0]


def test_a_company_admin_cannot_register_companies(client, login):
    response = client.post(
        "/api/v1/companies",
        json={"name": "某某家政", "credit_code": new_credit_code(), "district_code": "440106"},
        headers=login("company_admin", company_id=1),
    )
    assert response.status_code == 403


def test_the_public_grade_list_filters_by_grade_and_district(make_company, make_issued, client):
    tianhe = make_company(district_code="天河区")
    make_company(district_code="440104")
    for _ in range(2):
        make_issued(company_id=tianhe["id"])
    listing = client.get("/api/v1/companies", query_string={"district": "天河区"}).json
    assert [c["id"] for c in listing["items"]] == [tianhe["id"]]
    grade = listing["items"][0]["grade"]
    by_grade = client.get("/api/v1/companies", query_string={"grade": grade}).json
    assert tianhe["id"] in [c["id"] for c in by_grade["items"]]
    assert all(c["grade"] == grade for c in by_grade["items"])
    assert client.get("/api/v1/companies", query_string={"grade": "6A"}).status_code == 422
    assert client.get("/api/v1/companies", query_string={"colour": "red"}).status_code == 422


def test_a_company_admin_lists_only_its_own_workers(make_company, make_applicant, make_issued, client, login, operator):
    mine, theirs = make_company(), make_company()
    own_applicant, own_holder = make_applicant(company_id=mine["id"]), make_issued(company_id=mine["id"])
    make_issued(company_id=theirs["id"])
    admin = login("company_admin", company_id=mine["id"])
    listing = client.get("/api/v1/workers", headers=admin).json
    assert [w["id"] for w in listing["items"]] == [own_applicant["id"], own_holder["id"]]
    issued = client.get("/api/v1/workers", query_string={"state": "issued"}, headers=admin).json
    assert [w["id"] for w in issued["items"]] == [own_holder["id"]]
    assert client.get("/api/v1/workers", query_string={"company_id": theirs["id"]}, headers=admin).status_code == 403
    assert client.get("/api/v1/workers", headers=operator).json["total"] == 3
    assert client.get("/api/v1/workers", query_string={"state": "lost"}, headers=operator).status_code == 422


def test_a_photo_must_be_an_https_url_or_a_local_path(client, operator):
    for photo_url in ("http://example.org/a.jpg", "javascript:alert(1)", "photo.jpg"):
        response = client.post(
            "/api/v1/workers",
            json={"name": "周九", "id_number": new_id_number(), "photo_url": photo_url},
            headers=operator,
        )
        assert response.status_code == 422 and "photo_url" in response.json["errors"], photo_url
    response = client.post(
        "/api/v1/workers",
        json={"name": "周九", "id_number": new_id_number(), "photo_url": "/media/photos/9.jpg"},
        headers=operator,
    )
    assert response.status_code == 201


def test_an_id_number_whose_first_six_digits_are_no_region_is_a_422_saying_so(client, operator):
    response = client.post(
        "/api/v1/workers", json={"name": "孙八", "id_number": "000000199001010018"}, headers=operator
    )
    assert response.status_code == 422
    assert response.json["errors"]["id_number"] == ["第 1–6 位须为行政区划代码（GB/T 2260）。"]


def test_the_demo_and_test_workers_have_id_numbers_from_real_regions():
    numbers = [new_id_number(), *(w[1] for w in DEMO_WORKERS)]
    assert [id_number_problem(number) for number in numbers] == [None] * len(numbers)
