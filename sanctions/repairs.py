"""信用修复: once SANCTIONS_REPAIR_MIN_DAYS have passed since a listing began, the listed party
applies with evidence of correction (training redone, compensation paid); an operator approves
(the listing ends today, the party's date is cleared, and a compensating ledger event neutralises
the case's `breach`, as an upheld objection does) or refuses, with reasons. Moves follow
REPAIR_STATES; each is an audit row. Callers commit; these functions only flush."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import false, or_, select
from werkzeug.datastructures import FileStorage

from accounts.models import OPERATOR, User
from app.access import Principal
from app.clock import today_in_beijing, utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from credit.ledger import append_event, recompute_company, recompute_worker
from credit.models import CreditEvent, Worker
from sanctions.audit import audit
from sanctions.evidence import store_evidence
from sanctions.measures import end_listing, is_listed
from sanctions.models import (
    LISTING_STATES,
    PENDING,
    REPAIR,
    REPAIR_STATES,
    REPAIRED,
    Listing,
    RepairApplication,
)


def apply_for_repair(
    listing: Listing, principal: Principal, correction: str, file: FileStorage | None
) -> RepairApplication:
    LISTING_STATES.target(listing.status, "apply_for_repair", _("apply for credit repair"))
    today = today_in_beijing()
    if not is_listed(listing, today):
        raise Conflict(_("This listing has ended."), code="listing_ended")
    earliest = listing.listed_from + timedelta(days=current_app.config["SANCTIONS_REPAIR_MIN_DAYS"])
    if today < earliest:
        raise Conflict(
            _("Credit repair can be applied for from %(day)s.", day=earliest.isoformat()),
            code="repair_too_early",
            errors={"listing_id": [_("from %(day)s", day=earliest.isoformat())]},
        )
    if db.session.scalar(
        select(RepairApplication.id).where(
            RepairApplication.listing_id == listing.id, RepairApplication.status == PENDING
        )
    ):
        raise Conflict(_("A repair application for this listing is pending already."), code="repair_pending")
    repair = RepairApplication(
        listing_id=listing.id,
        correction=correction,
        applied_by_id=principal.user.id,
        applied_at=utcnow(),
        status=PENDING,
    )
    repair.listing = listing
    db.session.add(repair)
    db.session.flush()
    details = {"listing_id": listing.id}
    if file is not None:
        details["evidence_id"] = store_evidence(listing.case, file, REPAIR, principal.user, repair_id=repair.id).id
    audit(listing.case, "apply_for_repair", principal.user, to_status=PENDING, details=details, repair_id=repair.id)
    return repair


def decide(repair: RepairApplication, action: str, actor: User, reason: str) -> RepairApplication:
    """approve or refuse, once. Approved while the listing still runs: it ends today."""
    before = repair.status
    target = REPAIR_STATES.target(repair.status, action)
    listing = repair.listing
    if action == "approve":
        LISTING_STATES.target(listing.status, "end", _("end the listing"))
        repair.compensating_event_id = _neutralise_breach(listing, actor, reason, repair.id)
        end_listing(listing, REPAIRED, actor, today_in_beijing())
    repair.status, repair.decided_by_id, repair.decided_at, repair.decision_reason = target, actor.id, utcnow(), reason
    db.session.flush()
    audit(listing.case, action, actor, from_status=before, to_status=target, reason=reason, repair_id=repair.id)
    return repair


def _neutralise_breach(listing: Listing, actor: User, reason: str, repair_id: int) -> int | None:
    """The compensating event (kind breach_repaired, recorded only) naming the case's breach, and
    the level recomputed in the same transaction."""
    breach_id = listing.case.breach_event_id
    breach = db.session.get(CreditEvent, breach_id) if breach_id is not None else None
    already = breach is not None and db.session.scalar(
        select(CreditEvent.id).where(CreditEvent.neutralises_id == breach.id)
    )
    if breach is None or already:
        return None
    subject = listing.subject
    compensating = append_event(
        subject,
        "breach_repaired",
        0,
        actor,
        reason=reason,
        source_ref=f"repair:{repair_id}",
        before={"event_id": breach.id, "kind": breach.kind, "value": breach.value},
        neutralises=breach,
    )
    if isinstance(subject, Worker):
        recompute_worker(subject)
    else:
        recompute_company(subject)
    return compensating.id


def list_repairs(principal: Principal, filters: dict, page: int, per_page: int) -> Page:
    """Newest first: every application for operators; the party's own otherwise."""
    query = select(RepairApplication).join(RepairApplication.listing)
    if not principal.has_role(OPERATOR):
        own = [Listing.worker_id == principal.worker_id] if principal.worker_id is not None else []
        own += [Listing.company_id == principal.company_id] if principal.company_id is not None else []
        query = query.where(or_(false(), *own))
    if filters.get("status") is not None:
        query = query.where(RepairApplication.status == filters["status"])
    return paginate(query.order_by(RepairApplication.id.desc()), page, per_page)
