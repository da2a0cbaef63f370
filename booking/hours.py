"""The catalogue and what each station offers when: services, offers with their hours, slot length
and places, and the days a station is closed. No request, no commit: callers commit."""

from datetime import date

from sqlalchemy import delete, select

from accounts.models import User
from app.clock import beijing_day_bounds, today_in_beijing, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.i18n import _
from booking import places
from booking.catalogue import DEFAULT_CLOSES_AT, DEFAULT_OPENS_AT, DEFAULT_SERVICES, DEFAULT_SLOTS
from booking.models import OPEN_STATUSES, Booking, ClosedDay, Service, StationOffer
from credit.service_types import SERVICE_TYPES
from stations.models import Station


def seed_defaults() -> tuple[int, int]:
    """The default catalogue, and offers of the whole catalogue with default hours for every
    station that has none yet. A station with offers is its staff's to change (once it has
    switched every offer off, it has none active, which must not read as "offer everything").
    Leaves anything that exists alone, so running it again changes nothing; then each station
    lists its active offers. Returns what it created."""
    services_created = 0
    for code, minutes, description in DEFAULT_SERVICES:
        if db.session.get(Service, code) is None:
            name = SERVICE_TYPES[code]
            db.session.add(Service(code=code, name=name, typical_minutes=minutes, description=description))
            services_created += 1
    db.session.flush()
    offering = set(db.session.scalars(select(StationOffer.station_code).distinct()))
    offers_created = 0
    for station_code in db.session.scalars(select(Station.code)):
        if station_code in offering:
            continue
        for service_code in DEFAULT_SLOTS:
            slot_minutes, capacity = DEFAULT_SLOTS[service_code]
            db.session.add(
                StationOffer(
                    station_code=station_code,
                    service_code=service_code,
                    opens_at=DEFAULT_OPENS_AT,
                    closes_at=DEFAULT_CLOSES_AT,
                    slot_minutes=slot_minutes,
                    capacity=capacity,
                )
            )
            offers_created += 1
    db.session.flush()
    list_offers_on_stations()
    return services_created, offers_created


def list_offers_on_stations(station_code: str | None = None) -> None:
    """Writes each station's active offers (the services' names, by code) into its `services`,
    what the map shows, touching only the stations whose list changed: their `updated_at` moves,
    so the map's ETag and each process's nearest index follow as after an import. The offers are
    booking's and stations cannot look above themselves, so booking, their one writer, keeps the
    listing in step."""
    offered: dict[str, list[dict]] = {}
    query = (
        select(StationOffer.station_code, Service.code, Service.name)
        .join(Service, Service.code == StationOffer.service_code)
        .where(StationOffer.active.is_(True))
        .order_by(StationOffer.station_code, StationOffer.service_code)
    )
    stations = select(Station)
    if station_code is not None:
        query, stations = (
            query.where(StationOffer.station_code == station_code),
            stations.where(Station.code == station_code),
        )
    for offering_station, service_code, name in db.session.execute(query):
        offered.setdefault(offering_station, []).append({"code": service_code, "name": name})
    for station in db.session.scalars(stations):
        listed = offered.get(station.code, [])
        if station.services != listed:
            station.services, station.updated_at = listed, utcnow()
    db.session.flush()


def catalogue() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.code)))


def station_offers(station_code: str) -> list[StationOffer]:
    return list(
        db.session.scalars(
            select(StationOffer).where(StationOffer.station_code == station_code).order_by(StationOffer.service_code)
        )
    )


def locked_offers(station_code: str, service_code: str | None = None, exclusive: bool = False) -> list[StationOffer]:
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
        raise Invalid(
            _("No service %(service)s in the catalogue.", service=service_code),
            code="unknown_service",
            errors={"service_code": [_("unknown service")]},
        )
    if settings["closes_at"] <= settings["opens_at"]:
        raise Invalid(
            _("Closing time must be after opening time."),
            code="closes_before_opening",
            errors={"closes_at": [_("must be after opens_at")]},
        )
    offer = next(iter(locked_offers(station_code, service_code, exclusive=True)), None)
    if offer is None:
        offer = StationOffer(station_code=station_code, service_code=service_code)
        db.session.add(offer)
    for name, value in settings.items():
        setattr(offer, name, value)
    offer.updated_at = utcnow()
    db.session.flush()
    places.follow_capacity(offer)
    list_offers_on_stations(station_code)
    return offer


def closed_days(station_code: str, from_day: date) -> list[ClosedDay]:
    return list(
        db.session.scalars(
            select(ClosedDay)
            .where(ClosedDay.station_code == station_code, ClosedDay.day >= from_day)
            .order_by(ClosedDay.day)
        )
    )


def close_day(station_code: str, day: date, reason: str, actor: User | None) -> ClosedDay:
    """Closing a day with open bookings on it is refused (409, naming them): the station first
    confirms them elsewhere, reschedules or rejects them. A day gone by cannot be closed (422)."""
    if day < today_in_beijing():
        raise Invalid(
            _("%(day)s has gone by; only today or a later day can be closed.", day=day),
            code="day_in_the_past",
            field="day",
        )
    locked_offers(station_code, exclusive=True)
    start, end = beijing_day_bounds(day)
    open_ids = list(
        db.session.scalars(
            select(Booking.id)
            .where(
                Booking.station_code == station_code,
                Booking.starts_at >= start,
                Booking.starts_at < end,
                Booking.status.in_(OPEN_STATUSES),
            )
            .order_by(Booking.id)
        )
    )
    if open_ids:
        raise Conflict(
            _(
                "%(day)s has %(count)s open booking(s); handle them before closing the day.",
                day=day,
                count=len(open_ids),
            ),
            code="day_has_open_bookings",
            errors={"day": [_("open bookings: %(ids)s", ids=", ".join(map(str, open_ids)))]},
        )
    closed = db.session.scalar(select(ClosedDay).where(ClosedDay.station_code == station_code, ClosedDay.day == day))
    if closed is None:
        closed = ClosedDay(
            station_code=station_code, day=day, reason=reason, closed_by_id=actor.id if actor is not None else None
        )
        db.session.add(closed)
    else:
        closed.reason = reason
    db.session.flush()
    return closed


def reopen_day(station_code: str, day: date) -> None:
    db.session.execute(delete(ClosedDay).where(ClosedDay.station_code == station_code, ClosedDay.day == day))
