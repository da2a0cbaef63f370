"""No place given twice, for real against the database: series racing single bookings for the
same slots, residents racing to take one freed place, and an offered place taken while single
bookings race for it. These tests commit (the requests must see each other), so they do not use
the rolled-back `isolated` connection and clean up after themselves."""

import threading
import uuid

import pytest
from sqlalchemy import delete, func, select, update

from accounts.models import RoleEvent, User
from accounts.services import start_session
from app.extensions import db
from app.privacy import blind_index
from booking import bookings, waiting
from booking.models import (
    CANCELLED,
    OFFERED,
    REJECTED,
    Booking,
    BookingEvent,
    BookingSeries,
    SeriesEvent,
    SeriesOccurrence,
    Slot,
    StationOffer,
    WaitingEntry,
    WaitingEvent,
)
from tests.factories import booking_body, key_header, slot_start
from wechat.models import SubscribeMessage

STATION_D = "440106007000"  # 沙东街道: used by these tests only
LOCATION = {"lat": 23.1, "lng": 113.3}


def all_at_once(app, requests) -> list[int]:
    """Sends each (path, json, headers) from its own thread, all released together; the statuses."""
    barrier, statuses = threading.Barrier(len(requests)), [0] * len(requests)

    def send(index, path, body, headers):
        client = app.test_client()
        barrier.wait()
        statuses[index] = client.post(path, json=body, headers=headers).status_code

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses


@pytest.fixture
def station_d(app):
    """new_residents(count, capacity) -> their ids and headers, station D's cleaning offering
    `capacity` places; everything committed there is removed afterwards."""
    users: list[int] = []

    def new_residents(count: int, capacity: int):
        with app.app_context():
            db.session.execute(
                update(StationOffer)
                .where(StationOffer.station_code == STATION_D, StationOffer.service_code == "cleaning")
                .values(capacity=capacity)
            )
            made = [
                User(openid=f"series-{uuid.uuid4().hex}", phone="13900000001", phone_hash=blind_index("13900000001"))
                for _ in range(count)
            ]
            db.session.add_all(made)
            db.session.flush()
            headers = [{"Authorization": f"Bearer {start_session(user)}"} for user in made]
            users.extend(user.id for user in made)
            db.session.commit()
            return [user.id for user in made], headers

    yield new_residents
    with app.app_context():
        entries = select(WaitingEntry.id).where(WaitingEntry.station_code == STATION_D)
        db.session.execute(delete(WaitingEvent).where(WaitingEvent.entry_id.in_(entries)))
        db.session.execute(delete(WaitingEntry).where(WaitingEntry.station_code == STATION_D))
        series = select(BookingSeries.id).where(BookingSeries.station_code == STATION_D)
        db.session.execute(delete(SeriesOccurrence).where(SeriesOccurrence.series_id.in_(series)))
        db.session.execute(delete(SeriesEvent).where(SeriesEvent.series_id.in_(series)))
        db.session.execute(delete(BookingSeries).where(BookingSeries.station_code == STATION_D))
        booking_ids = select(Booking.id).where(Booking.station_code == STATION_D)
        db.session.execute(delete(BookingEvent).where(BookingEvent.booking_id.in_(booking_ids)))
        db.session.execute(delete(Booking).where(Booking.station_code == STATION_D))
        db.session.execute(delete(Slot).where(Slot.station_code == STATION_D))
        db.session.execute(delete(SubscribeMessage).where(SubscribeMessage.user_id.in_(users)))
        db.session.execute(delete(RoleEvent).where(RoleEvent.user_id.in_(users)))
        db.session.execute(delete(User).where(User.id.in_(users)))
        db.session.execute(
            update(StationOffer)
            .where(StationOffer.station_code == STATION_D, StationOffer.service_code == "cleaning")
            .values(capacity=3)
        )
        db.session.commit()


def places_add_up(app) -> list[tuple[int, int, int]]:
    """Each slot of station D as (booked, capacity, bookings holding a place + offers holding one)."""
    with app.app_context():
        holding = (
            select(func.count())
            .where(Booking.slot_id == Slot.id, Booking.status.not_in((CANCELLED, REJECTED)))
            .scalar_subquery()
        )
        offers = select(func.count()).where(WaitingEntry.slot_id == Slot.id, WaitingEntry.status == OFFERED)
        return [
            tuple(row)
            for row in db.session.execute(
                select(Slot.booked, Slot.capacity, holding + offers.scalar_subquery())
                .where(Slot.station_code == STATION_D)
                .order_by(Slot.starts_at)
            )
        ]


def test_series_racing_single_bookings_for_the_same_slots_never_overbook(app, station_d):
    _, headers = station_d(16, capacity=2)
    body = booking_body(station_code=STATION_D)
    series_requests = [("/api/v1/series", body | {"every_days": 1, "count": 3}, h | key_header()) for h in headers[:8]]
    single_requests = [("/api/v1/bookings", body, h | key_header()) for h in headers[8:]]
    statuses = all_at_once(app, series_requests + single_requests)
    assert set(statuses[:8]) == {201}, statuses
    assert set(statuses[8:]) <= {201, 409}
    slots = places_add_up(app)
    assert len(slots) == 3
    assert all(booked == capacity == held for booked, capacity, held in slots), slots
    with app.app_context():
        outcomes = dict(
            db.session.execute(select(SeriesOccurrence.outcome, func.count()).group_by(SeriesOccurrence.outcome)).all()
        )
        singles = statuses[8:].count(201)
        # Every date is accounted for: 8 series x 3 dates, booked or full; 6 places in all.
        assert sum(outcomes.values()) == 24 and set(outcomes) <= {"booked", "slot_full"}
        assert outcomes.get("booked", 0) + singles == 6


def test_one_series_request_sent_many_times_at_once_books_its_dates_once(app, station_d):
    _, [headers] = station_d(1, capacity=3)
    retry = headers | key_header()
    body = booking_body(station_code=STATION_D) | {"count": 4}
    statuses = all_at_once(app, [("/api/v1/series", body, retry)] * 12)
    assert sorted(statuses) == [200] * 11 + [201]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BookingSeries)) == 1
        assert db.session.scalar(select(func.count()).where(Booking.station_code == STATION_D)) == 4
    assert all(booked == held == 1 for booked, _, held in places_add_up(app))


def make_waiting_line(app, residents: list[int], waiting_ids: list[int], capacity: int) -> list[int]:
    """The first slot of station D full with bookings of `residents`; `waiting_ids` in its line.
    Returns the bookings' ids."""
    with app.app_context():
        data = booking_body(station_code=STATION_D) | {"starts_at": slot_start(), "location": LOCATION}
        made = [
            bookings.create_booking(db.session.get_one(User, user_id), data, uuid.uuid4().hex)[0].id
            for user_id in residents[:capacity]
        ]
        for user_id in waiting_ids:
            waiting.join(db.session.get_one(User, user_id), data)
        db.session.commit()
        return made


def entries_by_status(app) -> dict[str, int]:
    with app.app_context():
        return dict(
            db.session.execute(
                select(WaitingEntry.status, func.count())
                .where(WaitingEntry.station_code == STATION_D)
                .group_by(WaitingEntry.status)
            ).all()
        )


def test_two_places_cancelled_at_once_are_offered_to_two_in_line_never_one_twice(app, station_d):
    ids, headers = station_d(5, capacity=2)
    booked = make_waiting_line(app, ids[:2], ids[2:], capacity=2)
    statuses = all_at_once(
        app, [(f"/api/v1/bookings/{booking_id}/cancel", {}, headers[n]) for n, booking_id in enumerate(booked)]
    )
    assert statuses == [200, 200]
    assert entries_by_status(app) == {"offered": 2, "waiting": 1}
    assert places_add_up(app) == [(2, 2, 2)]


def test_residents_racing_for_one_freed_place_get_it_once(app, station_d):
    ids, headers = station_d(4, capacity=1)
    [booking_id] = make_waiting_line(app, ids[:1], ids[1:], capacity=1)
    with app.app_context():
        entry_ids = list(
            db.session.scalars(
                select(WaitingEntry.id).where(WaitingEntry.station_code == STATION_D).order_by(WaitingEntry.id)
            )
        )
    take = {
        k: v
        for k, v in booking_body(station_code=STATION_D).items()
        if k not in ("station_code", "service_code", "starts_at")
    }
    requests = [(f"/api/v1/bookings/{booking_id}/cancel", {}, headers[0])] + [
        (f"/api/v1/waiting-entries/{entry_id}/take", take, headers[n + 1] | key_header())
        for n, entry_id in enumerate(entry_ids)
    ]
    answers = all_at_once(app, requests)
    assert answers[0] == 200 and answers[1:].count(201) <= 1 and set(answers[1:]) <= {201, 409}
    # Whoever came first, the freed place is one: held for one resident or booked by them.
    assert places_add_up(app) == [(1, 1, 1)]
    statuses = entries_by_status(app)
    assert statuses.get("offered", 0) + statuses.get("taken", 0) == 1


def test_an_offered_place_taken_while_single_bookings_race_for_it_goes_to_the_offered_resident(app, station_d):
    ids, headers = station_d(12, capacity=1)
    [booking_id] = make_waiting_line(app, ids[:1], ids[1:2], capacity=1)
    with app.app_context():
        bookings.cancel(db.session.get_one(Booking, booking_id), db.session.get_one(User, ids[0]), "改期")
        db.session.commit()
        [entry_id] = db.session.scalars(select(WaitingEntry.id).where(WaitingEntry.status == OFFERED))
    take = {
        k: v
        for k, v in booking_body(station_code=STATION_D).items()
        if k not in ("station_code", "service_code", "starts_at")
    }
    requests = [(f"/api/v1/waiting-entries/{entry_id}/take", take, headers[1] | key_header())] + [
        ("/api/v1/bookings", booking_body(station_code=STATION_D), h | key_header()) for h in headers[2:]
    ]
    statuses = all_at_once(app, requests)
    assert statuses == [201] + [409] * 10
    assert entries_by_status(app) == {"taken": 1}
    assert places_add_up(app) == [(1, 1, 1)]
