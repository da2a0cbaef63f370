"""One company at a time: a worker's employment with a company, how it ends, and the offer by which
another company takes on a worker who is on file already (same record, certificate, 安心碼 and
ledger). workers.company_id names the company of the open employment; every company check in the
codebase reads it, so a company loses a worker's file the moment the employment ends. Callers
commit; these functions only flush."""

from sqlalchemy import select

from accounts.models import User
from app.clock import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from credit.ledger import append_event, recompute_company, recompute_worker
from credit.models import OFFER_TABLE, OFFERED, Company, Employment, EmploymentOffer, Worker


def open_employment(worker: Worker) -> Employment | None:
    """The worker's employment that has not ended, row-locked until commit (PostgreSQL): of two
    requests ending it at once, the second finds none."""
    return db.session.scalar(
        select(Employment)
        .where(Employment.worker_id == worker.id, Employment.ended_at.is_(None))
        .with_for_update(of=Employment)
        .execution_options(populate_existing=True)
    )


def start_employment(worker: Worker, company: Company, actor: User | None, reason: str) -> Employment:
    """The worker works for `company` from now; the open-employment index refuses a second one."""
    if open_employment(worker) is not None:
        raise Conflict(
            _("This worker works for a company already; that employment must end first."),
            code="worker_employed",
            field="company_id",
        )
    employment = Employment(worker_id=worker.id, company_id=company.id, started_at=utcnow())
    db.session.add(employment)
    worker.company_id, worker.company = company.id, company
    worker.updated_at = utcnow()
    db.session.flush()
    append_event(worker, "employment", 0, actor, reason=reason, after={"company_id": company.id})
    recompute_worker(worker)
    return employment


def end_employment(worker: Worker, actor: User, role: str, reason: str | None) -> Employment:
    """Ends the worker's employment now, by the company's admin, an operator or the worker: the
    company's access to the file ends with it, and its grade no longer counts the worker."""
    employment = open_employment(worker)
    if employment is None:
        raise Conflict(_("This worker works for no company now."), code="not_employed", field="company_id")
    company = employment.company
    employment.ended_at, employment.ended_by_id, employment.ended_by_role = utcnow(), actor.id, role
    employment.end_reason = reason
    worker.company_id, worker.company = None, None
    worker.updated_at = utcnow()
    db.session.flush()
    append_event(
        worker,
        "employment",
        0,
        actor,
        reason=reason or "employment ended",
        before={"company_id": company.id},
        after={"company_id": None},
    )
    recompute_worker(worker)
    recompute_company(company)
    return employment


def employment_history(worker: Worker) -> list[Employment]:
    return list(db.session.scalars(select(Employment).where(Employment.worker_id == worker.id).order_by(Employment.id)))


def offer_employment(worker: Worker, company: Company, actor: User | None) -> EmploymentOffer:
    """A company registering a worker who is on file: an offer the worker accepts through their
    account. Refused while the worker is employed (by this company or another); offering twice
    gives the same open offer."""
    if worker.company_id is not None:
        raise Conflict(
            _("This worker is registered with a company; it must end the employment first."),
            code="duplicate_id_number",
            field="id_number",
        )
    offer = db.session.scalar(
        select(EmploymentOffer).where(
            EmploymentOffer.worker_id == worker.id,
            EmploymentOffer.company_id == company.id,
            EmploymentOffer.status == OFFERED,
        )
    )
    if offer is None:
        offer = EmploymentOffer(worker_id=worker.id, company_id=company.id, offered_by_id=actor and actor.id)
        offer.company = company
        db.session.add(offer)
        db.session.flush()
    return offer


def decide_offer(offer: EmploymentOffer, action: str, actor: User) -> EmploymentOffer:
    """The worker accepts (employed by the company from now) or declines, once, as OFFER_TABLE
    allows."""
    offer.status = OFFER_TABLE.target(offer.status, action)
    offer.decided_at, offer.decided_by_id = utcnow(), actor.id
    db.session.flush()
    if action == "accept":
        worker = db.session.get_one(Worker, offer.worker_id)
        start_employment(worker, offer.company, actor, "employment offer accepted")
    return offer


def offers_to(worker: Worker, status: str | None, page: int, per_page: int) -> Page:
    query = select(EmploymentOffer).where(EmploymentOffer.worker_id == worker.id)
    if status:
        query = query.where(EmploymentOffer.status == status)
    return paginate(query.order_by(EmploymentOffer.id.desc()), page, per_page)
