"""Pages one person's rows cost in the biggest tables (issue 18): a subject's ledger is scored from its
index alone (the scorer's columns and, for a worker, the actor that rated_since asks for, in the
index; a worker's events lie scattered in time order, one heap page each), each subject's index
holding its own rows only (not the other subject's NULLs: 153 MB of the company index at scale 1
were workers' events); on PostgreSQL, a worker's rows whole in worker order, those whose texts
fit an index row (all but the few long reasons), from which the explanation reads the events it
shows; and the indexes that no reader needs beside a wider one with the same
leading column, each kept on every write, are dropped: a scan log row's certificate
(ix_scan_logs_certificate_id_scanned_at reads it) and a booking's resident
(uq_bookings_resident_idempotency_key).

At scale 1 (5,124,407 ledger events), inside a rolled-back transaction: the worker index 7.1 s
(303 MB, 111 before), the company index 0.6 s (7 MB, 153 before), the worker rows 5.4 s (398 MB).

Revision ID: 0036_ledger_pages
Revises: 0035_training_rollup
Create Date: 2026-12-03 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036_ledger_pages"
down_revision = "0035_training_rollup"
branch_labels = None
depends_on = None

# Each subject's ledger index: its column and what it carries beside the key (PostgreSQL only).
LEDGERS = (
    ("ix_credit_events_worker_id_id", "worker_id", ["kind", "value", "created_at", "neutralises_id", "actor_id"]),
    ("ix_credit_events_company_id_id", "company_id", ["kind", "value", "created_at", "neutralises_id"]),
)
# A worker's rows whole (PostgreSQL only), those whose texts fit an index row (as credit.models
# says, copied here: a migration stays as it was written).
FITS_AN_INDEX_ROW = (
    "length(coalesce(reason, '')) + length(coalesce(CAST(before AS TEXT), ''))"
    " + length(coalesce(CAST(after AS TEXT), '')) <= 500"
)
ROW_COLUMNS = (
    "company_id",
    "kind",
    "value",
    "reason",
    "source_ref",
    "before",
    "after",
    "actor_id",
    "employer_id",
    "neutralises_id",
    "created_at",
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
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_credit_events_worker_rows",
            "credit_events",
            ["worker_id", "id"],
            postgresql_include=list(ROW_COLUMNS),
            postgresql_where=sa.text(f"worker_id IS NOT NULL AND {FITS_AN_INDEX_ROW}"),
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_credit_events_worker_rows", table_name="credit_events")
    for name, table, column in REDUNDANT:
        op.create_index(name, table, [column])
    for name, column, _carried in LEDGERS:
        op.drop_index(name, table_name="credit_events")
        op.create_index(name, "credit_events", [column, "id"])
