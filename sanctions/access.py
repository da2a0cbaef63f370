"""Who sees which case, listing, repair and evidence: operators every one; the party its own (the
worker's bound account for a worker's, the company's admins for a company's); to anyone else they
do not exist (404)."""

from sqlalchemy import select

from accounts.models import COMPANY_ADMIN, OPERATOR, WORKER
from app.access import Principal, require_principal
from app.errors import NotFound
from app.extensions import db
from app.i18n import _
from sanctions.models import Evidence, Listing, RepairApplication, SanctionCase


def _locked(model, record_id: int):
    """The row, locked until commit (PostgreSQL): of two decisions at once, the second sees the first's."""
    return db.session.scalar(
        select(model).where(model.id == record_id).with_for_update(of=model).execution_options(populate_existing=True)
    )


def party_role(principal: Principal, worker_id: int | None, company_id: int | None) -> str | None:
    """The role by which the caller is the party, if they are."""
    if worker_id is not None and principal.has_role(WORKER) and principal.worker_id == worker_id:
        return WORKER
    if company_id is not None and principal.has_role(COMPANY_ADMIN) and principal.company_id == company_id:
        return COMPANY_ADMIN
    return None


def _reader_role(principal: Principal, worker_id: int | None, company_id: int | None) -> str | None:
    return OPERATOR if principal.has_role(OPERATOR) else party_role(principal, worker_id, company_id)


def case_for_reader(case_id: int) -> SanctionCase:
    case = db.session.get(SanctionCase, case_id)
    if case is None or _reader_role(require_principal(), case.worker_id, case.company_id) is None:
        raise NotFound(_("No case %(id)s.", id=case_id), code="unknown_case")
    return case


def case_for_party(case_id: int) -> SanctionCase:
    """The case, row-locked, if the caller is its party (operators read it but do not state it)."""
    case = _locked(SanctionCase, case_id)
    if case is None or party_role(require_principal(), case.worker_id, case.company_id) is None:
        raise NotFound(_("No case %(id)s of yours.", id=case_id), code="unknown_case")
    return case


def locked_case(case_id: int) -> SanctionCase:
    case = _locked(SanctionCase, case_id)
    if case is None:
        raise NotFound(_("No case %(id)s.", id=case_id), code="unknown_case")
    return case


def listing_for_party(listing_id: int) -> Listing:
    listing = _locked(Listing, listing_id)
    if listing is None or party_role(require_principal(), listing.worker_id, listing.company_id) is None:
        raise NotFound(_("No listing %(id)s of yours.", id=listing_id), code="unknown_listing")
    return listing


def repair_for_reader(repair_id: int) -> RepairApplication:
    repair = db.session.get(RepairApplication, repair_id)
    if repair is None or _reader_role(require_principal(), repair.listing.worker_id, repair.listing.company_id) is None:
        raise NotFound(_("No repair application %(id)s.", id=repair_id), code="unknown_repair")
    return repair


def locked_repair(repair_id: int) -> RepairApplication:
    repair = _locked(RepairApplication, repair_id)
    if repair is None:
        raise NotFound(_("No repair application %(id)s.", id=repair_id), code="unknown_repair")
    return repair


def evidence_for_reader(evidence_id: int) -> tuple[Evidence, str, SanctionCase]:
    """The evidence, the role allowing the caller to read it, and its case."""
    evidence = db.session.get(Evidence, evidence_id)
    case = db.session.get(SanctionCase, evidence.case_id) if evidence is not None else None
    role = _reader_role(require_principal(), case.worker_id, case.company_id) if case is not None else None
    if evidence is None or case is None or role is None:
        raise NotFound(_("No evidence %(id)s.", id=evidence_id), code="unknown_evidence")
    return evidence, role, case
