"""安心服務證 figures by month and district: certificates issued, suspended, revoked and expired in
each month (the moves on credit's ledger), and those valid and suspended at each month's end (each
certificate's state after its last move by then). A certificate counts in the district of the
company its worker worked for at that move (the ledger keeps it: employer_id); a worker with no
company, under NO_DISTRICT."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, select, union_all

from app.database import UtcDateTime
from app.extensions import db
from app.i18n import lazy_gettext
from credit.models import EXPIRED, IDENTITY_VERIFIED, ISSUED, REVOKED, SUSPENDED, Company, CreditEvent
from industry_statistics.charts import NO_DISTRICT, Chart, chart, district_axis
from industry_statistics.periods import Period, beijing_month

MOVES = {
    "issued": lazy_gettext("issued"),
    "suspended": lazy_gettext("suspended"),
    "revoked": lazy_gettext("revoked"),
    "expired": lazy_gettext("expired"),
}
STANDINGS = {ISSUED: lazy_gettext("valid at the end"), SUSPENDED: lazy_gettext("suspended at the end")}

_state_after = CreditEvent.after["state"].as_string()
_state_before = CreditEvent.before["state"].as_string()
_district = func.coalesce(Company.district_code, NO_DISTRICT)
# A renewal (expired -> issued) is not a new certificate: only the first issue counts as issued.
_move = case(
    (and_(_state_after == ISSUED, _state_before == IDENTITY_VERIFIED), "issued"),
    (_state_after == SUSPENDED, "suspended"),
    (_state_after == REVOKED, "revoked"),
    (_state_after == EXPIRED, "expired"),
)


@dataclass(frozen=True)
class CertificateFigures:
    period: Period
    district_code: str | None
    by_month: Chart
    by_district: Chart


def certificate_figures(period: Period, district_code: str | None) -> CertificateFigures:
    moves = _moves(period, district_code)
    standing = _standing(period, district_code)
    months, last_month = period.months, period.months[-1]
    keys, labels = district_axis(district_code, with_none=True)
    return CertificateFigures(
        period=period,
        district_code=district_code,
        by_month=chart(
            months,
            months,
            [(move, name, _sum(moves, move, by=0)) for move, name in MOVES.items()]
            + [(f"{state}_at_end", name, _sum(standing, state, by=0)) for state, name in STANDINGS.items()],
        ),
        by_district=chart(
            keys,
            labels,
            [(move, name, _sum(moves, move, by=1)) for move, name in MOVES.items()]
            + [
                (f"{state}_at_end", name, _sum(standing, state, by=1, month=last_month))
                for state, name in STANDINGS.items()
            ],
        ),
    )


def _sum(counts: Counter, what: str, *, by: int, month: str | None = None) -> Counter:
    """The grouped counts of `what` added up by month (by=0) or by district (by=1)."""
    summed: Counter = Counter()
    for (row_month, district, kind), count in counts.items():
        if kind == what and (month is None or row_month == month):
            summed[(row_month, district)[by]] += count
    return summed


def _moves(period: Period, district_code: str | None) -> Counter:
    """{(month, district, move): count} of the certificate moves in the period."""
    moved = (
        select(beijing_month(CreditEvent.created_at).label("month"), _district.label("district"), _move.label("move"))
        .outerjoin(Company, Company.id == CreditEvent.employer_id)
        .where(
            CreditEvent.kind == "certificate",
            CreditEvent.created_at >= period.starts_at,
            CreditEvent.created_at < period.ends_at,
        )
    )
    if district_code:
        moved = moved.where(Company.district_code == district_code)
    rows = moved.subquery()
    query = (
        select(rows.c.month, rows.c.district, rows.c.move, func.count())
        .where(rows.c.move.is_not(None))
        .group_by(rows.c.month, rows.c.district, rows.c.move)
    )
    return Counter({(month, district, move): count for month, district, move, count in db.session.execute(query)})


def _standing(period: Period, district_code: str | None) -> Counter:
    """{(month, district, state): count} of certificates valid or suspended at each month's end:
    the state after each certificate's last move before then (the ledger's ids grow with time)."""
    month_ends = union_all(
        *(
            select(literal(month).label("month"), literal(ends_at, UtcDateTime).label("ends_at"))
            for month, ends_at in period.month_ends()
        )
    ).subquery()
    last_moves = (
        select(month_ends.c.month, func.max(CreditEvent.id).label("event_id"))
        .select_from(month_ends)
        .join(CreditEvent, and_(CreditEvent.kind == "certificate", CreditEvent.created_at < month_ends.c.ends_at))
        .group_by(month_ends.c.month, CreditEvent.worker_id)
        .subquery()
    )
    standing = (
        select(last_moves.c.month, _district.label("district"), _state_after.label("state"))
        .join(CreditEvent, CreditEvent.id == last_moves.c.event_id)
        .outerjoin(Company, Company.id == CreditEvent.employer_id)
        # Said again (the last move is a certificate's) so that the certificate moves' index is read, not the ledger.
        .where(CreditEvent.kind == "certificate", _state_after.in_(list(STANDINGS)))
    )
    if district_code:
        standing = standing.where(Company.district_code == district_code)
    rows = standing.subquery()
    query = select(rows.c.month, rows.c.district, rows.c.state, func.count()).group_by(
        rows.c.month, rows.c.district, rows.c.state
    )
    return Counter({(month, district, state): count for month, district, state, count in db.session.execute(query)})
