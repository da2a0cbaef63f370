"""Who could serve an engagement: the workers staff may propose (issued and green, offering the
service, free for the whole period; a company's own workers when the request went to a company),
the proposal of up to ENGAGEMENT_MAX_CANDIDATES, the interview the resident asks for, and the
choice, which holds the chosen worker's time for the whole period."""

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, load_only

from accounts.models import User
from app.clock import today_in_beijing, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.i18n import _
from booking.models import ASSIGNABLE_LISTED
from credit.certificates import GREEN, colour
from credit.models import ISSUED, Company, Worker
from credit.recommendation import WORKERS_BEST_FIRST, offering, recommendable_workers
from credit.registry import found_by
from engagements import notifications, worker_time
from engagements.models import CHOSEN, CONFIRMED, ENGAGEMENT_FACTS, ENGAGEMENT_STATES, Candidate, Engagement
from engagements.requests import audit, transition

# What the rules and the answer read of a worker: never the encrypted ID number or phone.
CANDIDATE_COLUMNS = (
    Worker.name,
    Worker.stars,
    Worker.photo_url,
    Worker.company_id,
    Worker.service_types,
    Worker.years_of_experience,
    Worker.listed_until,
)


def _problems(engagement: Engagement, worker: Worker) -> list[str]:
    problems = []
    certificate = worker.certificate
    if certificate is None or certificate.state != ISSUED or colour(certificate, today_in_beijing()) != GREEN:
        problems.append(_("the certificate is not issued and green"))
    if engagement.service_code not in (worker.service_types or []):
        problems.append(_("does not offer %(service)s", service=engagement.service_code))
    if engagement.company_id is not None and worker.company_id != engagement.company_id:
        problems.append(_("not a worker of the company the resident chose"))
    return problems


def proposable_workers(
    engagement: Engagement, search: str | None = None, limit: int = ASSIGNABLE_LISTED
) -> list[Worker]:
    """The workers staff could propose now, the preferred worker first of all, then the best
    (credit.recommendation: most stars, then the higher score, then the id), `limit` in all: the
    same rules as `propose` (green, offering the service, the company's own when the request went
    to a company) and free for the whole period. `search` (part of a name, or a certificate number
    in full) finds the others. Every rule is a condition of the one query (time held by anything
    else over the period a NOT EXISTS, looked up by each worker's key), which walks
    ix_workers_best_first and stops at `limit`: only the workers listed come out of the database."""
    ENGAGEMENT_STATES.target(engagement.status, "propose")
    query = (
        recommendable_workers(select(Worker), today_in_beijing())
        .options(
            load_only(*CANDIDATE_COLUMNS),
            contains_eager(Worker.certificate),
            joinedload(Worker.company).load_only(Company.name),
        )
        .where(
            offering(engagement.service_code),
            ~worker_time.busy(engagement, engagement.start_day, engagement.last_day),
        )
    )
    if engagement.company_id is not None:
        query = query.where(Worker.company_id == engagement.company_id)
    if search:
        query = query.where(found_by(search))
    preferred = engagement.preferred_worker_id
    first = [] if preferred is None else list(db.session.scalars(query.where(Worker.id == preferred)))
    if preferred is not None:
        query = query.where(Worker.id != preferred)
    best = db.session.scalars(query.order_by(*WORKERS_BEST_FIRST).limit(limit - len(first)))
    return [worker for worker in [*first, *best] if not _problems(engagement, worker)]


def propose(engagement: Engagement, worker_ids: list[int], actor: User) -> Engagement:
    """Adds candidates, up to ENGAGEMENT_MAX_CANDIDATES in all; each must be proposable now (422
    naming those that are not)."""
    ENGAGEMENT_STATES.target(engagement.status, "propose")
    limit = current_app.config["ENGAGEMENT_MAX_CANDIDATES"]
    already = {candidate.worker_id for candidate in engagement.candidates}
    new_ids = [worker_id for worker_id in dict.fromkeys(worker_ids) if worker_id not in already]
    if len(already) + len(new_ids) > limit:
        raise Conflict(
            _("An engagement has at most %(limit)s candidates.", limit=limit),
            code="too_many_candidates",
            errors={
                "worker_ids": [
                    _("%(count)s proposed already, at most %(limit)s in all", count=len(already), limit=limit)
                ]
            },
        )
    busy = worker_time.busy_workers(engagement, engagement.start_day, engagement.last_day, new_ids)
    refused: list[str] = []
    for worker_id in new_ids:
        worker = db.session.get(Worker, worker_id)
        problems = [_("no such worker")] if worker is None else _problems(engagement, worker)
        if worker is not None and worker_id in busy:
            problems.append(_("not free for the whole period"))
        if problems:
            refused.append(f"{worker_id}: {'; '.join(problems)}")
    if refused:
        raise Invalid(
            _("These workers cannot be proposed: %(refused)s", refused=" / ".join(refused)),
            code="worker_not_proposable",
            errors={"worker_ids": refused},
        )
    now = utcnow()
    db.session.add_all(
        Candidate(engagement_id=engagement.id, worker_id=worker_id, proposed_by_id=actor.id, proposed_at=now)
        for worker_id in new_ids
    )
    db.session.flush()
    transition(engagement, "propose", actor, details={"worker_ids": new_ids})
    db.session.refresh(engagement, ["candidates"])
    notifications.candidates_proposed(engagement)
    return engagement


def _candidate_of(engagement: Engagement, candidate_id: int) -> Candidate:
    candidate = next((c for c in engagement.candidates if c.id == candidate_id), None)
    if candidate is None:
        raise Invalid(
            _("Invalid input: %(fields)s", fields="candidate_id"),
            code="unknown_candidate",
            errors={"candidate_id": [_("not a candidate of this engagement")]},
        )
    return candidate


def request_interview(engagement: Engagement, candidate_id: int, at: datetime, mode: str, actor: User) -> Candidate:
    """面试: the resident asks to meet a candidate at a time, in person or by video; the station
    (or company) arranges it."""
    ENGAGEMENT_STATES.target(engagement.status, "request_interview", doing="ask for an interview")
    candidate = _candidate_of(engagement, candidate_id)
    if at <= utcnow():
        raise Invalid(_("An interview is in the future."), code="interview_in_the_past", field="at")
    candidate.interview_at, candidate.interview_mode, candidate.interview_requested_at = at, mode, utcnow()
    transition(
        engagement,
        "request_interview",
        actor,
        details={"candidate_id": candidate.id, "worker_id": candidate.worker_id, "mode": mode},
    )
    notifications.interview_requested(engagement, candidate, at)
    return candidate


def choose(engagement: Engagement, candidate_id: int, actor: User) -> Engagement:
    """The resident chooses a candidate: still green and offering the service, and her time is
    held for the whole period at once (409 worker_double_booked when another family's engagement
    or a slot booking holds any of it)."""
    ENGAGEMENT_STATES.target(engagement.status, "choose")
    candidate = _candidate_of(engagement, candidate_id)
    worker = db.session.get_one(Worker, candidate.worker_id)
    problems = _problems(engagement, worker)
    if problems:
        raise Conflict(
            _("This candidate can no longer be chosen: %(problems)s", problems="; ".join(problems)),
            code="worker_not_proposable",
            errors={"candidate_id": problems},
        )
    worker_time.hold(engagement, worker, engagement.start_day, engagement.last_day)
    engagement.worker_id, engagement.worker = worker.id, worker
    transition(engagement, "choose", actor, details={"candidate_id": candidate.id, "worker_id": worker.id})
    notifications.worker_chosen(engagement)
    return engagement


def confirm(engagement: Engagement, actor: User, *, worker_side: dict | None = None) -> Engagement:
    """Both sides confirm: the resident (worker_side None), and the worker or staff on the
    worker's behalf with the e-contract's reference. Once both have, the engagement is 已签约."""
    ENGAGEMENT_FACTS.target(engagement.status, "confirm_side", doing="confirm")
    now = utcnow()
    if worker_side is None:
        if engagement.resident_confirmed_at is not None:
            raise Conflict(_("You have confirmed already."), code="already_confirmed", field="status")
        engagement.resident_confirmed_at = now
        audit(engagement, "resident_confirmed", None, None, actor)
    else:
        if engagement.worker_confirmed_at is not None:
            raise Conflict(_("The worker's side has confirmed already."), code="already_confirmed", field="status")
        engagement.worker_confirmed_at, engagement.worker_confirmed_by_id = now, actor.id
        engagement.contract_reference = worker_side["contract_reference"]
        engagement.contract_signed_on = worker_side["contract_signed_on"]
        audit(
            engagement,
            "worker_confirmed",
            None,
            None,
            actor,
            details={"contract_reference": worker_side["contract_reference"]},
        )
    if engagement.resident_confirmed_at and engagement.worker_confirmed_at:
        transition(engagement, "confirm", actor)
        notifications.engagement_confirmed(engagement)
    engagement.updated_at = now
    return engagement


def withdraw_worker(worker: Worker, *, actor: User | None, reason: str) -> None:
    """A worker whose certificate was suspended, revoked or expired moves into no home: each
    engagement she was chosen or signed for and has not started goes back to its candidates, her
    time freed and both sides' confirmations undone, the reason in its history. Connected to
    credit's `certificate_withdrawn` signal, so it happens in the transaction of the change."""
    chosen = db.session.scalars(
        select(Engagement)
        .where(Engagement.worker_id == worker.id, Engagement.status.in_((CHOSEN, CONFIRMED)))
        .order_by(Engagement.id)
        .with_for_update(of=Engagement)
    )
    for engagement in chosen:
        freed = worker_time.release(engagement)
        engagement.worker_id, engagement.worker = None, None
        engagement.resident_confirmed_at = engagement.worker_confirmed_at = None
        engagement.worker_confirmed_by_id = None
        transition(
            engagement,
            "withdraw_worker",
            actor,
            reason=f"服务人员安心服务证已{reason}，请重新选择",
            details={"worker_id": worker.id, "freed_blocks": freed},
        )


def cancel(engagement: Engagement, actor: User, reason: str | None) -> Engagement:
    """Before the service starts, by the resident: the worker's held time is freed."""
    ENGAGEMENT_STATES.target(engagement.status, "cancel")
    freed = worker_time.release(engagement)
    return transition(engagement, "cancel", actor, reason, details={"freed_blocks": freed})
