"""A worker's or a company's level is computed from a few index pages whatever the size of the
ledger (issue 18): a subject's events lie scattered among everyone's in time order, one heap page
each, so the scorer reads them from the subject's index alone; going back to the migration before
puts the plain indexes back."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import event

from app import create_app
from app.clock import utcnow
from app.extensions import db
from credit import ledger
from credit.models import Company, Worker

BEFORE = "0036_exam_counts"


def plans_of_the_ledger_reads(subject) -> list[str]:
    """The plans of the ledger reads the scorer sends for `subject`, every other way of reading a
    table disabled: an index-only scan shows when the index can answer the read alone."""
    sent = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM credit_events" in statement:
            sent.append((statement, parameters))

    connection = db.session.connection()
    event.listen(connection, "before_cursor_execute", remember)
    try:
        ledger.compute_level(subject, utcnow())
    finally:
        event.remove(connection, "before_cursor_execute", remember)
    for way in ("seqscan", "bitmapscan", "indexscan"):
        connection.exec_driver_sql(f"SET LOCAL enable_{way} = off")
    return [
        "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        for statement, parameters in sent
    ]


def test_a_workers_and_a_companys_ledger_are_read_from_their_index_alone(
    app, make_company, make_issued, client, operator
):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("an index-only plan is PostgreSQL's to show")
    worker = make_issued(company_id=make_company()["id"])
    for kind, subject_id in (("workers", worker["id"]), ("companies", worker["company_id"])):
        response = client.post(
            f"/api/v1/{kind}/{subject_id}/credit-events",
            json={"kind": "complaint_upheld", "value": 1, "reason": "投诉成立"},
            headers=operator,
        )
        assert response.status_code == 201, response.json
    with app.app_context():
        found = db.session.get_one(Worker, worker["id"])
        for subject in (found, db.session.get_one(Company, found.company_id)):
            plans = plans_of_the_ledger_reads(subject)
            assert plans, subject
            assert all("Index Only Scan using ix_credit_events_" in plan for plan in plans), plans


def test_going_back_before_the_ledger_pages_restores_the_plain_indexes(tmp_path):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():

        def indexes(table: str) -> set[str]:
            return {str(index["name"]) for index in sa.inspect(db.engine).get_indexes(table)}

        upgrade()
        assert "ix_scan_logs_certificate_id" not in indexes("scan_logs")
        assert "ix_bookings_resident_id" not in indexes("bookings")
        assert {"ix_credit_events_worker_id_id", "ix_credit_events_company_id_id"} <= indexes("credit_events")
        downgrade(revision=BEFORE)
        assert "ix_scan_logs_certificate_id" in indexes("scan_logs")
        assert "ix_bookings_resident_id" in indexes("bookings")
        assert {"ix_credit_events_worker_id_id", "ix_credit_events_company_id_id"} <= indexes("credit_events")
        upgrade()
        assert "ix_scan_logs_certificate_id" not in indexes("scan_logs")
