"""Every level again from the ledger (`flask credit recompute-all`), after a change of scoring.toml's
`version` or to let a colour that turned by date alone reach the stars.

The order (credit.scoring explains the cycle it breaks): every company's score from its ledger and
its workers' stored stars, all ranked together, their grades stored; then every worker, reading
those grades; then every company once more, reading the new stars; then the workers of the companies whose grade
that last pass changed (no other worker's inputs moved) and every company again, only while it
changed a grade the workers read (at most MAX_ROUNDS). Everything is
computed as of the moment the run began, in batches each committed on its own: a run cut short
leaves whole batches, and the next run finishes the work. A row a request recomputed after the run
began (a rating, a sanction) keeps the request's newer figures. A row is written only when its figures
(level, score, version, rating summary) change, so a second run writes nothing."""

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.clock import utcnow
from app.extensions import db
from credit.ledger import ENTRY_COLUMNS, Entry, code_colour, company_figures, employer_level, store, worker_figures
from credit.models import ISSUED, Certificate, Company, CreditEvent, Worker
from credit.scoring import Beside, CreditResult, Standing, compute, current_config, placed
from credit.worker_counts import worker_counts_deferred

BATCH_SIZE = 500
MAX_ROUNDS = 5


@dataclass
class Summary:
    """What a run changed: the rows whose figures changed, the rounds of workers then companies it
    took, and whether the last one changed no grade a worker reads (a second run would then
    change nothing)."""

    companies: set[int] = field(default_factory=set)
    workers: set[int] = field(default_factory=set)
    rounds: int = 0
    settled: bool = True


def recompute_all(progress: Callable[[str], None], batch_size: int = BATCH_SIZE) -> Summary:
    as_of, summary = utcnow(), Summary()
    _company_pass(as_of, summary, progress, batch_size)
    workers_read_grades = any(
        item["mode"] == "employer_level"
        for dimension in current_config().subjects["worker"]["dimensions"]
        for item in dimension["inputs"]
    )
    regraded: set[int] | None = None  # the first round recomputes every worker
    while summary.rounds < MAX_ROUNDS:
        summary.rounds += 1
        _worker_pass(as_of, summary, progress, batch_size, employed_by=regraded)
        regraded = _company_pass(as_of, summary, progress, batch_size)
        if not regraded or not workers_read_grades:
            return summary
    summary.settled = False
    return summary


def _batches(ids: list[int], size: int):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _ledgers(column, ids: list[int]) -> dict[int, list[Entry]]:
    """The ledgers of a batch of subjects, in one query, each oldest first."""
    found: dict[int, list[Entry]] = {subject_id: [] for subject_id in ids}
    for subject_id, *entry in db.session.execute(
        select(column, *ENTRY_COLUMNS).where(column.in_(ids)).order_by(CreditEvent.id)
    ):
        found[subject_id].append(Entry(*entry))
    return found


def _stored_worker_levels() -> dict[int, list[int]]:
    """Each active company's workers' stored stars (those credit.ledger.company_worker_levels reads)."""
    levels: dict[int, list[int]] = {}
    # Neither column is NULL in these rows (the query says so); the cast tells the type checker.
    rows = cast(
        Iterable[tuple[int, int]],
        db.session.execute(
            select(Worker.company_id, Worker.stars)
            .join(Certificate)
            .where(Worker.company_id.is_not(None), Certificate.state == ISSUED, Worker.stars.is_not(None))
        ),
    )
    for company_id, stars in rows:
        levels.setdefault(company_id, []).append(stars)
    return levels


def _company_pass(as_of: datetime, summary: Summary, progress: Callable[[str], None], batch_size: int) -> set[int]:
    """Scores every company, ranks the active ones together, stores what changed; the companies
    whose grade changed."""
    config, levels = current_config(), _stored_worker_levels()
    ids = list(db.session.scalars(select(Company.id).order_by(Company.id)))
    scored: dict[int, CreditResult] = {}
    for batch in _batches(ids, batch_size):
        for company_id, events in _ledgers(CreditEvent.company_id, batch).items():
            result = compute("company", events, as_of, config, Beside(worker_levels=levels.get(company_id, ())))
            scored[company_id] = replace(result, dimensions=[], capped_by=[])  # the score and cap are enough
        progress(f"companies scored: {len(scored)}/{len(ids)}")
    cohort = sorted(result.score for company_id, result in scored.items() if company_id in levels)

    def standing(company_id: int) -> Standing | None:
        if company_id not in levels:
            return None
        return Standing(len(cohort), len(cohort) - bisect_right(cohort, scored[company_id].score))

    regraded: set[int] = set()
    done = 0
    for batch in _batches(ids, batch_size):
        locked = select(Company).where(Company.id.in_(batch)).order_by(Company.id).with_for_update(of=Company)
        for company in db.session.scalars(locked).all():
            if company.credit_computed_at is not None and company.credit_computed_at > as_of:
                continue  # graded by a request since the run began: its figures are newer than the run's
            result = placed(scored[company.id], "company", config, standing(company.id))
            grade = company.grade
            if store(company, company_figures(result, in_cohort=company.id in levels), as_of, unchanged_too=False):
                summary.companies.add(company.id)
                if company.grade != grade:
                    regraded.add(company.id)
        db.session.commit()
        done += len(batch)
        progress(f"companies graded: {done}/{len(ids)}")
    return regraded


def _worker_pass(
    as_of: datetime, summary: Summary, progress: Callable[[str], None], batch_size: int, employed_by: set[int] | None
) -> None:
    """Every worker, or only those `employed_by` the companies whose grade the last company pass
    changed: nothing else a worker's stars read has moved since the round before."""
    config = current_config()
    query = select(Worker.id).order_by(Worker.id)
    if employed_by is not None:
        query = query.where(Worker.company_id.in_(employed_by))
    ids = list(db.session.scalars(query))
    done = 0
    for batch in _batches(ids, batch_size):
        # Locked, in id order, before their ledgers are read: a request re-starring one of them
        # waits for the batch's commit, and one that re-starred it since the run began has stored
        # figures newer than the run's, which are kept.
        workers = db.session.scalars(
            select(Worker)
            .where(Worker.id.in_(batch))
            .order_by(Worker.id)
            .with_for_update(of=Worker)
            .options(selectinload(Worker.certificate))
        ).all()
        ledgers = _ledgers(CreditEvent.worker_id, batch)
        with worker_counts_deferred():  # a batch's counts move once, in key order: no deadlock with a rating
            for worker in workers:
                if worker.credit_computed_at is not None and worker.credit_computed_at > as_of:
                    continue
                events = ledgers[worker.id]
                beside = Beside(employer_level=employer_level(worker), code_colour=code_colour(worker))
                result = compute("worker", events, as_of, config, beside)
                if store(worker, worker_figures(result, events, as_of), as_of, unchanged_too=False):
                    summary.workers.add(worker.id)
        db.session.commit()
        done += len(batch)
        progress(f"workers: {done}/{len(ids)}")
