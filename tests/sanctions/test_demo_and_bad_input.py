"""`flask sanctions demo` shows a case in each state and one listing, once; cases refuse what does
not fit, naming the field, and a refused case leaves nothing behind."""

from sqlalchemy import func, select

from app.extensions import db
from sanctions.models import SanctionCase
from tests.factories import stored_files, upload_part


def test_the_demo_loads_a_case_in_each_state_and_one_listing_once(app, cli, client):
    assert cli("credit", "demo").exit_code == 0
    result = cli("sanctions", "demo")
    assert result.exit_code == 0, result.output
    with app.app_context():
        statuses = sorted(db.session.scalars(select(SanctionCase.status)))
    assert statuses == ["awaiting_statement", "dismissed", "reduced", "stated", "upheld"]
    assert client.get("/api/v1/sanctions/listings").json["total"] == 1
    assert "already loaded" in cli("sanctions", "demo").output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SanctionCase)) == 5


def test_the_demo_needs_the_credit_demo(cli):
    result = cli("sanctions", "demo")
    assert result.exit_code != 0 and "flask credit demo" in result.output


def case_count(app) -> int:
    with app.app_context():
        return db.session.scalars(select(func.count()).select_from(SanctionCase)).one()


def test_a_case_names_exactly_one_party_that_exists(app, client, operator, make_issued, make_company):
    worker, company = make_issued(), make_company()
    body = {"category": "platform_fraud", "facts": "刷单", "measure": "warning"}
    both = client.post(
        "/api/v1/sanctions/cases",
        json=body | {"worker_id": worker["id"], "company_id": company["id"]},
        headers=operator,
    )
    assert both.status_code == 422 and both.json["code"] == "one_party"
    assert client.post("/api/v1/sanctions/cases", json=body, headers=operator).json["code"] == "one_party"
    unknown = client.post("/api/v1/sanctions/cases", json=body | {"worker_id": 999999}, headers=operator)
    assert unknown.status_code == 422 and unknown.json["code"] == "unknown_worker"
    assert case_count(app) == 0


def test_a_measure_must_fit_the_party_and_its_period(app, client, operator, make_issued, make_company):
    worker, company = make_issued(), make_company()
    base = {"category": "platform_fraud", "facts": "刷单"}
    wrong_party = client.post(
        "/api/v1/sanctions/cases", json=base | {"company_id": company["id"], "measure": "revocation"}, headers=operator
    )
    assert wrong_party.status_code == 422 and wrong_party.json["code"] == "measure_not_for_party"
    no_period = client.post(
        "/api/v1/sanctions/cases", json=base | {"worker_id": worker["id"], "measure": "listing"}, headers=operator
    )
    assert no_period.status_code == 422 and "period_days" in no_period.json["errors"]
    too_long = client.post(
        "/api/v1/sanctions/cases",
        json=base | {"worker_id": worker["id"], "measure": "listing", "period_days": 99999},
        headers=operator,
    )
    assert too_long.status_code == 422 and "period_days" in too_long.json["errors"]
    unknown = client.post(
        "/api/v1/sanctions/cases", json=base | {"worker_id": worker["id"], "measure": "flogging"}, headers=operator
    )
    assert unknown.status_code == 422 and "measure" in unknown.json["errors"]
    assert case_count(app) == 0


def test_evidence_must_be_a_picture_or_a_pdf(client, operator, make_issued, open_case):
    case = open_case("warning", worker=make_issued())
    before = stored_files()
    response = client.post(
        f"/api/v1/sanctions/cases/{case['id']}/evidence",
        data={"file": upload_part(b"MZ\x90\x00not a document", "report.exe", "application/pdf")},
        headers=operator,
    )
    assert response.status_code == 415
    assert stored_files() == before
    text_part = client.post(
        f"/api/v1/sanctions/cases/{case['id']}/evidence", data={"file": "not a file"}, headers=operator
    )
    assert text_part.status_code in (415, 422)
