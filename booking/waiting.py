"""The waiting list of a full slot: residents join it in turn; when a place frees (a booking
cancelled, rejected or moved away, an offer left or lapsed, the capacity raised), the first one
waiting is offered it for WAITING_OFFER_MINUTES, and the place is held for them meanwhile: it
stays counted in the slot's `booked`, so the capacity CHECK keeps it from everyone else. Taking
the offer is an ordinary booking (booking.bookings.create_booking) into the held place. Offers
that run out lapse in `flask booking expire-offers` (cron, every minute), or when their resident
tries to take them late; the place then goes to the next one waiting.
No request, no commit: callers commit, these functions only flush."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, column_property

from accounts.models import User
from app.clock import in_beijing, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from booking import notifications, places
from booking.bookings import booking_by_key, create_booking, place_for
from booking.models import (
    BOOKING_STATES,
    IN_LINE,
    OFFERED,
    TAKEN,
    WAITING,
    WAITING_STATES,
    Booking,
    StationOffer,
    WaitingEntry,
    WaitingEvent,
)

_ahead = aliased(WaitingEntry)
# 1 for the next to be offered a place; the schema shows it only while the entry is waiting.
WaitingEntry.__mapper__.add_property(
    "position",
    column_property(
        select(func.count(_ahead.id))
        .where(_ahead.slot_id == WaitingEntry.slot_id, _ahead.status == WAITING, _ahead.id <= WaitingEntry.id)
        .correlate_except(_ahead)
        .scalar_subquery()
    ),
)


def _audit(entry: WaitingEntry, action: str, before: str | None, actor: User | None, details: dict | None = None):
    db.session.add(
        WaitingEvent(
            entry_id=entry.id,
            action=action,
            from_status=before,
            to_status=entry.status,
            actor_id=actor.id if actor is not None else None,
            details=details,
            created_at=utcnow(),
        )
    )


def _move(entry: WaitingEntry, action: str, actor: User | None, details: dict | None = None) -> str:
    """One row of WAITING_STATES (409 naming the status otherwise), audited; the status before."""
    before = entry.status
    entry.status, entry.updated_at = WAITING_STATES.target(before, action), utcnow()
    _audit(entry, action, before, actor, details)
    return before


def _in_line(resident: User, slot_id: int):
    return select(WaitingEntry).where(
        WaitingEntry.resident_id == resident.id, WaitingEntry.slot_id == slot_id, WaitingEntry.status.in_(IN_LINE)
    )


def in_line(resident: User, slot_id: int) -> WaitingEntry | None:
    return db.session.scalar(_in_line(resident, slot_id))


def join(resident: User, data: dict) -> tuple[WaitingEntry, bool]:
    """Puts the resident in the slot's line, or returns their place in it (created=False). Only a
    full slot has a line (409 slot_not_full: book it), and not for a resident booked in it."""
    placement = place_for(data["station_code"], data["service_code"], data["starts_at"])
    slot_id = places.slot_id(placement.offer, placement.starts_at, placement.ends_at)
    existing = in_line(resident, slot_id)
    if existing is not None:
        return existing, False
    booked, capacity = db.session.execute(
        select(places.slots.c.booked, places.slots.c.capacity).where(places.slots.c.id == slot_id)
    ).one()
    if booked < capacity:
        raise Conflict(
            _("This slot has places free: book it instead."),
            code="slot_not_full",
            errors={"starts_at": [_("the slot has free places")]},
        )
    if db.session.scalar(
        select(Booking.id).where(
            Booking.resident_id == resident.id,
            Booking.slot_id == slot_id,
            Booking.status.in_(tuple(BOOKING_STATES.transitions["cancel"])),
        )
    ):
        raise Conflict(
            _("You have a booking in this slot already."),
            code="already_booked",
            errors={"starts_at": [_("you are booked in this slot")]},
        )
    entry = WaitingEntry(
        resident_id=resident.id,
        slot_id=slot_id,
        station_code=data["station_code"],
        service_code=data["service_code"],
        starts_at=placement.starts_at,
        status=WAITING,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        # The same resident joined in a concurrent request: that is their place.
        return db.session.scalars(_in_line(resident, slot_id)).one(), False
    _audit(entry, "join", None, resident, {"starts_at": placement.starts_at.isoformat()})
    db.session.flush()
    return entry, True


def fill_from_waiting_list(slot_id: int) -> int:
    """Offers the slot's free places to those waiting, first come first offered, each place taken
    for them by the same conditional UPDATE a booking uses. Called with the slot's row locked by
    the caller's freeing of a place, so nobody books in between. Returns the offers made."""
    offered = 0
    while True:
        entry = db.session.scalar(
            select(WaitingEntry)
            .where(WaitingEntry.slot_id == slot_id, WaitingEntry.status == WAITING, WaitingEntry.starts_at > utcnow())
            .order_by(WaitingEntry.id)
            .limit(1)
            .with_for_update(of=WaitingEntry)
            .execution_options(populate_existing=True)
        )
        if entry is None:
            return offered
        try:
            places.take_place(slot_id)
        except Conflict:
            return offered
        now = utcnow()
        expires_at = min(now + timedelta(minutes=current_app.config["WAITING_OFFER_MINUTES"]), entry.starts_at)
        entry.offered_at, entry.offer_expires_at = now, expires_at
        _move(entry, "offer", None, {"expires_at": expires_at.isoformat()})
        db.session.flush()
        notifications.waiting_offer(entry, expires_at)
        offered += 1


def on_places_freed(_sender=None, *, slot_id: int | None = None, offer: StationOffer | None = None) -> None:
    """booking.places' signal: a place was given back in a slot, or an offer's capacity changed."""
    if slot_id is not None:
        fill_from_waiting_list(slot_id)
        return
    if offer is not None:
        waited_on = db.session.scalars(
            select(WaitingEntry.slot_id)
            .where(
                WaitingEntry.station_code == offer.station_code,
                WaitingEntry.service_code == offer.service_code,
                WaitingEntry.status == WAITING,
                WaitingEntry.starts_at > utcnow(),
            )
            .distinct()
            .order_by(WaitingEntry.slot_id)
        ).all()
        for waited_slot in waited_on:
            fill_from_waiting_list(waited_slot)


def lapse_if_ran_out(entry: WaitingEntry) -> datetime | None:
    """Lapses an offer whose time ran out (its place goes on); when it did, until when it held."""
    expires_at = entry.offer_expires_at
    if entry.status != OFFERED or expires_at is None or expires_at > utcnow():
        return None
    lapse(entry)
    return expires_at


def lapse(entry: WaitingEntry, actor: User | None = None) -> WaitingEntry:
    """The offer ran out (its place goes to the next one waiting), or the slot began while the
    entry was still waiting."""
    before = _move(entry, "lapse", actor)
    db.session.flush()
    if before == OFFERED:
        places.give_back_place(entry.slot_id)
    return entry


def leave(entry: WaitingEntry, actor: User) -> WaitingEntry:
    """The resident leaves the line; a place held for them goes to the next one waiting."""
    before = _move(entry, "leave", actor)
    db.session.flush()
    if before == OFFERED:
        places.give_back_place(entry.slot_id)
    return entry


def take(entry: WaitingEntry, resident: User, data: dict, idempotency_key: str) -> tuple[Booking, bool]:
    """Books the place held for the resident: a normal booking of the entry's slot with the
    resident's address, idempotent by its key (the same key and body answer the same booking).
    The held place is released and taken again by the booking in this transaction, under the
    slot's row lock, so nobody can book it in between."""
    booking_data = data | {
        "station_code": entry.station_code,
        "service_code": entry.service_code,
        "starts_at": in_beijing(entry.starts_at),
    }
    existing = booking_by_key(resident, idempotency_key)
    if existing is not None and entry.status == TAKEN and existing.id == entry.booking_id:
        return create_booking(resident, booking_data, idempotency_key)  # the replay, or 422 for another body
    WAITING_STATES.target(entry.status, "take", doing=_("take the offered place"))
    if existing is not None:
        raise Invalid(
            _("This Idempotency-Key was used for a different booking request."),
            code="idempotency_key_reused",
            errors={"Idempotency-Key": [_("already used with a different body; use a new key for a new booking")]},
        )
    places.give_back_place(entry.slot_id, passed_on=False)
    booking, created = create_booking(resident, booking_data, idempotency_key)
    entry.booking_id = booking.id
    _move(entry, "take", resident, {"booking_id": booking.id})
    db.session.flush()
    return booking, created


def expire_offers(now: datetime | None = None) -> int:
    """Lapses every offer that ran out and every entry still waiting for a slot that has begun,
    passing each held place to the next one waiting. Entries another transaction holds (being
    taken or left right now) are skipped: the next run sees them if they still need it. Running
    it again changes nothing. Returns the entries lapsed."""
    now = now or utcnow()
    due = db.session.scalars(
        select(WaitingEntry)
        .where(
            ((WaitingEntry.status == OFFERED) & (WaitingEntry.offer_expires_at <= now))
            | ((WaitingEntry.status == WAITING) & (WaitingEntry.starts_at <= now))
        )
        .order_by(WaitingEntry.slot_id, WaitingEntry.id)
        .with_for_update(of=WaitingEntry, skip_locked=True)
    ).all()
    for entry in due:
        lapse(entry)
    return len(due)


def locked_entry(entry_id: int) -> WaitingEntry | None:
    return db.session.scalar(
        select(WaitingEntry)
        .where(WaitingEntry.id == entry_id)
        .with_for_update(of=WaitingEntry)
        .execution_options(populate_existing=True)
    )


def entries_of_resident(resident: User, status: str | None, page: int, per_page: int) -> Page:
    query = select(WaitingEntry).where(WaitingEntry.resident_id == resident.id)
    if status:
        query = query.where(WaitingEntry.status == status)
    return paginate(query.order_by(WaitingEntry.id.desc()), page, per_page)
