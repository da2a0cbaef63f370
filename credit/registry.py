"""Companies and workers: registering, editing, finding and listing them. Callers commit; these
functions only flush."""

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import joinedload, undefer_group

from accounts.models import User
from app.clock import today_in_beijing, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate_by_cursor, written
from app.privacy import blind_index
from credit.employment import offer_employment
from credit.identifiers import demographics
from credit.ledger import append_event, recompute_company, recompute_worker
from credit.models import APPLIED, PERSONAL, Certificate, Company, Employment, EmploymentOffer, Worker
from credit.recommendation import COMPANIES_BEST_FIRST, unsanctioned_companies
from credit.worker_counts import worker_counts_deferred, workers_on_file


def create_company(data: dict, actor: User | None) -> Company:
    if db.session.scalar(select(Company.id).where(Company.credit_code == data["credit_code"])):
        raise Conflict(
            _("A company with this credit code already exists."), code="duplicate_credit_code", field="credit_code"
        )
    company = Company(**data)
    db.session.add(company)
    db.session.flush()
    append_event(company, "note", 0, actor, reason="company registered", after={"name": company.name})
    recompute_company(company)
    return company


def update_company(company: Company, changes: dict, actor: User | None) -> Company:
    """Edits the contact; the ledger keeps what changed (the contact's name and number only as
    'changed': the ledger is kept for ever, the contact is personal data)."""
    changed = {name: value for name, value in changes.items() if getattr(company, name) != value}
    if not changed:
        return company

    def kept(name, value):
        return value if name == "contact_phone_public" else "(changed)"

    before = {name: kept(name, getattr(company, name)) for name in changed}
    after = {name: kept(name, value) for name, value in changed.items()}
    for name, value in changed.items():
        setattr(company, name, value)
    company.updated_at = utcnow()
    append_event(company, "note", 0, actor, reason="contact updated", before=before, after=after)
    return company


def find_worker_by_id_number(id_number: str) -> Worker | None:
    return db.session.scalar(select(Worker).where(Worker.id_number_hash == blind_index(id_number)))


def _taking_registrations(company: Company) -> None:
    """A company whose new registrations are stopped (an upheld 失信 case) registers no worker
    until the day after registrations_stopped_until."""
    stopped_until = company.registrations_stopped_until
    if stopped_until is not None and stopped_until >= today_in_beijing():
        raise Conflict(
            _("This company may register no new workers until %(day)s.", day=stopped_until.isoformat()),
            code="registrations_stopped",
            field="company_id",
        )


def create_worker(data: dict, actor: User | None) -> Worker:
    """A new applicant: the worker, a certificate in `applied`, and the opening ledger rows."""
    if find_worker_by_id_number(data["id_number"]) is not None:
        raise Conflict(_("A worker with this ID number already exists."), code="duplicate_id_number", field="id_number")
    if data.get("company_id") is not None:
        company = db.session.get(Company, data["company_id"])
        if company is None:
            raise Invalid(_("Unknown company."), code="unknown_company", errors={"company_id": [_("no such company")]})
        _taking_registrations(company)
    born = demographics(data["id_number"])
    worker = Worker(
        **data,
        id_number_hash=blind_index(data["id_number"]),
        phone_hash=data.get("phone") and blind_index(data["phone"]),
        gender=born.gender,
        birth_year=born.birth_year,
    )
    worker.certificate = Certificate(state=APPLIED)
    db.session.add(worker)
    db.session.flush()
    if worker.company_id is not None:
        db.session.add(Employment(worker_id=worker.id, company_id=worker.company_id, started_at=utcnow()))
    append_event(worker, "certificate", 0, actor, reason="application received", after={"state": APPLIED})
    append_event(worker, "experience", worker.years_of_experience, actor, reason="declared on application")
    recompute_worker(worker)
    return worker


def register_worker(data: dict, actor: User | None) -> Worker | EmploymentOffer:
    """A new applicant; or, when a company registers a worker who is on file already and works for
    no company, an offer of employment that the worker accepts (credit.employment)."""
    existing = find_worker_by_id_number(data["id_number"])
    if existing is None or data.get("company_id") is None:
        return create_worker(data, actor)
    company = db.session.get(Company, data["company_id"])
    if company is None:
        raise Invalid(_("Unknown company."), code="unknown_company", errors={"company_id": [_("no such company")]})
    _taking_registrations(company)
    return offer_employment(existing, company, actor)


def update_worker(worker: Worker, changes: dict, actor: User | None) -> Worker:
    """Edits the profile; the ledger keeps what changed (the phone only as 'changed')."""
    changed = {name: value for name, value in changes.items() if getattr(worker, name) != value}
    if not changed:
        return worker
    before = {name: ("(changed)" if name == "phone" else getattr(worker, name)) for name in changed}
    after = {name: ("(changed)" if name == "phone" else value) for name, value in changed.items()}
    for name, value in changed.items():
        setattr(worker, name, value)
    if "phone" in changed:
        worker.phone_hash = changed["phone"] and blind_index(changed["phone"])
    worker.updated_at = utcnow()
    append_event(worker, "note", 0, actor, reason="profile updated", before=before, after=after)
    if "years_of_experience" in changed:
        append_event(worker, "experience", worker.years_of_experience, actor, reason="experience updated")
    recompute_worker(worker)
    return worker


def backfill_demographics(batch_size: int = 500):
    """Gender and birth year of workers registered before they were kept, read from their ID
    numbers (decrypted here, in batches, and never written anywhere else). Yields the number done
    after each batch; flushes, the caller commits. Rows already filled are never read again, so
    running it twice is harmless."""
    while True:
        batch = db.session.scalars(
            select(Worker)
            .where(Worker.birth_year.is_(None))
            .options(undefer_group(PERSONAL))
            .order_by(Worker.id)
            .limit(batch_size)
        ).all()
        if not batch:
            return
        with worker_counts_deferred():  # a batch's counts move once, in key order: no deadlock with a rating
            for worker in batch:
                born = demographics(worker.id_number)
                worker.gender, worker.birth_year = born.gender, born.birth_year
        yield len(batch)


# The orders a list of companies or workers can be sorted in, by name (the console's column
# headers): a caller picks one of these, never a column of their own.
COMPANY_ORDERS = {
    "grade": COMPANIES_BEST_FIRST,
    "score": (Company.credit_score.desc(), Company.id),
    "name": (Company.name, Company.id),
    "district": (Company.district_code, Company.credit_score.desc(), Company.id),
    "id": (Company.id,),
}
WORKER_ORDERS = {
    "id": (Worker.id,),
    "name": (Worker.name, Worker.id),
    "stars": (Worker.stars.is_(None), Worker.stars.desc(), Worker.id),
}


def list_companies(
    grade: str | None,
    district_code: str | None,
    page: int,
    per_page: int,
    *,
    cursor: str | None = None,
    search: str | None = None,
    order: str = "grade",
    public: bool = False,
) -> Page:
    """The grade list, best first: highest grade, then score (or in another of COMPANY_ORDERS);
    `search` finds a name containing it or a credit code. The `public` list leaves out a company on
    the 失信名单 or hidden by a 失信 measure (credit.recommendation), until the day after its date.
    Paged by cursor (app.paging): "grade" reads ix_companies_best_first from the cursor's row."""
    query = select(Company)
    if public:
        query = query.where(unsanctioned_companies(today_in_beijing()))
    if search:
        query = query.where(or_(Company.name.contains(search, autoescape=True), Company.credit_code == search.upper()))
    if grade:
        query = query.where(Company.grade == grade)
    if district_code:
        query = query.where(Company.district_code == district_code)
    return paginate_by_cursor(query, COMPANY_ORDERS[order], order, Company.id, cursor, per_page, page=page)


def found_by(search: str) -> ColumnElement[bool]:
    """A worker whose name contains `search`, or whose certificate's number it is (in any case):
    how a clerk finds a worker, in a query joined to the certificate."""
    return or_(Worker.name.contains(search, autoescape=True), Certificate.number == search.upper())


def list_workers(
    company_id: int | None,
    state: str | None,
    page: int,
    per_page: int,
    *,
    cursor: str | None = None,
    search: str | None = None,
    order: str = "id",
    capped: bool = False,
) -> Page:
    """Workers by id (or in another of WORKER_ORDERS), each with its certificate and its masked
    numbers: the page's ids picked by cursor (a range of pk_workers, or of
    ix_certificates_state_worker_id in one state, from the cursor's row), then only those rows
    read, their certificates joined and the page's numbers alone decrypted. `search` finds a name
    containing it or a certificate number. Unfiltered, the total is every worker as the database
    counts them (credit.worker_counts: each worker has its one certificate), exact with no count
    of the rows; filtered, the rows are counted, and `capped` only up to LIST_COUNT_CAP
    (app.paging), as the console shows it; the API's `total` stays exact."""
    query = select(Worker).join(Worker.certificate)
    if search:
        query = query.where(found_by(search))
    if company_id is not None:
        query = query.where(Worker.company_id == company_id)
    if state:
        query = query.where(Certificate.state == written(state))
    shown = (joinedload(Worker.certificate, innerjoin=True), undefer_group(PERSONAL))
    return paginate_by_cursor(
        query,
        WORKER_ORDERS[order],
        order,
        Worker.id,
        cursor,
        per_page,
        page=page,
        load=shown,
        capped=capped,
        total=workers_on_file() if not (search or company_id is not None or state) else None,
        key_equals=(Certificate.worker_id,),
    )
