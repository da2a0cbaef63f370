"""The period a figure covers: Beijing dates from and to, the months between them, and the
Beijing month of a stored moment, written in each database's own SQL (Beijing keeps no summer
time, so +8 hours is the whole conversion)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Boolean, Date, DateTime, Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.clock import beijing_day_bounds, today_in_beijing


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date

    @property
    def starts_at(self) -> datetime:
        """The UTC moment Beijing's first day starts."""
        return beijing_day_bounds(self.first_day)[0]

    @property
    def ends_at(self) -> datetime:
        """The UTC moment after Beijing's last day."""
        return beijing_day_bounds(self.last_day)[1]

    @property
    def months(self) -> list[str]:
        """Every month the period touches, YYYY-MM, in order: a chart's axis, months without a
        figure included."""
        year, month = self.first_day.year, self.first_day.month
        months = []
        while (year, month) <= (self.last_day.year, self.last_day.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


class beijing_month(FunctionElement):
    """YYYY-MM of a moment stored in UTC (or of a date), as a Beijing calendar month."""

    type = String()
    inherit_cache = True


@compiles(beijing_month, "postgresql")
def _beijing_month_postgresql(element, compiler, **kw):
    (value,) = element.clauses
    if isinstance(value.type, Date):
        return f"to_char({compiler.process(value, **kw)}, 'YYYY-MM')"
    return f"to_char({compiler.process(value, **kw)} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"


@compiles(beijing_month, "sqlite")
def _beijing_month_sqlite(element, compiler, **kw):
    (value,) = element.clauses
    if isinstance(value.type, Date):
        return f"strftime('%Y-%m', {compiler.process(value, **kw)})"
    return f"strftime('%Y-%m', {compiler.process(value, **kw)}, '+8 hours')"


class hours_between(FunctionElement):
    """The hours from one stored moment to another, as a floating-point number."""

    type = Float()
    inherit_cache = True


@compiles(hours_between, "postgresql")
def _hours_between_postgresql(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


def whole_months_and_loose_days(
    period: Period, *, to_today: bool = False
) -> tuple[list[date], list[tuple[date, date]]]:
    """The first days of the months wholly in the period (a rollup's month rows), and the first
    and last day of each part of a month it holds only in part (its day rows). With `to_today`,
    a month held from its first day to today is whole: for figures of what is recorded as it
    happens, nothing is stamped later than now."""
    whole, loose = [], []
    today = today_in_beijing()
    for month in period.months:
        first, last = month_days(date.fromisoformat(month + "-01"))
        if period.first_day <= first and (min(last, today) if to_today else last) <= period.last_day:
            whole.append(first)
        else:
            loose.append((max(first, period.first_day), min(last, period.last_day)))
    return whole, loose


def month_days(first: date) -> tuple[date, date]:
    """The first and last day of the month beginning on `first`."""
    following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    return first, following - timedelta(days=1)


class beijing_day(FunctionElement):
    """The Beijing calendar day of a moment stored in UTC."""

    type = Date()
    inherit_cache = True


@compiles(beijing_day, "postgresql")
def _beijing_day_postgresql(element, compiler, **kw):
    (value,) = element.clauses
    return f"CAST(({compiler.process(value, **kw)} AT TIME ZONE 'Asia/Shanghai') AS DATE)"


@compiles(beijing_day, "sqlite")
def _beijing_day_sqlite(element, compiler, **kw):
    (value,) = element.clauses
    return f"date({compiler.process(value, **kw)}, '+8 hours')"


class on_beijing_day(FunctionElement):
    """Whether a stored moment falls on a Beijing day (a date column): on PostgreSQL as a range
    of the moment, so that an index on it is read."""

    type = Boolean()
    inherit_cache = True


@compiles(on_beijing_day, "postgresql")
def _on_beijing_day_postgresql(element, compiler, **kw):
    moment, day = (compiler.process(clause, **kw) for clause in element.clauses)
    return (
        f"({moment} >= CAST({day} AS TIMESTAMP) AT TIME ZONE 'Asia/Shanghai' "
        f"AND {moment} < CAST({day} + 1 AS TIMESTAMP) AT TIME ZONE 'Asia/Shanghai')"
    )


@compiles(on_beijing_day, "sqlite")
def _on_beijing_day_sqlite(element, compiler, **kw):
    moment, day = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(date({moment}, '+8 hours') = {day})"


class written_moment(FunctionElement):
    """A moment written as ISO 8601 text (in a JSON document), as a moment."""

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(written_moment, "postgresql")
def _written_moment_postgresql(element, compiler, **kw):
    (value,) = element.clauses
    return f"CAST({compiler.process(value, **kw)} AS TIMESTAMP WITH TIME ZONE)"


@compiles(written_moment, "sqlite")
def _written_moment_sqlite(element, compiler, **kw):
    (value,) = element.clauses
    return compiler.process(value, **kw)  # SQLite's date functions read ISO 8601 text as it is
