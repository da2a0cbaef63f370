"""During an engagement the family can end it early (the rest of the worker's time is free again)
or extend it while she is free (409 when she is not, and nothing changes)."""

from datetime import date, datetime, time, timedelta

import time_machine
from sqlalchemy import func, select

from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from booking.models import WorkerTimeBlock
from tests.factories import token_of


def held(app, worker_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(WorkerTimeBlock.worker_id == worker_id)) or 0


def noon(days_ahead: int) -> datetime:
    return datetime.combine(today_in_beijing() + timedelta(days=days_ahead), time(12), BEIJING)


def test_ending_early_frees_the_rest_of_the_workers_time(app, post, confirmed):
    engagement, family, _, worker = confirmed(days_ahead=2)
    path = f"/engagements/{engagement['id']}"
    with time_machine.travel(noon(2), tick=True):
        assert post(f"{path}/start", family, {"token": token_of(worker)}).status_code == 201
    with time_machine.travel(noon(11), tick=True):
        refused = post(f"{path}/end-early", family, {})
        assert (refused.status_code, refused.json["errors"]) == (422, {"reason": ["必填。"]})
        ended = post(f"{path}/end-early", family, {"reason": "家里老人来帮忙了"})
    assert ended.status_code == 200 and ended.json["status"] == "ended_early", ended.json
    assert ended.json["last_day"] == (today_in_beijing() + timedelta(days=11)).isoformat()
    assert held(app, worker["id"]) == 9 * 48 + 25  # days 2 to 10, and day 11 up to the half hour under way
    again = post(f"{path}/end-early", family, {"reason": "再试一次"})
    assert (again.status_code, again.json["code"], again.json["errors"]) == (
        409,
        "status_conflict",
        {"status": ["ended_early"]},
    )


def test_extending_by_a_month_holds_each_added_day_of_the_workers_time(app, post, confirmed):
    engagement, family, _, worker = confirmed(days_ahead=10)  # days 10 to 35
    before = held(app, worker["id"])
    extended = post(f"/engagements/{engagement['id']}/extend", family, {"length": 1, "length_unit": "months"})
    assert extended.status_code == 200, extended.json
    added = date.fromisoformat(extended.json["last_day"]) - date.fromisoformat(engagement["last_day"])
    assert 28 <= added.days <= 31
    assert held(app, worker["id"]) == before + added.days * 48
    history = post(f"/engagements/{engagement['id']}/confirm", family)  # signed already: the fact is refused
    assert (history.status_code, history.json["errors"]) == (409, {"status": ["confirmed"]})


def test_extending_is_refused_when_the_worker_is_taken_afterwards(app, post, confirmed, chosen):
    engagement, family, _, worker = confirmed(days_ahead=10)  # days 10 to 35
    chosen(worker=worker, days_ahead=40)  # another family holds her from day 40
    blocks = held(app, worker["id"])
    refused = post(f"/engagements/{engagement['id']}/extend", family, {"length": 10, "length_unit": "days"})
    assert (refused.status_code, refused.json["code"]) == (409, "worker_double_booked")
    assert held(app, worker["id"]) == blocks
    fits = post(f"/engagements/{engagement['id']}/extend", family, {"length": 4, "length_unit": "days"})
    assert fits.status_code == 200 and fits.json["last_day"] == (today_in_beijing() + timedelta(days=39)).isoformat()
    assert held(app, worker["id"]) == blocks + 4 * 48
