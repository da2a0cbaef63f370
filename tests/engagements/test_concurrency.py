"""Two families choosing the same worker for overlapping engagements at the same moment: exactly
one gets her, the others a 409 worker_double_booked, on the real PostgreSQL (SQLite serialises
every write, so only PostgreSQL can show the race). The requests commit for real (each must see
the others), so this does not use the rolled-back `isolated` connection and cleans up after itself."""

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from accounts.models import RoleEvent, RoleGrant, User
from accounts.services import grant_role, start_session
from app.clock import today_in_beijing
from app.extensions import db
from booking import bookings
from booking.models import Booking, BookingEvent, Slot, WorkerTimeBlock
from credit.models import Certificate, CreditEvent, Worker, WorkerCheck
from engagements import candidates, requests
from engagements.models import Candidate, Engagement, EngagementEvent
from tests.engagements.conftest import engagement_body
from tests.factories import booking_body, make_issued_worker, slot_start
from wechat.models import SubscribeMessage

STATION_C = "440106004000"  # 沙河街道: used by the concurrency tests only
FAMILIES = 8


def choose_all_at_once(app, requests_to_send) -> list[tuple[int, str | None]]:
    """(status, code) of each request, sent from its own thread, all released together; (0, None)
    for a request that never answered."""
    barrier = threading.Barrier(len(requests_to_send))
    answers: list[tuple[int, str | None]] = [(0, None)] * len(requests_to_send)

    def send(index, path, body, headers):
        client = app.test_client()
        barrier.wait()
        response = client.post(path, json=body, headers=headers)
        answers[index] = (response.status_code, (response.json or {}).get("code"))

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests_to_send)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


@pytest.fixture
def committed(app):
    """What the test commits, removed afterwards."""
    made: dict[str, list[int]] = {"users": [], "workers": []}
    yield made
    with app.app_context():
        engagement_ids = select(Engagement.id).where(Engagement.resident_id.in_(made["users"]))
        booking_ids = select(Booking.id).where(Booking.resident_id.in_(made["users"]))
        db.session.execute(delete(WorkerTimeBlock).where(WorkerTimeBlock.booking_id.in_(booking_ids)))
        db.session.execute(delete(BookingEvent).where(BookingEvent.booking_id.in_(booking_ids)))
        slot_ids = [
            booking.slot_id for booking in db.session.scalars(select(Booking).where(Booking.id.in_(booking_ids)))
        ]
        db.session.execute(delete(Booking).where(Booking.resident_id.in_(made["users"])))
        db.session.execute(delete(Slot).where(Slot.id.in_(slot_ids)))
        db.session.execute(delete(WorkerTimeBlock).where(WorkerTimeBlock.engagement_id.in_(engagement_ids)))
        db.session.execute(delete(EngagementEvent).where(EngagementEvent.engagement_id.in_(engagement_ids)))
        db.session.execute(delete(Candidate).where(Candidate.engagement_id.in_(engagement_ids)))
        db.session.execute(delete(Engagement).where(Engagement.resident_id.in_(made["users"])))
        for worker_id in made["workers"]:
            db.session.execute(delete(CreditEvent).where(CreditEvent.worker_id == worker_id))
            db.session.execute(delete(WorkerCheck).where(WorkerCheck.worker_id == worker_id))
            db.session.execute(delete(Certificate).where(Certificate.worker_id == worker_id))
            db.session.execute(delete(Worker).where(Worker.id == worker_id))
        db.session.execute(delete(SubscribeMessage).where(SubscribeMessage.user_id.in_(made["users"])))
        db.session.execute(delete(RoleEvent).where(RoleEvent.user_id.in_(made["users"])))
        db.session.execute(delete(RoleGrant).where(RoleGrant.user_id.in_(made["users"])))
        db.session.execute(delete(User).where(User.id.in_(made["users"])))
        db.session.commit()


def test_families_choosing_one_worker_for_overlapping_engagements_at_once_get_her_once(app, committed):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    with app.app_context():
        clerk = User(openid=f"engagement-race-{uuid.uuid4().hex}")
        families = [User(openid=f"engagement-race-{uuid.uuid4().hex}", phone="13900000000") for _ in range(FAMILIES)]
        db.session.add_all([clerk, *families])
        db.session.flush()
        grant_role(clerk, "station_staff", station_code=STATION_C)
        committed["users"] += [clerk.id, *(family.id for family in families)]
        worker = make_issued_worker("并发月嫂", ["maternity"])
        committed["workers"].append(worker.id)
        sends = []
        for offset, family in enumerate(families):
            # Each starts a day after the previous one: every two of them overlap.
            body = engagement_body(days_ahead=10 + offset, station_code=STATION_C)
            body["start_day"] = today_in_beijing() + timedelta(days=10 + offset)
            engagement = requests.create_engagement(family, body)
            candidates.propose(engagement, [worker.id], clerk)
            headers = {"Authorization": f"Bearer {start_session(family)}"}
            sends.append(
                (f"/api/v1/engagements/{engagement.id}/choose", {"candidate_id": engagement.candidates[0].id}, headers)
            )
        db.session.commit()
        worker_id = worker.id

    answers = choose_all_at_once(app, sends)

    assert sorted(answers) == [(200, None)] + [(409, "worker_double_booked")] * (FAMILIES - 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Engagement.worker_id == worker_id)) == 1
        assert db.session.scalar(select(func.count()).where(WorkerTimeBlock.worker_id == worker_id)) == 26 * 48


def test_a_slot_booking_and_an_engagement_taking_one_worker_at_once_get_her_once(app, committed):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    with app.app_context():
        clerk, family, household = (
            User(openid=f"engagement-race-{uuid.uuid4().hex}", phone="13900000000") for _ in range(3)
        )
        db.session.add_all([clerk, family, household])
        db.session.flush()
        grant_role(clerk, "station_staff", station_code=STATION_C)
        committed["users"] += [clerk.id, family.id, household.id]
        worker = make_issued_worker("并发月嫂保洁", ["maternity", "cleaning"])
        committed["workers"].append(worker.id)
        booking, _ = bookings.create_booking(
            household,
            booking_body(station_code=STATION_C)
            | {"starts_at": slot_start(3), "location": {"lat": 23.1, "lng": 113.3}},
            uuid.uuid4().hex,
        )
        bookings.confirm(booking, clerk)
        body = engagement_body(station_code=STATION_C)
        body["start_day"] = today_in_beijing() + timedelta(days=2)  # days 2 to 27 take the slot's day
        engagement = requests.create_engagement(family, body)
        candidates.propose(engagement, [worker.id], clerk)
        sends = [
            (f"/api/v1/bookings/{booking.id}/assign", {"worker_id": worker.id}, bearer_of(clerk)),
            (
                f"/api/v1/engagements/{engagement.id}/choose",
                {"candidate_id": engagement.candidates[0].id},
                bearer_of(family),
            ),
        ]
        db.session.commit()
        worker_id = worker.id

    answers = choose_all_at_once(app, sends)

    assert sorted(answers) == [(200, None), (409, "worker_double_booked")]
    with app.app_context():
        held_by = db.session.execute(
            select(WorkerTimeBlock.booking_id.is_(None), func.count())
            .where(WorkerTimeBlock.worker_id == worker_id)
            .group_by(WorkerTimeBlock.booking_id.is_(None))
        ).all()
    assert len(held_by) == 1  # all her half hours held by the winner alone


def bearer_of(user: User) -> dict:
    return {"Authorization": f"Bearer {start_session(user)}"}
