"""A resident paging through the public company list from deep inside a grade reads a page's
worth of the index from the cursor on, not every company of the grade before it (issue 18: 492
index entries and 519 heap pages for a page of 20 at scale 1); a company whose score is not yet
known still comes after its grade's scored ones; going back before the migration restores the
index the old order read."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from credit import registry
from tests.factories import new_credit_code, plan_nodes, statements_with_parameters

BEFORE = "0041_companies_by_grade"
PER_PAGE = 5


@pytest.fixture
def one_grade(app, isolated):
    """Thirty 3A companies, each with a score of its own, and two whose score is not yet known."""
    with app.app_context():
        for n in range(32):
            company = registry.create_company(
                {"name": f"家政{n}", "credit_code": new_credit_code(), "district_code": "440106"}, None
            )
            company.grade, company.credit_score = "3A", (None if n >= 30 else 60.0 + n)
        db.session.commit()


def test_a_page_deep_inside_a_grade_reads_the_index_from_the_cursor_on(client, isolated, one_grade):
    if isolated.dialect.name != "postgresql":
        pytest.skip("the plan is PostgreSQL's to show")
    page = client.get("/api/v1/companies", query_string={"per_page": PER_PAGE}).json
    for _ in range(3):  # the fifth page: twenty companies of the same grade before it
        page = client.get("/api/v1/companies", query_string={"per_page": PER_PAGE, "cursor": page["next"]}).json
    with statements_with_parameters(isolated) as sent:
        deep = client.get("/api/v1/companies", query_string={"per_page": PER_PAGE, "cursor": page["next"]}).json
    assert [company["credit_score"] for company in deep["items"]] == [69.0, 68.0, 67.0, 66.0, 65.0]
    (shown,) = [(statement, parameters) for statement, parameters in sent if "companies.name" in statement]
    # Read in the index's order as on a table of the city's size, where a bitmap would not stop at the page.
    isolated.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    scans = [node for node in plan_nodes(isolated, *shown) if node.get("Index Name") == "ix_companies_best_first"]
    assert scans, "the page's keys are picked from the grade list's index"
    for scan in scans:  # the page's keys and one more (does a page follow?), after the cursor's own row
        assert scan["Actual Rows"] <= PER_PAGE + 1 and scan.get("Rows Removed by Filter", 0) <= 1, scan


def test_a_company_whose_score_is_not_yet_known_comes_after_its_grades_scored_ones(client, one_grade):
    scores, page = [], {"next": None}
    while True:
        query = {"per_page": 7} | ({"cursor": page["next"]} if page["next"] else {})
        page = client.get("/api/v1/companies", query_string=query).json
        scores += [company["credit_score"] for company in page["items"]]
        if not page["next"]:
            break
    assert scores == [60.0 + n for n in reversed(range(30))] + [None, None]


def test_going_back_before_the_range_restores_the_index_of_the_nullable_score(tmp_path):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():

        def definition() -> str:
            with db.engine.connect() as connection:
                query = sa.text("SELECT sql FROM sqlite_master WHERE name = 'ix_companies_best_first'")
                return connection.scalar(query).lower()

        upgrade()
        assert "coalesce(credit_score, -1) desc" in definition()
        downgrade(revision=BEFORE)
        assert "coalesce" not in definition() and "credit_score desc" in definition()
        upgrade()
        assert "coalesce(credit_score, -1) desc" in definition()
