"""An engagement's hold on its worker's time, in booking's worker time blocks: every half hour of
every day when live-in, the day hours of every day otherwise. The blocks' primary key is the same
guard that stops two slot bookings overlapping, so a slot booking and an engagement, or two
engagements, can never hold one worker at once, however simultaneous the requests."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, insert, select
from sqlalchemy.exc import IntegrityError

from app.clock import BEIJING, to_utc
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.privacy import mask_name
from booking.models import BLOCK_MINUTES, WorkerTimeBlock
from credit.models import Worker
from engagements.models import Engagement

BLOCK = timedelta(minutes=BLOCK_MINUTES)


def _day_hours(engagement: Engagement) -> tuple[time, time | None]:
    """The hours of each day (Beijing); live-in is from midnight to the next midnight (None)."""
    if engagement.live_in or engagement.day_starts_at is None:
        return time(0), None
    return engagement.day_starts_at, engagement.day_ends_at


def block_starts(engagement: Engagement, first_day: date, last_day: date) -> Iterator[datetime]:
    """The UTC starts of the half hours the engagement takes from `first_day` to `last_day` (included)."""
    opens, closes = _day_hours(engagement)
    day = first_day
    while day <= last_day:
        moment = datetime.combine(day, opens, BEIJING)
        end = (
            datetime.combine(day, closes, BEIJING)
            if closes
            else datetime.combine(day + timedelta(days=1), opens, BEIJING)
        )
        while moment < end:
            yield to_utc(moment)
            moment += BLOCK
        day += timedelta(days=1)


def period_bounds(engagement: Engagement, first_day: date, last_day: date) -> tuple[datetime, datetime]:
    starts = list(block_starts(engagement, first_day, first_day))
    ends = list(block_starts(engagement, last_day, last_day))
    return starts[0], ends[-1] + BLOCK


def busy_workers(engagement: Engagement, first_day: date, last_day: date) -> set[int]:
    """Workers holding any half hour the engagement would take (its own hold aside)."""
    wanted = set(block_starts(engagement, first_day, last_day))
    start, end = period_bounds(engagement, first_day, last_day)
    rows = db.session.execute(
        select(WorkerTimeBlock.worker_id, WorkerTimeBlock.starts_at).where(
            WorkerTimeBlock.starts_at >= start,
            WorkerTimeBlock.starts_at < end,
            WorkerTimeBlock.engagement_id.is_distinct_from(engagement.id),
        )
    )
    return {worker_id for worker_id, starts_at in rows if starts_at in wanted}


def hold(engagement: Engagement, worker: Worker, first_day: date, last_day: date) -> None:
    """Takes the worker's half hours from `first_day` to `last_day` for the engagement, all or none:
    a 409 (worker_double_booked) when anything else holds one of them."""
    rows = [
        {"worker_id": worker.id, "starts_at": moment, "engagement_id": engagement.id}
        for moment in block_starts(engagement, first_day, last_day)
    ]
    try:
        with db.session.begin_nested():
            db.session.execute(insert(WorkerTimeBlock), rows)
    except IntegrityError:
        raise Conflict(
            _("%(worker)s is not free for the whole period.", worker=mask_name(worker.name)),
            code="worker_double_booked",
            errors={"worker_id": ["double-booked: a booking or another engagement overlaps this period"]},
        ) from None


def release(engagement: Engagement, since: datetime | None = None) -> int:
    """Frees the engagement's hold, or the part of it from `since` on; the half hours freed."""
    query = delete(WorkerTimeBlock).where(WorkerTimeBlock.engagement_id == engagement.id)
    if since is not None:
        query = query.where(WorkerTimeBlock.starts_at >= since)
    return cast(CursorResult, db.session.execute(query)).rowcount
