"""Recurring series: a resident books the same slot every N days (weekly by default), up to
SERIES_MAX_OCCURRENCES times. Each date is booked or not on its own, with the code of why not;
the first date is within the booking window, the later ones up to SERIES_HORIZON_DAYS ahead
(availability.series_window). Every booked date is an ordinary booking linked to the series, so
cancelling or rescheduling it is the booking's own step. No request, no commit: callers commit."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import User
from app.clock import BEIJING, in_beijing, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.geography import inside_guangzhou
from app.i18n import _
from booking import notifications, places
from booking.availability import booking_window, series_window
from booking.bookings import _point, audit, cancel, fingerprint, place_for, shown_with_booking
from booking.models import (
    BOOKED,
    BOOKING_STATES,
    OCCURRENCE_OUTCOMES,
    PENDING,
    SERIES_ACTIVE,
    SERIES_STATES,
    Booking,
    BookingSeries,
    SeriesEvent,
    SeriesOccurrence,
    WorkerTimeBlock,
)
from credit.models import Worker


@dataclass
class Planned:
    position: int
    starts_at: datetime  # Beijing time
    outcome: str = BOOKED
    slot_id: int | None = None
    slot_starts_at: datetime | None = None  # UTC, once placed
    slot_ends_at: datetime | None = None


def _of_key(resident: User, key: str):
    return select(BookingSeries).where(BookingSeries.resident_id == resident.id, BookingSeries.idempotency_key == key)


def series_by_key(resident: User, key: str) -> BookingSeries | None:
    return db.session.scalar(_of_key(resident, key))


def _replay(existing: BookingSeries, request_fingerprint: str) -> BookingSeries:
    if existing.request_fingerprint != request_fingerprint:
        raise Invalid(
            _("This Idempotency-Key was used for a different series request."),
            code="idempotency_key_reused",
            errors={"Idempotency-Key": [_("already used with a different body; use a new key for a new series")]},
        )
    return existing


def dates_of(first: datetime, every_days: int, count: int) -> list[datetime]:
    """The series' dates at the first one's Beijing wall-clock time (China keeps no summer time)."""
    local = first.astimezone(BEIJING)
    return [local + timedelta(days=every_days * n) for n in range(count)]


def _check_request(data: dict) -> None:
    """What makes the whole series wrong, not one of its dates: a 422 naming the field."""
    most = current_app.config["SERIES_MAX_OCCURRENCES"]
    if data["count"] > most:
        raise Invalid(
            _("A series has at most %(most)s dates.", most=most),
            code="too_many_occurrences",
            errors={"count": [_("at most %(most)s", most=most)]},
        )
    if not inside_guangzhou(data["location"]["lat"], data["location"]["lng"], "wgs84"):
        raise Invalid(
            _("The address is outside Guangzhou, where the stations serve."),
            code="outside_service_area",
            errors={"location": [_("outside Guangzhou")]},
        )
    first, last = booking_window()
    if not first <= in_beijing(data["starts_at"]).date() <= last:
        raise Invalid(
            _("A series starts within the next 7 days."),
            code="outside_booking_window",
            errors={"starts_at": [_("the first date must be between %(first)s and %(last)s", first=first, last=last)]},
        )
    preferred = data.get("preferred_worker_id")
    if preferred is not None:
        offered = db.session.scalar(select(Worker.service_types).where(Worker.id == preferred))
        if data["service_code"] not in (offered or []):
            raise Invalid(
                _("The preferred worker does not offer this service."),
                code="preferred_worker_not_offering",
                errors={"preferred_worker_id": [_("no such worker offering this service")]},
            )


def _worker_busy(worker_id: int, starts_at: datetime, ends_at: datetime) -> bool:
    return (
        db.session.scalar(
            select(WorkerTimeBlock.starts_at)
            .where(
                WorkerTimeBlock.worker_id == worker_id,
                WorkerTimeBlock.starts_at >= starts_at,
                WorkerTimeBlock.starts_at < ends_at,
            )
            .limit(1)
        )
        is not None
    )


def _place(series: BookingSeries, planned: Planned, horizon) -> None:
    """Finds the date's slot (creating its row), or records why the date cannot be booked. Dates
    are placed in time order, so two series creating the same slot rows never wait on each other
    in a cycle."""
    if planned.starts_at.date() > horizon:
        planned.outcome = "beyond_series_horizon"
        return
    try:
        placement = place_for(series.station_code, series.service_code, planned.starts_at, last_day=horizon)
    except Invalid as refusal:
        if refusal.problem_code not in OCCURRENCE_OUTCOMES:
            raise
        planned.outcome = refusal.problem_code
        return
    if series.preferred_worker_id is not None and _worker_busy(
        series.preferred_worker_id, placement.starts_at, placement.ends_at
    ):
        planned.outcome = "preferred_worker_busy"
        return
    planned.slot_id = places.slot_id(placement.offer, placement.starts_at, placement.ends_at)
    planned.slot_starts_at, planned.slot_ends_at = placement.starts_at, placement.ends_at


def create_series(resident: User, data: dict, idempotency_key: str) -> tuple[BookingSeries, bool]:
    """Books every date of a series that has a place (and its preferred worker free), or returns
    the series this key already made (created=False). `data` has a WGS-84 `location`."""
    request_fingerprint = fingerprint(data)
    existing = series_by_key(resident, idempotency_key)
    if existing is not None:
        return _replay(existing, request_fingerprint), False
    _check_request(data)
    try:  # an unknown station or a service it does not offer is the whole series' 422
        place_for(data["station_code"], data["service_code"], data["starts_at"])
    except Invalid as refusal:
        if refusal.problem_code not in OCCURRENCE_OUTCOMES:
            raise
    series_id = db.session.scalar(
        places.insert(BookingSeries)
        .values(
            resident_id=resident.id,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
            station_code=data["station_code"],
            service_code=data["service_code"],
            first_starts_at=data["starts_at"].astimezone(BEIJING),
            every_days=data["every_days"],
            count=data["count"],
            preferred_worker_id=data.get("preferred_worker_id"),
            status=SERIES_ACTIVE,
            created_at=utcnow(),
            updated_at=utcnow(),
            version=1,
        )
        .on_conflict_do_nothing(index_elements=["resident_id", "idempotency_key"])
        .returning(BookingSeries.id)
    )
    if series_id is None:
        # The same key in a concurrent request won the race: answer with its series.
        return _replay(db.session.scalars(_of_key(resident, idempotency_key)).one(), request_fingerprint), False
    series = db.session.get_one(BookingSeries, series_id)
    planned = [
        Planned(n, moment) for n, moment in enumerate(dates_of(data["starts_at"], series.every_days, series.count))
    ]
    horizon = series_window()[1]
    for date_ in planned:
        _place(series, date_, horizon)
    if planned[0].outcome == "not_a_slot_start":  # then none is: every date is at the same time of day
        raise Invalid(
            _("No slot starts at this time."),
            code="not_a_slot_start",
            errors={"starts_at": [_("not the start of one of this day's slots")]},
        )
    booked = _take_places(series, resident, data, planned, request_fingerprint)
    _audit(series, "create", None, series.status, resident, details=_summary(planned))
    if booked:
        notifications.booking_received(min(booked, key=lambda booking: booking.starts_at))
    return series, True


def _take_places(
    series: BookingSeries, resident: User, data: dict, planned: list[Planned], request_fingerprint: str
) -> list[Booking]:
    """Takes a place in each placed date's slot, in slot-id order (the order a reschedule locks
    two slots in); a full slot is that date's `slot_full`. The CHECK on the slot backs each."""
    booked = []
    placed = sorted(((p.slot_id, p) for p in planned if p.slot_id is not None), key=lambda pair: pair[0])
    for slot_id, date_ in placed:
        try:
            places.take_place(slot_id)
        except Conflict:
            date_.outcome = "slot_full"
            continue
        booking = Booking(
            resident_id=resident.id,
            idempotency_key=f"series:{series.id}:{date_.position}",
            request_fingerprint=request_fingerprint,
            station_code=series.station_code,
            service_code=series.service_code,
            slot_id=slot_id,
            starts_at=date_.slot_starts_at,
            ends_at=date_.slot_ends_at,
            status=PENDING,
            address=data["address"],
            location=_point(data["location"]),
            contact_name=data.get("contact_name"),
            notes=data.get("notes"),
            preferred_worker_id=series.preferred_worker_id,
        )
        db.session.add(booking)
        booked.append((date_, booking))
    db.session.flush()
    for date_, booking in booked:
        audit(
            booking,
            "create",
            None,
            booking.status,
            resident,
            details={"starts_at": booking.starts_at.isoformat(), "series_id": series.id, "position": date_.position},
        )
    by_position = {date_.position: booking for date_, booking in booked}
    db.session.add_all(
        SeriesOccurrence(
            series_id=series.id,
            position=date_.position,
            planned_starts_at=date_.starts_at,
            outcome=date_.outcome,
            booking_id=by_position[date_.position].id if date_.position in by_position else None,
        )
        for date_ in planned
    )
    db.session.flush()
    return list(by_position.values())


def _summary(planned: list[Planned]) -> dict:
    outcomes = Counter(date_.outcome for date_ in planned)
    return {"booked": outcomes.pop(BOOKED, 0), "not_booked": dict(outcomes)}


def _audit(
    series: BookingSeries,
    action: str,
    from_status: str | None,
    to_status: str | None,
    actor: User | None,
    reason: str | None = None,
    details: dict | None = None,
) -> None:
    db.session.add(
        SeriesEvent(
            series_id=series.id,
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor.id if actor is not None else None,
            reason=reason,
            details=details,
            created_at=utcnow(),
        )
    )


def cancel_rest(series: BookingSeries, actor: User, reason: str | None, from_moment: datetime | None) -> BookingSeries:
    """Cancels every booked date from `from_moment` (now when None) that can still be cancelled,
    and ends the series. Dates already served, cancelled or started stay as they are."""
    before = series.status
    after = SERIES_STATES.target(before, "cancel_rest", doing=_("cancel the rest of the series"))
    since = max(from_moment or utcnow(), utcnow())
    cancellable = tuple(BOOKING_STATES.transitions["cancel"])
    rest = db.session.scalars(
        select(Booking)
        .join(SeriesOccurrence, SeriesOccurrence.booking_id == Booking.id)
        .where(
            SeriesOccurrence.series_id == series.id,
            Booking.starts_at >= since,
            Booking.status.in_(cancellable),
        )
        .order_by(Booking.slot_id, Booking.id)
        .with_for_update(of=Booking)
    ).all()
    for booking in rest:
        cancel(booking, actor, reason)
    series.status, series.updated_at = after, utcnow()
    _audit(series, "cancel_rest", before, after, actor, reason, {"cancelled_booking_ids": [b.id for b in rest]})
    db.session.flush()
    return series


def locked_series(series_id: int) -> BookingSeries | None:
    return db.session.scalar(
        select(BookingSeries)
        .where(BookingSeries.id == series_id)
        .with_for_update(of=BookingSeries)
        .execution_options(populate_existing=True)
    )


def readable_series(series_id: int) -> BookingSeries | None:
    """The series with each date's booking as its answer shows it, loaded at once."""
    return db.session.scalar(
        select(BookingSeries)
        .where(BookingSeries.id == series_id)
        .options(
            selectinload(BookingSeries.events),
            selectinload(BookingSeries.occurrences)
            .selectinload(SeriesOccurrence.booking)
            .options(*shown_with_booking()),
        )
        .execution_options(populate_existing=True)
    )


def series_of_booking(booking_id: int) -> int | None:
    """The series a booking is a date of, if any (it stays in it when rescheduled)."""
    return db.session.scalar(select(SeriesOccurrence.series_id).where(SeriesOccurrence.booking_id == booking_id))
