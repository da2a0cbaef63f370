"""A new deployment's first operator is made by a command, and the grant is on the audit trail."""

from sqlalchemy import select

from accounts.models import RoleEvent
from app.extensions import db
from tests.factories import bearer, make_user


def test_the_first_operator_is_granted_by_command_and_audited(app, cli, client):
    with app.app_context():
        user = make_user()
        user_id, headers = user.id, bearer(user)
    result = cli("accounts", "grant-operator", str(user_id), "--reason", "ticket 2026-001")
    assert result.exit_code == 0, result.output
    assert "operator" in client.get("/api/v1/me", headers=headers).json["roles"]
    with app.app_context():
        [event] = db.session.scalars(select(RoleEvent).where(RoleEvent.user_id == user_id)).all()
        assert (event.action, event.role, event.actor_id, event.reason) == (
            "granted",
            "operator",
            None,
            "ticket 2026-001",
        )


def test_granting_an_unknown_user_or_twice_says_why_and_changes_nothing(app, cli):
    with app.app_context():
        operator_id = make_user("operator").id
    unknown = cli("accounts", "grant-operator", "2147483000", "--reason", "x")
    assert unknown.exit_code != 0 and "log in with WeChat once first" in unknown.output
    twice = cli("accounts", "grant-operator", str(operator_id), "--reason", "x")
    assert twice.exit_code != 0 and "already an operator" in twice.output
