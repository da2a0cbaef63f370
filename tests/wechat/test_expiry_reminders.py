"""`flask credit expiry-reminders`: the company's admins are told by subscribe message what ends
within the configured days, once per item, at the right day in Beijing time."""

from datetime import datetime, timedelta
from datetime import time as clock

import pytest
import time_machine
from sqlalchemy import select

from app.clock import BEIJING
from app.extensions import db
from tests.factories import CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE, TODAY
from wechat.models import SubscribeMessage

ENDS_ON = TODAY + timedelta(days=40)  # the policy's last day; the reminder is due 30 days before


def at_beijing(day, *hms):
    """That moment as a timestamp (a zoned datetime would move the host's zone too)."""
    return time_machine.travel(datetime.combine(day, clock(*hms), BEIJING).timestamp(), tick=False)


@pytest.fixture
def run(wechat_app, isolated):
    runner = wechat_app.test_cli_runner()

    def invoke():
        result = runner.invoke(args=["credit", "expiry-reminders"])
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


@pytest.fixture
def insured_worker(make_company, make_issued, login, client):
    """A worker of a company with two admins, whose policy ends on ENDS_ON."""
    company = make_company()
    admins = [login("company_admin", company_id=company["id"]) for _ in range(2)]
    worker = make_issued(
        name="王小燕",
        company_id=company["id"],
        checks=[CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE | {"valid_until": ENDS_ON.isoformat()}],
    )
    admin_ids = [client.get("/api/v1/me", headers=headers).json["id"] for headers in admins]
    return worker, admin_ids


def reminders(wechat_app) -> list[SubscribeMessage]:
    with wechat_app.app_context():
        return list(
            db.session.scalars(
                select(SubscribeMessage).where(SubscribeMessage.kind == "expiry_reminder").order_by(SubscribeMessage.id)
            )
        )


def test_the_admins_are_told_30_days_ahead_from_midnight_in_beijing_once(insured_worker, run, wechat_app, stub):
    _, admin_ids = insured_worker
    due_day = ENDS_ON - timedelta(days=30)

    with at_beijing(due_day - timedelta(days=1), 23, 59, 59):  # 15:59:59 UTC: still the day before
        assert run() == "0 expiring item(s) reminded.\n"
    with at_beijing(due_day, 0, 0, 1):
        assert run() == "1 expiring item(s) reminded.\n"
        assert run() == "0 expiring item(s) reminded.\n"  # the same day again
    with at_beijing(due_day + timedelta(days=1), 9, 0):
        assert run() == "0 expiring item(s) reminded.\n"  # and the days after

    sent = reminders(wechat_app)
    assert [message.user_id for message in sent] == admin_ids
    assert sent[0].data == {
        "thing1": "王小燕",
        "thing2": "从业责任保险",
        "date3": ENDS_ON.isoformat(),
        "thing4": "30天后到期，请及时续办",
    }
    assert {message.status for message in sent} == {"sent"}
    assert [body["template_id"] for body in stub.sent] == ["TPL-expiry", "TPL-expiry"]


def test_a_renewed_policy_is_reminded_again_when_its_own_end_comes(insured_worker, run, record_check, wechat_app):
    worker, _ = insured_worker
    with at_beijing(ENDS_ON - timedelta(days=30), 8, 0):
        assert run() == "1 expiring item(s) reminded.\n"
    renewed_until = ENDS_ON + timedelta(days=365)
    renewal = INSURANCE_IN_FORCE | {"valid_until": renewed_until.isoformat(), "reference": "PICC-ZR-2027-0009"}
    assert record_check(worker["id"], renewal).status_code == 201
    with at_beijing(ENDS_ON - timedelta(days=29), 8, 0):
        assert run() == "0 expiring item(s) reminded.\n"
    with at_beijing(renewed_until - timedelta(days=30), 8, 0):
        assert run() == "1 expiring item(s) reminded.\n"
    assert [message.data["date3"] for message in reminders(wechat_app)] == [ENDS_ON.isoformat()] * 2 + [
        renewed_until.isoformat()
    ] * 2


def test_a_worker_without_a_company_is_claimed_but_tells_no_admin(make_issued, run, wechat_app):
    make_issued(checks=[CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE | {"valid_until": ENDS_ON.isoformat()}])
    with at_beijing(ENDS_ON - timedelta(days=30), 8, 0):
        assert run() == "1 expiring item(s) reminded.\n"
    assert reminders(wechat_app) == []


def test_the_worker_bound_to_the_file_is_told_too_once_and_an_unbound_one_is_not(
    insured_worker, make_issued, login, client, run, wechat_app
):
    worker, admin_ids = insured_worker
    own_id = client.get("/api/v1/me", headers=login("worker", worker_id=worker["id"])).json["id"]
    unbound = [CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE | {"valid_until": ENDS_ON.isoformat()}]
    make_issued(name="李秀兰", checks=unbound)

    with at_beijing(ENDS_ON - timedelta(days=30), 8, 0):
        assert run() == "2 expiring item(s) reminded.\n"
        assert run() == "0 expiring item(s) reminded.\n"

    sent = reminders(wechat_app)
    assert sorted(message.user_id for message in sent) == sorted([own_id, *admin_ids])
    assert {message.data["thing1"] for message in sent} == {"王小燕"}, "李秀兰 has no account and no company"
