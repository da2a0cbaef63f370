"""Bookings per station and per district (the station's): how many were booked for a day in the
period (by the service's start), completed and cancelled, followed up (回访) with the resident
satisfied, and complained about. Rates are of the bookings, satisfaction of the follow-ups.

Counted per station and Beijing day, and read from the rollup of those counts (per day and per
month, statistics_booking_counts) except for the days of the bookings changed since the rollup
was brought up to date (an event, a follow-up or a complaint since): those days are counted from
the bookings, so a figure is exact whenever the job last ran."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Row, and_, case, delete, exists, func, insert, null, or_, select, union

from app.clock import beijing_day_bounds
from app.extensions import db
from app.i18n import lazy_gettext
from app.rollup_marks import rollup_reaches
from booking.models import CANCELLED, COMPLETED, Booking, BookingEvent, Complaint, FollowUp
from industry_statistics.charts import Chart, chart, district_axis, rates
from industry_statistics.models import DAY, MONTH, BookingCounts
from industry_statistics.periods import (
    Period,
    beijing_day,
    month_days,
    on_beijing_day,
    whole_months_and_loose_days,
    written_moment,
)
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
    counts = _station_counts(period, district_code, station_code)
    stations = {
        code: (name, district)
        for code, name, district in db.session.execute(
            select(Station.code, Station.name, Station.district_code).where(Station.code.in_(list(counts)))
        )
    }
    by_station = {code: dict(numbers) | {"name": stations[code][0]} for code, numbers in counts.items()}
    by_district: dict[str, dict] = {}
    for code, numbers in counts.items():
        added = by_district.setdefault(stations[code][1], Counter())
        added.update(numbers)
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


def _station_counts(period: Period, district_code, station_code) -> dict[str, Counter]:
    """{station: {count name: n}} of the stations with bookings in the period: the rollup's, less
    its counts of the days changed since, plus those days counted from the bookings."""
    scope = [Station.district_code == district_code] if district_code else []
    scope += [Station.code == station_code] if station_code else []
    reaches = rollup_reaches("bookings")
    if reaches is None:
        in_period = and_(Booking.starts_at >= period.starts_at, Booking.starts_at < period.ends_at)
        return _summed(_day_counts(scope, which=in_period))
    changed = _changed_days(reaches)
    # Materialised: found from the changes since, each booking by its key, before the scope narrows
    # them; inlined, the planner read the station's (the district's) every booking of the period
    # to find which changed (5,600 at the busiest station at scale 1, 1,100 at 0.01).
    changed_in_period = (
        select(changed.c.station_code, changed.c.day)
        .where(changed.c.day.between(period.first_day, period.last_day))
        .cte("changed_in_period")
        .prefix_with("MATERIALIZED")
    )
    totals = _summed(_rolled_up(period, scope))
    for code, numbers in _summed(_rolled_up_days(changed_in_period, scope)).items():
        totals.setdefault(code, Counter()).subtract(numbers)
    for code, numbers in _summed(_day_counts(scope, on_days=changed_in_period)).items():
        totals.setdefault(code, Counter()).update(numbers)
    return {code: numbers for code, numbers in totals.items() if numbers["bookings"] > 0}


def _summed(rows) -> dict[str, Counter]:
    """{station: Counter} added up over the (station, day, counts...) rows."""
    totals: dict[str, Counter] = {}
    for code, _day, *numbers in rows:
        totals.setdefault(code, Counter()).update(dict(zip(COUNTS, map(int, numbers), strict=True)))
    return totals


def _day_counts(scope, *, which=None, on_days=None) -> Sequence[Row]:
    """(station, Beijing day, counts...) of the bookings `which` selects, or of those on the
    (station_code, day)s `on_days` lists, counted from the rows."""
    # Looked up per booking (its complaints' index), not a distinct list of every booking complained about.
    complained = exists().where(Complaint.booking_id == Booking.id)
    day = beijing_day(Booking.starts_at)
    query = (
        select(
            Booking.station_code,
            day,
            func.count(Booking.id),
            func.sum(case((Booking.status == COMPLETED, 1), else_=0)),
            func.sum(case((Booking.status == CANCELLED, 1), else_=0)),
            func.count(FollowUp.id),
            func.sum(case((FollowUp.satisfied, 1), else_=0)),
            func.sum(case((complained, 1), else_=0)),
        )
        .select_from(Booking)
        .join(Station, Station.code == Booking.station_code)
        .outerjoin(FollowUp, FollowUp.booking_id == Booking.id)
        .where(*scope)
        .group_by(Booking.station_code, day)
    )
    if on_days is not None:
        query = query.join(
            on_days,
            and_(on_days.c.station_code == Booking.station_code, on_beijing_day(Booking.starts_at, on_days.c.day)),
        )
    else:
        query = query.where(which)
    return db.session.execute(query).all()


def _on_days(days: set[tuple[str, date]]):
    """The bookings of these (station, Beijing day)s, each read by the station's index."""
    return or_(
        *(
            and_(Booking.station_code == code, Booking.starts_at >= bounds[0], Booking.starts_at < bounds[1])
            for code, day in sorted(days)
            for bounds in [beijing_day_bounds(day)]
        )
    )


_COUNT_COLUMNS = [getattr(BookingCounts, name) for name in COUNTS]


def _rolled_up(period: Period, scope) -> Sequence[Row]:
    """(station, None, counts...) from the rollup: its month rows for the period's whole months,
    its day rows for the rest."""
    months, loose = whole_months_and_loose_days(period)
    spans = [and_(BookingCounts.span == MONTH, BookingCounts.first_day.in_(months))] if months else []
    spans += [and_(BookingCounts.span == DAY, BookingCounts.first_day.between(*days)) for days in loose]
    query = (
        select(BookingCounts.station_code, null(), *(func.sum(column) for column in _COUNT_COLUMNS))
        .join(Station, Station.code == BookingCounts.station_code)
        .where(or_(*spans), *scope)
        .group_by(BookingCounts.station_code)
    )
    return db.session.execute(query).all()


def _rolled_up_days(days, scope) -> Sequence[Row]:
    """The rollup's rows of the (station_code, day)s `days` lists."""
    query = (
        select(BookingCounts.station_code, BookingCounts.first_day, *_COUNT_COLUMNS)
        .join(Station, Station.code == BookingCounts.station_code)
        .join(days, and_(days.c.station_code == BookingCounts.station_code, days.c.day == BookingCounts.first_day))
        .where(BookingCounts.span == DAY, *scope)
    )
    return db.session.execute(query).all()


def _of_days(days: set[tuple[str, date]], span: str = DAY):
    """The rollup's rows of these (station, first day)s, each found by its primary key."""
    return or_(
        *(
            and_(BookingCounts.span == span, BookingCounts.first_day == day, BookingCounts.station_code == code)
            for code, day in sorted(days)
        )
    )


def _changed_days(since: datetime):
    """The (station_code, day)s whose counts may have changed since `since`: those of the bookings
    with an event (made, moved, confirmed...), a follow-up or a complaint since, and the day a
    booking was rescheduled away from; each found by the index of its time."""
    touched = union(
        select(BookingEvent.booking_id).where(BookingEvent.created_at >= since),
        select(FollowUp.booking_id).where(FollowUp.created_at >= since),
        select(Complaint.booking_id).where(Complaint.submitted_at >= since),
    ).subquery()
    now_on = select(Booking.station_code, beijing_day(Booking.starts_at).label("day")).where(
        Booking.id.in_(select(touched.c.booking_id))
    )
    moved_from = (
        select(Booking.station_code, beijing_day(written_moment(BookingEvent.details["from"].as_string())))
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .where(BookingEvent.created_at >= since, BookingEvent.action == "reschedule")
    )
    return union(now_on, moved_from).subquery("changed")


def changed_days(since: datetime) -> set[tuple[str, date]]:
    changed = _changed_days(since)
    return {(code, day) for code, day in db.session.execute(select(changed.c.station_code, changed.c.day))}


def roll_up_bookings(since: datetime | None) -> int:
    """Counts again the days changed since `since` (every day, the first time) into the day rows,
    and adds the day rows up again into their months' rows. Returns the days counted."""
    if since is None:
        db.session.execute(delete(BookingCounts))
        counted = _day_counts([], which=Booking.id.is_not(None))
    else:
        days = changed_days(since)
        if not days:
            return 0
        db.session.execute(delete(BookingCounts).where(_of_days(days)))
        counted = _day_counts([], which=_on_days(days))
    rows = [
        {"span": DAY, "station_code": code, "first_day": day} | dict(zip(COUNTS, map(int, numbers), strict=True))
        for code, day, *numbers in counted
    ]
    if rows:
        db.session.execute(insert(BookingCounts), rows)
    if since is None:
        _add_up_months(None)
        return len(rows)
    _add_up_months({(code, day.replace(day=1)) for code, day in days})
    return len(days)


def _add_up_months(months: set[tuple[str, date]] | None) -> None:
    """The month rows of these (station, month)s (all of them: None), the sums of their day rows."""
    days = BookingCounts.span == DAY
    if months is not None:
        db.session.execute(
            delete(BookingCounts).where(
                _of_days(months, MONTH),
            )
        )
        days = and_(
            days,
            or_(
                *(
                    and_(BookingCounts.station_code == code, BookingCounts.first_day.between(*month_days(first)))
                    for code, first in sorted(months)
                )
            ),
        )
    summed: dict[tuple[str, date], Counter] = {}
    for code, day, *numbers in db.session.execute(
        select(BookingCounts.station_code, BookingCounts.first_day, *_COUNT_COLUMNS).where(days)
    ):
        summed.setdefault((code, day.replace(day=1)), Counter()).update(dict(zip(COUNTS, numbers, strict=True)))
    rows = [
        {"span": MONTH, "station_code": code, "first_day": first} | {name: numbers[name] for name in COUNTS}
        for (code, first), numbers in summed.items()
        if numbers["bookings"]
    ]
    if rows:
        db.session.execute(insert(BookingCounts), rows)
