"""What needs a station's staff now, in one answer: bookings waiting to be confirmed (the oldest
first), completed bookings whose 回访 is due, and complaints past their deadline or due within
COMPLAINT_NEAR_HOURS (the most overdue first), each with its count and its first `limit` rows."""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.paging import Page, paginate_by_key, written
from booking.aftercare import follow_ups_due
from booking.bookings import shown_with_booking
from booking.models import PENDING, Booking
from complaints.deadlines import due_complaints


@dataclass(frozen=True)
class Desk:
    unconfirmed: Page
    follow_ups_due: Page
    complaints_due: Page
    near_hours: int


def unconfirmed_bookings(station_code: str, limit: int) -> Page:
    """Read from ix_bookings_station_pending, which holds the pending bookings alone: not every
    booking of the station's history read to find them (3,900 heap pages at the busiest station
    at scale 1). The status is written into the SQL, not bound: a plan made for any value of a
    parameter (PostgreSQL's generic plan of a statement prepared after a few runs) could not use
    an index of the pending ones."""
    pending = Booking.status == written(PENDING)
    query = select(Booking).where(Booking.station_code == station_code, pending)
    order = (Booking.created_at, Booking.id)
    return paginate_by_key(query, order, Booking.id, 1, limit, load=shown_with_booking())


def desk(station_code: str, limit: int) -> Desk:
    near = current_app.config["COMPLAINT_NEAR_HOURS"]
    return Desk(
        unconfirmed=unconfirmed_bookings(station_code, limit),
        follow_ups_due=follow_ups_due(station_code, 1, limit),
        complaints_due=due_complaints(station_code, timedelta(hours=near), 1, limit),
        near_hours=near,
    )
