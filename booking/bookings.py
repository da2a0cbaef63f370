"""Bookings: where a booking goes, its creation with the place taken by the database, the status
moves (confirm, reject, cancel, reschedule) with their audit trail, and the lists of bookings.
No request, no commit: callers commit, these functions only flush."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from geoalchemy2 import WKTElement
from sqlalchemy import delete, select
from sqlalchemy.orm import Load, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from accounts.models import User
from app.clock import BEIJING, beijing_day_bounds, to_utc, utcnow
from app.errors import Invalid
from app.extensions import db
from app.geography import inside_guangzhou
from app.i18n import _
from app.paging import Page, paginate_by_cursor, paginate_by_key
from booking import notifications, one_statement, places
from booking.availability import booking_window, series_window, slot_starts
from booking.hours import locked_offers
from booking.models import (
    ASSIGNED,
    BOOKING_STATES,
    COMPLETED,
    IN_SERVICE,
    Booking,
    BookingEvent,
    ClosedDay,
    SeriesOccurrence,
    StationOffer,
    WorkerTimeBlock,
)
from credit.models import Company, Worker
from stations.models import Station


def masked_worker(loader: Load) -> Load:
    """Loads a worker as bookings show one (masked name, stars, photo, company name): the
    encrypted ID number and phone are neither read nor decrypted."""
    return (
        loader.load_only(Worker.name, Worker.stars, Worker.photo_url, Worker.company_id)
        .joinedload(Worker.company)
        .load_only(Company.name)
    )


def shown_with_booking() -> tuple:
    """What a booking's answer shows beside its own row, joined in the list's own query: each is
    one row or none per booking, so a page of bookings is one statement, whatever its length."""
    return (
        masked_worker(joinedload(Booking.worker)),
        joinedload(Booking.rating),
        joinedload(Booking.caller),
        joinedload(Booking.station).load_only(Station.name),
    )


def fingerprint(data: dict) -> str:
    """The same booking request gives the same hash, however its JSON was laid out and whatever
    offset its time was written with."""

    def plain(value):
        return to_utc(value).isoformat() if isinstance(value, datetime) else str(value)

    return hashlib.sha256(json.dumps(data, sort_keys=True, default=plain, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Placement:
    offer: StationOffer
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


def place_for(station_code: str, service_code: str, starts_at: datetime, last_day: date | None = None) -> Placement:
    """Where a booking at `starts_at` would go, or a 422 naming what is wrong with the request.
    The offer is share-locked, so the day cannot be closed under this booking. `last_day` widens
    the booking window for a series' occurrences (availability.series_window)."""
    offer = _offered(station_code, service_code, next(iter(locked_offers(station_code, service_code)), None))
    placement = _placement_in(offer, starts_at, last_day)
    day = starts_at.astimezone(BEIJING).date()
    if db.session.scalar(select(ClosedDay.id).where(ClosedDay.station_code == station_code, ClosedDay.day == day)):
        raise _station_closed(day)
    return placement


def _offered(station_code: str, service_code: str, offer: StationOffer | None) -> StationOffer:
    """The station's offer of the service, or the 422 saying there is no such station or offer."""
    if offer is None and db.session.get(Station, station_code) is None:
        raise Invalid(
            _("No station has code %(code)s.", code=station_code), code="unknown_station", field="station_code"
        )
    if offer is None or not offer.active:
        raise Invalid(
            _("Station %(code)s does not offer %(service)s.", code=station_code, service=service_code),
            code="not_offered",
            errors={"service_code": [_("not offered at this station")]},
        )
    return offer


def _placement_in(offer: StationOffer, starts_at: datetime, last_day: date | None = None) -> Placement:
    """The offer's slot at `starts_at` within the booking window, or the 422 saying why not;
    closures aside (they are the database's to tell, under the offer's lock)."""
    local = starts_at.astimezone(BEIJING)
    first, last = booking_window()
    last = last_day or last
    if not first <= local.date() <= last or starts_at <= utcnow():
        raise Invalid(
            _("Bookings are for slots from now to %(last)s.", last=last)
            if last_day
            else _("Bookings are for slots from now to 7 days ahead."),
            code="outside_booking_window",
            errors={"starts_at": [_("must be a future slot between %(first)s and %(last)s", first=first, last=last)]},
        )
    if local not in slot_starts(offer, local.date()):
        raise Invalid(
            _("No slot starts at this time."),
            code="not_a_slot_start",
            errors={"starts_at": [_("not the start of one of this day's slots")]},
        )
    utc_start = to_utc(starts_at)
    return Placement(offer, utc_start, utc_start + timedelta(minutes=offer.slot_minutes))


def _station_closed(day: date) -> Invalid:
    return Invalid(
        _("The station is closed on %(day)s.", day=day),
        code="station_closed",
        errors={"starts_at": [_("the station is closed that day")]},
    )


def _preferred_worker_not_offering() -> Invalid:
    return Invalid(
        _("The preferred worker does not offer this service."),
        code="preferred_worker_not_offering",
        errors={"preferred_worker_id": [_("no such worker offering this service")]},
    )


def booking_by_key(resident: User, key: str) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.resident_id == resident.id, Booking.idempotency_key == key))


def replayed(existing: Booking, request_fingerprint: str) -> Booking:
    if existing.request_fingerprint != request_fingerprint:
        raise Invalid(
            _("This Idempotency-Key was used for a different booking request."),
            code="idempotency_key_reused",
            errors={"Idempotency-Key": [_("already used with a different body; use a new key for a new booking")]},
        )
    return existing


def _point(location: dict) -> WKTElement:
    return WKTElement(f"POINT({location['lng']!r} {location['lat']!r})", srid=4326)


def create_booking(resident: User, data: dict, idempotency_key: str) -> tuple[Booking, bool]:
    """Books one place, or returns the booking this key already made (created=False). `data` has
    WGS-84 `location`; the place is taken by the database, never by a count read before. On
    PostgreSQL the write is one statement (booking.one_statement); a request that statement does
    not settle takes the ORM path, which reads everything again under the offer's lock."""
    request_fingerprint = fingerprint(data)
    if places.dialect() == "postgresql":
        settled = _created_in_one_statement(resident, data, idempotency_key, request_fingerprint)
        if settled is not None:
            return settled
    existing = booking_by_key(resident, idempotency_key)
    if existing is not None:
        return replayed(existing, request_fingerprint), False
    booking = book_place(
        data, resident_id=resident.id, idempotency_key=idempotency_key, request_fingerprint=request_fingerprint
    )
    if booking is None:
        # The same key in a concurrent request won the race: answer with its booking.
        return replayed(booking_by_key(resident, idempotency_key), request_fingerprint), False
    audit(booking, "create", None, booking.status, resident, details={"starts_at": booking.starts_at.isoformat()})
    notifications.booking_received(booking)
    notifications.station_told_of_booking(booking)
    return booking, True


def _created_in_one_statement(
    resident: User, data: dict, idempotency_key: str, request_fingerprint: str
) -> tuple[Booking, bool] | None:
    """The booking written by one statement, checked against the offer as this process last read
    it (read again once when it has changed since); None when the request is refused before the
    write, for the ORM path to answer with the replay or the 422 in the order it always has."""
    for _attempt in range(2):
        offer = one_statement.offer_as_read(data["station_code"], data["service_code"])
        if offer is None or not inside_guangzhou(data["location"]["lat"], data["location"]["lng"], "wgs84"):
            return None
        try:
            placement = _placement_in(offer, data["starts_at"])
        except Invalid:
            return None
        outcome = one_statement.book(
            resident, data, idempotency_key, request_fingerprint, placement.starts_at, placement.ends_at, offer
        )
        if isinstance(outcome, Booking):
            return outcome, True
        if outcome == one_statement.REPLAYED:
            existing = booking_by_key(resident, idempotency_key)
            assert existing is not None  # what REPLAYED found
            return replayed(existing, request_fingerprint), False
        if outcome == one_statement.STATION_CLOSED:
            raise _station_closed(placement.starts_at.astimezone(BEIJING).date())
        if outcome == one_statement.PREFERRED_WORKER_NOT_OFFERING:
            raise _preferred_worker_not_offering()
        if outcome == one_statement.SLOT_FULL:
            raise places.slot_full()
        one_statement.forget_offer(offer)  # OFFER_CHANGED
    return None


def book_place(data: dict, **owner) -> Booking | None:
    """Checks the request, inserts the booking with `owner`'s columns (whose booking it is, its
    Idempotency-Key and fingerprint) and takes its place; None when the resident's key has a
    booking already."""
    if not inside_guangzhou(data["location"]["lat"], data["location"]["lng"], "wgs84"):
        raise Invalid(
            _("The address is outside Guangzhou, where the stations serve."),
            code="outside_service_area",
            errors={"location": [_("outside Guangzhou")]},
        )
    placement = place_for(data["station_code"], data["service_code"], data["starts_at"])
    preferred = data.get("preferred_worker_id")
    if preferred is not None:
        offered_services = db.session.scalar(select(Worker.service_types).where(Worker.id == preferred))
        if placement.offer.service_code not in (offered_services or []):
            raise _preferred_worker_not_offering()
    slot_id = places.slot_id(placement.offer, placement.starts_at, placement.ends_at)
    booking = _insert_booking(
        **owner,
        station_code=data["station_code"],
        service_code=data["service_code"],
        slot_id=slot_id,
        starts_at=placement.starts_at,
        ends_at=placement.ends_at,
        address=data["address"],
        location=_point(data["location"]),
        contact_name=data.get("contact_name"),
        notes=data.get("notes"),
        preferred_worker_id=preferred,
    )
    if booking is not None:
        places.take_place(slot_id)
    return booking


def _insert_booking(**values) -> Booking | None:
    """Inserts the booking, or nothing when the resident's Idempotency-Key has one already (None).
    RETURNING hands back the whole row and its point's coordinates, so nothing is read again."""
    inserted = db.session.execute(
        places.insert(Booking)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["resident_id", "idempotency_key"])
        .returning(Booking, Booking.lat, Booking.lng)
    ).first()
    if inserted is None:
        return None
    booking, lat, lng = inserted
    set_committed_value(booking, "lat", lat)
    set_committed_value(booking, "lng", lng)
    return booking


def audit(
    booking: Booking,
    action: str,
    from_status: str | None,
    to_status: str | None,
    actor: User | None,
    reason: str | None = None,
    details: dict | None = None,
) -> BookingEvent:
    event = BookingEvent(
        booking_id=booking.id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id if actor is not None else None,
        reason=reason,
        details=details,
        created_at=utcnow(),
    )
    db.session.add(event)  # flushed with the request's other writes
    return event


def transition(
    booking: Booking, action: str, actor: User | None, reason: str | None = None, details: dict | None = None
) -> Booking:
    """Moves the booking by one row of BOOKING_STATES (409 naming its status otherwise), with one
    audit event."""
    before, after = booking.status, BOOKING_STATES.target(booking.status, action)
    booking.status = after
    booking.updated_at = utcnow()
    audit(booking, action, before, after, actor, reason, details)
    return booking


def locked_booking(booking_id: int) -> Booking | None:
    """The booking, row-locked until commit (PostgreSQL), so two staff acting on it at once are
    serialised; the version column catches the same race on SQLite."""
    return db.session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update(of=Booking)
        .options(masked_worker(selectinload(Booking.worker)))
        .execution_options(populate_existing=True)
    )


def confirm(booking: Booking, actor: User) -> Booking:
    transition(booking, "confirm", actor)
    notifications.booking_confirmed(booking)
    return booking


def reject(booking: Booking, actor: User, reason: str) -> Booking:
    BOOKING_STATES.target(booking.status, "reject")
    _release(booking)
    return transition(booking, "reject", actor, reason)


def cancel(booking: Booking, actor: User, reason: str | None) -> Booking:
    BOOKING_STATES.target(booking.status, "cancel")
    _release(booking)
    return transition(booking, "cancel", actor, reason)


def _release(booking: Booking) -> None:
    """Gives the slot's place back and frees the worker's time."""
    places.give_back_place(booking.slot_id)
    free_worker(booking)


def free_worker(booking: Booking) -> None:
    db.session.execute(delete(WorkerTimeBlock).where(WorkerTimeBlock.booking_id == booking.id))
    booking.worker_id, booking.worker = None, None


def reschedule(booking: Booking, starts_at: datetime, actor: User, reason: str | None) -> Booking:
    """已改约: the same booking moves to another slot of its service and station; the old place is
    given back, the worker freed, and the station confirms the new time again."""
    BOOKING_STATES.target(booking.status, "reschedule")
    placement = place_for(booking.station_code, booking.service_code, starts_at, occurrence_last_day(booking))
    if placement.starts_at == booking.starts_at:
        raise Invalid(
            _("That is the booking's current slot."),
            code="same_slot",
            errors={"starts_at": [_("same as the current slot")]},
        )
    old_slot, new_slot = booking.slot_id, places.slot_id(placement.offer, placement.starts_at, placement.ends_at)
    # Two reschedules crossing between the same two slots lock them in the same order.
    for slot_id in sorted((old_slot, new_slot)):
        if slot_id == new_slot:
            places.take_place(slot_id)
        else:
            places.give_back_place(slot_id)
    details = {
        "from": booking.starts_at.isoformat(),
        "to": placement.starts_at.isoformat(),
        "released_worker_id": booking.worker_id,
    }
    free_worker(booking)
    booking.slot_id, booking.starts_at, booking.ends_at = new_slot, placement.starts_at, placement.ends_at
    booking.reschedule_count += 1
    booking.reminder_queued_at = None  # the new day gets its own reminder
    return transition(booking, "reschedule", actor, reason, details)


def occurrence_last_day(booking: Booking) -> date | None:
    """A series' occurrence moves within the series' horizon; any other booking within the week."""
    in_series = db.session.scalar(select(SeriesOccurrence.id).where(SeriesOccurrence.booking_id == booking.id))
    return series_window()[1] if in_series else None


def readable_booking(booking_id: int) -> Booking | None:
    """One booking as its detailed answer shows it."""
    return db.session.get(Booking, booking_id, options=[masked_worker(selectinload(Booking.worker))])


def bookings_of_resident(resident: User, status: str | None, page: int, per_page: int) -> Page:
    query = select(Booking).where(Booking.resident_id == resident.id)
    if status:
        query = query.where(Booking.status == status)
    order = (Booking.starts_at.desc(), Booking.id.desc())
    return paginate_by_key(query, order, Booking.id, page, per_page, load=shown_with_booking())


# A worker's assignments: what is still to do or done on those days, not what fell through.
WORKER_STATUSES = (ASSIGNED, IN_SERVICE, COMPLETED)


def assignments_of_worker(worker_id: int | None, first_day: date, days: int, page: int, per_page: int) -> Page:
    """The worker's bookings from `first_day` (Beijing) for `days` days, earliest first."""
    start, _ = beijing_day_bounds(first_day)
    _, end = beijing_day_bounds(first_day + timedelta(days=days - 1))
    query = select(Booking).where(
        Booking.worker_id == worker_id,
        Booking.status.in_(WORKER_STATUSES),
        Booking.starts_at >= start,
        Booking.starts_at < end,
    )
    order = (Booking.starts_at, Booking.id)
    return paginate_by_key(query, order, Booking.id, page, per_page, load=shown_with_booking())


# The orders of a station's bookings, as a cursor names them.
STATION_ORDERS = {
    "earliest": (Booking.starts_at, Booking.id),
    "latest": (Booking.starts_at.desc(), Booking.id.desc()),
}


def bookings_of_station(
    station_code: str,
    status: str | None,
    day: date | None,
    page: int,
    per_page: int,
    *,
    cursor: str | None = None,
    latest_first: bool = False,
) -> Page:
    """A station's bookings by slot time, paged by cursor: a page is a range of
    ix_bookings_station_starts_at_id (station, start, id, with the status) from the cursor's row,
    whatever the depth, where an OFFSET walked the station's history before the page (5,680
    entries for the last page of the busiest station at scale 1). Counted up to LIST_COUNT_CAP:
    exact for a day or a status a clerk acts on, "more than 1,000" for a station's whole history,
    which a count on every page read entry by entry (5,682 at the busiest station at scale 1, a
    year of them, more every year). The statistics' rollup of a station's days is no exact figure
    for this list: it keeps no count of the pending, confirmed, assigned or rejected ones, and its
    part since its mark is found from every station's events of that time."""
    query = select(Booking).where(Booking.station_code == station_code)
    if status:
        query = query.where(Booking.status == status)
    if day:
        start, end = beijing_day_bounds(day)
        query = query.where(Booking.starts_at >= start, Booking.starts_at < end)
    sort = "latest" if latest_first else "earliest"
    return paginate_by_cursor(
        query,
        STATION_ORDERS[sort],
        sort,
        Booking.id,
        cursor,
        per_page,
        page=page,
        load=shown_with_booking(),
        capped=True,
    )
