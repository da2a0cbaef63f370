"""Bookings per station and per district (the station's): how many were booked for a day in the
period (by the service's start), completed and cancelled, followed up (回访) with the resident
satisfied, and complained about. Rates are of the bookings, satisfaction of the follow-ups."""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from app.extensions import db
from app.i18n import lazy_gettext
from booking.models import CANCELLED, COMPLETED, Booking, Complaint, FollowUp
from industry_statistics.charts import Chart, chart, district_axis, rates
from industry_statistics.periods import Period
from stations.models import Station

COUNTS = {
    "bookings": lazy_gettext("bookings"),
    "completed": lazy_gettext("completed"),
    "cancelled": lazy_gettext("cancelled"),
    "follow_ups": lazy_gettext("followed up"),
    "satisfied": lazy_gettext("satisfied"),
    "complained": lazy_gettext("complained about"),
}
# Each rate: (its name, the count it is a share of, the count it divides by)
RATES = {
    "completion_rate": (lazy_gettext("completion rate"), "completed", "bookings"),
    "cancellation_rate": (lazy_gettext("cancellation rate"), "cancelled", "bookings"),
    "satisfaction_rate": (lazy_gettext("satisfaction rate"), "satisfied", "follow_ups"),
    "complaint_rate": (lazy_gettext("complaint rate"), "complained", "bookings"),
}


@dataclass(frozen=True)
class BookingFigures:
    period: Period
    district_code: str | None
    station_code: str | None
    by_station: Chart
    by_district: Chart


def booking_figures(period: Period, district_code: str | None, station_code: str | None) -> BookingFigures:
    by_station = _counts(period, district_code, station_code, Booking.station_code, Station.name)
    by_district = _counts(period, district_code, station_code, Station.district_code)
    station_keys = sorted(by_station)
    district_keys, district_labels = district_axis(district_code, with_none=False)
    return BookingFigures(
        period=period,
        district_code=district_code,
        station_code=station_code,
        by_station=_chart(by_station, station_keys, [by_station[key]["name"] for key in station_keys]),
        by_district=_chart(by_district, district_keys, district_labels),
    )


def _chart(counts: dict[str, dict], keys: list[str], labels: list[str]) -> Chart:
    def column(name: str) -> dict:
        return {key: row[name] for key, row in counts.items()}

    return chart(
        keys,
        labels,
        [(name, label, column(name)) for name, label in COUNTS.items()]
        + [
            (name, label, rates(column(part), column(whole)) | {key: None for key in keys if key not in counts})
            for name, (label, part, whole) in RATES.items()
        ],
    )


def _counts(period: Period, district_code, station_code, key, *described) -> dict[str, dict]:
    """{key: {count name: n, "name": ...}}, one row per `key` (a station's or district's code),
    `described` by the columns named after it (grouped with it)."""
    complained = select(Complaint.booking_id).distinct().subquery()
    query = (
        select(
            key,
            *described,
            func.count(Booking.id),
            func.sum(case((Booking.status == COMPLETED, 1), else_=0)),
            func.sum(case((Booking.status == CANCELLED, 1), else_=0)),
            func.count(FollowUp.id),
            func.sum(case((FollowUp.satisfied, 1), else_=0)),
            func.count(complained.c.booking_id),
        )
        .select_from(Booking)
        .join(Station, Station.code == Booking.station_code)
        .outerjoin(FollowUp, FollowUp.booking_id == Booking.id)
        .outerjoin(complained, complained.c.booking_id == Booking.id)
        .where(Booking.starts_at >= period.starts_at, Booking.starts_at < period.ends_at)
        .group_by(key, *described)
    )
    if district_code:
        query = query.where(Station.district_code == district_code)
    if station_code:
        query = query.where(Booking.station_code == station_code)
    rows = {}
    for code, *values in db.session.execute(query):
        names, numbers = values[: len(described)], values[len(described) :]
        rows[code] = dict(zip(COUNTS, map(int, numbers), strict=True)) | {"name": names[0] if names else code}
    return rows
