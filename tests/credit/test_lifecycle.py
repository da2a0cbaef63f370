"""Operators take an applicant through the 安心服務證 lifecycle; everything off the table is refused."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from credit import certificates
from credit.models import LIFECYCLE, STATES, Certificate, CreditEvent
from tests.factories import DOCUMENTS, LIFECYCLE_TO_ISSUE, NEXT_YEAR, YESTERDAY

VALID_BODIES = {
    "documents": DOCUMENTS,
    "training": {"hours": 40, "trained_on": YESTERDAY},
    "exam": {"score": 80, "passed": True},
    "identity": {"matched": True},
    "issue": {},
    "suspend": {"reason": "投诉调查中"},
    "reinstate": {"reason": "投诉不成立"},
    "revoke": {"reason": "失信"},
    "expire": {},
    "renew": {"health_certificate_valid_until": NEXT_YEAR},
}
ACTION_OF_ENDPOINT = {
    "documents": "check_documents",
    "training": "record_training",
    "exam": "pass_exam",
    "identity": "verify_identity",
    "issue": "issue",
    "suspend": "suspend",
    "reinstate": "reinstate",
    "revoke": "revoke",
    "expire": "expire",
    "renew": "renew",
}


def set_state(app, worker_id, state):
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.worker_id == worker_id))
        certificate.state = state
        db.session.commit()


def test_an_operator_takes_an_applicant_to_an_issued_certificate(make_applicant, step, client, operator):
    worker = make_applicant()
    assert worker["certificate"]["state"] == "applied"
    states = []
    for action, body in LIFECYCLE_TO_ISSUE:
        response = step(worker["id"], action, body)
        assert response.status_code == 200, response.json
        states.append(response.json["certificate"]["state"])
    assert states == ["documents_checked", "trained", "exam_passed", "identity_verified", "issued"]
    certificate = response.json["certificate"]
    assert certificate["number"].startswith("GZAX")
    assert certificate["scan_url"].startswith("http://127.0.0.1:5000/q/")


@pytest.mark.parametrize(
    "path",
    [
        ["suspend", "reinstate"],
        ["suspend", "revoke"],
        ["revoke"],
        ["expire", "renew"],
    ],
)
def test_an_issued_certificate_can_be_suspended_reinstated_revoked_expired_and_renewed(make_issued, step, path):
    worker = make_issued()
    expected = {
        "suspend": "suspended",
        "reinstate": "issued",
        "revoke": "revoked",
        "expire": "expired",
        "renew": "issued",
    }
    for endpoint in path:
        response = step(worker["id"], endpoint, VALID_BODIES[endpoint])
        assert response.status_code == 200, response.json
        assert response.json["certificate"]["state"] == expected[endpoint]


REFUSED = {
    state: [endpoint for endpoint, action in ACTION_OF_ENDPOINT.items() if state not in LIFECYCLE.transitions[action]]
    for state in STATES
}


@pytest.mark.parametrize("state", STATES)
def test_every_step_not_in_the_transition_table_is_a_409_naming_the_current_state(
    app, make_applicant, step, client, operator, state
):
    worker = make_applicant()
    set_state(app, worker["id"], state)
    for endpoint in REFUSED[state]:
        response = step(worker["id"], endpoint, VALID_BODIES[endpoint])
        assert response.status_code == 409, (endpoint, response.json)
        assert response.mimetype == "application/problem+json"
        assert state in response.json["detail"]
        assert response.json["errors"] == {"state": [state]}
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]["state"] == state


def test_the_transition_table_is_exactly_the_published_lifecycle():
    published = {
        ("applied", "documents_checked"),
        ("documents_checked", "trained"),
        ("trained", "exam_passed"),
        ("exam_passed", "identity_verified"),
        ("identity_verified", "issued"),
        ("issued", "suspended"),
        ("suspended", "issued"),
        ("issued", "revoked"),
        ("suspended", "revoked"),
        ("issued", "expired"),
        ("expired", "issued"),
    }
    moves = LIFECYCLE.transitions.values()
    assert {(source, target) for from_to in moves for source, target in from_to.items()} == published


def test_documents_are_refused_naming_each_missing_or_expired_one(make_applicant, step, client):
    worker = make_applicant()
    response = step(
        worker["id"], "documents", DOCUMENTS | {"id_card_checked": False, "health_certificate_valid_until": YESTERDAY}
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"id_card_checked", "health_certificate_valid_until"}
    response = step(worker["id"], "documents", {"id_card_checked": True})
    assert response.status_code == 422
    assert {"health_certificate_valid_until", "skill_certificate", "authorisation_signed_on"} <= set(
        response.json["errors"]
    )


def test_issue_is_refused_while_the_health_certificate_has_expired(make_applicant, step, client, operator):
    worker = make_applicant()
    for action, body in LIFECYCLE_TO_ISSUE[:-1]:
        assert step(worker["id"], action, body).status_code == 200
    client.put(
        f"/api/v1/workers/{worker['id']}/certificate/health-certificate",
        json={"valid_until": YESTERDAY},
        headers=operator,
    )
    response = step(worker["id"], "issue")
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["health_certificate_valid_until"]
    assert (
        client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]["state"]
        == "identity_verified"
    )


def test_issue_is_refused_once_the_authorisation_is_withdrawn(make_applicant, step):
    worker = make_applicant()
    for action, body in LIFECYCLE_TO_ISSUE[:-1]:
        assert step(worker["id"], action, body).status_code == 200
    assert step(worker["id"], "withdraw-authorisation", {"reason": "本人撤回"}).status_code == 200
    response = step(worker["id"], "issue")
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["authorisation_signed_on"]


def test_a_failed_exam_or_identity_mismatch_is_recorded_and_changes_no_state(make_applicant, step, client, operator):
    worker = make_applicant()
    for action, body in LIFECYCLE_TO_ISSUE[:2]:
        step(worker["id"], action, body)
    assert step(worker["id"], "exam", {"score": 40, "passed": False}).json["certificate"]["state"] == "trained"
    step(worker["id"], "exam", {"score": 75, "passed": True})
    assert step(worker["id"], "identity", {"matched": False}).json["certificate"]["state"] == "exam_passed"
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]
    assert [(e["kind"], e["value"]) for e in history if e["kind"] in ("exam", "identity_verified")] == [
        ("exam", 40.0),
        ("exam", 75.0),
        ("identity_verified", 0.0),
    ]


def test_the_history_holds_every_transition_with_who_when_why_and_before_after(make_issued, step, client, login):
    operator = login("operator")
    worker = make_issued()
    step(worker["id"], "suspend", {"reason": "健康证过期"}, headers=operator)
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json
    transitions = [e for e in history["items"] if e["kind"] == "certificate"]
    assert [(e["before"] or {}).get("state") for e in transitions] == [
        None,
        "applied",
        "documents_checked",
        "trained",
        "exam_passed",
        "identity_verified",
        "issued",
    ]
    assert [e["after"]["state"] for e in transitions] == [
        "applied",
        "documents_checked",
        "trained",
        "exam_passed",
        "identity_verified",
        "issued",
        "suspended",
    ]
    suspension = transitions[-1]
    assert suspension["reason"] == "健康证过期"
    assert suspension["actor_id"] is not None and suspension["created_at"]
    assert transitions[1]["after"]["health_certificate_valid_until"] == DOCUMENTS["health_certificate_valid_until"]
    assert transitions[5]["after"]["number"] == worker["certificate"]["number"]
    token = worker["certificate"]["scan_url"].rsplit("/", 1)[1]
    assert token not in str(history)  # the 安心碼 itself is never on the ledger


@pytest.mark.parametrize("role", [None, "company_admin", "station_staff"])
def test_only_operators_run_the_lifecycle(make_applicant, step, login, role):
    worker = make_applicant()
    headers = login(
        role,
        **(
            {"company_id": 1}
            if role == "company_admin"
            else {"station_code": "440106001000"}
            if role == "station_staff"
            else {}
        ),
    )
    assert step(worker["id"], "documents", DOCUMENTS, headers=headers).status_code == 403


def test_a_lifecycle_step_without_login_is_401(make_applicant, client):
    worker = make_applicant()
    assert client.post(f"/api/v1/workers/{worker['id']}/certificate/issue").status_code == 401


def test_a_step_on_an_unknown_worker_is_404(step):
    assert step(999999, "suspend", {"reason": "x"}).status_code == 404


def test_a_suspension_needs_a_reason(make_issued, step):
    response = step(make_issued()["id"], "suspend", {})
    assert response.status_code == 422
    assert "reason" in response.json["errors"]


def test_of_two_operators_changing_one_certificate_at_once_the_second_fails(app, make_issued, isolated):
    worker = make_issued()
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.worker_id == worker["id"]))
        # Another operator's change commits between our read and our write.
        isolated.exec_driver_sql(f"UPDATE certificates SET version = version + 1 WHERE id = {certificate.id}")
        with pytest.raises(StaleDataError):
            certificates.change_standing(certificate, "suspend", None, "concurrent")
        db.session.rollback()


def test_the_ledger_cannot_be_edited_or_deleted_through_the_models(app, make_issued, isolated):
    make_issued()
    with app.app_context():
        entry = db.session.scalars(select(CreditEvent)).first()
        entry.reason = "rewritten"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.delete(db.session.scalars(select(CreditEvent)).first())
            db.session.flush()
        db.session.rollback()
