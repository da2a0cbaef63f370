"""Booking on behalf: a station's staff book a place for someone who phones or walks in (often an
elderly resident without the mini-program), with the caller's name and phone (encrypted), and
their consent on record. The booking is the resident's once they claim it in the
mini-program with the same phone, bound through WeChat (POST /api/v1/auth/wechat/phone): phones
are compared by their keyed hash, never decrypted. Until then the staff member who took it holds
it as its resident, so the station can move or cancel it when the caller asks; a held booking is
told of by no message to its holder, and cannot be rated."""

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from accounts.models import User
from app.clock import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.privacy import blind_index
from booking import notifications
from booking.bookings import audit, book_place, booking_by_key, fingerprint, replayed, shown_with_booking
from booking.models import Booking, BookingCaller

CALLER_FIELDS = ("caller_name", "caller_phone", "channel", "consent")


def book_on_behalf(staff: User, data: dict, idempotency_key: str) -> tuple[Booking, bool]:
    """Books one place as a resident's own booking would be (the same checks, the same place
    taken by the database), for the caller `data` names; or returns the booking this staff
    member's Idempotency-Key already made (created=False)."""
    request_fingerprint = fingerprint(data)
    existing = booking_by_key(staff, idempotency_key)
    if existing is not None:
        return replayed(existing, request_fingerprint), False
    booking = book_place(
        {name: value for name, value in data.items() if name not in CALLER_FIELDS},
        resident_id=staff.id,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
    )
    if booking is None:
        # The same key in a concurrent request of the same staff member won the race.
        winner = booking_by_key(staff, idempotency_key)
        assert winner is not None  # its key is the one that conflicted
        return replayed(winner, request_fingerprint), False
    caller = BookingCaller(
        booking_id=booking.id,
        name=data["caller_name"],
        phone=data["caller_phone"],
        phone_hash=blind_index(data["caller_phone"]),
        channel=data["channel"],
        consent_at=utcnow(),
        consent_recorded_by_id=staff.id,
    )
    db.session.add(caller)
    db.session.flush()
    set_committed_value(booking, "caller", caller)
    audit(
        booking,
        "create",
        None,
        booking.status,
        staff,
        details={"starts_at": booking.starts_at.isoformat(), "on_behalf": data["channel"]},
    )
    notifications.station_told_of_booking(booking)
    return booking, True


def claim_bookings(resident: User) -> list[Booking]:
    """The bookings taken on behalf of the resident's bound phone and not claimed yet become the
    resident's own, with an audit event each; claiming again claims nothing more."""
    if resident.phone_hash is None:
        raise Conflict(
            _("Bind your phone through WeChat first (POST /api/v1/auth/wechat/phone)."),
            code="phone_not_bound",
            field="phone",
        )
    callers = list(
        db.session.scalars(
            select(BookingCaller)
            .join(BookingCaller.booking)
            .where(BookingCaller.phone_hash == resident.phone_hash, BookingCaller.claimed_at.is_(None))
            .order_by(BookingCaller.booking_id)
            .with_for_update(of=BookingCaller)
        )
    )
    now = utcnow()
    for caller in callers:
        caller.claimed_at = now
        booking = caller.booking
        audit(booking, "claimed", None, None, resident, details={"held_by_id": booking.resident_id})
        booking.resident_id = resident.id
    db.session.flush()
    claimed = [caller.booking_id for caller in callers]
    if not claimed:
        return []
    return list(
        db.session.scalars(
            select(Booking).where(Booking.id.in_(claimed)).order_by(Booking.starts_at).options(*shown_with_booking())
        )
    )


def held_for_a_caller(booking: Booking) -> bool:
    """Taken on behalf and not claimed yet: its resident_id is the staff member holding it."""
    return booking.caller is not None and booking.caller.claimed_at is None


def refuse_rating_while_held(booking: Booking) -> None:
    """The rating is the resident's own: a held booking is rated once its resident claims it."""
    if held_for_a_caller(booking):
        raise Conflict(
            _("This booking was taken on someone's behalf: it is rated once its resident claims it."),
            code="held_for_a_caller",
            field="stars",
        )
