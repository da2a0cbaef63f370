"""Which slots are free: a station's slot times on a day, the booking window (today and the six
days after it, Beijing time), the places left in each slot, and the nearest station offering a
service."""

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.clock import BEIJING, beijing_day_bounds, in_beijing, to_utc, utcnow
from app.extensions import db
from booking.hours import closed_days
from booking.models import Slot, StationOffer
from stations.services import nearest_stations

BOOKING_DAYS = 7  # today and the six days after it, Beijing time
NEAREST_CANDIDATES = 5  # stations looked at when the nearest one does not offer the service


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


def series_window(now: datetime | None = None) -> tuple[date, date]:
    """A series starts within the booking window; its later occurrences, and their reschedules,
    go as far as SERIES_HORIZON_DAYS from today (Beijing)."""
    first = in_beijing(now or utcnow()).date()
    return first, first + timedelta(days=current_app.config["SERIES_HORIZON_DAYS"] - 1)


def slots_of_the_week(offer: StationOffer, now: datetime | None = None) -> list[dict]:
    """The next 7 days (Beijing time) of the offer's slots that have not started, each with its
    places left; a closed day is listed as closed with no slots."""
    now = now or utcnow()
    first, last = booking_window(now)
    closed = {c.day: c.reason for c in closed_days(offer.station_code, first) if c.day <= last}
    start, _ = beijing_day_bounds(first)
    _, end = beijing_day_bounds(last)
    booked = {
        starts_at: (capacity, taken)
        for starts_at, capacity, taken in db.session.execute(
            select(Slot.starts_at, Slot.capacity, Slot.booked).where(
                Slot.station_code == offer.station_code,
                Slot.service_code == offer.service_code,
                Slot.starts_at >= start,
                Slot.starts_at < end,
            )
        )
    }
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
                slots.append(
                    {
                        "starts_at": starts_at,
                        "ends_at": starts_at + length,
                        "capacity": capacity,
                        "remaining": max(capacity - taken, 0),
                    }
                )
        days.append({"date": day, "closed": day in closed, "closed_reason": closed.get(day), "slots": slots})
    return days


def offer_of(station_code: str, service_code: str) -> StationOffer | None:
    return db.session.scalar(
        select(StationOffer).where(StationOffer.station_code == station_code, StationOffer.service_code == service_code)
    )


def nearest_offering_station(lat: float, lng: float, service_code: str, crs: str) -> tuple[dict, StationOffer] | None:
    """The nearest station (WGS-84 point in, views in `crs`) among the few closest that offers the
    service, with its offer; None when none of them does."""
    candidates, _ = nearest_stations(lat, lng, NEAREST_CANDIDATES, crs)
    offers = {
        o.station_code: o
        for o in db.session.scalars(
            select(StationOffer).where(
                StationOffer.station_code.in_([c["code"] for c in candidates]),
                StationOffer.service_code == service_code,
                StationOffer.active.is_(True),
            )
        )
    }
    return next(((station, offers[station["code"]]) for station in candidates if station["code"] in offers), None)
