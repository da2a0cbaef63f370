"""失信 cases: an operator opens one against a worker or a company (the facts, the measure
proposed) and the party is told; the party states their case (陈述申辩) within
SANCTIONS_STATEMENT_DAYS; a second operator decides: upheld with the measure, reduced to a lighter
one, or dismissed, with reasons. Moves follow CASE_STATES; each is an audit row. Callers commit;
these functions only flush."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import false, or_, select
from werkzeug.datastructures import FileStorage

from accounts.models import OPERATOR, User
from app.access import Principal
from app.clock import today_in_beijing, utcnow
from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate_by_cursor
from credit.models import Company, Worker
from sanctions import measures, notifications
from sanctions.audit import audit
from sanctions.evidence import store_evidence
from sanctions.models import (
    AWAITING_STATEMENT,
    CASE_STATES,
    COMPANY_PARTY,
    DISMISSED,
    FACTS,
    MEASURES,
    PERIOD_MEASURES,
    STATEMENT,
    WORKER_PARTY,
    Evidence,
    SanctionCase,
)

DECISIONS = {"uphold": "upheld", "reduce": "reduced", "dismiss": "dismissed"}
NEWEST_FIRST = (SanctionCase.id.desc(),)  # the cases' one order, "newest" in their cursors


def check_measure(party: str, measure: str, days: int | None, field: str = "measure") -> None:
    """A measure the party can be given, with its period when it has one (422 naming the field)."""
    if measure not in MEASURES[party]:
        raise Invalid(
            _("The measure %(measure)s is not one for this party.", measure=measure),
            code="measure_not_for_party",
            errors={field: [_("Must be one of: %(choices)s.", choices=", ".join(MEASURES[party]))]},
        )
    if (measure in PERIOD_MEASURES) != (days is not None):
        raise Invalid(
            _("The measure %(measure)s needs a period in days exactly when it lasts one.", measure=measure),
            code="period_mismatch",
            errors={
                "period_days": [
                    _("required for %(measures)s; not allowed otherwise", measures=", ".join(PERIOD_MEASURES))
                ]
            },
        )


def open_case(data: dict, actor: User | None) -> SanctionCase:
    worker_id, company_id = data.get("worker_id"), data.get("company_id")
    if (worker_id is None) == (company_id is None):
        raise Invalid(
            _("Name exactly one party: a worker or a company."),
            code="one_party",
            errors={"worker_id": [_("give worker_id or company_id, not both")]},
        )
    party = WORKER_PARTY if worker_id is not None else COMPANY_PARTY
    if party == WORKER_PARTY and db.session.get(Worker, worker_id) is None:
        raise Invalid(_("No such worker."), code="unknown_worker", errors={"worker_id": [_("no such record")]})
    if party == COMPANY_PARTY and db.session.get(Company, company_id) is None:
        raise Invalid(_("Unknown company."), code="unknown_company", errors={"company_id": [_("no such record")]})
    check_measure(party, data["measure"], data.get("period_days"))
    case = SanctionCase(
        worker_id=worker_id,
        company_id=company_id,
        category=data["category"],
        facts=data["facts"],
        proposed_measure=data["measure"],
        proposed_days=data.get("period_days"),
        status=AWAITING_STATEMENT,
        opened_by_id=actor.id if actor is not None else None,
        opened_at=utcnow(),
        statement_due_on=today_in_beijing() + timedelta(days=current_app.config["SANCTIONS_STATEMENT_DAYS"]),
    )
    db.session.add(case)
    db.session.flush()
    audit(case, "open", actor, to_status=case.status, reason=case.facts, details={"measure": case.proposed_measure})
    notifications.tell_of_case(case)
    return case


def add_evidence(case: SanctionCase, file: FileStorage, actor: User) -> Evidence:
    """The operator's evidence of the facts, while the case is open."""
    CASE_STATES.target(case.status, "add_evidence")
    evidence = store_evidence(case, file, FACTS, actor)
    audit(case, "add_evidence", actor, details={"evidence_id": evidence.id})
    return evidence


def state_case(case: SanctionCase, user: User | None, statement: str, file: FileStorage | None) -> SanctionCase:
    """陈述申辩: once, by the last day of the statement period."""
    before = case.status
    target = CASE_STATES.target(case.status, "state_case", _("state your case"))
    if today_in_beijing() > case.statement_due_on:
        raise Conflict(
            _("The period to state your case ended on %(day)s.", day=case.statement_due_on.isoformat()),
            code="statement_period_over",
        )
    case.status = target
    case.statement, case.stated_by_id, case.stated_at = statement, user.id if user else None, utcnow()
    db.session.flush()
    details = {}
    if file is not None:
        details["evidence_id"] = store_evidence(case, file, STATEMENT, user).id
    audit(case, "state_case", user, from_status=before, to_status=case.status, details=details or None)
    return case


def decide(case: SanctionCase, data: dict, actor: User) -> SanctionCase:
    """uphold (the measure proposed), reduce (a lighter one, or the same for fewer days) or
    dismiss, with a reason; by an operator who did not open the case, and not before the
    statement period is over unless the party has stated their case."""
    outcome = data["outcome"]
    before = case.status
    target = CASE_STATES.target(case.status, outcome)
    if case.opened_by_id is not None and case.opened_by_id == actor.id:
        raise Forbidden(_("The operator who opened a case cannot decide it."), code="same_operator")
    if case.status == AWAITING_STATEMENT and today_in_beijing() <= case.statement_due_on:
        raise Conflict(
            _(
                "The party may state their case until %(day)s: decide after that, or once they have.",
                day=case.statement_due_on.isoformat(),
            ),
            code="statement_period_running",
        )
    if outcome == "reduce":
        _check_lighter(case, data.get("measure"), data.get("period_days"))
        case.decided_measure, case.decided_days = data["measure"], data.get("period_days")
    elif outcome == "uphold":
        case.decided_measure, case.decided_days = case.proposed_measure, case.proposed_days
    case.status = target
    case.decided_by_id, case.decided_at, case.decision_reason = actor.id, utcnow(), data["reason"]
    db.session.flush()
    audit(
        case,
        outcome,
        actor,
        from_status=before,
        to_status=target,
        reason=data["reason"],
        details={"measure": case.decided_measure, "period_days": case.decided_days},
    )
    if target != DISMISSED:
        measures.apply(case, actor)
    return case


def _check_lighter(case: SanctionCase, measure: str | None, days: int | None) -> None:
    if measure is None:
        raise Invalid(_("A reduced decision names the lighter measure."), code="measure_required", field="measure")
    check_measure(case.party, measure, days)
    order = list(MEASURES[case.party])
    proposed, chosen = order.index(case.proposed_measure), order.index(measure)
    shorter = measure == case.proposed_measure and days is not None and days < (case.proposed_days or 0)
    if not (chosen < proposed or shorter):
        raise Invalid(
            _(
                "A reduced measure must be lighter than the one proposed (%(proposed)s).",
                proposed=case.proposed_measure,
            ),
            code="not_lighter",
            errors={
                "measure": [_("lighter than %(measure)s, or the same for fewer days", measure=case.proposed_measure)]
            },
        )


def list_cases(principal: Principal, filters: dict, page: int, per_page: int) -> Page:
    """Newest first: every case for operators; the party's own for a worker or a company admin;
    paged by cursor (`filters["cursor"]`, a page's next or previous)."""
    query = select(SanctionCase)
    if not principal.has_role(OPERATOR):
        own = [SanctionCase.worker_id == principal.worker_id] if principal.worker_id is not None else []
        own += [SanctionCase.company_id == principal.company_id] if principal.company_id is not None else []
        query = query.where(or_(false(), *own))
    for name in ("status", "worker_id", "company_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(SanctionCase, name) == filters[name])
    return paginate_by_cursor(
        query, NEWEST_FIRST, "newest", SanctionCase.id, filters.get("cursor"), per_page, page=page
    )
