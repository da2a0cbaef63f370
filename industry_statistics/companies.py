"""Companies by grade (A–5A, computed by credit from the ledger) and district (the district each
company registered with: credit's companies.district_code)."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.i18n import lazy_gettext
from credit.models import COMPANY_GRADES, Company
from industry_statistics.charts import Chart, chart, district_axis

UNGRADED = "ungraded"


@dataclass(frozen=True)
class CompanyFigures:
    district_code: str | None
    total: int
    by_grade: Chart
    by_district: Chart


def company_figures(district_code: str | None) -> CompanyFigures:
    grade = func.coalesce(Company.grade, UNGRADED)
    graded = select(Company.district_code.label("district"), grade.label("grade"))
    if district_code:
        graded = graded.where(Company.district_code == district_code)
    rows = graded.subquery()
    counts = Counter(
        {
            (district, grade): count
            for district, grade, count in db.session.execute(
                select(rows.c.district, rows.c.grade, func.count()).group_by(rows.c.district, rows.c.grade)
            )
        }
    )
    grades = [*COMPANY_GRADES, UNGRADED]
    grade_labels = [*COMPANY_GRADES, str(lazy_gettext("ungraded"))]
    keys, labels = district_axis(district_code, with_none=False)
    by_grade: Counter = Counter()
    for (_, grade_key), count in counts.items():
        by_grade[grade_key] += count
    return CompanyFigures(
        district_code=district_code,
        total=sum(counts.values()),
        by_grade=chart(grades, grade_labels, [("companies", lazy_gettext("companies"), by_grade)]),
        by_district=chart(
            keys,
            labels,
            [
                (grade_key, label, {district: n for (district, g), n in counts.items() if g == grade_key})
                for grade_key, label in zip(grades, grade_labels, strict=True)
            ],
        ),
    )
