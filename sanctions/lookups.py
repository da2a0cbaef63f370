"""Reading the 失信名单: the public look-up by certificate number or 统一社会信用代码, the public list
of current listings, and a company admin's check of a worker by ID number before hiring (logged:
who, when, which worker, what it answered). A party is listed while its listing has not ended and
today (Beijing) is within its dates: the end date needs no job to take effect."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.models import COMPANY_ADMIN, OPERATOR
from app.access import Principal
from app.clock import today_in_beijing, utcnow
from app.errors import NotFound
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate_by_cursor
from credit.models import Certificate, Company, Worker
from credit.registry import find_worker_by_id_number
from sanctions.models import LISTED, NOT_FOUND, NOT_LISTED, WORKER_CHECK, Listing, SanctionLookUp


def _current(today: date):
    return select(Listing).where(Listing.status == LISTED, Listing.listed_from <= today, Listing.listed_until >= today)


def current_listing(*, worker_id: int | None = None, company_id: int | None = None) -> Listing | None:
    """The party's listing in force today, the one running longest if there are several."""
    party = Listing.worker_id == worker_id if worker_id is not None else Listing.company_id == company_id
    return db.session.scalars(
        _current(today_in_beijing()).where(party).order_by(Listing.listed_until.desc()).limit(1)
    ).first()


@dataclass(frozen=True)
class Standing:
    """What a look-up answers: the party as the public may see it, and its listing if it has one."""

    party: str
    name: str | None  # masked for a worker (the schema masks it)
    certificate_number: str | None
    credit_code: str | None
    listing: Listing | None

    @property
    def listed(self) -> bool:
        return self.listing is not None


def look_up(certificate_number: str | None, credit_code: str | None) -> Standing:
    if certificate_number is not None:
        certificate = db.session.scalar(select(Certificate).where(Certificate.number == certificate_number.upper()))
        if certificate is None:
            raise NotFound(_("No certificate numbered %(number)s.", number=certificate_number), code="unknown_number")
        worker = certificate.worker
        return Standing("worker", worker.name, certificate.number, None, current_listing(worker_id=worker.id))
    company = db.session.scalar(select(Company).where(Company.credit_code == (credit_code or "").upper()))
    if company is None:
        raise NotFound(_("No company with the credit code %(code)s.", code=credit_code), code="unknown_credit_code")
    return Standing("company", company.name, None, company.credit_code, current_listing(company_id=company.id))


# The 失信名单's one order, "newest" in its cursors.
LISTINGS_NEWEST_FIRST = (Listing.listed_from.desc(), Listing.id.desc())


def current_listings(party: str | None, page: int, per_page: int, cursor: str | None = None) -> Page:
    """The listings in force today, newest first, paged by cursor: the page's ids picked by their
    own columns first, then read with their case, parties and the worker's certificate number
    (shown) by those ids alone (joined to every listing in force, or to a subquery of the page's
    ids, the planner joined every listing and hashed every company of the city to keep a page)."""
    query = _current(today_in_beijing())
    if party == "worker":
        query = query.where(Listing.worker_id.is_not(None))
    elif party == "company":
        query = query.where(Listing.company_id.is_not(None))
    shown = (joinedload(Listing.worker).joinedload(Worker.certificate),)
    return paginate_by_cursor(
        query, LISTINGS_NEWEST_FIRST, "newest", Listing.id, cursor, per_page, page=page, load=shown, keys_first=True
    )


@dataclass(frozen=True)
class WorkerCheck:
    found: bool  # a worker with the ID number is on file
    standing: Standing | None


def check_worker(id_number: str, principal: Principal) -> WorkerCheck:
    """A company admin's (or an operator's) check of a worker before hiring. Every check is
    logged, whatever it finds."""
    worker = find_worker_by_id_number(id_number)
    listing = current_listing(worker_id=worker.id) if worker is not None else None
    result = NOT_FOUND if worker is None else (LISTED if listing is not None else NOT_LISTED)
    db.session.add(
        SanctionLookUp(
            what=WORKER_CHECK,
            viewer_id=principal.user.id,
            viewer_role=COMPANY_ADMIN if principal.has_role(COMPANY_ADMIN) else OPERATOR,
            worker_id=worker.id if worker is not None else None,
            result=result,
            looked_up_at=utcnow(),
        )
    )
    db.session.flush()
    if worker is None:
        return WorkerCheck(False, None)
    number = worker.certificate.number if worker.certificate is not None else None
    return WorkerCheck(True, Standing("worker", worker.name, number, None, listing))
