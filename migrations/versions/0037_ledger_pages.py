"""Pages one person's rows cost in the biggest tables (issue 18): a subject's ledger is read from its
index alone (the scorer's columns and, for a worker, the actor that rated_since asks for, in the
index; a worker's events lie scattered in time order, one heap page each), each subject's index
holding its own rows only (not the other subject's NULLs: 153 MB of the company index at scale 1
were workers' events); and the indexes that no reader needs beside a wider one with the same
leading column, each kept on every write, are dropped: a scan log row's certificate
(ix_scan_logs_certificate_id_scanned_at reads it) and a booking's resident
(uq_bookings_resident_idempotency_key).

At scale 1 (5,124,407 ledger events) the worker index took 7-9 s to build, the company index
under 1 s, on an idle PostgreSQL.

Revision ID: 0037_ledger_pages
Revises: 0036_exam_counts
Create Date: 2026-12-03 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0037_ledger_pages"
down_revision = "0036_exam_counts"
branch_labels = None
depends_on = None

# Each subject's ledger index: its column and what it carries beside the key (PostgreSQL only).
LEDGERS = (
    ("ix_credit_events_worker_id_id", "worker_id", ["kind", "value", "created_at", "neutralises_id", "actor_id"]),
    ("ix_credit_events_company_id_id", "company_id", ["kind", "value", "created_at", "neutralises_id"]),
)
REDUNDANT = (
    ("ix_scan_logs_certificate_id", "scan_logs", "certificate_id"),
    ("ix_bookings_resident_id", "bookings", "resident_id"),
)


def upgrade():
    for name, column, carried in LEDGERS:
        op.drop_index(name, table_name="credit_events")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            name,
            "credit_events",
            [column, "id"],
            postgresql_include=carried,
            postgresql_where=where,
            sqlite_where=where,
        )
    for name, table, _column in REDUNDANT:
        op.drop_index(name, table_name=table)


def downgrade():
    for name, table, column in REDUNDANT:
        op.create_index(name, table, [column])
    for name, column, _carried in LEDGERS:
        op.drop_index(name, table_name="credit_events")
        op.create_index(name, "credit_events", [column, "id"])
