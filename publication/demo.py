"""The demo lists for the embedded default: this year's grade list and a 示范 selection of the
demo companies, both labelled 【演示】. Never in production; loading it twice changes nothing."""

from sqlalchemy import select

from app.clock import today_in_beijing
from app.extensions import db
from credit.demo import DEMO_LABEL
from credit.models import Company
from publication.models import Publication
from publication.publishing import publish_grade_list, publish_selection


def _titles() -> tuple[str, str]:
    year = today_in_beijing().year
    return f"{DEMO_LABEL}{year}年度广州市家政服务企业信用等级名单", f"{DEMO_LABEL}{year}年度诚信示范企业"


def load_demo() -> list[Publication]:
    """Publishes whichever of the two demo lists is not there yet; returns what it published.
    The selection is of the demo companies (credit demo), whether or not they meet the criteria:
    it shows the shape of a published selection, not a real one."""
    grade_title, selection_title = _titles()
    existing = set(db.session.scalars(select(Publication.title).where(Publication.title.in_(_titles()))))
    published = []
    if grade_title not in existing and db.session.scalar(select(Company.id).where(Company.grade.is_not(None))):
        published.append(publish_grade_list({"title": grade_title}, None))
    demo_companies = list(db.session.scalars(select(Company.id).where(Company.name.startswith(DEMO_LABEL))))
    if selection_title not in existing and demo_companies:
        published.append(publish_selection({"title": selection_title, "company_ids": demo_companies}, None))
    return published
