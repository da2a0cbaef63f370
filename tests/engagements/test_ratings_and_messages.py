"""A family rates each month of service once it is over, and the whole engagement at the end, each
once, on the worker's credit ledger; subscribe messages go only where someone must act, and a
refused step tells no one."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from credit.models import CreditEvent
from tests.factories import token_of
from wechat.models import SubscribeMessage


def noon(days_ahead: int) -> datetime:
    return datetime.combine(today_in_beijing() + timedelta(days=days_ahead), time(12), BEIJING)


@pytest.fixture
def long_sessions(app, monkeypatch):
    """Sessions outlast a two-month engagement, so the family stays logged in to its end."""
    monkeypatch.setitem(app.config, "SESSION_LIFETIME_DAYS", 120)


def ratings_on_ledger(app, worker_id: int) -> list[float]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(CreditEvent.value).where(
                    CreditEvent.worker_id == worker_id,
                    CreditEvent.kind == "rating",
                    CreditEvent.source_ref.like("engagement:%"),
                )
            )
        )


def test_each_month_is_rated_once_after_it_is_over_and_the_whole_at_the_end(app, post, long_sessions, confirmed):
    engagement, family, _, worker = confirmed(days_ahead=2, length=2, length_unit="months")
    path = f"/engagements/{engagement['id']}"
    with time_machine.travel(noon(2), tick=True):
        assert post(f"{path}/start", family, {"token": token_of(worker)}).status_code == 201
        early = post(f"{path}/rating", family, {"stars": 4, "month": 1})
        assert (early.status_code, early.json["code"]) == (409, "month_not_over")
        at_the_end = post(f"{path}/rating", family, {"stars": 4})
        assert (at_the_end.status_code, at_the_end.json["errors"]) == (409, {"status": ["in_service"]})
    with time_machine.travel(noon(33), tick=True):
        assert post(f"{path}/rating", family, {"stars": 4, "month": 1}).status_code == 201
        again = post(f"{path}/rating", family, {"stars": 5, "month": 1})
        assert (again.status_code, again.json["code"]) == (409, "already_rated")
        assert post(f"{path}/end-early", family, {"reason": "宝宝满月了"}).status_code == 200
        assert post(f"{path}/rating", family, {"stars": 5, "text": "很好"}).json["period"] == 0
    assert sorted(ratings_on_ledger(app, worker["id"])) == [4, 5]


def messages(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(SubscribeMessage.kind, func.count()).group_by(SubscribeMessage.kind)).all()
    return {kind: count for kind, count in rows if kind.startswith("engagement_")}


def test_a_choice_refused_because_she_was_just_taken_tells_no_one(
    app, client, post, requested, staff, maternity_worker
):
    worker, clerk = maternity_worker(), staff()
    first, first_family = requested(days_ahead=20)
    second, second_family = requested(days_ahead=25)
    candidate = {}
    for engagement in (first, second):
        proposed = post(f"/engagements/{engagement['id']}/proposals", clerk, {"worker_ids": [worker["id"]]})
        candidate[engagement["id"]] = proposed.json["candidates"][0]["id"]
    assert (
        post(f"/engagements/{first['id']}/choose", first_family, {"candidate_id": candidate[first["id"]]}).status_code
        == 200
    )
    before = messages(app)
    refused = post(f"/engagements/{second['id']}/choose", second_family, {"candidate_id": candidate[second["id"]]})
    assert (refused.status_code, refused.json["code"]) == (409, "worker_double_booked")
    assert messages(app) == before
    assert client.get(f"/api/v1/engagements/{second['id']}", headers=second_family).json["status"] == "proposed"
