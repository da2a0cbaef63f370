"""安心服務證 figures by month and district: certificates issued, suspended, revoked and expired in
each month (the moves on credit's ledger), and those valid and suspended at each month's end (each
certificate's state after its last move by then). A certificate counts in the district of the
company its worker worked for at that move (the ledger keeps it: employer_id); a worker with no
company, under NO_DISTRICT.

The ledger is append-only, so it is counted once: each move by Beijing day and district, with the
change it made to the certificates valid or suspended (one more in the new state and district,
one fewer in those of the certificate's move before), into the rollup (per day and per month,
statistics_certificate_counts) by `flask statistics roll-up`; the moves since it last ran are
counted from the ledger. Those valid at a month's end are then the sum of the changes before it."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from app.extensions import db
from app.i18n import lazy_gettext
from app.rollup_marks import rollup_reaches
from credit.models import EXPIRED, IDENTITY_VERIFIED, ISSUED, REVOKED, SUSPENDED, Company, CreditEvent
from industry_statistics.charts import NO_DISTRICT, Chart, chart, district_axis
from industry_statistics.models import DAY, MONTH, CertificateCounts
from industry_statistics.periods import Period, beijing_day, whole_months_and_loose_days

MOVES = {
    "issued": lazy_gettext("issued"),
    "suspended": lazy_gettext("suspended"),
    "revoked": lazy_gettext("revoked"),
    "expired": lazy_gettext("expired"),
}
STANDINGS = {ISSUED: lazy_gettext("valid at the end"), SUSPENDED: lazy_gettext("suspended at the end")}
AT_END = {state: f"{state}_at_end" for state in STANDINGS}  # the rollup's `what` of a change to them

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
    moves, standing = _moves_and_standing(period, district_code)
    months, last_month = period.months, period.months[-1]
    keys, labels = district_axis(district_code, with_none=True)
    return CertificateFigures(
        period=period,
        district_code=district_code,
        by_month=chart(
            months,
            months,
            [(move, name, _sum(moves, move, by=0)) for move, name in MOVES.items()]
            + [(AT_END[state], name, _sum(standing, state, by=0)) for state, name in STANDINGS.items()],
        ),
        by_district=chart(
            keys,
            labels,
            [(move, name, _sum(moves, move, by=1)) for move, name in MOVES.items()]
            + [
                (AT_END[state], name, _sum(standing, state, by=1, month=last_month))
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


def _moves_and_standing(period: Period, district_code: str | None) -> tuple[Counter, Counter]:
    """{(month, district, move): count} of the certificate moves in the period, and {(month,
    district, state): count} of the certificates in each state at each month's end: the rollup's
    and, after it, the ledger's."""
    reaches = rollup_reaches("certificates")
    changes = _changes(reaches, period.ends_at)
    if reaches is not None:
        changes.update(_rolled_up(period, district_code))  # update, not +: a change may be negative
    moves: Counter = Counter()
    before: Counter = Counter()  # the changes to the standing before the period, by (district, state)
    in_months: Counter = Counter()
    for (day, district, what), count in changes.items():
        if district_code and district != district_code:
            continue
        if what in MOVES and day >= period.first_day:
            moves[(f"{day:%Y-%m}", district, what)] += count
        elif what in AT_END.values():
            state = what.removesuffix("_at_end")
            if day < period.first_day:
                before[(district, state)] += count
            else:
                in_months[(f"{day:%Y-%m}", district, state)] += count
    standing: Counter = Counter()
    running = before
    for month in period.months:
        running.update({(district, state): n for (m, district, state), n in in_months.items() if m == month})
        standing.update({(month, district, state): n for (district, state), n in running.items() if n})
    return moves, standing


_previous = aliased(CreditEvent)
_previous_employer = aliased(Company)


def _changes(since: datetime | None, until: datetime) -> Counter:
    """{(Beijing day, district, what): count} of the ledger's certificate moves from `since` (from
    the first) to `until`: each move (`what` issued, suspended...) and the changes it made to the
    certificates valid or suspended (`what` issued_at_end...: +1 in its state and district, -1
    in those after the certificate's move before it, the ledger's ids growing with time)."""
    if since is not None and since >= until:
        return Counter()  # a period the rollup holds whole: no statement (the planner may scan for none)
    previous_id = (
        select(_previous.id)
        .where(
            _previous.worker_id == CreditEvent.worker_id, _previous.kind == "certificate", _previous.id < CreditEvent.id
        )
        .order_by(_previous.id.desc())
        .limit(1)
        .correlate(CreditEvent)
        .scalar_subquery()
    )
    day = beijing_day(CreditEvent.created_at)
    previous_state = _previous.after["state"].as_string()
    previous_district = func.coalesce(_previous_employer.district_code, NO_DISTRICT)
    moved = (
        select(day, _district, _move, _state_after, previous_state, previous_district, func.count())
        .select_from(CreditEvent)
        .outerjoin(Company, Company.id == CreditEvent.employer_id)
        .outerjoin(_previous, _previous.id == previous_id)
        .outerjoin(_previous_employer, _previous_employer.id == _previous.employer_id)
        .where(CreditEvent.kind == "certificate", CreditEvent.created_at < until)
        .group_by(day, _district, _move, _state_after, previous_state, previous_district)
    )
    if since is not None:
        moved = moved.where(CreditEvent.created_at >= since)
    changes: Counter = Counter()
    for day_, district, move, after, before, before_district, count in db.session.execute(moved):
        if move is not None:
            changes[(day_, district, move)] += count
        if after in AT_END:
            changes[(day_, district, AT_END[after])] += count
        if before in AT_END:
            changes[(day_, before_district, AT_END[before])] -= count
    return changes


def _rolled_up(period: Period, district_code: str | None) -> Counter:
    """{(day, district, what): count} from the rollup: the moves in the period (month rows for
    its whole months, day rows for the rest, each under its first day), and every change to the
    standing before its end (month rows before its last month, day rows of that month)."""
    months, loose = whole_months_and_loose_days(period)
    spans = [and_(CertificateCounts.span == MONTH, CertificateCounts.first_day.in_(months))] if months else []
    spans += [and_(CertificateCounts.span == DAY, CertificateCounts.first_day.between(*days)) for days in loose]
    last_month = date.fromisoformat(period.months[-1] + "-01")
    if last_month in months:
        standing = and_(CertificateCounts.span == MONTH, CertificateCounts.first_day <= last_month)
    else:
        standing = or_(
            and_(CertificateCounts.span == MONTH, CertificateCounts.first_day < last_month),
            and_(CertificateCounts.span == DAY, CertificateCounts.first_day.between(last_month, period.last_day)),
        )
    query = select(
        CertificateCounts.first_day, CertificateCounts.district, CertificateCounts.what, CertificateCounts.count
    ).where(
        or_(
            and_(CertificateCounts.what.in_(list(MOVES)), or_(*spans)),
            and_(CertificateCounts.what.in_(list(AT_END.values())), standing),
        )
    )
    if district_code:
        query = query.where(CertificateCounts.district == district_code)
    return Counter({(day, district, what): n for day, district, what, n in db.session.execute(query)})


def roll_up_certificates(since: datetime | None, until: datetime) -> int:
    """Adds the ledger's certificate moves from `since` (the first) to `until` into the day and
    month rows. Returns the (day, district, what) counts changed."""
    changes = _changes(since, until)
    by_month: Counter = Counter()
    for (day, district, what), count in changes.items():
        by_month[(day.replace(day=1), district, what)] += count
    _add(DAY, changes)
    _add(MONTH, by_month)
    return len(changes)


def _add(span: str, changes: Counter) -> None:
    """Adds the {(first day, district, what): count} changes to the rows of `span`."""
    if not changes:
        return
    key = (CertificateCounts.first_day, CertificateCounts.district, CertificateCounts.what)
    present = {
        (day, district, what): count
        for day, district, what, count in db.session.execute(
            select(*key, CertificateCounts.count).where(
                CertificateCounts.span == span, CertificateCounts.first_day.in_({day for day, _, _ in changes})
            )
        )
    }
    rows = [
        {"span": span, "first_day": day, "district": district, "what": what, "count": count + present.get(found, 0)}
        for found, count in changes.items()
        for day, district, what in [found]
    ]
    if changed := [row for row, found in zip(rows, changes, strict=True) if found in present]:
        db.session.execute(update(CertificateCounts), changed)
    if added := [row for row, found in zip(rows, changes, strict=True) if found not in present]:
        db.session.execute(insert(CertificateCounts), added)
