"""How long complaints took to handle, by the month (Beijing) they were submitted: how many came,
how many were decided (upheld, dismissed or invalid: the resolution), and the median and 90th
percentile of the hours from submission to decision; and against the deadlines each complaint's
severity set (complaints/deadlines.py): those answered (triaged) after `respond_by` or not yet
answered past it, those decided after `resolve_by` and those still undecided past it. A
complaint counts in the district of its booking's station."""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from app.clock import utcnow
from app.extensions import db
from app.i18n import lazy_gettext
from booking.models import Booking, Complaint
from industry_statistics.charts import Chart, chart
from industry_statistics.percentiles import percentiles_by_group
from industry_statistics.periods import Period, beijing_month, hours_between
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


def complaint_figures(period: Period, district_code: str | None) -> ComplaintFigures:
    now = utcnow()
    submitted = (
        select(
            beijing_month(Complaint.submitted_at).label("group"),
            hours_between(Complaint.submitted_at, Complaint.decided_at).label("value"),
            _late(Complaint.accepted_at, Complaint.respond_by, now).label("answered_late"),
            _late(Complaint.decided_at, Complaint.resolve_by, now).label("decided_late"),
        )
        .join(Booking, Booking.id == Complaint.booking_id)
        .join(Station, Station.code == Booking.station_code)
        .where(Complaint.submitted_at >= period.starts_at, Complaint.submitted_at < period.ends_at)
    )
    if district_code:
        submitted = submitted.where(Station.district_code == district_code)
    inner = submitted.subquery()
    counted = {
        month: (received, decided, answered_late, decided_late)
        for month, received, decided, answered_late, decided_late in db.session.execute(
            select(
                inner.c.group,
                func.count(),
                func.count(inner.c.value),
                func.count(inner.c.answered_late),
                func.count(inner.c.decided_late),
            ).group_by(inner.c.group)
        )
    }
    hours = percentiles_by_group(submitted, PERCENTS)
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
