"""An engagement's hold on its worker's time, in booking's worker time blocks: every half hour of
every day when live-in, the day hours of every day otherwise. The blocks' primary key is the same
guard that stops two slot bookings overlapping, so a slot booking and an engagement, or two
engagements, can never hold one worker at once, however simultaneous the requests."""

from collections.abc import Collection, Iterator
from datetime import date, datetime, time, timedelta
from typing import cast

from sqlalchemy import ColumnElement, CursorResult, Exists, and_, delete, exists, insert, or_, select
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


def spans(engagement: Engagement, first_day: date, last_day: date) -> list[tuple[datetime, datetime]]:
    """The engagement's half hours from `first_day` to `last_day` as runs without a gap (start,
    end): one for the whole period when live-in, one a day otherwise."""
    runs: list[tuple[datetime, datetime]] = []
    for moment in block_starts(engagement, first_day, last_day):
        if runs and runs[-1][1] == moment:
            runs[-1] = (runs[-1][0], moment + BLOCK)
        else:
            runs.append((moment, moment + BLOCK))
    return runs


def _taken(engagement: Engagement, first_day: date, last_day: date) -> ColumnElement[bool]:
    """A worker time block is one of the half hours the engagement would take, held by something
    else (a slot booking or another engagement): its time within the period's bounds, which the
    primary key (worker_id, starts_at) reads as a range, and within one of its runs."""
    runs = spans(engagement, first_day, last_day)
    conditions = [
        WorkerTimeBlock.starts_at >= runs[0][0],
        WorkerTimeBlock.starts_at < runs[-1][1],
        WorkerTimeBlock.engagement_id.is_distinct_from(engagement.id),
    ]
    if len(runs) > 1:
        conditions.append(or_(*(and_(WorkerTimeBlock.starts_at >= a, WorkerTimeBlock.starts_at < b) for a, b in runs)))
    return and_(*conditions)


def busy(engagement: Engagement, first_day: date, last_day: date) -> Exists:
    """The worker of the enclosing query on workers holds some half hour the engagement would take
    (its own hold aside), as a SQL condition: `~busy(...)` keeps the free ones, each looked up by
    its own key, so a list of the free need not read everybody's time."""
    return exists().where(WorkerTimeBlock.worker_id == Worker.id, _taken(engagement, first_day, last_day))


def busy_workers(engagement: Engagement, first_day: date, last_day: date, worker_ids: Collection[int]) -> set[int]:
    """Those of `worker_ids` holding some half hour the engagement would take (its own hold aside)."""
    query = select(WorkerTimeBlock.worker_id).where(
        WorkerTimeBlock.worker_id.in_(worker_ids), _taken(engagement, first_day, last_day)
    )
    return set(db.session.scalars(query.distinct()))


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
            errors={"worker_id": [_("double-booked: a booking or another engagement overlaps this period")]},
        ) from None


def release(engagement: Engagement, since: datetime | None = None) -> int:
    """Frees the engagement's hold, or the part of it from `since` on; the half hours freed."""
    query = delete(WorkerTimeBlock).where(WorkerTimeBlock.engagement_id == engagement.id)
    if since is not None:
        query = query.where(WorkerTimeBlock.starts_at >= since)
    return cast(CursorResult, db.session.execute(query)).rowcount
