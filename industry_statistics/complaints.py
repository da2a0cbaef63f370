"""How long complaints took to handle, by the month (Beijing) they were submitted: how many came,
how many were decided (upheld, dismissed or invalid: the resolution), and the median and 90th
percentile of the hours from submission to decision; and against the deadlines each complaint's
severity set (complaints/deadlines.py): those answered (triaged) after `respond_by` or not yet
answered past it, those decided after `resolve_by` and those still undecided past it. A
complaint counts in the district of its booking's station.

A month the period holds whole (or up to today) is read from the rollup of the complaints settled
when the job last ran (statistics_complaint_counts and _hours): decided, and no deadline of theirs
still to pass, so that time changes nothing of them. The undecided of the month are counted by
the database from their own index (which holds what the figures read of them), not read row by
row: as many as a city's complaints wait to be decided, each on a heap page of its own. The
others (decided since, or decided unanswered before their response deadline) are few whatever
the years of complaints behind them, and read live from the rows, found by the indexes of their
times; so is every complaint of the days of a month the period holds only in part. A percentile of a
rolled-up month and its few live complaints is read from the ranks around it: with m of them,
the rank k of the whole lies between the rollup's ranks k - m and k."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    ARRAY,
    BindParameter,
    CompoundSelect,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    tuple_,
    union_all,
)

from app.clock import beijing_day_bounds, utcnow
from app.database import UtcDateTime
from app.extensions import db
from app.i18n import lazy_gettext
from app.rollup_marks import rollup_reaches
from app.sql_functions import one_of
from booking.models import Complaint
from industry_statistics.charts import Chart, chart
from industry_statistics.models import EVERY_DISTRICT, ComplaintCounts, ComplaintHours
from industry_statistics.percentiles import percentiles_by_group
from industry_statistics.periods import Period, beijing_month, hours_between, month_days, whole_months_and_loose_days
from stations.models import Station

PERCENTS = (50, 90)


@dataclass(frozen=True)
class ComplaintFigures:
    period: Period
    district_code: str | None
    by_month: Chart


def _late(done_at, due_by, now):
    """1 when the step was done after its deadline, or is not done and the deadline has passed;
    NULL otherwise (so COUNT counts the late ones)."""
    late = or_(and_(done_at.is_not(None), done_at > due_by), and_(done_at.is_(None), due_by < now))
    return case((and_(due_by.is_not(None), late), 1))


def _settled(at: datetime):
    """Decided before `at`, and answered or with no response deadline after it: a complaint
    settled at `at` counts the same at every later moment."""
    return and_(
        Complaint.decided_at < at,
        or_(Complaint.accepted_at.is_not(None), Complaint.respond_by.is_(None), Complaint.respond_by < at),
    )


def _decided_unsettled(at: BindParameter):
    """Decided but not settled at `at` (decided since, or decided unanswered before its response
    deadline): with the undecided, the complaints the rollup of `at` does not hold, each part
    read by the index of its time."""
    return or_(
        Complaint.decided_at >= at,
        and_(Complaint.decided_at.is_not(None), Complaint.accepted_at.is_(None), Complaint.respond_by >= at),
    )


@cache
def _not_rolled_up(in_district: bool) -> CompoundSelect:
    """The complaints submitted from :starts to :ends that the rollup reaching :reaches does not
    hold, as rows of (month, hours to decide, complaints, answered late, decided late at :now):
    each month's undecided ones in one row (hours NULL), counted by the database from their own
    index, never read (as many as a city's complaints wait to be decided, each on a heap page of
    its own); each decided one not settled then in a row of its own (1 complaint; late 1 or NULL).
    Only :district's with `in_district`. Built once for each case (each backend compiles its own
    spelling of it): its expressions cost more to build than to run."""
    now, reaches = bindparam("now", type_=UtcDateTime()), bindparam("reaches", type_=UtcDateTime())
    where = [
        Complaint.submitted_at >= bindparam("starts", type_=UtcDateTime()),
        Complaint.submitted_at < bindparam("ends", type_=UtcDateTime()),
    ]
    if in_district:
        # Its stations' codes read first and matched in the index: joined to the stations, a
        # generic plan (estimating one complaint) looked each undecided one's station up, 2 pages each.
        district = select(Station.code).where(Station.district_code == bindparam("district"))
        where.append(one_of(Complaint.station_code, district))
    month = beijing_month(Complaint.submitted_at)
    undecided = (
        select(
            month,
            null().label("value"),
            func.count(),
            func.count(_late(Complaint.accepted_at, Complaint.respond_by, now)),
            func.count(case((Complaint.resolve_by < now, 1))),  # undecided: late once its deadline passed
        )
        .where(*where, Complaint.decided_at.is_(None))
        .group_by(month)
    )
    decided = select(
        month,
        hours_between(Complaint.submitted_at, Complaint.decided_at),
        literal(1),
        _late(Complaint.accepted_at, Complaint.respond_by, now),
        _late(Complaint.decided_at, Complaint.resolve_by, now),
    ).where(*where, _decided_unsettled(reaches))
    return union_all(undecided, decided)


def _complaints(now: datetime, *where):
    """Each complaint `where` selects: its month, hours to decide (NULL undecided), and whether it
    was answered and decided late at `now` (1 or NULL)."""
    return select(
        beijing_month(Complaint.submitted_at).label("group"),
        hours_between(Complaint.submitted_at, Complaint.decided_at).label("value"),
        _late(Complaint.accepted_at, Complaint.respond_by, now).label("answered_late"),
        _late(Complaint.decided_at, Complaint.resolve_by, now).label("decided_late"),
    ).where(*where)


def _with_stations(query):
    """Each complaint with its station: the one it keeps, its booking's (not looked up through
    the booking, a row of a table a thousand times larger)."""
    return query.join(Station, Station.code == Complaint.station_code)


def _of_district(query, district_code: str | None):
    """Only the complaints of the district's stations; for every district none left out (each
    complaint has a station), so none looked up."""
    return _with_stations(query).where(Station.district_code == district_code) if district_code else query


def _submitted_in(spans: list[tuple[datetime, datetime]]):
    return or_(*(and_(Complaint.submitted_at >= starts, Complaint.submitted_at < ends) for starts, ends in spans))


def complaint_figures(period: Period, district_code: str | None) -> ComplaintFigures:
    now = utcnow()
    reaches = rollup_reaches("complaints")
    whole, loose = _months_held_whole(period) if reaches is not None else ([], _spans(period, period.months))
    counted, hours = _counted_from_the_rows(now, district_code, loose)
    if whole and reaches is not None:
        rolled_up, rolled_up_hours = _counted_with_the_rollup(whole, reaches, now, district_code)
        counted |= rolled_up
        hours |= rolled_up_hours
    months = period.months
    received, decided, answered_late, decided_late = (
        {m: counted.get(m, (0, 0, 0, 0))[i] for m in months} for i in range(4)
    )
    return ComplaintFigures(
        period=period,
        district_code=district_code,
        by_month=chart(
            months,
            months,
            [
                ("received", lazy_gettext("received"), received),
                ("decided", lazy_gettext("decided"), decided),
                ("open", lazy_gettext("not yet decided"), {m: received[m] - decided[m] for m in months}),
                ("answered_late", lazy_gettext("answered after the deadline, or not yet and past it"), answered_late),
                ("decided_late", lazy_gettext("decided after the deadline, or not yet and past it"), decided_late),
            ]
            + [
                (
                    f"p{percent}_hours",
                    lazy_gettext("median hours to decide") if percent == 50 else lazy_gettext("90th percentile hours"),
                    {m: round(float(values[i]), 2) for m, values in hours.items()},
                )
                for i, percent in enumerate(PERCENTS)
            ],
            missing=None,  # no complaint decided that month: no hours
        ),
    )


def _months_held_whole(period: Period) -> tuple[list[date], list[tuple[datetime, datetime]]]:
    """The first days of the months the period holds whole, or from their first day to today (no
    complaint is submitted later than now), and the UTC spans of the period's other days."""
    whole, loose = whole_months_and_loose_days(period, to_today=True)
    return whole, [(beijing_day_bounds(first)[0], beijing_day_bounds(last)[1]) for first, last in loose]


def _spans(period: Period, months: list[str]) -> list[tuple[datetime, datetime]]:
    """The UTC span of the period's days in each of these months."""
    spans = []
    for month in months:
        first, last = month_days(date.fromisoformat(month + "-01"))
        spans.append(
            (beijing_day_bounds(max(first, period.first_day))[0], beijing_day_bounds(min(last, period.last_day))[1])
        )
    return spans


def _counted_from_the_rows(now, district_code, spans) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """{month: (received, decided, answered late, decided late)} and {month: (hours at each of
    PERCENTS)} of the complaints submitted in these spans, counted from the rows."""
    if not spans:
        return {}, {}
    submitted = _of_district(_complaints(now, _submitted_in(spans)), district_code)
    inner = submitted.subquery()
    counted = {
        month: tuple(numbers)
        for month, *numbers in db.session.execute(
            select(
                inner.c.group,
                func.count(),
                func.count(inner.c.value),
                func.count(inner.c.answered_late),
                func.count(inner.c.decided_late),
            ).group_by(inner.c.group)
        )
    }
    return counted, percentiles_by_group(submitted, PERCENTS)


def _counted_with_the_rollup(whole: list[date], reaches: datetime, now: datetime, district_code: str | None):
    """The same of these whole months: the rollup's counts of the complaints settled when it
    reached its mark, with those not settled then counted live (the undecided by the database);
    each percentile from the rollup's ranks around it and the live hours."""
    scope = district_code or EVERY_DISTRICT
    rolled_up = {
        f"{first:%Y-%m}": tuple(numbers)
        for first, *numbers in db.session.execute(
            select(
                ComplaintCounts.first_day,
                ComplaintCounts.decided,
                ComplaintCounts.answered_late,
                ComplaintCounts.decided_late,
            ).where(ComplaintCounts.district == scope, ComplaintCounts.first_day.in_(whole))
        )
    }
    starts, ends = beijing_day_bounds(whole[0])[0], beijing_day_bounds(month_days(whole[-1])[1])[1]
    live: dict[str, list] = {}
    not_rolled_up = _not_rolled_up(district_code is not None)
    for month, value, complaints, answered_late, decided_late in db.session.execute(
        not_rolled_up, {"now": now, "reaches": reaches, "starts": starts, "ends": ends, "district": district_code}
    ):
        counts = live.setdefault(month, [0, 0, 0, []])
        counts[0] += complaints
        counts[1] += answered_late or 0
        counts[2] += decided_late or 0
        if value is not None:
            counts[3].append(float(value))
    counted, wanted = {}, {}
    for month in (f"{first:%Y-%m}" for first in whole):
        decided, answered_late, decided_late = rolled_up.get(month, (0, 0, 0))
        complaints, live_answered_late, live_decided_late, values = live.get(month, (0, 0, 0, []))
        hours = sorted(values)
        counted[month] = (
            decided + complaints,
            decided + len(hours),
            answered_late + live_answered_late,
            decided_late + live_decided_late,
        )
        if decided + len(hours):
            wanted[month] = (decided, hours, [_rank(percent, decided + len(hours)) for percent in PERCENTS])
    ranks = _ranks_near(scope, {month: (n, len(hours), ks) for month, (n, hours, ks) in wanted.items()})
    percentiles = {
        month: tuple(_ranked(k, n, ranks.get(month, {}), hours) for k in ks) for month, (n, hours, ks) in wanted.items()
    }
    return counted, percentiles


def _rank(percent: int, n: int) -> int:
    """The rank of the percentile of n values: ceil(percent * n / 100), as percentiles.py has it."""
    return -(-percent * n // 100)


@cache
def _hours_at_ranks(dialect: str) -> Select:
    """The rollup's hours of :scope at the ranks wanted, read from the primary key. On PostgreSQL
    the ranks are two arrays (:days, :ranks) joined to it, one text whatever their number, so that
    it is planned once: the tuples listed took 0.4 ms to plan, more than to run, with a year of
    months' ranks. Built once for each backend."""
    hours = select(ComplaintHours.first_day, ComplaintHours.rank, ComplaintHours.hours).where(
        ComplaintHours.district == bindparam("scope")
    )
    if dialect != "postgresql":
        return hours.where(
            tuple_(ComplaintHours.first_day, ComplaintHours.rank).in_(bindparam("ranks", expanding=True))
        )
    wanted = (
        func.unnest(bindparam("days", type_=ARRAY(Date())), bindparam("ranks", type_=ARRAY(Integer())))
        .table_valued("first_day", "rank")
        .render_derived(name="wanted")
    )
    return hours.join(
        wanted, and_(ComplaintHours.first_day == wanted.c.first_day, ComplaintHours.rank == wanted.c.rank)
    )


def _ranks_near(scope: str, months: dict[str, tuple[int, int, list[int]]]) -> dict[str, dict[int, float]]:
    """{month: {rank: hours}} of the rollup's ranks k - m to k of each month's n, for each rank k
    wanted once its m live decided complaints are added (one statement whatever the months, none
    of them holding a rank included)."""
    near = [
        (date.fromisoformat(month + "-01"), rank)
        for month, (n, added, ks) in months.items()
        for k in ks
        if n
        for rank in range(max(1, k - added), min(n, k) + 1)
    ]
    dialect = db.session.get_bind().dialect.name
    wanted = (
        {"ranks": near} if dialect != "postgresql" else {"days": [d for d, _ in near], "ranks": [r for _, r in near]}
    )
    ranks: dict[str, dict[int, float]] = {}
    for first, rank, hours in db.session.execute(_hours_at_ranks(dialect), {"scope": scope} | wanted):
        ranks.setdefault(f"{first:%Y-%m}", {})[rank] = hours
    return ranks


def _ranked(k: int, n: int, ranks: dict[int, float], live: list[float]) -> float:
    """The k-th smallest of the rollup's n ordered hours (of which `ranks` holds those ranked k - m
    to k) and the m `live` ones (ordered). The rollup's first k and the live ones hold the k
    smallest of all; of those, the rollup's ranks below k - m, and the live values smaller than
    the one ranked k - m, are smaller than every other: counted, not read."""
    low = max(1, k - len(live))
    near = [ranks[rank] for rank in range(low, min(n, k) + 1)]
    if low == 1:
        return sorted(near + live)[k - 1]
    below = sum(1 for value in live if value < near[0])
    return sorted(near + [value for value in live if value >= near[0]])[k - (low - 1) - below - 1]


def roll_up_complaints(since: datetime | None, through: datetime) -> int:
    """Counts again the months of the complaints settled between `since` and `through` (every
    month, the first time): their counts and ordered hours, of the complaints settled at
    `through`. Returns the months counted."""
    if since is None:
        db.session.execute(delete(ComplaintHours))
        db.session.execute(delete(ComplaintCounts))
        months = None
    else:
        months = sorted(
            date.fromisoformat(month + "-01")
            for (month,) in db.session.execute(
                select(beijing_month(Complaint.submitted_at))
                .where(
                    or_(
                        and_(Complaint.decided_at >= since, Complaint.decided_at < through),
                        and_(Complaint.respond_by >= since, Complaint.respond_by < through),
                    )
                )
                .distinct()
            )
        )
        if not months:
            return 0
        db.session.execute(delete(ComplaintHours).where(ComplaintHours.first_day.in_(months)))
        db.session.execute(delete(ComplaintCounts).where(ComplaintCounts.first_day.in_(months)))
    where = [_settled(through)]
    if months is not None:
        where.append(
            _submitted_in(
                [(beijing_day_bounds(first)[0], beijing_day_bounds(month_days(first)[1])[1]) for first in months]
            )
        )
    counts: dict[tuple[date, str], list[int]] = {}
    hours: dict[tuple[date, str], list[float]] = {}
    for month, value, answered_late, decided_late, district in db.session.execute(
        _with_stations(_complaints(through, *where).add_columns(Station.district_code))
    ):
        first = date.fromisoformat(month + "-01")
        for scope in {EVERY_DISTRICT, district or EVERY_DISTRICT}:
            added = counts.setdefault((first, scope), [0, 0, 0])
            added[0] += 1
            added[1] += answered_late is not None
            added[2] += decided_late is not None
            hours.setdefault((first, scope), []).append(float(value))
    if counts:
        db.session.execute(
            insert(ComplaintCounts),
            [
                {"first_day": first, "district": scope, "decided": n, "answered_late": late, "decided_late": overdue}
                for (first, scope), (n, late, overdue) in counts.items()
            ],
        )
        db.session.execute(
            insert(ComplaintHours),
            [
                {"first_day": first, "district": scope, "rank": rank, "hours": value}
                for (first, scope), values in hours.items()
                for rank, value in enumerate(sorted(values), 1)
            ],
        )
    return len({first for first, _ in counts}) if months is None else len(months)
