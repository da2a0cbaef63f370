"""Migrating a database whose completed bookings already have follow-up calls: each booking says
whether its call is recorded as its rows say, and keeps saying it whoever writes or removes a
call from then on; going back drops the flag, its index and its triggers, and up again reads the
calls written meanwhile. On both backends."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from geoalchemy2 import WKTElement

from app.clock import utcnow
from app.extensions import db
from booking.hours import seed_defaults
from booking.models import COMPLETED, Booking, FollowUp, Slot
from tests.factories import STATION_A, build_app, empty_database_url, make_user

BEFORE = "0042_company_list_range"
FLAGS = "SELECT id, follow_up_recorded FROM bookings ORDER BY id"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    return empty_database_url(request.param, tmp_path, "follow_ups_due")


def completed_bookings(count: int) -> tuple[list[int], int]:
    """`count` bookings served yesterday at one station, and a clerk's user id."""
    seed_defaults()
    starts_at = utcnow() - timedelta(days=1)
    slot = Slot(
        station_code=STATION_A,
        service_code="cleaning",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=count,
        booked=count,
    )
    db.session.add(slot)
    db.session.flush()
    resident, clerk = make_user(), make_user()
    bookings = [
        Booking(
            resident_id=resident.id,
            idempotency_key=f"follow-up-{n}",
            request_fingerprint="0" * 64,
            station_code=STATION_A,
            service_code="cleaning",
            slot_id=slot.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            status=COMPLETED,
            address="回访路 1 号",
            location=WKTElement("POINT(113.3 23.1)", srid=4326),
        )
        for n in range(count)
    ]
    db.session.add_all(bookings)
    db.session.commit()
    return [booking.id for booking in bookings], clerk.id


def call(booking_id: int, clerk_id: int) -> None:
    """A follow-up call written as a data load writes it, by SQL alone."""
    db.session.execute(
        sa.text(
            "INSERT INTO booking_follow_ups (booking_id, caller_id, called_at, satisfied, created_at)"
            " VALUES (:booking, :clerk, :at, :satisfied, :at)"
        ),
        {"booking": booking_id, "clerk": clerk_id, "at": utcnow(), "satisfied": True},
    )
    db.session.commit()


def flags() -> list[tuple[int, bool]]:
    read = [(row.id, bool(row.follow_up_recorded)) for row in db.session.execute(sa.text(FLAGS))]
    db.session.rollback()  # SQLite: no read left open to lock the migrations out
    return read


def test_each_booking_says_whether_its_call_is_recorded_after_going_back_and_up(database_url):
    app = build_app(database_url)
    with app.app_context():
        try:
            (first, second, third), clerk = completed_bookings(3)
            db.session.add(FollowUp(booking_id=first, caller_id=clerk, called_at=utcnow(), satisfied=True))
            db.session.commit()
            assert flags() == [(first, True), (second, False), (third, False)]

            downgrade(revision=BEFORE)
            columns = {column["name"] for column in sa.inspect(db.engine).get_columns("bookings")}
            assert "follow_up_recorded" not in columns
            call(second, clerk)  # while the flag is gone: the row alone, no trigger left to write it

            upgrade()
            assert flags() == [(first, True), (second, True), (third, False)]
            call(third, clerk)
            db.session.execute(sa.text("DELETE FROM booking_follow_ups WHERE booking_id = :id"), {"id": first})
            db.session.commit()
            assert flags() == [(first, False), (second, True), (third, True)]
        finally:
            db.session.remove()
            db.engine.dispose()
