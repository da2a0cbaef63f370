"""The companies of a district by grade are counted from an index of the district and the grade
alone, not read from the table (issue 18: 273 rows on 55 heap pages for Tianhe at scale 1, and
growing with the registry); going back to the migration before puts the district's plain index back."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.factories import statements_with_parameters

BEFORE = "0040_class_counts"
TIANHE = "440106"


def test_the_companies_of_a_district_by_grade_are_counted_from_the_index_alone(
    client, isolated, operator, make_company
):
    if isolated.dialect.name != "postgresql":
        pytest.skip("an index-only plan is PostgreSQL's to show")
    for _ in range(3):
        make_company(district_code=TIANHE)
    with statements_with_parameters(isolated) as sent:
        answer = client.get("/api/v1/statistics/companies", query_string={"district": TIANHE}, headers=operator)
    assert answer.status_code == 200 and answer.json["total"] == 3
    (counting,) = [(statement, parameters) for statement, parameters in sent if "FROM companies" in statement]
    # Three companies are a table PostgreSQL would rather read whole; with that way closed, the
    # count is read from the index of the district and the grade. (Whether it then visits the
    # table depends on the visibility map of rows just written: not something to pin here.)
    isolated.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(row[0] for row in isolated.exec_driver_sql(f"EXPLAIN {counting[0]}", counting[1]))
    assert "using ix_companies_district_code_grade" in plan or "on ix_companies_district_code_grade" in plan, plan


def test_going_back_before_the_grade_index_restores_the_districts_index(tmp_path):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():

        def indexes() -> set[str]:
            return {str(index["name"]) for index in sa.inspect(db.engine).get_indexes("companies")}

        upgrade()
        assert "ix_companies_district_code_grade" in indexes() and "ix_companies_district_code" not in indexes()
        downgrade(revision=BEFORE)
        assert "ix_companies_district_code" in indexes() and "ix_companies_district_code_grade" not in indexes()
        upgrade()
        assert "ix_companies_district_code_grade" in indexes() and "ix_companies_district_code" not in indexes()
