"""Places in slots, held by the database: a slot row is created with its offer's capacity when
first booked, and `booked` moves only by conditional UPDATEs that the CHECK on the table backs.
Slot rows are never held as objects: these statements use Core on the table and skip the ORM's
per-statement work on the booking path."""

from datetime import datetime

from blinker import Namespace
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.clock import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.sql_functions import greatest
from booking.models import Slot, StationOffer

slots = Slot.__table__
# A place may have come free: one given back in a slot (`slot_id`), or an offer's future slots
# whose capacity changed (`offer`). booking.waiting offers it to the first resident waiting, in
# the same transaction, so no booking can slip in between.
_signals = Namespace()
places_freed = _signals.signal("places-freed")


def dialect() -> str:
    return db.session.get_bind().dialect.name


def insert(model):
    """INSERT with the backend's ON CONFLICT clauses (PostgreSQL and SQLite spell them alike)."""
    return (postgresql.insert if dialect() == "postgresql" else sqlite.insert)(model)


def slot_id(offer: StationOffer, starts_at: datetime, ends_at: datetime) -> int:
    """The slot row at `starts_at` (UTC), created with the offer's capacity if it does not exist
    yet. The look-up runs only when the insert found the slot there; as a statement of its own it
    sees a slot that a concurrent booking has just committed."""
    values = {
        "station_code": offer.station_code,
        "service_code": offer.service_code,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": offer.capacity,
        "booked": 0,
    }
    created = db.session.scalar(
        insert(slots)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["station_code", "service_code", "starts_at"])
        .returning(slots.c.id)
    )
    return created or db.session.scalar(
        select(slots.c.id).where(
            slots.c.station_code == offer.station_code,
            slots.c.service_code == offer.service_code,
            slots.c.starts_at == starts_at,
        )
    )


def take_place(slot_id: int) -> None:
    """One conditional UPDATE: of any number of concurrent bookings, only as many as there are
    places get a row back; PostgreSQL re-checks `booked < capacity` after waiting for the row."""
    taken = db.session.execute(
        update(slots).where(slots.c.id == slot_id, slots.c.booked < slots.c.capacity).values(booked=slots.c.booked + 1)
    )
    if taken.rowcount != 1:
        raise slot_full()


def slot_full() -> Conflict:
    return Conflict(
        _("This slot is fully booked."), code="slot_full", errors={"starts_at": [_("no place left in this slot")]}
    )


def give_back_place(slot_id: int, *, passed_on: bool = True) -> None:
    """Frees a place; `passed_on` offers it to the slot's waiting list (not when a held place is
    being turned into the booking it was held for)."""
    db.session.execute(update(slots).where(slots.c.id == slot_id, slots.c.booked > 0).values(booked=slots.c.booked - 1))
    if passed_on:
        places_freed.send(slot_id=slot_id)


def follow_capacity(offer: StationOffer) -> None:
    """The offer's future slots take its new capacity, but never less than they have booked."""
    db.session.execute(
        update(Slot)
        .where(
            Slot.station_code == offer.station_code, Slot.service_code == offer.service_code, Slot.starts_at > utcnow()
        )
        .values(capacity=greatest(Slot.booked, offer.capacity))
        .execution_options(synchronize_session=False)
    )
    places_freed.send(offer=offer)
