"""The 失信名单 to the public (no login): is this certificate number or credit code on it, since
when, until when, for what; a worker's name masked and nothing else personal. A company admin
checks a worker by ID number before hiring, and every check is logged."""

import time_machine
from sqlalchemy import select

from app.extensions import db
from sanctions.models import SanctionLookUp
from tests.factories import new_id_number
from tests.sanctions.conftest import noon_in


def test_a_certificate_number_is_listed_from_the_decision_through_its_end_date(
    client, make_issued, upheld, look_up, operator
):
    worker = make_issued(name="张秀梅")
    number = worker["certificate"]["number"]
    before = look_up(certificate_number=number)
    assert before.status_code == 200 and before.json["listed"] is False and before.json["listed_until"] is None
    case = upheld("listing", 30, worker=worker)
    listed = look_up(certificate_number=number.lower()).json
    assert listed == {
        "listed": True,
        "party": "worker",
        "name": "张*梅",
        "certificate_number": number,
        "credit_code": None,
        "listed_from": case["measure_from"],
        "listed_until": case["measure_until"],
        "category": "forged_certificate",
        "category_name": "伪造证书材料",
    }
    with time_machine.travel(noon_in(29), tick=False):
        assert look_up(certificate_number=number).json["listed"] is True
    with time_machine.travel(noon_in(30), tick=False):
        assert look_up(certificate_number=number).json["listed"] is False


def test_a_company_is_looked_up_by_its_credit_code(client, make_company, upheld, look_up):
    company = make_company()
    upheld("listing", 365, company=company)
    answer = look_up(credit_code=company["credit_code"]).json
    assert answer["listed"] is True and answer["name"] == company["name"] and answer["party"] == "company"


def test_the_current_list_is_public_and_paged(client, make_issued, make_company, upheld):
    upheld("listing", 30, worker=make_issued(name="欧阳娜娜"))
    upheld("listing", 30, company=make_company())
    page = client.get("/api/v1/sanctions/listings", query_string={"per_page": 1}).json
    assert page["total"] == 2 and len(page["items"]) == 1
    workers = client.get("/api/v1/sanctions/listings", query_string={"party": "worker"}).json["items"]
    assert [w["name"] for w in workers] == ["欧**娜"]
    assert set(workers[0]) == {
        "party", "name", "certificate_number", "credit_code", "category", "category_name", "listed_from", "listed_until"
    }  # fmt: skip
    with time_machine.travel(noon_in(30), tick=False):
        assert client.get("/api/v1/sanctions/listings").json["total"] == 0


def test_unknown_numbers_and_bad_queries(look_up):
    assert look_up(certificate_number="GZAX20269999999").json["code"] == "unknown_number"
    assert look_up(credit_code="91350100M000100Y43").status_code == 404
    assert look_up().status_code == 422
    assert look_up(certificate_number="GZAX1", credit_code="91350100M000100Y43").status_code == 422
    assert look_up(credit_code="123").status_code == 422


def test_the_public_look_up_is_rate_limited(app, client, look_up, monkeypatch):
    monkeypatch.setitem(app.config, "SANCTIONS_LOOKUP_RATE_LIMIT", "2/minute")
    answers = [look_up(certificate_number="GZAX20269999999").status_code for _ in range(3)]
    assert answers == [404, 404, 429]


def test_a_company_admin_checks_a_worker_before_hiring_and_the_check_is_logged(
    app, client, make_issued, make_company, upheld, login, operator
):
    id_number = new_id_number()
    worker = make_issued(id_number=id_number)
    admin = login("company_admin", company_id=make_company()["id"])
    clear = client.post("/api/v1/sanctions/worker-checks", json={"id_number": id_number}, headers=admin)
    assert clear.status_code == 200 and clear.json["found"] is True and clear.json["standing"]["listed"] is False
    upheld("listing", 30, worker=worker)
    listed = client.post("/api/v1/sanctions/worker-checks", json={"id_number": id_number.lower()}, headers=admin).json
    assert listed["standing"]["listed"] is True and listed["standing"]["name"] == "张*梅"
    nobody = client.post("/api/v1/sanctions/worker-checks", json={"id_number": new_id_number()}, headers=admin).json
    assert nobody == {"found": False, "standing": None}
    with app.app_context():
        log = db.session.scalars(select(SanctionLookUp).where(SanctionLookUp.what == "worker_check")).all()
        assert [(r.worker_id, r.result, r.viewer_role) for r in log] == [
            (worker["id"], "not_listed", "company_admin"),
            (worker["id"], "listed", "company_admin"),
            (None, "not_found", "company_admin"),
        ]
        assert all(r.viewer_id and r.looked_up_at for r in log)


def test_residents_cannot_check_a_worker_by_id_number(client, login):
    response = client.post("/api/v1/sanctions/worker-checks", json={"id_number": new_id_number()}, headers=login())
    assert response.status_code == 403


def test_every_page_of_the_current_list_is_three_statements_newest_first(
    client, make_issued, make_company, upheld, count_statements
):
    """The count, the page's ids (from the cursor's listing), then those listings with their case,
    parties and certificate: the same on the last page, reached by `next`, as on the first, and
    the pages together the whole list in order."""
    listed = [
        upheld("listing", 30, worker=make_issued(name="欧阳娜娜")),
        upheld("listing", 30, company=make_company()),
        upheld("listing", 30, worker=make_issued(name="张秀梅")),
    ]
    statements, names = [], []
    onwards: dict[str, str] = {}
    for _ in listed:
        with count_statements() as counted:
            answer = client.get("/api/v1/sanctions/listings", query_string={"per_page": 1} | onwards).json
        statements.append(len(counted))
        names += [item["name"] for item in answer["items"]]
        onwards = {"cursor": answer["next"]}
    assert statements == [3, 3, 3] and answer["next"] is None
    assert len(names) == len(listed) and names[0] == "张*梅" and names[2] == "欧**娜"
