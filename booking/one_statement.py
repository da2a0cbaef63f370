"""Booking creation on PostgreSQL in one round trip. The function book_place() (migration 0027)
looks up the resident's Idempotency-Key, share-locks the offer, checks the day and the preferred
worker, takes the place under the capacity CHECK and writes the booking, its first event and its
预约已受理 messages; ten statements from Python cost more in the driver and SQLAlchemy than the
whole booking's work in the database. This module calls it and hands back the booking as if
the ORM had loaded it, so the answer and whatever follows in the request read nothing again.

The caller checks the slot against the offer as this process last read it (a per-process
table); book_place() compares those terms with the locked row and answers OFFER_CHANGED when
they differ, so an out-of-date table costs one more read, never a booking in a wrong slot."""

from datetime import datetime

from flask import current_app
from sqlalchemy import JSON, bindparam, text
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from accounts.models import User
from app.clock import in_beijing, utcnow
from app.database import UtcDateTime
from app.extensions import Model, db
from app.privacy import Encrypted, EncryptedJSON
from booking import notifications
from booking.availability import offer_of
from booking.models import PENDING, Booking, Service, StationOffer
from wechat.messages import submit_once_committed, template_for

# book_place()'s outcomes other than "booked".
REPLAYED = "replayed"  # the key has a booking already: the caller answers with it
OFFER_CHANGED = "offer_changed"  # the offer is not as read: read it again
STATION_CLOSED = "station_closed"
PREFERRED_WORKER_NOT_OFFERING = "preferred_worker_not_offering"
SLOT_FULL = "slot_full"

_BOOK_PLACE = text(
    "SELECT outcome, new_booking_id, new_slot_id, queued_message_ids FROM book_place("
    "CAST(:resident_id AS integer), CAST(:idempotency_key AS text), CAST(:request_fingerprint AS text), "
    "CAST(:station_code AS text), CAST(:service_code AS text), "
    "CAST(:starts_at AS timestamptz), CAST(:ends_at AS timestamptz), CAST(:day AS date), "
    "CAST(:weekdays AS text), CAST(:opens_at AS time), CAST(:closes_at AS time), CAST(:slot_minutes AS integer), "
    "CAST(:address AS bytea), CAST(:lat AS double precision), CAST(:lng AS double precision), "
    "CAST(:contact_name AS text), CAST(:notes AS text), CAST(:preferred_worker_id AS integer), "
    "CAST(:at AS timestamptz), CAST(:event_details AS json), "
    "CAST(:message_data AS bytea), CAST(:page AS text), CAST(:received_template AS text), "
    "CAST(:station_template AS text))"
).bindparams(
    bindparam("starts_at", type_=UtcDateTime()),
    bindparam("ends_at", type_=UtcDateTime()),
    bindparam("at", type_=UtcDateTime()),
    bindparam("address", type_=Encrypted()),
    bindparam("event_details", type_=JSON()),
    bindparam("message_data", type_=EncryptedJSON()),
)
_OFFERS = "booking_offers_as_read"


def offer_as_read(station_code: str, service_code: str) -> StationOffer | None:
    """The station's active offer of the service as this process last read it, with its service
    (copies in no session); None when there is no such offer active."""
    offers = current_app.extensions.setdefault(_OFFERS, {})
    offer = offers.get((station_code, service_code))
    if offer is None:
        found = offer_of(station_code, service_code)
        if found is None or not found.active:
            return None
        offer = offers[station_code, service_code] = _detached(
            StationOffer, _columns(found), service=_detached(Service, _columns(found.service))
        )
    return offer


def forget_offer(offer: StationOffer) -> None:
    current_app.extensions.get(_OFFERS, {}).pop((offer.station_code, offer.service_code), None)


def book(
    resident: User,
    data: dict,
    idempotency_key: str,
    request_fingerprint: str,
    starts_at: datetime,
    ends_at: datetime,
    offer: StationOffer,
) -> Booking | str:
    """The booking book_place() made, or its outcome when it made none (REPLAYED...). `data` is
    the request as bookings.create_booking takes it; `starts_at` and `ends_at` (UTC) are the slot
    the caller found in `offer`, as read."""
    now = utcnow()
    values = {
        "resident_id": resident.id,
        "idempotency_key": idempotency_key,
        "request_fingerprint": request_fingerprint,
        "station_code": offer.station_code,
        "service_code": offer.service_code,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "address": data["address"],
        "contact_name": data.get("contact_name"),
        "notes": data.get("notes"),
        "preferred_worker_id": data.get("preferred_worker_id"),
    }
    row = db.session.execute(
        _BOOK_PLACE,
        values
        | {
            "day": in_beijing(starts_at).date(),
            "weekdays": offer.weekdays,
            "opens_at": offer.opens_at,
            "closes_at": offer.closes_at,
            "slot_minutes": offer.slot_minutes,
            "lat": data["location"]["lat"],
            "lng": data["location"]["lng"],
            "at": now,
            "event_details": {"starts_at": starts_at.isoformat()},
            "message_data": notifications.received_words(offer.service.name, starts_at, offer.station_code),
            "page": notifications.booking_page(),
            "received_template": template_for("booking_received"),
            "station_template": template_for("station_booking"),
        },
    ).one()
    if row.outcome != "booked":
        return row.outcome
    submit_once_committed(row.queued_message_ids or [])
    booking = _detached(
        Booking,
        values
        | {
            "id": row.new_booking_id,
            "slot_id": row.new_slot_id,
            "status": PENDING,
            "worker_id": None,
            "reschedule_count": 0,
            "entry_confirmed_at": None,
            "reminder_queued_at": None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        },
        lat=data["location"]["lat"],
        lng=data["location"]["lng"],
        service=db.session.merge(offer.service, load=False),
        worker=None,
        caller=None,
        rating=None,
    )
    db.session.add(booking)  # persistent and unchanged: nothing to flush
    return booking


def _columns(row: Model) -> dict:
    return {column.key: getattr(row, column.key) for column in type(row).__mapper__.column_attrs}


def _detached(model: type, columns: dict, **loaded):
    """An instance of `model` as if loaded with `columns` and the `loaded` attributes, in no
    session; what it was not given stays unloaded (the booking's station, for one, whose name
    the answer takes from the stations' per-process table)."""
    instance = model(**columns)
    make_transient_to_detached(instance)
    for name, value in loaded.items():
        set_committed_value(instance, name, value)
    return instance
