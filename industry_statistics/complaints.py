"""How long complaints took to handle, by the month (Beijing) they were submitted: how many came,
how many were decided (upheld, dismissed or invalid: the resolution), and the median and 90th
percentile of the hours from submission to decision. A complaint counts in the district of its
booking's station.

Deadlines: complaints have no severity yet, so there is no deadline to hold them against. When
they get one (a deadline in hours per severity), count here, in the same grouped query, the
decided complaints whose hours exceed their severity's deadline and those still open past it, as
two more series of ComplaintFigures.by_month."""

from dataclasses import dataclass

from sqlalchemy import func, select

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


def complaint_figures(period: Period, district_code: str | None) -> ComplaintFigures:
    submitted = (
        select(
            beijing_month(Complaint.submitted_at).label("group"),
            hours_between(Complaint.submitted_at, Complaint.decided_at).label("value"),
        )
        .join(Booking, Booking.id == Complaint.booking_id)
        .join(Station, Station.code == Booking.station_code)
        .where(Complaint.submitted_at >= period.starts_at, Complaint.submitted_at < period.ends_at)
    )
    if district_code:
        submitted = submitted.where(Station.district_code == district_code)
    inner = submitted.subquery()
    counted = {
        month: (received, decided)
        for month, received, decided in db.session.execute(
            select(inner.c.group, func.count(), func.count(inner.c.value)).group_by(inner.c.group)
        )
    }
    hours = percentiles_by_group(submitted, PERCENTS)
    months = period.months
    received = {m: counted.get(m, (0, 0))[0] for m in months}
    decided = {m: counted.get(m, (0, 0))[1] for m in months}
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
