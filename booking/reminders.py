"""The day-before reminder: queued once per booking, whoever runs the command and however often."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.clock import beijing_day_bounds, in_beijing, utcnow
from app.extensions import db
from booking import notifications
from booking.bookings import masked_worker
from booking.models import ASSIGNED, CONFIRMED, Booking

# Bookings the station has accepted; a pending one may still be rejected, so it is not reminded.
REMINDED_STATUSES = (CONFIRMED, ASSIGNED)


def queue_reminders() -> int:
    """Queues the reminder of every confirmed or assigned booking that starts tomorrow (Beijing
    time) and has had none. Each booking is claimed by one conditional UPDATE, so repeated or
    overlapping runs remind it once (a reschedule clears the claim). Returns how many it queued."""
    now = utcnow()
    start, end = beijing_day_bounds(in_beijing(now).date() + timedelta(days=1))
    claimed = db.session.scalars(
        update(Booking)
        .where(
            Booking.status.in_(REMINDED_STATUSES),
            Booking.starts_at >= start,
            Booking.starts_at < end,
            Booking.reminder_queued_at.is_(None),
        )
        .values(reminder_queued_at=now)
        .returning(Booking.id)
        .execution_options(synchronize_session=False)
    ).all()
    for booking in db.session.scalars(
        select(Booking)
        .where(Booking.id.in_(claimed))
        .order_by(Booking.id)
        .options(masked_worker(selectinload(Booking.worker)))
    ):
        notifications.booking_reminder(booking)
    return len(claimed)
