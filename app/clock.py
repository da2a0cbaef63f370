"""Now, Beijing's time zone, and today in Beijing: the one place every feature asks.

Guangzhou's working day is Beijing's, whatever zone the host runs in: a certificate expires, a
booking window opens and a reminder is due by Beijing's calendar."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def in_beijing(moment: datetime) -> datetime:
    return moment.astimezone(BEIJING)


def today_in_beijing() -> date:
    return in_beijing(utcnow()).date()


def to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def beijing_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC moments at which Beijing's `day` starts and the next one does."""
    start = datetime.combine(day, time(0), BEIJING)
    return to_utc(start), to_utc(start + timedelta(days=1))
