"""Booking domain logic: catalogue and hours, availability, booking with capacity held by the
database, the status table, assignment, entry checks, follow-up, ratings and complaints feeding
the credit ledger. No request, no commit: callers commit, these functions only flush."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from geoalchemy2 import WKTElement
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import Conflict, UnprocessableEntity

from accounts.models import User
from app.clock import BEIJING, beijing_day_bounds, in_beijing, to_utc, today_in_beijing, utcnow
from app.extensions import db
from app.privacy import mask_name
from booking import notifications
from booking.catalogue import DEFAULT_CLOSES_AT, DEFAULT_OPENS_AT, DEFAULT_SERVICES, DEFAULT_SLOTS
from booking.models import (
    ASSIGNED,
    BLOCK_MINUTES,
    COMPLAINT_TRANSITIONS,
    COMPLAINT_TYPES,
    COMPLETED,
    CONFIRMED,
    DISMISSED,
    HOLDING_PLACE,
    IN_SERVICE,
    INVALID,
    OPEN_STATUSES,
    STATUS_NAMES,
    TRANSITIONS,
    UPHELD,
    Booking,
    BookingEvent,
    ClosedDay,
    Complaint,
    EntryCheck,
    FollowUp,
    Rating,
    Service,
    Slot,
    StationOffer,
    WorkerTimeBlock,
)
from credit import certificates as credit  # colour, GREEN and (credit.ledger's) record_credit_event
from credit.models import ISSUED, Certificate, Worker
from stations.models import Station
from stations.services import location_view, nearest_stations, station_name

BOOKING_DAYS = 7  # today and the six days after it, Beijing time
NEAREST_CANDIDATES = 5  # stations looked at when the nearest one does not offer the service


class Refused(Conflict):
    """409 with a message and the fields it concerns."""

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.data = {"message": message, "errors": errors}


class Invalid(UnprocessableEntity):
    """422 naming each field that is wrong."""

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.data = {"message": message, "errors": errors}


class StatusRefused(Refused):
    """409 naming the booking's (or complaint's) current status."""

    def __init__(self, action: str, status: str, names: dict[str, str] = STATUS_NAMES):
        super().__init__(f"Cannot {action.replace('_', ' ')}: the status is {status} ({names.get(status, status)}).",
                         {"status": [status]})


def _actor_id(actor: User | None) -> int | None:
    return actor.id if actor is not None else None


# ---------------------------------------------------------------- catalogue, hours, closed days

def seed_defaults() -> tuple[int, int]:
    """The default catalogue, and an offer with default hours for every station that has none for
    a service: the services the station lists, or the whole catalogue when it lists none. Leaves
    anything that exists alone, so running it again changes nothing. Returns what it created."""
    services_created = 0
    for code, name, minutes, description in DEFAULT_SERVICES:
        if db.session.get(Service, code) is None:
            db.session.add(Service(code=code, name=name, typical_minutes=minutes, description=description))
            services_created += 1
    db.session.flush()
    codes_by_name = {name: code for code, name, *_ in DEFAULT_SERVICES}
    existing = set(db.session.execute(select(StationOffer.station_code, StationOffer.service_code)))
    offers_created = 0
    for station_code, listed in db.session.execute(select(Station.code, Station.services)):
        wanted = [codes_by_name[name] for name in listed or [] if name in codes_by_name] or list(DEFAULT_SLOTS)
        for service_code in wanted:
            if (station_code, service_code) in existing:
                continue
            slot_minutes, capacity = DEFAULT_SLOTS[service_code]
            db.session.add(StationOffer(station_code=station_code, service_code=service_code, opens_at=DEFAULT_OPENS_AT,
                                        closes_at=DEFAULT_CLOSES_AT, slot_minutes=slot_minutes, capacity=capacity))
            offers_created += 1
    db.session.flush()
    return services_created, offers_created


def catalogue() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.code)))


def station_offers(station_code: str) -> list[StationOffer]:
    return list(db.session.scalars(select(StationOffer).where(StationOffer.station_code == station_code)
                                   .order_by(StationOffer.service_code)))


def _locked_offers(station_code: str, service_code: str | None = None, exclusive: bool = False) -> list[StationOffer]:
    """A station's offers, locked until commit on PostgreSQL: shared by bookings, exclusive for
    closing a day or changing hours, so a booking and a closure of its day cannot cross."""
    query = select(StationOffer).where(StationOffer.station_code == station_code)
    if service_code is not None:
        query = query.where(StationOffer.service_code == service_code)
    query = query.with_for_update(read=not exclusive, of=StationOffer).execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def save_offer(station_code: str, service_code: str, settings: dict) -> StationOffer:
    """Creates or changes a station's hours for one service. Places in slots already booked are
    kept: a slot's capacity never drops below what it has booked."""
    if db.session.get(Service, service_code) is None:
        raise Invalid(f"No service {service_code} in the catalogue.", {"service_code": ["unknown service"]})
    if settings["closes_at"] <= settings["opens_at"]:
        raise Invalid("Closing time must be after opening time.", {"closes_at": ["must be after opens_at"]})
    offer = next(iter(_locked_offers(station_code, service_code, exclusive=True)), None)
    if offer is None:
        offer = StationOffer(station_code=station_code, service_code=service_code)
        db.session.add(offer)
    for name, value in settings.items():
        setattr(offer, name, value)
    offer.updated_at = utcnow()
    db.session.flush()
    db.session.execute(
        update(Slot).where(Slot.station_code == station_code, Slot.service_code == service_code,
                           Slot.starts_at > utcnow())
        .values(capacity=func.max(Slot.booked, offer.capacity) if _dialect() == "sqlite"
                else func.greatest(Slot.booked, offer.capacity))
        .execution_options(synchronize_session=False))
    return offer


def closed_days(station_code: str, from_day: date) -> list[ClosedDay]:
    return list(db.session.scalars(select(ClosedDay).where(ClosedDay.station_code == station_code,
                                                           ClosedDay.day >= from_day).order_by(ClosedDay.day)))


def close_day(station_code: str, day: date, reason: str, actor: User | None) -> ClosedDay:
    """Closing a day with open bookings on it is refused (409, naming them): the station first
    confirms them elsewhere, reschedules or rejects them."""
    _locked_offers(station_code, exclusive=True)
    start, end = beijing_day_bounds(day)
    open_ids = list(db.session.scalars(select(Booking.id).where(
        Booking.station_code == station_code, Booking.starts_at >= start, Booking.starts_at < end,
        Booking.status.in_(OPEN_STATUSES)).order_by(Booking.id)))
    if open_ids:
        raise Refused(f"{day} has {len(open_ids)} open booking(s); handle them before closing the day.",
                      {"day": [f"open bookings: {', '.join(map(str, open_ids))}"]})
    closed = db.session.scalar(select(ClosedDay).where(ClosedDay.station_code == station_code, ClosedDay.day == day))
    if closed is None:
        closed = ClosedDay(station_code=station_code, day=day, reason=reason, closed_by_id=_actor_id(actor))
        db.session.add(closed)
    else:
        closed.reason = reason
    db.session.flush()
    return closed


def reopen_day(station_code: str, day: date) -> None:
    db.session.execute(delete(ClosedDay).where(ClosedDay.station_code == station_code, ClosedDay.day == day))


# ---------------------------------------------------------------- availability

def slot_starts(offer: StationOffer, day: date) -> list[datetime]:
    """Slot start times (Beijing time) of an offer on a day, ignoring closures."""
    if str(day.isoweekday()) not in offer.weekdays:
        return []
    starts, moment = [], datetime.combine(day, offer.opens_at, BEIJING)
    closing = datetime.combine(day, offer.closes_at, BEIJING)
    length = timedelta(minutes=offer.slot_minutes)
    while moment + length <= closing:
        starts.append(moment)
        moment += length
    return starts


def booking_window(now: datetime | None = None) -> tuple[date, date]:
    first = in_beijing(now or utcnow()).date()
    return first, first + timedelta(days=BOOKING_DAYS - 1)


def availability(offer: StationOffer, now: datetime | None = None) -> list[dict]:
    """The next 7 days (Beijing time) of the offer's slots that have not started, each with its
    places left; a closed day is listed as closed with no slots."""
    now = now or utcnow()
    first, last = booking_window(now)
    closed = {c.day: c.reason for c in closed_days(offer.station_code, first) if c.day <= last}
    start, _ = beijing_day_bounds(first)
    _, end = beijing_day_bounds(last)
    booked = {starts_at: (capacity, taken) for starts_at, capacity, taken in db.session.execute(
        select(Slot.starts_at, Slot.capacity, Slot.booked).where(
            Slot.station_code == offer.station_code, Slot.service_code == offer.service_code,
            Slot.starts_at >= start, Slot.starts_at < end))}
    length = timedelta(minutes=offer.slot_minutes)
    days = []
    for offset in range(BOOKING_DAYS):
        day = first + timedelta(days=offset)
        slots = []
        if offer.active and day not in closed:
            for starts_at in slot_starts(offer, day):
                if starts_at <= now:
                    continue
                capacity, taken = booked.get(to_utc(starts_at), (offer.capacity, 0))
                slots.append({"starts_at": starts_at, "ends_at": starts_at + length, "capacity": capacity,
                              "remaining": max(capacity - taken, 0)})
        days.append({"date": day, "closed": day in closed, "closed_reason": closed.get(day), "slots": slots})
    return days


def offer_of(station_code: str, service_code: str) -> StationOffer | None:
    return db.session.scalar(select(StationOffer).where(StationOffer.station_code == station_code,
                                                        StationOffer.service_code == service_code))


def nearest_offering_station(lat: float, lng: float, service_code: str, crs: str) -> tuple[dict, StationOffer] | None:
    """The nearest station (WGS-84 point in, views in `crs`) among the few closest that offers the
    service, with its offer; None when none of them does."""
    candidates, _ = nearest_stations(lat, lng, NEAREST_CANDIDATES, crs)
    offers = {o.station_code: o for o in db.session.scalars(select(StationOffer).where(
        StationOffer.station_code.in_([c["code"] for c in candidates]), StationOffer.service_code == service_code,
        StationOffer.active.is_(True)))}
    return next(((station, offers[station["code"]]) for station in candidates if station["code"] in offers), None)


# ---------------------------------------------------------------- booking

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


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert(model):
    """INSERT with the backend's ON CONFLICT clauses (PostgreSQL and SQLite spell them alike)."""
    return (postgresql.insert if _dialect() == "postgresql" else sqlite.insert)(model)


def place_for(station_code: str, service_code: str, starts_at: datetime) -> Placement:
    """Where a booking at `starts_at` would go, or a 422 naming what is wrong with the request.
    The offer is share-locked, so the day cannot be closed under this booking."""
    offer = next(iter(_locked_offers(station_code, service_code)), None)
    if offer is None or not offer.active:
        raise Invalid(f"Station {station_code} does not offer {service_code}.",
                      {"service_code": ["not offered at this station"]})
    local = starts_at.astimezone(BEIJING)
    first, last = booking_window()
    if not first <= local.date() <= last or starts_at <= utcnow():
        raise Invalid("Bookings are for slots from now to 7 days ahead.",
                      {"starts_at": [f"must be a future slot between {first} and {last}"]})
    if local not in slot_starts(offer, local.date()):
        raise Invalid("No slot starts at this time.", {"starts_at": ["not the start of one of this day's slots"]})
    if db.session.scalar(select(ClosedDay.id).where(ClosedDay.station_code == station_code,
                                                    ClosedDay.day == local.date())):
        raise Invalid(f"The station is closed on {local.date()}.", {"starts_at": ["the station is closed that day"]})
    utc_start = to_utc(starts_at)
    return Placement(offer, utc_start, utc_start + timedelta(minutes=offer.slot_minutes))


# Slot rows are never held as objects: the booking path's slot statements use Core on the table
# and skip the ORM's per-statement work.
slots = Slot.__table__


def _slot_id(placement: Placement) -> int:
    """The slot row for a placement, created with the offer's capacity if it does not exist yet.
    The look-up runs only when the insert found the slot there; as a statement of its own it sees
    a slot that a concurrent booking has just committed."""
    offer = placement.offer
    values = {"station_code": offer.station_code, "service_code": offer.service_code,
              "starts_at": placement.starts_at, "ends_at": placement.ends_at, "capacity": offer.capacity, "booked": 0}
    created = db.session.scalar(_insert(slots).values(**values).on_conflict_do_nothing(
        index_elements=["station_code", "service_code", "starts_at"]).returning(slots.c.id))
    return created or db.session.scalar(select(slots.c.id).where(slots.c.station_code == offer.station_code,
                                                                 slots.c.service_code == offer.service_code,
                                                                 slots.c.starts_at == placement.starts_at))


def _take_place(slot_id: int) -> None:
    """One conditional UPDATE: of any number of concurrent bookings, only as many as there are
    places get a row back; PostgreSQL re-checks `booked < capacity` after waiting for the row."""
    taken = db.session.execute(update(slots).where(slots.c.id == slot_id, slots.c.booked < slots.c.capacity)
                               .values(booked=slots.c.booked + 1))
    if taken.rowcount != 1:
        raise Refused("This slot is fully booked.", {"starts_at": ["no place left in this slot"]})


def _give_back_place(slot_id: int) -> None:
    db.session.execute(update(slots).where(slots.c.id == slot_id, slots.c.booked > 0)
                       .values(booked=slots.c.booked - 1))


def booking_by_key(resident: User, key: str) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.resident_id == resident.id, Booking.idempotency_key == key))


def _replay(existing: Booking, request_fingerprint: str) -> Booking:
    if existing.request_fingerprint != request_fingerprint:
        raise Invalid("This Idempotency-Key was used for a different booking request.",
                      {"Idempotency-Key": ["already used with a different body; use a new key for a new booking"]})
    return existing


def _point(location: dict) -> WKTElement:
    return WKTElement(f"POINT({location['lng']!r} {location['lat']!r})", srid=4326)


def create_booking(resident: User, data: dict, idempotency_key: str) -> tuple[Booking, bool]:
    """Books one place, or returns the booking this key already made (created=False). `data` has
    WGS-84 `location`; the place is taken by the database, never by a count read before."""
    request_fingerprint = fingerprint(data)
    existing = booking_by_key(resident, idempotency_key)
    if existing is not None:
        return _replay(existing, request_fingerprint), False
    placement = place_for(data["station_code"], data["service_code"], data["starts_at"])
    preferred = data.get("preferred_worker_id")
    if preferred is not None:
        worker = db.session.get(Worker, preferred)
        if worker is None or placement.offer.service.name not in (worker.service_types or []):
            raise Invalid("The preferred worker does not offer this service.",
                          {"preferred_worker_id": ["no such worker offering this service"]})
    slot_id = _slot_id(placement)
    booking = _insert_booking(
        resident_id=resident.id, idempotency_key=idempotency_key, request_fingerprint=request_fingerprint,
        station_code=data["station_code"], service_code=data["service_code"], slot_id=slot_id,
        starts_at=placement.starts_at, ends_at=placement.ends_at, address=data["address"],
        location=_point(data["location"]), contact_name=data.get("contact_name"), notes=data.get("notes"),
        preferred_worker_id=preferred)
    if booking is None:
        # The same key in a concurrent request won the race: answer with its booking.
        return _replay(booking_by_key(resident, idempotency_key), request_fingerprint), False
    _take_place(slot_id)
    _audit(booking, "create", None, booking.status, resident, details={"starts_at": placement.starts_at.isoformat()})
    notifications.booking_received(booking)
    return booking, True


def _insert_booking(**values) -> Booking | None:
    """Inserts the booking, or nothing when the resident's Idempotency-Key has one already (None).
    RETURNING hands back the whole row and its point's coordinates, so nothing is read again."""
    inserted = db.session.execute(
        _insert(Booking).values(**values).on_conflict_do_nothing(index_elements=["resident_id", "idempotency_key"])
        .returning(Booking, Booking.lat, Booking.lng)).first()
    if inserted is None:
        return None
    booking, lat, lng = inserted
    set_committed_value(booking, "lat", lat)
    set_committed_value(booking, "lng", lng)
    return booking


def _audit(booking: Booking, action: str, from_status: str | None, to_status: str | None, actor: User | None,
           reason: str | None = None, details: dict | None = None) -> BookingEvent:
    event = BookingEvent(booking_id=booking.id, action=action, from_status=from_status, to_status=to_status,
                         actor_id=_actor_id(actor), reason=reason, details=details, created_at=utcnow())
    db.session.add(event)  # flushed with the request's other writes
    return event


def target_status(booking: Booking, action: str) -> str:
    """Where `action` takes the booking, by TRANSITIONS; 409 naming the current status otherwise."""
    target = TRANSITIONS[action].get(booking.status)
    if target is None:
        raise StatusRefused(action, booking.status)
    return target


def transition(booking: Booking, action: str, actor: User | None, reason: str | None = None,
               details: dict | None = None) -> Booking:
    """Moves the booking by one row of TRANSITIONS, with one audit event."""
    before, after = booking.status, target_status(booking, action)
    booking.status = after
    booking.updated_at = utcnow()
    _audit(booking, action, before, after, actor, reason, details)
    return booking


def locked_booking(booking_id: int) -> Booking | None:
    """The booking, row-locked until commit (PostgreSQL), so two staff acting on it at once are
    serialised; the version column catches the same race on SQLite."""
    return db.session.scalar(select(Booking).where(Booking.id == booking_id).with_for_update(of=Booking)
                             .execution_options(populate_existing=True))


def confirm(booking: Booking, actor: User) -> Booking:
    transition(booking, "confirm", actor)
    notifications.booking_confirmed(booking)
    return booking


def reject(booking: Booking, actor: User, reason: str) -> Booking:
    target_status(booking, "reject")
    _release(booking)
    return transition(booking, "reject", actor, reason)


def cancel(booking: Booking, actor: User, reason: str | None) -> Booking:
    target_status(booking, "cancel")
    _release(booking)
    return transition(booking, "cancel", actor, reason)


def _release(booking: Booking) -> None:
    """Gives the slot's place back and frees the worker's time."""
    _give_back_place(booking.slot_id)
    _free_worker(booking)


def _free_worker(booking: Booking) -> None:
    db.session.execute(delete(WorkerTimeBlock).where(WorkerTimeBlock.booking_id == booking.id))
    booking.worker_id = None


def reschedule(booking: Booking, starts_at: datetime, actor: User, reason: str | None) -> Booking:
    """已改约: the same booking moves to another slot of its service and station; the old place is
    given back, the worker freed, and the station confirms the new time again."""
    target_status(booking, "reschedule")
    placement = place_for(booking.station_code, booking.service_code, starts_at)
    if placement.starts_at == booking.starts_at:
        raise Invalid("That is the booking's current slot.", {"starts_at": ["same as the current slot"]})
    old_slot, new_slot = booking.slot_id, _slot_id(placement)
    # Two reschedules crossing between the same two slots lock them in the same order.
    for slot_id in sorted((old_slot, new_slot)):
        if slot_id == new_slot:
            _take_place(slot_id)
        else:
            _give_back_place(slot_id)
    details = {"from": booking.starts_at.isoformat(), "to": placement.starts_at.isoformat(),
               "released_worker_id": booking.worker_id}
    _free_worker(booking)
    booking.slot_id, booking.starts_at, booking.ends_at = new_slot, placement.starts_at, placement.ends_at
    booking.reschedule_count += 1
    booking.reminder_queued_at = None  # the new day gets its own reminder
    return transition(booking, "reschedule", actor, reason, details)


def assignment_problems(booking: Booking, worker: Worker) -> dict[str, list[str]]:
    """Why this worker may not serve this booking: an issued certificate whose colour is green
    (credit's rules), and the service among the worker's service types."""
    problems = []
    certificate = worker.certificate
    if certificate.state != "issued" or credit.colour(certificate, today_in_beijing()) != credit.GREEN:
        problems.append(f"the certificate is not issued and green (state {certificate.state})")
    if booking.service.name not in (worker.service_types or []):
        problems.append(f"does not offer {booking.service.name}")
    return {"worker_id": problems} if problems else {}


def _time_blocks(booking: Booking, worker_id: int) -> list[WorkerTimeBlock]:
    start, end = booking.starts_at, booking.ends_at
    blocks, moment = [], start
    while moment < end:
        blocks.append(WorkerTimeBlock(worker_id=worker_id, starts_at=moment, booking_id=booking.id))
        moment += timedelta(minutes=BLOCK_MINUTES)
    return blocks


def assign(booking: Booking, worker: Worker, actor: User) -> Booking:
    """Assigns (or reassigns) a certified worker. The worker's half-hour blocks are inserted under
    a primary key, so of two overlapping assignments, however simultaneous, one fails."""
    target_status(booking, "assign")
    problems = assignment_problems(booking, worker)
    if problems:
        raise Invalid(f"{mask_name(worker.name)} cannot be assigned: " + "; ".join(problems["worker_id"]), problems)
    previous = booking.worker_id
    _free_worker(booking)
    try:
        with db.session.begin_nested():
            db.session.add_all(_time_blocks(booking, worker.id))
    except IntegrityError:
        raise Refused(f"{mask_name(worker.name)} already has a booking at this time.",
                      {"worker_id": ["double-booked: another booking overlaps this time"]}) from None
    booking.worker_id = worker.id
    transition(booking, "assign", actor, details={"worker_id": worker.id, "previous_worker_id": previous})
    notifications.booking_assigned(booking, worker)
    return booking


def assignable_workers(booking: Booking) -> list[Worker]:
    """The workers staff could assign to this booking now, best rated first: the same rules as
    `assign` (issued and green, offering the service) and free for the booking's whole time. Time
    held by this booking itself does not count, so its worker is listed for a reassignment."""
    target_status(booking, "assign")
    busy = select(WorkerTimeBlock.worker_id).where(WorkerTimeBlock.starts_at >= booking.starts_at,
                                                   WorkerTimeBlock.starts_at < booking.ends_at,
                                                   WorkerTimeBlock.booking_id != booking.id)
    issued = db.session.scalars(
        select(Worker).join(Worker.certificate).options(contains_eager(Worker.certificate))
        .where(Certificate.state == ISSUED, Worker.id.not_in(busy))
        .order_by(Worker.stars.desc().nulls_last(), Worker.id))
    return [worker for worker in issued if not assignment_problems(booking, worker)]


def start(booking: Booking, actor: User) -> Booking:
    return transition(booking, "start", actor)


def complete(booking: Booking, actor: User) -> Booking:
    transition(booking, "complete", actor)
    notifications.followup_survey(booking)
    return booking


# ---------------------------------------------------------------- the day-before reminder

# Bookings the station has accepted; a pending one may still be rejected, so it is not reminded.
REMINDED_STATUSES = (CONFIRMED, ASSIGNED)


def queue_reminders() -> int:
    """Queues the reminder of every confirmed or assigned booking that starts tomorrow (Beijing
    time) and has had none. Each booking is claimed by one conditional UPDATE, so repeated or
    overlapping runs remind it once (a reschedule clears the claim). Returns how many it queued."""
    now = utcnow()
    start, end = beijing_day_bounds(in_beijing(now).date() + timedelta(days=1))
    claimed = db.session.scalars(
        update(Booking).where(Booking.status.in_(REMINDED_STATUSES), Booking.starts_at >= start,
                              Booking.starts_at < end, Booking.reminder_queued_at.is_(None))
        .values(reminder_queued_at=now).returning(Booking.id).execution_options(synchronize_session=False)).all()
    for booking in db.session.scalars(select(Booking).where(Booking.id.in_(claimed)).order_by(Booking.id)):
        notifications.booking_reminder(booking)
    return len(claimed)


# ---------------------------------------------------------------- at the door and after the service

def confirm_entry(booking: Booking, token: str, actor: User) -> EntryCheck:
    """确认入户 with the token of the 安心碼 the resident scanned. The check is recorded whether or
    not the scanned worker is the assigned one; the booking counts as entered only when it is."""
    if booking.status not in (ASSIGNED, IN_SERVICE):
        raise StatusRefused("confirm entry", booking.status)
    certificate = db.session.scalar(select(Certificate).where(Certificate.scan_token == token))
    if certificate is None:
        raise Invalid("This is not a valid 安心码.", {"token": ["unknown or replaced 安心码"]})
    matched = certificate.worker_id == booking.worker_id
    check = EntryCheck(booking_id=booking.id, certificate_id=certificate.id, scanned_worker_id=certificate.worker_id,
                       matched=matched, colour=credit.colour(certificate, today_in_beijing()),
                       checked_by_id=actor.id, checked_at=utcnow())
    db.session.add(check)
    if matched:
        booking.entry_confirmed_at = check.checked_at
    _audit(booking, "entry_confirmed" if matched else "entry_mismatch", None, None, actor,
           details={"scanned_worker_id": certificate.worker_id, "assigned_worker_id": booking.worker_id})
    return check


def _credit_both(booking: Booking, kind: str, value: float, actor: User | None, source_ref: str, reason: str) -> None:
    """A fact about the service goes on the ledger of its worker and the worker's company, whose
    levels are recomputed in the same transaction."""
    worker = db.session.get(Worker, booking.worker_id) if booking.worker_id else None
    if worker is None:
        return
    credit.record_credit_event(worker, kind, value, actor, source_ref=source_ref, reason=reason)
    if worker.company is not None:
        credit.record_credit_event(worker.company, kind, value, actor, source_ref=source_ref, reason=reason)


def rate(booking: Booking, stars: int, text: str | None, actor: User) -> Rating:
    if booking.status != COMPLETED:
        raise StatusRefused("rate", booking.status)
    if db.session.scalar(select(Rating.id).where(Rating.booking_id == booking.id)):
        raise Refused("This booking has been rated already.", {"stars": ["rated once already"]})
    rating = Rating(booking_id=booking.id, stars=stars, text=text, rated_by_id=actor.id, created_at=utcnow())
    db.session.add(rating)
    db.session.flush()
    _credit_both(booking, "rating", stars, actor, f"booking:{booking.id}", f"雇主评价 {stars} 星")
    _audit(booking, "rated", None, None, actor, details={"stars": stars})
    return rating


def record_follow_up(booking: Booking, data: dict, actor: User) -> FollowUp:
    """回访 after completion, once; satisfied counts 1 and not satisfied 0 on the ledger."""
    if booking.status != COMPLETED:
        raise StatusRefused("record a follow-up", booking.status)
    if db.session.scalar(select(FollowUp.id).where(FollowUp.booking_id == booking.id)):
        raise Refused("The follow-up call of this booking is recorded already.",
                      {"satisfied": ["recorded once already"]})
    follow_up = FollowUp(booking_id=booking.id, caller_id=actor.id, called_at=data.get("called_at") or utcnow(),
                         satisfied=data["satisfied"], notes=data.get("notes"), created_at=utcnow())
    db.session.add(follow_up)
    db.session.flush()
    _credit_both(booking, "follow_up", 1 if data["satisfied"] else 0, actor, f"booking:{booking.id}",
                 "回访" + ("满意" if data["satisfied"] else "不满意"))
    _audit(booking, "follow_up", None, None, actor, details={"satisfied": data["satisfied"]})
    return follow_up


def complain(booking: Booking, kind: str, text: str, actor: User) -> Complaint:
    complaint = Complaint(booking_id=booking.id, type=kind, text=text, submitted_by_id=actor.id, submitted_at=utcnow())
    db.session.add(complaint)
    db.session.flush()
    _audit(booking, "complaint", None, None, actor, details={"complaint_id": complaint.id, "type": kind})
    return complaint


COMPLAINT_STATUS_NAMES = {"submitted": "已提交", "accepted": "已受理", "upheld": "投诉成立", "dismissed": "投诉不成立",
                          "invalid": "无效投诉", "closed": "已结案"}
# What each decision puts on the worker's and company's ledger: only an upheld complaint lowers.
COMPLAINT_CREDIT = {UPHELD: ("complaint_upheld", 1), DISMISSED: ("complaint_dismissed", 0),
                    INVALID: ("complaint_invalid", 0)}


def locked_complaint(complaint_id: int) -> Complaint | None:
    return db.session.scalar(select(Complaint).where(Complaint.id == complaint_id).with_for_update(of=Complaint)
                             .execution_options(populate_existing=True))


def handle_complaint(complaint: Complaint, action: str, actor: User, note: str | None) -> Complaint:
    """accept, uphold / dismiss / invalidate, close: each step with who and when."""
    target = COMPLAINT_TRANSITIONS[action].get(complaint.status)
    if target is None:
        raise StatusRefused(f"{action} the complaint", complaint.status, COMPLAINT_STATUS_NAMES)
    now = utcnow()
    before, complaint.status = complaint.status, target
    if action == "accept":
        complaint.accepted_by_id, complaint.accepted_at = actor.id, now
    elif action == "close":
        complaint.closed_by_id, complaint.closed_at = actor.id, now
    else:
        complaint.result, complaint.result_note = target, note
        complaint.decided_by_id, complaint.decided_at = actor.id, now
        kind, value = COMPLAINT_CREDIT[target]
        _credit_both(complaint.booking, kind, value, actor, f"complaint:{complaint.id}",
                     f"投诉（{complaint.type}）{COMPLAINT_STATUS_NAMES[target]}")
    _audit(complaint.booking, f"complaint_{action}", None, None, actor, note,
           details={"complaint_id": complaint.id, "from": before, "to": target})
    db.session.flush()
    return complaint


# ---------------------------------------------------------------- queries

def bookings_of_resident(resident: User, status: str | None, page: int, per_page: int) -> tuple[list[Booking], int]:
    query = select(Booking).where(Booking.resident_id == resident.id)
    if status:
        query = query.where(Booking.status == status)
    return _page(query.order_by(Booking.starts_at.desc(), Booking.id.desc()), page, per_page)


def bookings_of_station(station_code: str, status: str | None, day: date | None, page: int,
                        per_page: int) -> tuple[list[Booking], int]:
    query = select(Booking).where(Booking.station_code == station_code)
    if status:
        query = query.where(Booking.status == status)
    if day:
        start, end = beijing_day_bounds(day)
        query = query.where(and_(Booking.starts_at >= start, Booking.starts_at < end))
    return _page(query.order_by(Booking.starts_at, Booking.id), page, per_page)


def complaints_of_station(station_code: str, status: str | None, page: int, per_page: int) -> tuple[list[Complaint], int]:
    query = select(Complaint).join(Booking).where(Booking.station_code == station_code)
    if status:
        query = query.where(Complaint.status == status)
    return _page(query.order_by(Complaint.id), page, per_page)


def _page(query, page: int, per_page: int) -> tuple[list, int]:
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page))), total


def places_held(slot_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Booking.slot_id == slot_id, Booking.status.in_(HOLDING_PLACE)))


# ---------------------------------------------------------------- views

def worker_summary(worker_id: int | None) -> dict | None:
    worker = db.session.get(Worker, worker_id) if worker_id else None
    return worker_view(worker) if worker is not None else None


def worker_view(worker: Worker) -> dict:
    """What a resident or station staff see of a worker: masked name, stars, photo, company."""
    return {"id": worker.id, "name": mask_name(worker.name), "stars": worker.stars, "photo_url": worker.photo_url,
            "company": worker.company.name if worker.company else None}


def service_view(service: Service) -> dict:
    return {"code": service.code, "name": service.name, "description": service.description,
            "typical_minutes": service.typical_minutes}


def offer_view(offer: StationOffer) -> dict:
    return {"station_code": offer.station_code, "service": service_view(offer.service), "weekdays": offer.weekdays,
            "opens_at": offer.opens_at, "closes_at": offer.closes_at, "slot_minutes": offer.slot_minutes,
            "capacity": offer.capacity, "active": offer.active}


def booking_view(booking: Booking, with_events: bool = False) -> dict:
    # Only a completed booking can have been rated.
    rating = (db.session.scalar(select(Rating).where(Rating.booking_id == booking.id))
              if booking.status == COMPLETED else None)
    view = {
        "id": booking.id, "status": booking.status, "status_name": STATUS_NAMES[booking.status],
        "rescheduled": booking.reschedule_count > 0, "station_code": booking.station_code,
        "station_name": station_name(booking.station_code), "service": service_view(booking.service),
        "starts_at": in_beijing(booking.starts_at), "ends_at": in_beijing(booking.ends_at), "address": booking.address,
        "location": location_view(booking, "gcj02"), "contact_name": booking.contact_name, "notes": booking.notes,
        "preferred_worker_id": booking.preferred_worker_id, "worker": worker_summary(booking.worker_id),
        "entry_confirmed_at": booking.entry_confirmed_at and in_beijing(booking.entry_confirmed_at),
        "rating": rating and {"stars": rating.stars, "text": rating.text},
        "created_at": in_beijing(booking.created_at),
    }
    if with_events:
        view["events"] = [{"action": e.action, "from_status": e.from_status, "to_status": e.to_status,
                           "actor_id": e.actor_id, "reason": e.reason, "details": e.details,
                           "at": in_beijing(e.created_at)} for e in booking.events]
    return view


def entry_check_view(check: EntryCheck) -> dict:
    return {"booking_id": check.booking_id, "matched": check.matched, "colour": check.colour,
            "worker": worker_summary(check.scanned_worker_id), "checked_at": in_beijing(check.checked_at)}


def complaint_view(complaint: Complaint) -> dict:
    moments = {name: getattr(complaint, name) and in_beijing(getattr(complaint, name))
               for name in ("submitted_at", "accepted_at", "decided_at", "closed_at")}
    return {"id": complaint.id, "booking_id": complaint.booking_id, "type": complaint.type,
            "type_name": COMPLAINT_TYPES[complaint.type], "text": complaint.text, "status": complaint.status,
            "result": complaint.result, "result_note": complaint.result_note,
            "submitted_by_id": complaint.submitted_by_id, "accepted_by_id": complaint.accepted_by_id,
            "decided_by_id": complaint.decided_by_id, "closed_by_id": complaint.closed_by_id, **moments}
