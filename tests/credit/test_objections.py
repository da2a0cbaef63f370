"""Objections (异议): a worker objects to an event on their ledger, a company's admin to one on their
company's, with a reason and an evidence file if they have one; an operator upholds (the event is
neutralised, the level and the scan move at once) or rejects (the event stands)."""

import pytest
from sqlalchemy import select

from app.extensions import db
from credit.models import CreditEvent, EvidenceLookUp, Objection
from tests.factories import PDF, image_bytes, stored_files, token_of, upload_part

BREACH = {"kind": "breach", "reason": "失信记录"}


@pytest.fixture
def breached(client, make_issued, operator, login):
    """An issued worker with a 失信 breach on their ledger, and their account's headers."""

    def make():
        worker = make_issued()
        event = client.post(f"/api/v1/workers/{worker['id']}/credit-events", json=BREACH, headers=operator).json
        return worker, event, login("worker", worker_id=worker["id"])

    return make


def object_to(client, event, headers, reason="这条记录不属实，当天我在外地。", evidence=None):
    """The objection as the client sends it: multipart/form-data, with `evidence` as its file part."""
    body = {"reason": reason} | ({"file": evidence} if evidence is not None else {})
    return client.post(
        f"/api/v1/credit-events/{event['id']}/objections",
        data=body,
        content_type="multipart/form-data",
        headers=headers,
    )


def decide(client, objection, action, headers, reason="经核实"):
    return client.post(f"/api/v1/objections/{objection['id']}/{action}", json={"reason": reason}, headers=headers)


def scanned_stars(client, worker):
    return client.get(f"/api/v1/scan/{token_of(worker)}").json["stars"]


def test_an_upheld_objection_neutralises_the_event_and_the_level_and_scan_move_at_once(
    client, breached, operator, isolated
):
    worker, event, headers = breached()
    assert scanned_stars(client, worker) == 1, "a breach caps the level"
    objection = object_to(client, event, headers)
    assert objection.status_code == 201, objection.json
    assert (objection.json["status"], objection.json["event"]["id"]) == ("open", event["id"])
    assert objection.json["evidence_content_type"] is None

    upheld = decide(client, objection.json, "uphold", operator, "记录有误")
    assert upheld.status_code == 200, upheld.json
    assert (upheld.json["status"], upheld.json["decision_reason"]) == ("upheld", "记录有误")
    assert scanned_stars(client, worker) > 1
    own = client.get("/api/v1/me/worker", headers=headers).json
    assert own["credit"]["capped_by"] == []
    compensating = db.session.get_one(CreditEvent, upheld.json["compensating_event_id"])
    assert (compensating.kind, compensating.neutralises_id) == ("objection_upheld", event["id"])
    assert db.session.get_one(CreditEvent, event["id"]).kind == "breach", "the ledger keeps the event itself"


def test_a_rejected_objection_leaves_the_event_and_the_level(client, breached, operator):
    worker, event, headers = breached()
    objection = object_to(client, event, headers).json
    rejected = decide(client, objection, "reject", operator, "证据不足")
    assert (rejected.json["status"], rejected.json["decision_reason"]) == ("rejected", "证据不足")
    assert scanned_stars(client, worker) == 1
    again = decide(client, objection, "uphold", operator)
    assert (again.status_code, again.json["code"]) == (409, "status_conflict")


def test_one_open_objection_per_event(client, breached, operator):
    _, event, headers = breached()
    first = object_to(client, event, headers).json
    second = object_to(client, event, headers)
    assert (second.status_code, second.json["code"]) == (409, "objection_open")
    decide(client, first, "reject", operator)
    assert object_to(client, event, headers).status_code == 201, "once decided, the worker may object anew"


def test_an_event_already_neutralised_takes_no_new_objection(client, breached, operator):
    _, event, headers = breached()
    decide(client, object_to(client, event, headers).json, "uphold", operator)
    answer = object_to(client, event, headers)
    assert (answer.status_code, answer.json["code"]) == (409, "event_neutralised")


def test_nobody_objects_to_another_workers_event(client, breached, login, make_applicant):
    _, event, _ = breached()
    stranger = login("worker", worker_id=make_applicant()["id"])
    assert object_to(client, event, stranger).status_code == 404
    assert object_to(client, event, login()).status_code == 403


def test_a_company_admin_objects_to_their_companys_event(client, make_company, operator, login):
    company = make_company()
    event = client.post(f"/api/v1/companies/{company['id']}/credit-events", json=BREACH, headers=operator).json
    breached_score = client.get(f"/api/v1/companies/{company['id']}").json["credit_score"]
    admin = login("company_admin", company_id=company["id"])
    assert object_to(client, event, login("company_admin", company_id=make_company()["id"])).status_code == 404
    objection = object_to(client, event, admin)
    assert objection.status_code == 201, objection.json
    assert objection.json["objector_role"] == "company_admin"
    decide(client, objection.json, "uphold", operator)
    assert client.get(f"/api/v1/companies/{company['id']}").json["credit_score"] == company["credit_score"]
    assert company["credit_score"] > breached_score


def test_every_step_of_an_objection_is_on_the_ledger(client, breached, operator):
    worker, event, headers = breached()
    objection = object_to(client, event, headers).json
    decide(client, objection, "reject", operator)
    steps = db.session.scalars(
        select(CreditEvent).where(CreditEvent.source_ref == f"objection:{objection['id']}").order_by(CreditEvent.id)
    ).all()
    assert [(step.kind, step.reason) for step in steps] == [
        ("objection", "objection filed"),
        ("objection", "objection rejected"),
    ]
    history = client.get("/api/v1/me/worker/history", headers=headers).json
    assert [item["kind"] for item in history["items"]][-3:] == ["breach", "objection", "objection"]


def test_operators_list_every_objection_by_status_and_objectors_their_own(client, breached, operator):
    _, first_event, first = breached()
    _, second_event, second = breached()
    mine = object_to(client, first_event, first).json
    theirs = object_to(client, second_event, second).json
    decide(client, theirs, "reject", operator)

    everything = client.get("/api/v1/objections", headers=operator).json
    assert {item["id"] for item in everything["items"]} >= {mine["id"], theirs["id"]}
    open_ones = client.get("/api/v1/objections", query_string={"status": "open"}, headers=operator).json
    assert mine["id"] in {item["id"] for item in open_ones["items"]}
    assert theirs["id"] not in {item["id"] for item in open_ones["items"]}
    own = client.get("/api/v1/objections", headers=first).json
    assert [item["id"] for item in own["items"]] == [mine["id"]]
    assert client.get(f"/api/v1/objections/{theirs['id']}", headers=first).status_code == 404
    assert client.get(f"/api/v1/objections/{mine['id']}", headers=first).json["status"] == "open"
    assert decide(client, mine, "uphold", first).status_code == 403


def test_an_upheld_objection_to_a_rating_takes_it_out_of_the_public_rating(client, make_issued, operator, login):
    worker = make_issued()
    for stars in (5, 1):
        rating = {"kind": "rating", "value": stars, "reason": "评价"}
        event = client.post(f"/api/v1/workers/{worker['id']}/credit-events", json=rating, headers=operator).json
    scan = client.get(f"/api/v1/scan/{token_of(worker)}").json
    assert (scan["rating_count"], scan["rating_mean"]) == (2, 3.0)
    objection = object_to(client, event, login("worker", worker_id=worker["id"]), "这位住户从未请过我").json
    decide(client, objection, "uphold", operator)
    scan = client.get(f"/api/v1/scan/{token_of(worker)}").json
    assert (scan["rating_count"], scan["rating_mean"]) == (1, 5.0)


# ---------------------------------------------------------------- evidence


def evidence_of(client, objection, headers):
    return client.get(f"/api/v1/objections/{objection['id']}/evidence", headers=headers)


def test_the_evidence_is_kept_privately_and_read_only_by_the_objector_and_operators_each_read_on_record(
    client, breached, operator, login, make_company, make_applicant
):
    _, event, headers = breached()
    filed = object_to(client, event, headers, evidence=upload_part(PDF, "证明.pdf", "image/jpeg"))
    assert filed.status_code == 201, filed.json
    objection = filed.json
    assert (objection["evidence_content_type"], objection["evidence_size_bytes"]) == ("application/pdf", len(PDF))

    for reader in (headers, operator):
        answer = evidence_of(client, objection, reader)
        assert answer.status_code == 200 and answer.data == PDF
        assert answer.mimetype == "application/pdf", "the content decides, not the declared type"
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert answer.headers["Content-Disposition"] == f'attachment; filename="objection-{objection["id"]}.pdf"'
    other_worker = login("worker", worker_id=make_applicant()["id"])
    for stranger in (other_worker, login("company_admin", company_id=make_company()["id"])):
        assert evidence_of(client, objection, stranger).status_code == 404
    assert evidence_of(client, objection, login()).status_code == 403
    assert evidence_of(client, objection, {}).status_code == 401

    reads = db.session.scalars(select(EvidenceLookUp).order_by(EvidenceLookUp.id)).all()
    assert [(read.objection_id, read.viewer_role) for read in reads] == [
        (objection["id"], "worker"),
        (objection["id"], "operator"),
    ]


def test_a_companys_objection_evidence_is_read_by_its_admin(client, make_company, operator, login):
    company = make_company()
    event = client.post(f"/api/v1/companies/{company['id']}/credit-events", json=BREACH, headers=operator).json
    admin = login("company_admin", company_id=company["id"])
    objection = object_to(client, event, admin, evidence=upload_part(image_bytes("PNG"), "合同.png")).json
    answer = evidence_of(client, objection, admin)
    assert (answer.status_code, answer.mimetype) == (200, "image/png")
    assert evidence_of(client, objection, login("company_admin", company_id=make_company()["id"])).status_code == 404


def test_an_objection_without_evidence_has_no_file_to_read(client, breached, operator):
    _, event, headers = breached()
    objection = object_to(client, event, headers).json
    answer = evidence_of(client, objection, operator)
    assert (answer.status_code, answer.json["code"]) == (404, "no_evidence")


def test_evidence_of_the_wrong_type_or_too_large_is_refused_and_nothing_is_kept(app, client, breached):
    _, event, headers = breached()
    files_before = stored_files()
    wrong = object_to(client, event, headers, evidence=upload_part(b"GIF89a" + b"0" * 100, "a.jpg"))
    assert (wrong.status_code, wrong.json["code"], list(wrong.json["errors"])) == (
        415,
        "unsupported_media_type",
        ["file"],
    )
    large = b"%PDF-" + b"0" * app.config["DOCUMENT_MAX_BYTES"]
    too_large = object_to(client, event, headers, evidence=upload_part(large, "a.pdf", "application/pdf"))
    assert (too_large.status_code, list(too_large.json["errors"])) == (413, ["file"])
    assert db.session.scalars(select(Objection)).all() == []
    assert stored_files() == files_before


def test_a_refused_objection_keeps_no_evidence_file(client, breached):
    _, event, headers = breached()
    assert object_to(client, event, headers).status_code == 201
    files_before = stored_files()
    again = object_to(client, event, headers, evidence=upload_part(PDF, "b.pdf", "application/pdf"))
    assert (again.status_code, again.json["code"]) == (409, "objection_open")
    assert stored_files() == files_before


def test_an_objection_sent_as_json_is_a_415_naming_the_file_part(client, breached):
    _, event, headers = breached()
    answer = client.post(f"/api/v1/credit-events/{event['id']}/objections", json={"reason": "不属实"}, headers=headers)
    assert (answer.status_code, list(answer.json["errors"])) == (415, ["file"])


def test_an_objection_whose_ledger_row_fails_keeps_no_evidence_file(client, breached, database_refuses_the_ledger_row):
    _, event, headers = breached()
    files_before = stored_files()
    database_refuses_the_ledger_row()
    answer = object_to(client, event, headers, evidence=upload_part(PDF, "c.pdf", "application/pdf"))
    assert answer.status_code == 409, answer.json  # the database's refusal, answered
    assert stored_files() == files_before
    assert db.session.scalars(select(Objection)).all() == []
