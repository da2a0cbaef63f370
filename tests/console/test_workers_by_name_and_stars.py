"""The console's worker list sorted by name (姓名) or by stars reads its page from an index of
that order, from the cursor's row on, never by sorting every worker of the city (93 and 111 ms
at 100,000 workers); going back before migration 0044 drops the two indexes."""

import html
import re

import pytest
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.factories import statements_with_parameters

BEFORE = "0043_follow_ups_due"
INDEXES = {"name": "ix_workers_name_id", "stars": "ix_workers_stars_first"}


@pytest.mark.parametrize("order", sorted(INDEXES))
def test_a_page_of_the_workers_by_name_or_stars_is_read_from_its_index(
    order, client, isolated, console_session, make_applicant
):
    if isolated.dialect.name != "postgresql":
        pytest.skip("the plan is PostgreSQL's to show")
    for n in range(5):
        make_applicant(name=f"工人{n}")
    console_session(client, "operator")
    first = client.get(f"/console/workers?sort={order}&per_page=2")
    assert first.status_code == 200
    onwards = re.search(r'<a href="(\?[^"]*)"[^>]*>下一页</a>', first.get_data(as_text=True))
    assert onwards, "the first page offers no 下一页"
    with statements_with_parameters(isolated) as sent:
        assert client.get("/console/workers" + html.unescape(onwards.group(1))).status_code == 200
    (page,) = [(statement, parameters) for statement, parameters in sent if "workers.name" in statement]
    # Five workers are a table PostgreSQL would rather read whole and sort; with that way closed,
    # the page's keys are the index's range from the cursor's row (the page's rows alone sorted).
    isolated.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(row[0] for row in isolated.exec_driver_sql(f"EXPLAIN {page[0]}", page[1]))
    assert f"using {INDEXES[order]} on workers" in plan, plan


def test_going_back_before_the_orders_indexes_drops_them(tmp_path):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():

        def indexes() -> set[str]:
            # SQLAlchemy does not reflect SQLite's index of an expression: its catalogue names it.
            with db.engine.connect() as connection:
                listed = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'workers'"
                return set(connection.exec_driver_sql(listed).scalars())

        upgrade()
        assert set(INDEXES.values()) <= indexes()
        downgrade(revision=BEFORE)
        assert not set(INDEXES.values()) & indexes()
        upgrade()
        assert set(INDEXES.values()) <= indexes()
