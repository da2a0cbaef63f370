"""No overbooking, ever: many residents booking the last place at once, and one worker assigned to
overlapping bookings at once, really concurrently against the real database.

These tests commit for real (the requests must see each other), so they do not use the rolled-back
`isolated` connection and clean up after themselves."""

import threading
import uuid

import pytest
from sqlalchemy import delete, func, select, update

from accounts.models import RoleEvent, User
from accounts.services import grant_role, start_session
from app.extensions import db
from app.privacy import blind_index
from booking import bookings
from booking.models import Booking, BookingEvent, Slot, StationOffer, WorkerTimeBlock
from credit.models import Certificate, CreditEvent, Worker, WorkerCheck
from tests.factories import booking_body, make_issued_worker, slot_start
from wechat.models import SubscribeMessage

STATION_C = "440106004000"  # 沙河街道: used by these tests only
CONCURRENT_REQUESTS = 64


def new_users(count: int, role: str | None = None) -> tuple[list[int], list[dict]]:
    users = [
        User(openid=f"concurrency-{uuid.uuid4().hex}", phone="13900000000", phone_hash=blind_index("13900000000"))
        for _ in range(count)
    ]
    db.session.add_all(users)
    db.session.flush()
    if role:
        for user in users:
            grant_role(user, role, station_code=STATION_C)
    headers = [{"Authorization": f"Bearer {start_session(user)}"} for user in users]
    return [user.id for user in users], headers


def all_at_once(app, requests) -> list[int]:
    """Sends each (path, json, headers) from its own thread, all released together; the statuses."""
    barrier, statuses = threading.Barrier(len(requests)), [None] * len(requests)

    def send(index, path, body, headers):
        client = app.test_client()
        barrier.wait()
        statuses[index] = client.post(path, json=body, headers=headers).status_code

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


@pytest.fixture
def station_c(app):
    """Station C's cleaning offer with `capacity` places; everything the test committed there is
    removed afterwards."""
    created = {"users": [], "workers": []}

    def configure(capacity: int):
        with app.app_context():
            db.session.execute(
                update(StationOffer)
                .where(StationOffer.station_code == STATION_C, StationOffer.service_code == "cleaning")
                .values(capacity=capacity)
            )
            db.session.commit()
        return created

    yield configure
    with app.app_context():
        booking_ids = select(Booking.id).where(Booking.station_code == STATION_C)
        db.session.execute(delete(WorkerTimeBlock).where(WorkerTimeBlock.booking_id.in_(booking_ids)))
        db.session.execute(delete(BookingEvent).where(BookingEvent.booking_id.in_(booking_ids)))
        db.session.execute(delete(Booking).where(Booking.station_code == STATION_C))
        db.session.execute(delete(Slot).where(Slot.station_code == STATION_C))
        for worker_id in created["workers"]:
            db.session.execute(delete(CreditEvent).where(CreditEvent.worker_id == worker_id))
            db.session.execute(delete(WorkerCheck).where(WorkerCheck.worker_id == worker_id))
            db.session.execute(delete(Certificate).where(Certificate.worker_id == worker_id))
            db.session.execute(delete(Worker).where(Worker.id == worker_id))
        db.session.execute(delete(SubscribeMessage).where(SubscribeMessage.user_id.in_(created["users"])))
        db.session.execute(delete(RoleEvent).where(RoleEvent.user_id.in_(created["users"])))
        db.session.execute(delete(User).where(User.id.in_(created["users"])))
        db.session.execute(
            update(StationOffer)
            .where(StationOffer.station_code == STATION_C, StationOffer.service_code == "cleaning")
            .values(capacity=3)
        )
        db.session.commit()


def test_64_residents_booking_the_last_place_at_once_make_exactly_one_booking(app, station_c):
    created = station_c(capacity=2)
    body = booking_body(station_code=STATION_C)
    with app.app_context():
        created["users"], headers = new_users(CONCURRENT_REQUESTS + 1)
        first = db.session.get(User, created["users"][0])
        booking, _ = bookings.create_booking(
            first, body | {"starts_at": slot_start(), "location": {"lat": 23.1, "lng": 113.3}}, uuid.uuid4().hex
        )
        db.session.commit()
    requests = [("/api/v1/bookings", body, h | {"Idempotency-Key": uuid.uuid4().hex}) for h in headers[1:]]
    statuses = all_at_once(app, requests)
    assert sorted(statuses) == [201] + [409] * (CONCURRENT_REQUESTS - 1)
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.station_code == STATION_C))
        assert slot is not None
        assert (slot.booked, slot.capacity) == (2, 2)
        assert db.session.scalar(select(func.count()).where(Booking.slot_id == slot.id)) == 2
        # The refused wrote nothing: one first event and one 预约已受理 per booking made.
        in_slot = select(Booking.id).where(Booking.slot_id == slot.id)
        assert db.session.scalar(select(func.count()).where(BookingEvent.booking_id.in_(in_slot))) == 2
        told = select(func.count()).where(SubscribeMessage.user_id.in_(created["users"]))
        assert db.session.scalar(told) == 2


def test_one_booking_request_sent_many_times_at_once_books_one_place(app, station_c):
    created = station_c(capacity=3)
    with app.app_context():
        created["users"], [headers] = new_users(1)
        db.session.commit()
    retry = headers | {"Idempotency-Key": uuid.uuid4().hex}
    statuses = all_at_once(app, [("/api/v1/bookings", booking_body(station_code=STATION_C), retry)] * 16)
    assert sorted(statuses) == [200] * 15 + [201]
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.station_code == STATION_C))
        assert slot.booked == 1
        assert db.session.scalar(select(func.count()).where(Booking.slot_id == slot.id)) == 1


def test_one_worker_assigned_to_overlapping_bookings_at_once_gets_exactly_one(app, station_c):
    created = station_c(capacity=8)
    with app.app_context():
        created["users"], headers = new_users(8)
        staff_ids, staff_headers = new_users(8, role="station_staff")
        created["users"] += staff_ids
        booking_ids = []
        for user_id in created["users"][:8]:
            booking, _ = bookings.create_booking(
                db.session.get(User, user_id),
                booking_body(station_code=STATION_C)
                | {"starts_at": slot_start(), "location": {"lat": 23.1, "lng": 113.3}},
                uuid.uuid4().hex,
            )
            bookings.confirm(booking, None)
            booking_ids.append(booking.id)
        worker = make_issued_worker("并发保洁", ["cleaning"])
        created["workers"].append(worker.id)
        db.session.commit()
        worker_id = worker.id
    requests = [
        (f"/api/v1/bookings/{booking_id}/assign", {"worker_id": worker_id}, clerk)
        for booking_id, clerk in zip(booking_ids, staff_headers, strict=True)
    ]
    statuses = all_at_once(app, requests)
    assert sorted(statuses) == [200] + [409] * 7
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Booking.worker_id == worker_id)) == 1
        assert db.session.scalar(select(func.count()).where(WorkerTimeBlock.worker_id == worker_id)) == 4
