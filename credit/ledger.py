"""The credit ledger and the levels computed from it: every fact is an appended event, and a
worker's stars or a company's grade are recomputed from the ledger in the same transaction.
Callers commit; these functions only flush."""

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace
from sqlalchemy import select

from accounts.models import User
from app.clock import utcnow
from app.errors import Invalid
from app.extensions import db
from app.i18n import _
from credit.models import ISSUED, Certificate, Company, CreditEvent, Worker
from credit.scoring import CreditResult, compute, current_config, standing_entries

# The employers' ratings the public summary counts: a station booking's and a door entry's
# (doorstep), weighed apart by scoring.toml.
RATING_KINDS = ("rating", "door_rating")

# Sent, inside the transaction that records it, when a complaint against a worker is upheld (the
# `complaint_upheld` event on their ledger), with the worker as sender and `complaint_id`,
# `service_code` (the service complained of) and `actor` as keywords: training requires its
# refresher course of the worker, without credit or the complaint's feature knowing training.
_signals = Namespace()
complaint_upheld = _signals.signal("complaint-upheld")
# Sent, inside the transaction that makes it, when a recompute changes a company's grade, with the
# company as sender and `before` (None for its first grade), `after` and `version` (scoring.toml's)
# as keywords: publication (the public-credit feed) records it without credit knowing it.
company_level_changed = _signals.signal("company-level-changed")


def append_event(
    subject: Worker | Company,
    kind: str,
    value: float,
    actor: User | None,
    *,
    reason: str | None = None,
    source_ref: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    neutralises: CreditEvent | None = None,
) -> CreditEvent:
    """One ledger row, whatever its kind (the callers check it); no level is recomputed. A worker's
    row keeps the company employing them at that moment (employer_id)."""
    event = CreditEvent(
        kind=kind,
        value=float(value),
        reason=reason,
        source_ref=source_ref,
        before=before,
        after=after,
        actor_id=actor.id if actor is not None else None,
        neutralises_id=neutralises.id if neutralises is not None else None,
        created_at=utcnow(),
    )
    if isinstance(subject, Worker):
        event.worker_id, event.employer_id = subject.id, subject.company_id
    else:
        event.company_id = subject.id
    db.session.add(event)
    db.session.flush()
    return event


def record_credit_event(
    subject: Worker | Company,
    kind: str,
    value: float,
    actor: User | None,
    source_ref: str | None = None,
    reason: str | None = None,
) -> CreditEvent:
    """Appends a credit fact (rating 1-5, follow_up 1 satisfied / 0 not, complaint_upheld 1,
    complaint_dismissed, breach, training hours, exam score...) and recomputes the level in the
    same transaction. Kinds are those of scoring.toml; anything else is a 422."""
    subject_type = "worker" if isinstance(subject, Worker) else "company"
    allowed = current_config().kinds(subject_type)
    if kind not in allowed:
        raise Invalid(
            _("Unknown credit event kind for a %(subject)s: %(kind)s", subject=subject_type, kind=kind),
            code="unknown_event_kind",
            errors={"kind": [f"must be one of {', '.join(sorted(allowed))}"]},
        )
    event = append_event(subject, kind, value, actor, reason=reason, source_ref=source_ref)
    if isinstance(subject, Worker):
        recompute_worker(subject)
    else:
        recompute_company(subject)
    return event


def events_of(subject: Worker | Company) -> list[CreditEvent]:
    """The subject's whole ledger, oldest first."""
    column = CreditEvent.worker_id if isinstance(subject, Worker) else CreditEvent.company_id
    return list(db.session.scalars(select(CreditEvent).where(column == subject.id).order_by(CreditEvent.id)))


def rated_since(worker_id: int, actor: User, kind: str, since: datetime) -> bool:
    """Whether `actor` put a rating of `kind` on the worker's ledger at or after `since`."""
    return (
        db.session.scalar(
            select(CreditEvent.id)
            .where(
                CreditEvent.worker_id == worker_id,
                CreditEvent.actor_id == actor.id,
                CreditEvent.kind == kind,
                CreditEvent.created_at >= since,
            )
            .limit(1)
        )
        is not None
    )


def company_worker_levels(company: Company) -> list[int]:
    """Star levels of the company's workers who hold an issued certificate."""
    return list(
        db.session.scalars(
            select(Worker.stars)
            .join(Certificate)
            .where(Worker.company_id == company.id, Certificate.state == ISSUED, Worker.stars.is_not(None))
        )
    )


def compute_level(subject: Worker | Company, as_of: datetime) -> tuple[CreditResult, list[CreditEvent]]:
    """The level the ledger gives at `as_of`, and the events it was computed from."""
    events = events_of(subject)
    if isinstance(subject, Worker):
        return compute("worker", events, as_of, current_config()), events
    return compute("company", events, as_of, current_config(), company_worker_levels(subject)), events


def recompute_worker(worker: Worker) -> None:
    as_of = utcnow()
    result, events = compute_level(worker, as_of)
    counted = standing_entries(events, as_of)
    ratings = [e.value for e in counted if e.kind in RATING_KINDS]
    worker.stars, worker.credit_score = int(result.level), result.score
    worker.credit_config_version, worker.credit_computed_at = result.version, as_of
    worker.rating_count = len(ratings)
    worker.rating_mean = round(sum(ratings) / len(ratings), 2) if ratings else None
    worker.upheld_complaints = sum(1 for e in counted if e.kind == "complaint_upheld")
    worker.updated_at = as_of
    db.session.flush()
    if worker.company is not None:
        recompute_company(worker.company)


def recompute_company(company: Company) -> None:
    as_of = utcnow()
    result, _ = compute_level(company, as_of)
    before = company.grade
    company.grade, company.credit_score = result.level, result.score
    company.credit_config_version, company.credit_computed_at = result.version, as_of
    company.updated_at = as_of
    db.session.flush()
    if before != company.grade:
        company_level_changed.send(company, before=before, after=company.grade, version=result.version)


@dataclass(frozen=True)
class Explanation:
    """Why a worker or company has its level (credit.schemas.ExplanationSchema shows it): the
    result per dimension, holding the events that count, and the configuration it came from."""

    result: CreditResult
    stored_level: str
    config_is_placeholder: bool
    as_of: datetime


def explanation(subject: Worker | Company, as_of: datetime | None = None) -> Explanation:
    as_of = as_of or utcnow()
    result, _ = compute_level(subject, as_of)
    stored = subject.stars if isinstance(subject, Worker) else subject.grade
    return Explanation(result, str(stored), current_config().placeholder, as_of)
