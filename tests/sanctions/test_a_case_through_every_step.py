"""An operator opens a case, the party is told and states their case with a file, a second operator
decides; every step is on the case's audit, and the StateTable refuses what comes out of turn."""

import time_machine
from sqlalchemy import select

from app.extensions import db
from credit.models import CreditEvent
from sanctions.models import SanctionLookUp
from tests.factories import PDF, upload_part
from tests.sanctions.conftest import noon_in
from wechat.models import SubscribeMessage


def test_a_case_goes_from_opened_to_upheld_with_every_step_audited(
    client, app, make_issued, open_case, party, state, decide, operator
):
    worker = make_issued()
    own = party(worker=worker)
    case = open_case("listing", 180, worker=worker)
    assert case["status"] == "awaiting_statement" and case["statement_due_on"]

    evidence = client.post(
        f"/api/v1/sanctions/cases/{case['id']}/evidence",
        data={"file": upload_part(PDF, "核查报告.pdf", "application/pdf")},
        headers=operator,
    )
    assert evidence.status_code == 201, evidence.json
    stated = state(case, own, upload_part(PDF, "申辩.pdf", "application/pdf"))
    assert stated.status_code == 200, stated.json
    assert stated.json["status"] == "stated"
    decided = decide(case)
    assert decided.status_code == 200, decided.json
    assert decided.json["status"] == "upheld" and decided.json["decided_measure"] == "listing"

    detail = client.get(f"/api/v1/sanctions/cases/{case['id']}", headers=own).json
    assert [e["action"] for e in detail["events"]] == [
        "open",
        "add_evidence",
        "state_case",
        "uphold",
        "listing_started",
    ]
    assert all(e["at"] for e in detail["events"])
    assert [e["stage"] for e in detail["evidence"]] == ["facts", "statement"]
    with app.app_context():
        breach = db.session.get_one(CreditEvent, decided.json["breach_event_id"])
        assert breach.kind == "breach" and breach.source_ref == f"sanction:{case['id']}"
        [message] = db.session.scalars(select(SubscribeMessage).where(SubscribeMessage.kind == "sanction_notice"))
        assert message.data["date3"] == case["statement_due_on"]


def test_the_party_reads_the_evidence_and_the_read_is_on_record(client, app, make_issued, open_case, party, operator):
    worker = make_issued()
    case = open_case("warning", worker=worker)
    uploaded = client.post(
        f"/api/v1/sanctions/cases/{case['id']}/evidence",
        data={"file": upload_part(PDF, "核查报告.pdf", "application/pdf")},
        headers=operator,
    ).json
    response = client.get(f"/api/v1/sanctions/evidence/{uploaded['id']}", headers=party(worker=worker))
    assert response.status_code == 200 and response.data == PDF
    assert (
        client.get(f"/api/v1/sanctions/evidence/{uploaded['id']}", headers=party(worker=make_issued())).status_code
        == 404
    )
    with app.app_context():
        [look] = db.session.scalars(select(SanctionLookUp).where(SanctionLookUp.evidence_id == uploaded["id"]))
        assert look.viewer_role == "worker" and look.worker_id == worker["id"]


def test_the_operator_who_opened_a_case_cannot_decide_it(make_issued, open_case, party, state, decide, operator):
    worker = make_issued()
    case = open_case("warning", worker=worker)
    assert state(case, party(worker=worker)).status_code == 200
    response = decide(case, headers=operator)
    assert response.status_code == 403 and response.json["code"] == "same_operator"
    assert decide(case).status_code == 200


def test_no_decision_while_the_party_may_still_state_their_case(make_issued, open_case, decide, app):
    worker = make_issued()
    case = open_case("warning", worker=worker)
    refused = decide(case)
    assert refused.status_code == 409 and refused.json["code"] == "statement_period_running"
    with time_machine.travel(noon_in(app.config["SANCTIONS_STATEMENT_DAYS"]), tick=False):
        assert decide(case).json["code"] == "statement_period_running"  # the last day is still theirs
    with time_machine.travel(noon_in(app.config["SANCTIONS_STATEMENT_DAYS"] + 1), tick=False):
        assert decide(case).status_code == 200


def test_a_statement_after_the_period_is_refused(make_issued, open_case, party, state, app):
    worker = make_issued()
    case = open_case("warning", worker=worker)
    with time_machine.travel(noon_in(app.config["SANCTIONS_STATEMENT_DAYS"] + 1), tick=False):
        response = state(case, party(worker=worker))
    assert response.status_code == 409 and response.json["code"] == "statement_period_over"


def test_a_case_is_stated_once_and_decided_once(make_issued, open_case, party, state, decide):
    worker = make_issued()
    own = party(worker=worker)
    case = open_case("warning", worker=worker)
    assert state(case, own).status_code == 200
    again = state(case, own)
    assert again.status_code == 409 and again.json["code"] == "status_conflict"
    assert decide(case, "dismiss").status_code == 200
    twice = decide(case)
    assert twice.status_code == 409 and twice.json["errors"] == {"status": ["dismissed"]}


def test_a_dismissed_case_leaves_the_ledger_alone(client, make_issued, open_case, party, state, decide, operator):
    worker = make_issued()
    case = open_case("revocation", worker=worker)
    state(case, party(worker=worker))
    decided = decide(case, "dismiss").json
    assert decided["breach_event_id"] is None and decided["decided_measure"] is None
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]["state"] == "issued"


def test_a_reduced_case_takes_a_lighter_measure_only(client, make_issued, open_case, party, state, decide, operator):
    worker = make_issued()
    case = open_case("revocation", worker=worker)
    state(case, party(worker=worker))
    heavier = decide(case, "reduce", measure="revocation")
    assert heavier.status_code == 422 and heavier.json["code"] == "not_lighter"
    reduced = decide(case, "reduce", measure="suspension", period_days=30)
    assert reduced.status_code == 200, reduced.json
    assert reduced.json["status"] == "reduced" and reduced.json["measure_until"]
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]["state"] == "suspended"


def test_the_party_and_operators_see_the_case_and_nobody_else(client, make_issued, open_case, party, login):
    worker = make_issued()
    case = open_case("warning", worker=worker)
    own, other = party(worker=worker), party(worker=make_issued())
    assert client.get(f"/api/v1/sanctions/cases/{case['id']}", headers=own).status_code == 200
    assert client.get(f"/api/v1/sanctions/cases/{case['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/sanctions/cases", headers=own).json["total"] == 1
    assert client.get("/api/v1/sanctions/cases", headers=other).json["total"] == 0
    assert client.get("/api/v1/sanctions/cases", headers=login()).status_code == 403


def test_operators_page_through_the_cases_newest_first_by_next_keeping_the_filter(
    client, make_issued, open_case, operator
):
    worker, other = make_issued(), make_issued()
    older, newer = open_case("warning", worker=worker), open_case("warning", worker=worker)
    open_case("warning", worker=other)
    query = {"worker_id": worker["id"], "per_page": 1}
    first = client.get("/api/v1/sanctions/cases", query_string=query, headers=operator).json
    second = client.get("/api/v1/sanctions/cases", query_string=query | {"cursor": first["next"]}, headers=operator)
    assert [c["id"] for c in first["items"] + second.json["items"]] == [newer["id"], older["id"]]
    assert second.json["next"] is None and second.json["previous"]
