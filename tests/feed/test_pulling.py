"""The city's platform pulls the feed in pages with its own key: JSON or CSV, from a moment on,
each record once, however the pages fall while changes go on; every pull on record."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select

from app.extensions import db
from credit.models import Company
from feed.models import FeedRecord
from feed.pulling import SINCE_MARGIN
from feed.records import publish_record
from tests.factories import new_credit_code, plan_nodes
from tests.plugins.feed import FEED_PATH

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def a_company() -> Company:
    """A company as the feed names it: it need not be a row for its records to be written."""
    return Company(name="羊城好帮手家政服务有限公司", credit_code=new_credit_code())


def publish(app, count: int, occurred_at: datetime = T0) -> list[int]:
    """`count` committed grade changes, one transaction each; their record ids."""
    made = []
    with app.app_context():
        for n in range(count):
            company = a_company()
            record = publish_record(
                "company_grade_changed",
                occurred_at + timedelta(minutes=n),
                company,
                grade_before="A",
                grade_after="2A",
                scoring_version="placeholder-1",
            )
            db.session.commit()
            made.append(record.id)
    return made


def pull_all(client, headers, **first) -> tuple[list[int], list[dict]]:
    """Every page from `first`'s parameters on until has_more is false: the ids served, and the
    pages' bodies."""
    served, pages, query = [], [], {"limit": 2, **first}
    while True:
        response = client.get(FEED_PATH, query_string=query, headers=headers)
        assert response.status_code == 200, response.json
        pages.append(response.json)
        served += [record["id"] for record in response.json["records"]]
        if not response.json["has_more"]:
            return served, pages
        query = {"limit": query["limit"], "cursor": response.json["next_cursor"]}


def test_pages_give_every_record_once_in_the_order_they_committed(app, committed_key):
    made = publish(app, 5)
    served, pages = pull_all(app.test_client(), committed_key)
    assert served == made
    assert [len(page["records"]) for page in pages] == [2, 2, 1]
    assert all(page["version"] == "v1" for page in pages)
    assert {record["feed_version"] for page in pages for record in page["records"]} == {"v1"}


def test_records_committed_between_pages_come_on_the_next_pages_and_an_empty_page_keeps_the_cursor(app, committed_key):
    client = app.test_client()
    first = publish(app, 3)
    page = client.get(FEED_PATH, query_string={"limit": 2}, headers=committed_key).json
    later = publish(app, 2)
    served = [record["id"] for record in page["records"]]
    cursor = page["next_cursor"]
    while True:
        page = client.get(FEED_PATH, query_string={"limit": 2, "cursor": cursor}, headers=committed_key).json
        served += [record["id"] for record in page["records"]]
        if not page["records"]:
            break
        cursor = page["next_cursor"]
    assert served == first + later
    assert page["next_cursor"] == cursor and page["has_more"] is False
    more = publish(app, 1)
    page = client.get(FEED_PATH, query_string={"cursor": cursor}, headers=committed_key).json
    assert [record["id"] for record in page["records"]] == more


def test_since_gives_the_changes_from_that_moment_and_the_cursor_keeps_it(app, committed_key):
    publish(app, 2, occurred_at=T0 - timedelta(days=1))
    recent = publish(app, 3)
    served, _pages = pull_all(app.test_client(), committed_key, since=T0.isoformat())
    assert served == recent
    served, _pages = pull_all(app.test_client(), committed_key, since="2026-11-01T16:01:00+08:00")
    assert served == recent[1:]


def recorded(app, *moments: datetime) -> list[int]:
    """Records of changes that occurred and were recorded at `moments`, one transaction each."""
    with app.app_context():
        engine = db.engine
    made = []
    for moment in moments:
        with engine.begin() as connection:
            made.append(insert_record(connection, moment))
    return made


def test_a_first_page_from_a_moment_gives_the_changes_since_then_and_skips_what_was_recorded_long_before(
    app, committed_key
):
    """Records recorded well before the moment are not read at all (on PostgreSQL's plan), yet a
    change of the margin before it (a job's, dated at its start) is left out and every change
    since then served, also one recorded in the margin."""
    month_before = [T0 - timedelta(days=30, minutes=n) for n in range(30, 0, -1)]
    old = recorded(app, *month_before)
    in_margin = recorded(app, T0 - SINCE_MARGIN / 2)
    since = recorded(app, T0, T0 + timedelta(minutes=1), T0 + timedelta(days=1))
    with app.app_context():
        engine = db.engine
    sent: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        if "FROM feed_records" in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        served, pages = pull_all(app.test_client(), committed_key, since=T0.isoformat())
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert served == since
    assert old and in_margin and len(pages) == 2
    if engine.dialect.name == "postgresql":
        statement, parameters = sent[0]
        with engine.connect() as connection:
            scans = [
                node
                for node in plan_nodes(connection, statement, parameters)
                if node.get("Relation Name") == "feed_records" and "Scan" in node["Node Type"]
            ]
        read = sum(node["Actual Rows"] + node.get("Rows Removed by Filter", 0) for node in scans)
        assert read <= 2 + 1 + 1 + len(in_margin) + 1  # the page and one more, the start found, the margin


def insert_record(connection, moment: datetime = T0) -> int:
    """A record written on `connection`, in whatever transaction it has open."""
    return connection.execute(
        insert(FeedRecord)
        .values(
            kind="company_grade_changed",
            occurred_at=moment,
            recorded_at=moment,
            subject_type="company",
            credit_code=new_credit_code(),
            payload={"company_name": "羊城家政", "grade_before": "A", "grade_after": "2A"},
        )
        .returning(FeedRecord.id)
    ).scalar_one()


def test_two_overlapping_transactions_the_later_id_committing_first_nothing_is_skipped(app, committed_key):
    """Transaction A writes a record, then B writes one (a larger id) and commits while A is still
    open: a cursor on the id would serve B's and step past A's for good. The feed holds B's back
    until A ends, then serves both, each once. (PostgreSQL: SQLite lets one writer at a time, so
    there B would wait for A and the ids would be the commit order.)"""
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: its transactions cannot overlap")
    early = publish(app, 1)
    with engine.connect() as a, engine.connect() as b:
        record_a = insert_record(a)
        record_b = insert_record(b)
        b.commit()
        assert record_a < record_b
        with engine.connect() as onlooker:
            visible = set(onlooker.execute(select(FeedRecord.id)).scalars())
        assert record_b in visible and record_a not in visible, "an id cursor would serve B and pass A"
        page = client.get(FEED_PATH, headers=committed_key).json
        served = [record["id"] for record in page["records"]]
        assert served == early, "B's record is held back while A may still commit"
        a.commit()
        page = client.get(FEED_PATH, query_string={"cursor": page["next_cursor"]}, headers=committed_key).json
        served += [record["id"] for record in page["records"]]
    assert served == [*early, record_a, record_b]


WRITERS, RECORDS_EACH = 4, 6


def test_pages_pulled_while_writers_commit_out_of_order_miss_and_repeat_nothing(app, committed_key):
    """Writers hold their transactions open for a while after writing, so commits come out of id
    order, while the platform pulls small pages all along; once they are done it drains the feed."""
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    written: list[int] = []
    errors: list[BaseException] = []

    def write(seed: int) -> None:
        try:
            for n in range(RECORDS_EACH):
                with engine.connect() as connection:
                    record = insert_record(connection)
                    time.sleep(0.002 * ((seed + n) % 4))
                    connection.commit()
                    written.append(record)
        except BaseException as error:  # reported by the test below
            errors.append(error)

    writers = [threading.Thread(target=write, args=(seed,)) for seed in range(WRITERS)]
    for writer in writers:
        writer.start()
    served, query = [], {"limit": 3}
    while any(writer.is_alive() for writer in writers) or query.get("cursor") is None:
        page = client.get(FEED_PATH, query_string=query, headers=committed_key).json
        served += [record["id"] for record in page["records"]]
        query = {"limit": 3, "cursor": page["next_cursor"]}
    for writer in writers:
        writer.join(30)
    while True:
        page = client.get(FEED_PATH, query_string=query, headers=committed_key).json
        served += [record["id"] for record in page["records"]]
        query["cursor"] = page["next_cursor"]
        if not page["has_more"]:
            break
    assert errors == []
    assert len(served) == len(set(served)), "a record was served twice"
    assert sorted(served) == sorted(written) and len(written) == WRITERS * RECORDS_EACH
