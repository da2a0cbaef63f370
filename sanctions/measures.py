"""What an upheld (or reduced) case does, and its end: the `breach` on the party's ledger, the
certificate suspended or revoked through credit's lifecycle, the 失信名单 entry, and the dates on
credit's own rows (Worker.listed_until, Company.listed_until / hidden_until /
registrations_stopped_until) that the scan, assignment, the company list and registration read, so
a measure takes effect with the commit and ends by its date without any job. The scheduled job
(end_due) records each end once, clears the dates and reinstates a suspension whose period ended.

`listing_started` and `listing_ended` are sent inside the transaction, with the Listing as sender
(and `actor`; `reason` for the end): a data feed can record them without sanctions knowing it."""

from datetime import date, timedelta

from blinker import Namespace
from sqlalchemy import select

from accounts.models import User
from app.clock import today_in_beijing
from app.extensions import db
from credit.certificates import change_standing, locked_certificate
from credit.ledger import record_credit_event
from credit.models import ISSUED, SUSPENDED, Company, Worker
from sanctions.audit import audit
from sanctions.models import (
    CATEGORIES,
    EXPIRED,
    HIDDEN,
    LISTED,
    LISTING,
    LISTING_STATES,
    MEASURE_NAMES,
    PERIOD_MEASURES,
    REDUCED,
    REGISTRATIONS_STOPPED,
    REVOCATION,
    SUSPENSION,
    UPHELD,
    Listing,
    SanctionCase,
)

_signals = Namespace()
listing_started = _signals.signal("listing-started")
listing_ended = _signals.signal("listing-ended")


def last_day(first: date, days: int) -> date:
    """A measure of `days` days starting on `first` runs until this day, inclusive."""
    return first + timedelta(days=days - 1)


def apply(case: SanctionCase, actor: User | None) -> None:
    """The decided measure of an upheld or reduced case, at once."""
    measure, subject, today = case.decided_measure, case.subject, today_in_beijing()
    assert measure is not None
    reason = f"失信：{CATEGORIES[case.category]}（{MEASURE_NAMES[measure]}）"
    breach = record_credit_event(subject, "breach", 1, actor, source_ref=f"sanction:{case.id}", reason=reason)
    case.breach_event_id = breach.id
    if measure in PERIOD_MEASURES:
        assert case.decided_days is not None
        case.measure_from, case.measure_until = today, last_day(today, case.decided_days)
    if measure in (SUSPENSION, REVOCATION):
        _change_certificate(case, "suspend" if measure == SUSPENSION else "revoke", actor, reason)
    elif measure == LISTING:
        _list(case, actor)
    elif measure == HIDDEN:
        _extend(subject, "hidden_until", case.measure_until)
    elif measure == REGISTRATIONS_STOPPED:
        _extend(subject, "registrations_stopped_until", case.measure_until)


def _change_certificate(case: SanctionCase, action: str, actor: User | None, reason: str) -> None:
    """Through credit's lifecycle where the certificate's state allows it: a certificate not
    issued (or revoked already) has nothing to suspend; the case remembers a suspension it made,
    so that only that one is reinstated at the end of its period."""
    assert case.worker is not None
    certificate = locked_certificate(case.worker)
    allowed = (ISSUED,) if action == "suspend" else (ISSUED, SUSPENDED)
    if certificate.state in allowed:
        change_standing(certificate, action, actor, reason)
        case.certificate_suspended = action == "suspend"


def _extend(subject: Worker | Company, column: str, until: date | None) -> None:
    current = getattr(subject, column)
    if current is None or (until is not None and until > current):
        setattr(subject, column, until)


def _list(case: SanctionCase, actor: User | None) -> Listing:
    assert case.measure_from is not None and case.measure_until is not None
    listing = Listing(
        case_id=case.id,
        worker_id=case.worker_id,
        company_id=case.company_id,
        category=case.category,
        listed_from=case.measure_from,
        listed_until=case.measure_until,
        status=LISTED,
    )
    listing.case = case
    db.session.add(listing)
    db.session.flush()
    _extend(case.subject, "listed_until", listing.listed_until)
    audit(case, "listing_started", actor, details={"listing_id": listing.id, "until": listing.listed_until.isoformat()})
    listing_started.send(listing, actor=actor)
    return listing


def end_listing(listing: Listing, reason: str, actor: User | None, on: date) -> None:
    """Ends the listing once (LISTING_STATES), on `on`, and clears the party's date unless another
    listing of theirs runs longer."""
    listing.status = LISTING_STATES.target(listing.status, "end")
    listing.ended_on, listing.end_reason = on, reason
    subject = listing.subject
    subject.listed_until = _longest_other(listing)
    case = listing.case
    if case.measure_ended_on is None:
        case.measure_ended_on = on
    audit(case, "listing_ended", actor, reason=reason, details={"listing_id": listing.id})
    listing_ended.send(listing, actor=actor, reason=reason)


def _longest_other(listing: Listing) -> date | None:
    party = Listing.worker_id == listing.worker_id if listing.worker_id else Listing.company_id == listing.company_id
    return db.session.scalar(
        select(Listing.listed_until)
        .where(party, Listing.status == LISTED, Listing.id != listing.id)
        .order_by(Listing.listed_until.desc())
        .limit(1)
    )


def end_due(today: date | None = None) -> dict[str, int]:
    """The scheduled job: every listing and every measure of a period whose last day is before
    today is ended, once (running it again finds nothing); a suspension this case made is
    reinstated. Returns how many of each."""
    today = today or today_in_beijing()
    listings = list(
        db.session.scalars(
            select(Listing)
            .where(Listing.status == LISTED, Listing.listed_until < today)
            .order_by(Listing.id)
            .with_for_update(of=Listing)
        )
    )
    for listing in listings:
        end_listing(listing, EXPIRED, None, today)
    cases = list(
        db.session.scalars(
            select(SanctionCase)
            .where(
                SanctionCase.status.in_((UPHELD, REDUCED)),
                SanctionCase.decided_measure.in_((SUSPENSION, HIDDEN, REGISTRATIONS_STOPPED)),
                SanctionCase.measure_until < today,
                SanctionCase.measure_ended_on.is_(None),
            )
            .order_by(SanctionCase.id)
            .with_for_update(of=SanctionCase)
        )
    )
    reinstated = 0
    for case in cases:
        reinstated += _end_period(case, today)
    return {"listings": len(listings), "measures": len(cases), "reinstated": reinstated}


def _end_period(case: SanctionCase, today: date) -> int:
    case.measure_ended_on = today
    audit(case, "measure_ended", None, details={"measure": case.decided_measure})
    subject = case.subject
    for column in ("hidden_until", "registrations_stopped_until"):
        if isinstance(subject, Company) and getattr(subject, column) is not None and getattr(subject, column) < today:
            setattr(subject, column, None)
    if case.decided_measure == SUSPENSION and case.certificate_suspended and case.worker is not None:
        certificate = locked_certificate(case.worker)
        if certificate.state == SUSPENDED:
            change_standing(certificate, "reinstate", None, f"失信处理暂停期满（案件 {case.id}）")
            return 1
    return 0


def is_listed(listing: Listing, today: date) -> bool:
    return listing.status == LISTED and listing.listed_from <= today <= listing.listed_until
