"""Publishing a list: the next number of its kind in its year, and its rows copied from the
companies by one INSERT ... SELECT, best first, so the list is the companies as they stood in
that statement. Callers commit; these functions only flush."""

from sqlalchemy import func, insert, literal, select

from accounts.models import User
from app.clock import today_in_beijing, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from credit.models import COMPANY_GRADES, Company
from credit.recommendation import COMPANIES_BEST_FIRST, GRADE_RANK, recommendable_companies
from credit.scoring import current_config
from publication.demonstration import current_criteria
from publication.models import DEMONSTRATION, GRADE_LIST, NUMBER_FORMATS, Publication, PublicationEntry

ENTRY_COLUMNS = ("position", "company_id", "company_name", "credit_code", "grade", "credit_score", "district_code")


def _rows_of(companies):
    """The frozen columns of each company `companies` (a select of Company) names, best first."""
    position = func.row_number().over(order_by=COMPANIES_BEST_FIRST)
    return companies.with_only_columns(
        position,
        Company.id,
        Company.name,
        Company.credit_code,
        Company.grade,
        Company.credit_score,
        Company.district_code,
    )


def _publish(kind: str, data: dict, actor: User | None, companies, *, criteria_version: str | None = None):
    year = data.get("year") or today_in_beijing().year
    sequence = 1 + (
        db.session.scalar(
            select(func.coalesce(func.max(Publication.sequence), 0)).where(
                Publication.kind == kind, Publication.year == year
            )
        )
        or 0
    )
    publication = Publication(
        kind=kind,
        title=data["title"],
        year=year,
        sequence=sequence,
        number=NUMBER_FORMATS[kind].format(year=year, sequence=sequence),
        published_on=today_in_beijing(),
        published_at=utcnow(),
        scoring_version=current_config().version,
        criteria_version=criteria_version,
        published_by_id=actor.id if actor is not None else None,
    )
    db.session.add(publication)
    db.session.flush()  # a second list of the same number (published at the same moment) stops here: 409
    rows = _rows_of(companies).add_columns(literal(publication.id))
    db.session.execute(insert(PublicationEntry).from_select([*ENTRY_COLUMNS, "publication_id"], rows))
    db.session.expire(publication, ["entry_count"])
    return publication


def publish_grade_list(data: dict, actor: User | None) -> Publication:
    """Every graded company (at `min_grade` or above, when given) as it stands now. A sanction
    that hides a company from recommendations does not take it off the record of grades."""
    companies = select(Company).where(Company.grade.is_not(None))
    if data.get("min_grade"):
        companies = companies.where(GRADE_RANK >= COMPANY_GRADES.index(data["min_grade"]) + 1)
    if not db.session.scalar(select(func.count()).select_from(companies.subquery())):
        raise Conflict(_("No company has a grade to publish."), code="nothing_to_publish", field="min_grade")
    return _publish(GRADE_LIST, data, actor, companies)


def publish_selection(data: dict, actor: User | None) -> Publication:
    """The companies the operator chose among the 示范 candidates (publication.demonstration),
    best first. An unknown company, or one that may not be recommended, is a 422 naming it."""
    chosen = set(data["company_ids"])
    companies = recommendable_companies(select(Company).where(Company.id.in_(chosen)), today_in_beijing())
    found = set(db.session.scalars(companies.with_only_columns(Company.id)))
    unknown = sorted(chosen - found)
    if unknown:
        raise Invalid(
            _("Not a company that can be selected: %(ids)s", ids=", ".join(str(i) for i in unknown)),
            code="unknown_company",
            errors={"company_ids": [_("no such company that may be recommended: %(id)s", id=i) for i in unknown]},
        )
    return _publish(DEMONSTRATION, data, actor, companies, criteria_version=current_criteria().version)


def list_publications(kind: str | None, page: int, per_page: int) -> Page:
    """Every published list (of one kind, when given), latest first."""
    statement = select(Publication).order_by(Publication.published_at.desc(), Publication.id.desc())
    if kind:
        statement = statement.where(Publication.kind == kind)
    return paginate(statement, page, per_page)
