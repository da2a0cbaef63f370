"""The credit ledger and the levels computed from it: every fact is an appended event, and a
worker's stars or a company's grade are recomputed from the ledger in the same transaction.
Callers commit; these functions only flush.

A worker is recomputed reading the employer's stored grade, then the employer reading its workers'
stored stars; a company graded by rank is re-banded against the stored scores of the other
companies in the cohort at their own last grading (one query counts them and those above it),
which move only at their own next recompute or at `flask credit recompute-all`
(credit.recomputing; credit.scoring says why)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from blinker import Namespace
from sqlalchemy import case, func, select

from accounts.models import User
from app.clock import today_in_beijing, utcnow
from app.errors import Invalid
from app.extensions import db
from app.i18n import _
from credit.models import ISSUED, Certificate, Company, CreditEvent, Worker
from credit.scoring import (
    Beside,
    CreditResult,
    LedgerEntry,
    Standing,
    compute,
    current_config,
    standing_entries,
)

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
            errors={"kind": [_("Must be one of: %(choices)s.", choices=", ".join(sorted(allowed)))]},
        )
    event = append_event(subject, kind, value, actor, reason=reason, source_ref=source_ref)
    if isinstance(subject, Worker):
        recompute_worker(subject)
    else:
        recompute_company(subject)
    return event


def subject_column(subject: Worker | Company):
    return CreditEvent.worker_id if isinstance(subject, Worker) else CreditEvent.company_id


def events_of(subject: Worker | Company) -> list[CreditEvent]:
    """The subject's whole ledger, oldest first."""
    column = subject_column(subject)
    return list(db.session.scalars(select(CreditEvent).where(column == subject.id).order_by(CreditEvent.id)))


class Entry(NamedTuple):
    """A ledger row as the scorer reads it (credit.scoring.LedgerEntry): a tuple of the columns the
    subject's index carries (ix_credit_events_worker_id_id, _company_id_id), so a ledger is read
    from a few index pages, not from one heap page per event (a subject's events lie scattered in
    time order among everyone's); a tuple, not an ORM object, as credit.recomputing reads a city's
    millions (an object costs ten times as much to load)."""

    id: int
    kind: str
    value: float
    created_at: datetime
    neutralises_id: int | None


ENTRY_COLUMNS = [getattr(CreditEvent, name) for name in Entry._fields]


def entries_of(subject: Worker | Company) -> list[Entry]:
    """The subject's whole ledger as the scorer reads it, oldest first."""
    column = subject_column(subject)
    rows = db.session.execute(select(*ENTRY_COLUMNS).where(column == subject.id).order_by(CreditEvent.id))
    return [Entry(*row) for row in rows]


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


def standing_among_stored(company: Company, active: bool) -> Callable[[float], Standing | None]:
    """Where a score of `company` stands among the stored scores of the other companies in the
    cohort (those with a worker who held an issued certificate at their last grading, as
    company_worker_levels counts): one query counts them and those strictly above it, from
    ix_companies_cohort_score (None when the company is not active)."""

    def standing(score: float) -> Standing | None:
        if not active:
            return None
        others, higher = db.session.execute(
            select(func.count(), func.count(case((Company.credit_score > score, 1)))).where(
                Company.in_cohort, Company.credit_score.is_not(None), Company.id != company.id
            )
        ).one()
        return Standing(others + 1, higher)

    return standing


def employer_level(worker: Worker) -> int | None:
    """The employer's stored grade counted 1 for the lowest (A) up, as employer_level reads it."""
    grade = worker.company.grade if worker.company is not None else None
    names = current_config().level_names("company")
    return names.index(grade) + 1 if grade in names else None


def code_colour(worker: Worker) -> str | None:
    """The worker's 安心碼 colour today, as code_colour reads it (None: no certificate yet)."""
    # Imported here: credit.certificates records its steps through this module.
    from credit.certificates import colour

    return colour(worker.certificate, today_in_beijing()) if worker.certificate is not None else None


def beside_the_ledger(subject: Worker | Company) -> Beside:
    """The stored facts beside its ledger that the subject's inputs read."""
    if isinstance(subject, Worker):
        return Beside(employer_level=employer_level(subject), code_colour=code_colour(subject))
    return Beside(worker_levels=company_worker_levels(subject))


def compute_level(subject: Worker | Company, as_of: datetime) -> tuple[CreditResult, list[Entry]]:
    """The level the ledger gives at `as_of`, and the entries it was computed from."""
    if isinstance(subject, Worker):
        events = entries_of(subject)
        return compute("worker", events, as_of, current_config(), beside_the_ledger(subject)), events
    result, events, _active = company_level(subject, as_of)
    return result, events


def company_level(company: Company, as_of: datetime) -> tuple[CreditResult, list[Entry], bool]:
    """A company's level at `as_of`, the entries it was computed from, and whether it is in the
    cohort (a worker of it holds an issued certificate and has stars)."""
    events, beside = entries_of(company), beside_the_ledger(company)
    active = bool(beside.worker_levels)
    standing = standing_among_stored(company, active)
    return compute("company", events, as_of, current_config(), beside, standing), events, active


def worker_figures(result: CreditResult, events: Sequence[LedgerEntry], as_of: datetime) -> dict:
    """What a worker's row keeps of its level: the stars and the public rating summary."""
    counted = standing_entries(events, as_of)
    ratings = [e.value for e in counted if e.kind in RATING_KINDS]
    return {
        "stars": int(result.level),
        "credit_score": result.score,
        "credit_config_version": result.version,
        "rating_count": len(ratings),
        "rating_mean": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "upheld_complaints": sum(1 for e in counted if e.kind == "complaint_upheld"),
    }


def company_figures(result: CreditResult, in_cohort: bool) -> dict:
    return {
        "grade": result.level,
        "credit_score": result.score,
        "credit_config_version": result.version,
        "in_cohort": in_cohort,
    }


def store(subject: Worker | Company, figures: dict, as_of: datetime, *, unchanged_too: bool = True) -> bool:
    """Writes a level's figures on the subject's row, as every level change does; whether they
    differed from those stored. Without `unchanged_too`, equal figures leave the row untouched."""
    changed = any(getattr(subject, name) != value for name, value in figures.items())
    grade_before = subject.grade if isinstance(subject, Company) else None
    if changed or unchanged_too:
        for name, value in figures.items():
            setattr(subject, name, value)
        subject.credit_computed_at = subject.updated_at = as_of
    if isinstance(subject, Company) and subject.grade != grade_before:
        company_level_changed.send(
            subject, before=grade_before, after=subject.grade, version=figures["credit_config_version"]
        )
    return changed


def recompute_worker(worker: Worker) -> None:
    as_of = utcnow()
    result, events = compute_level(worker, as_of)
    store(worker, worker_figures(result, events, as_of), as_of)
    db.session.flush()
    if worker.company is not None:
        recompute_company(worker.company)


def recompute_company(company: Company) -> None:
    as_of = utcnow()
    result, _, active = company_level(company, as_of)
    store(company, company_figures(result, in_cohort=active), as_of)
    db.session.flush()


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
    return Explanation(shown_in_full(subject, result), str(stored), current_config().placeholder, as_of)


def shown_in_full(subject: Worker | Company, result: CreditResult) -> CreditResult:
    """`result` with the whole rows (reason, source, before and after) of the events it shows, read
    for those alone: the entries that weigh nothing or that a `latest` input passed over stay
    unread."""
    inputs = [score for dimension in result.dimensions for score in dimension.inputs]
    shown = {entry.id for entry in result.capped_by} | {entry.id for score in inputs for entry in score.events}
    if not shown:
        return result
    rows = {
        event.id: event
        for event in db.session.scalars(
            select(CreditEvent).where(subject_column(subject) == subject.id, CreditEvent.id.in_(shown))
        )
    }

    def in_full(entries: list[LedgerEntry]) -> list[LedgerEntry]:
        return [rows[entry.id] for entry in entries]

    dimensions = [
        replace(dimension, inputs=[replace(score, events=in_full(score.events)) for score in dimension.inputs])
        for dimension in result.dimensions
    ]
    return replace(result, dimensions=dimensions, capped_by=in_full(result.capped_by))
