"""Objections (异议) to ledger events: the worker objects to an event on their own ledger, a company's
admin to one on their company's; an operator upholds it (a compensating event neutralises the
event, the ledger staying append-only, and the level moves in the same transaction) or rejects it
with a reason. Moves follow OBJECTION_TABLE; each step is also a ledger row of kind `objection`.
Callers commit; these functions only flush."""

from sqlalchemy import false, or_, select

from accounts.models import COMPANY_ADMIN, OPERATOR, WORKER, User
from app.access import Principal
from app.clock import utcnow
from app.errors import Conflict, NotFound
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from credit.ledger import append_event, recompute_company, recompute_worker
from credit.models import OBJECTION_TABLE, OPEN, Company, CreditEvent, Objection, Worker

# Kinds that record an objection's own steps: objecting to them would object to the objection.
NOT_OBJECTABLE = ("objection", "objection_upheld")


def event_for_objector(event_id: int, principal: Principal) -> CreditEvent:
    """The event, if it is on the caller's own ledger (a worker's own, a company admin's
    company's); anyone else's is a 404, so its existence is not revealed."""
    event = db.session.get(CreditEvent, event_id)
    if event is None or not (
        (principal.worker_id is not None and event.worker_id == principal.worker_id)
        or (principal.company_id is not None and event.company_id == principal.company_id)
    ):
        raise NotFound(_("No credit event %(id)s on your ledger.", id=event_id), code="unknown_event")
    return event


def _subject(event: CreditEvent) -> Worker | Company:
    if event.worker_id is not None:
        return db.session.get_one(Worker, event.worker_id)
    return db.session.get_one(Company, event.company_id)


def file_objection(event: CreditEvent, principal: Principal, reason: str) -> Objection:
    """One open objection per event (a unique index holds it against two at once)."""
    if event.kind in NOT_OBJECTABLE:
        raise Conflict(_("An objection's own record cannot be objected to."), code="not_objectable", field="event_id")
    if db.session.scalar(select(CreditEvent.id).where(CreditEvent.neutralises_id == event.id)) is not None:
        raise Conflict(_("This event no longer counts: an objection to it was upheld."), code="event_neutralised")
    if db.session.scalar(select(Objection.id).where(Objection.event_id == event.id, Objection.status == OPEN)):
        raise Conflict(_("An objection to this event is open already."), code="objection_open", field="event_id")
    objection = Objection(
        event_id=event.id,
        worker_id=event.worker_id,
        company_id=event.company_id,
        objector_id=principal.user.id,
        objector_role=WORKER if event.worker_id is not None else COMPANY_ADMIN,
        reason=reason,
        status=OPEN,
        created_at=utcnow(),
    )
    objection.event = event
    db.session.add(objection)
    db.session.flush()
    _audit(objection, principal.user, "objection filed")
    return objection


def decide(objection: Objection, action: str, actor: User, reason: str) -> Objection:
    """uphold or reject, once. Upheld, the event is neutralised by a compensating ledger event and
    the subject's level is recomputed at once (a scan shows it after the commit)."""
    objection.status = OBJECTION_TABLE.target(objection.status, action)
    objection.decided_at, objection.decided_by_id, objection.decision_reason = utcnow(), actor.id, reason
    subject = _subject(objection.event)
    if action == "uphold":
        compensating = append_event(
            subject,
            "objection_upheld",
            0,
            actor,
            reason=reason,
            source_ref=f"objection:{objection.id}",
            before={"event_id": objection.event_id, "kind": objection.event.kind, "value": objection.event.value},
            neutralises=objection.event,
        )
        objection.compensating_event_id = compensating.id
        if isinstance(subject, Worker):
            recompute_worker(subject)
        else:
            recompute_company(subject)
    else:
        _audit(objection, actor, "objection rejected")
    db.session.flush()
    return objection


def _audit(objection: Objection, actor: User, what: str) -> None:
    append_event(
        _subject(objection.event),
        "objection",
        0,
        actor,
        reason=what,
        source_ref=f"objection:{objection.id}",
        after={"event_id": objection.event_id, "status": objection.status},
    )


def objection_for_caller(objection_id: int, principal: Principal) -> Objection:
    """Operators see every objection; the worker and the company admin their own ledger's."""
    objection = db.session.get(Objection, objection_id)
    if objection is None or not _visible(objection, principal):
        raise NotFound(_("No objection %(id)s.", id=objection_id), code="unknown_objection")
    return objection


def _visible(objection: Objection, principal: Principal) -> bool:
    return (
        principal.has_role(OPERATOR)
        or (principal.worker_id is not None and objection.worker_id == principal.worker_id)
        or (principal.company_id is not None and objection.company_id == principal.company_id)
    )


def list_objections(principal: Principal, filters: dict, page: int, per_page: int) -> Page:
    """Newest first. Operators may filter by worker and company; the others see their own
    ledger's only, whatever they ask."""
    query = select(Objection)
    if not principal.has_role(OPERATOR):
        own = [Objection.worker_id == principal.worker_id] if principal.worker_id is not None else []
        own += [Objection.company_id == principal.company_id] if principal.company_id is not None else []
        query = query.where(or_(false(), *own))
    for name in ("status", "worker_id", "company_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(Objection, name) == filters[name])
    return paginate(query.order_by(Objection.id.desc()), page, per_page)
