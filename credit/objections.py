"""Objections (异议) to ledger events: the worker objects to an event on their own ledger, a company's
admin to one on their company's; an operator upholds it (a compensating event neutralises the
event, the ledger staying append-only, and the level moves in the same transaction) or rejects it
with a reason. Moves follow OBJECTION_TABLE; each step is also a ledger row of kind `objection`.
The objector may upload evidence with it (JPEG, PNG or PDF), kept private like a worker's documents
and read only by the objector and operators, each read on record. Callers commit; these functions
only flush."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import false, or_, select
from werkzeug.datastructures import FileStorage

from accounts.models import COMPANY_ADMIN, OPERATOR, WORKER, User
from app.access import Principal
from app.clock import utcnow
from app.errors import Conflict, NotFound
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from app.storage import discard_unless_committed, new_key, storage
from credit.documents import EXTENSIONS, StoredDocument, read_limited, sniffed_type
from credit.ledger import append_event, recompute_company, recompute_worker
from credit.models import OBJECTION_TABLE, OPEN, Company, CreditEvent, EvidenceLookUp, Objection, Worker

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


def file_objection(
    event: CreditEvent, principal: Principal, reason: str, evidence: FileStorage | None = None
) -> Objection:
    """One open objection per event (a unique index holds it against two at once), with the
    evidence file if one is uploaded: checked first (413, 415), stored once the row is written, and
    removed again if the transaction does not commit, so nothing is half-stored."""
    upload = _checked_evidence(evidence) if evidence is not None else None
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
        evidence_key=upload.key if upload else None,
        evidence_content_type=upload.content_type if upload else None,
        evidence_size_bytes=len(upload.data) if upload else None,
        status=OPEN,
        created_at=utcnow(),
    )
    objection.event = event
    db.session.add(objection)
    db.session.flush()
    if upload is not None:
        discard_unless_committed(upload.key)
        storage().put(upload.key, upload.data, upload.content_type)
    _audit(objection, principal.user, "objection filed")
    return objection


@dataclass(frozen=True)
class Evidence:
    key: str
    data: bytes
    content_type: str


def _checked_evidence(file: FileStorage) -> Evidence:
    """The uploaded evidence, within DOCUMENT_MAX_BYTES (413) and a JPEG, PNG or PDF by its
    content (415), under a new key; nothing is stored yet."""
    data = read_limited(file, current_app.config["DOCUMENT_MAX_BYTES"])
    return Evidence(key=new_key("objections"), data=data, content_type=sniffed_type(data))


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


def evidence_of(objection: Objection, principal: Principal) -> StoredDocument:
    """The objection's evidence file, for a caller objection_for_caller let through (operators and
    the objector's side); the read is recorded with the role that allowed it."""
    if objection.evidence_key is None or objection.evidence_content_type is None:
        raise NotFound(_("Objection %(id)s has no evidence.", id=objection.id), code="no_evidence")
    stored = StoredDocument(
        data=storage().get(objection.evidence_key),
        content_type=objection.evidence_content_type,
        filename=f"objection-{objection.id}.{EXTENSIONS[objection.evidence_content_type]}",
    )
    role = OPERATOR if principal.has_role(OPERATOR) else objection.objector_role
    db.session.add(
        EvidenceLookUp(objection_id=objection.id, viewer_id=principal.user.id, viewer_role=role, looked_up_at=utcnow())
    )
    return stored


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
