"""Who may act on which worker or company: operators on all of them, a company admin on its own
company and its workers only. Used by credit's routes and by wechat's (the worker's code)."""

from sqlalchemy.orm import undefer_group

from accounts.models import COMPANY_ADMIN, OPERATOR, WORKER
from app.access import current_principal, require_principal
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.i18n import _, lazy_gettext
from credit.models import PERSONAL, Company, Worker

OWN_COMPANY_ONLY = lazy_gettext("A company admin acts on its own company only.")


def worker_for_caller(worker_id: int, *, shown: bool = False) -> Worker:
    """The worker, if the caller may act on it: operators on anyone, a company admin on its own
    company's workers. Anyone else's worker is a 404, so its existence is not revealed.
    `shown`: the answer shows the worker's (masked) numbers, so they are loaded at once."""
    principal = require_principal()
    worker = db.session.get(Worker, worker_id, options=[undefer_group(PERSONAL)] if shown else None)
    if worker is None or not (
        principal.has_role(OPERATOR) or (principal.company_id is not None and worker.company_id == principal.company_id)
    ):
        raise NotFound(_("No worker %(id)s.", id=worker_id))
    return worker


# Who may read a worker's documents, the routes' roles; document_reader_role says of which worker.
DOCUMENT_READERS = (OPERATOR, COMPANY_ADMIN, WORKER)


def document_reader_role(worker: Worker) -> str | None:
    """The role by which the caller may read this worker's documents (recorded with each
    look-up): operators any worker's, a company admin its own company's, the worker their own;
    None for anyone else."""
    principal = require_principal()
    if principal.has_role(OPERATOR):
        return OPERATOR
    if (
        principal.has_role(COMPANY_ADMIN)
        and principal.company_id is not None
        and worker.company_id == principal.company_id
    ):
        return COMPANY_ADMIN
    if principal.has_role(WORKER) and principal.worker_id == worker.id:
        return WORKER
    return None


def documents_worker_for_caller(worker_id: int) -> tuple[Worker, str]:
    """The worker whose documents the caller may read, and the role that allows it; a 404 for a
    worker outside the caller's reach, as worker_for_caller."""
    worker = db.session.get(Worker, worker_id)
    role = document_reader_role(worker) if worker is not None else None
    if worker is None or role is None:
        raise NotFound(_("No worker %(id)s.", id=worker_id))
    return worker, role


def company_for_caller(company_id: int) -> Company:
    """The company, if the caller may act on it: operators on any, a company admin on its own.
    Companies are public (the grade list), so another company's admin is refused with a 403."""
    principal = require_principal()
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound(_("No company %(id)s.", id=company_id))
    if not (principal.has_role(OPERATOR) or principal.company_id == company_id):
        raise Forbidden(OWN_COMPANY_ONLY, code="own_company_only")
    return company


def own_company_unless_operator(named: dict, key: str = "company_id") -> int | None:
    """The company a request acts in: for an operator, the one `named[key]` names (or none); for
    a company admin, its own, which is also what naming none means. Naming another is a 403."""
    principal = require_principal()
    if principal.has_role(OPERATOR):
        return named.get(key)
    if named.get(key, principal.company_id) != principal.company_id:
        raise Forbidden(OWN_COMPANY_ONLY, code="own_company_only")
    return principal.company_id


def sees_company_contact(company: Company) -> bool:
    """Operators and the company's own admin see its contact as entered; anyone else (the public
    grade list) sees its public contact only."""
    principal = current_principal()
    return principal is not None and (principal.has_role(OPERATOR) or principal.company_id == company.id)
