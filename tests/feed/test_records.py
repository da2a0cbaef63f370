"""What the feed records: a company's grade when it changes, and each published step of a
worker's certificate, in the transaction of the change (the outbox), never anything else."""

import pytest
from sqlalchemy import select

from app.extensions import db
from credit import certificates
from credit.models import Company, Worker
from feed.models import FeedRecord
from feed.records import publish_record
from tests.factories import DOCUMENTS


def ids(found: list[FeedRecord]) -> list[int]:
    return [record.id for record in found]


def records(app, **where) -> list[FeedRecord]:
    with app.app_context():
        query = select(FeedRecord).order_by(FeedRecord.id)
        for name, value in where.items():
            query = query.where(getattr(FeedRecord, name) == value)
        return list(db.session.scalars(query))


def company_event(client, operator, company, kind, value):
    response = client.post(
        f"/api/v1/companies/{company['id']}/credit-events",
        json={"kind": kind, "value": value, "reason": "信用测试"},
        headers=operator,
    )
    assert response.status_code == 201, response.json
    return client.get(f"/api/v1/companies/{company['id']}").json["grade"]


def test_a_new_company_is_recorded_with_its_first_grade(app, make_company):
    company = make_company()
    [record] = records(app, credit_code=company["credit_code"])
    assert record.kind == "company_grade_changed" and record.subject_type == "company"
    assert record.payload == {
        "company_name": company["name"],
        "worker_name_masked": None,
        "grade_before": None,
        "grade_after": company["grade"],
        "scoring_version": record.payload["scoring_version"],
    }


def test_a_grade_change_is_recorded_with_the_grade_before_and_after(app, client, operator, make_company):
    company = make_company()
    assert company_event(client, operator, company, "management_assessment", 100) == "2A"
    assert company_event(client, operator, company, "breach", 1) == "A"
    changes = [
        (r.payload["grade_before"], r.payload["grade_after"]) for r in records(app, kind="company_grade_changed")
    ]
    assert changes[-2:] == [("A", "2A"), ("2A", "A")]


def test_a_recompute_that_leaves_the_grade_as_it_was_records_nothing(app, client, operator, make_company):
    company = make_company()
    before = ids(records(app, credit_code=company["credit_code"]))
    assert company_event(client, operator, company, "rating", 3) == company["grade"]
    assert ids(records(app, credit_code=company["credit_code"])) == before


def test_each_step_of_the_certificate_after_issue_is_recorded(app, client, operator, make_company, make_issued, step):
    company = make_company()
    worker = make_issued(name="陈美玲", company_id=company["id"])
    for action in ("suspend", "reinstate", "expire", "renew", "revoke"):
        response = step(worker["id"], action, {"reason": "信用测试"})
        assert response.status_code == 200, (action, response.json)
    number = worker["certificate"]["number"]
    steps = [
        (r.kind, r.payload["state_before"], r.payload["state_after"]) for r in records(app, certificate_number=number)
    ]
    assert steps == [
        ("certificate_issued", "identity_verified", "issued"),
        ("certificate_suspended", "issued", "suspended"),
        ("certificate_reinstated", "suspended", "issued"),
        ("certificate_expired", "issued", "expired"),
        ("certificate_renewed", "expired", "issued"),
        ("certificate_revoked", "issued", "revoked"),
    ]
    issued = records(app, certificate_number=number)[0]
    assert issued.subject_type == "worker" and issued.credit_code == company["credit_code"]
    assert issued.payload["worker_name_masked"] == "陈*玲" and issued.payload["company_name"] == company["name"]


def test_the_steps_before_issue_are_not_published(app, make_applicant, step):
    worker = make_applicant(name="陈美玲")
    assert step(worker["id"], "documents", DOCUMENTS).status_code == 200
    assert [r for r in records(app) if r.subject_type == "worker"] == []


def test_a_change_rolled_back_leaves_no_record(app, isolated, make_issued):
    worker_id = make_issued()["id"]
    with app.app_context():
        worker = db.session.scalars(select(Worker).where(Worker.id == worker_id)).one()
        certificates.change_standing(worker.certificate, "suspend", None, "信用测试")
        assert db.session.scalar(select(FeedRecord).where(FeedRecord.kind == "certificate_suspended")) is not None
        db.session.rollback()
        assert db.session.scalar(select(FeedRecord).where(FeedRecord.kind == "certificate_suspended")) is None
        assert db.session.scalars(select(Worker).where(Worker.id == worker_id)).one().certificate.state == "issued"


def test_a_refused_step_leaves_no_record(app, client, make_issued, step):
    worker = make_issued()
    before = ids(records(app))
    assert step(worker["id"], "reinstate", {"reason": "信用测试"}).status_code == 409
    assert ids(records(app)) == before


def test_a_record_takes_only_the_fields_its_kind_declares(app, isolated, make_company):
    company_id = make_company()["id"]
    with app.app_context():
        company = db.session.scalars(select(Company).where(Company.id == company_id)).one()
        with pytest.raises(ValueError, match="no field id_number"):
            publish_record("listing_started", company.created_at, company, id_number="440106198506120011")
        with pytest.raises(ValueError, match="unknown feed record kind"):
            publish_record("company_dissolved", company.created_at, company)
        listed = publish_record(
            "listing_started",
            company.created_at,
            company,
            listing_category="fraud",
            listed_from=company.created_at.date(),
            listed_until=None,
            listing_reference="SX-2026-0001",
        )
        assert listed.payload["listed_from"] == company.created_at.date().isoformat()
