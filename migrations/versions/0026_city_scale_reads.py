"""Indexes for the lists read at city scale (issue 18): a station's bookings in their order with
their status, so a page, a deep page and the count are read from the index alone (it replaces
the index of the station and start time, which it begins with); the public grade list in its
order (grade rank, score, id: the expression credit.models.grade_rank writes), with the 失信
dates it filters by; the ledger's certificate moves by time, which the certificate statistics
read (a tenth of the ledger or less), instead of the whole ledger.

Revision ID: 0026_city_scale_reads
Revises: 0025_engagement_complaints
Create Date: 2026-12-02 08:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026_city_scale_reads"
down_revision = "0025_engagement_complaints"
branch_labels = None
depends_on = None

GRADE_RANK = (
    "CASE WHEN grade = 'A' THEN 1 WHEN grade = '2A' THEN 2 WHEN grade = '3A' THEN 3 WHEN grade = '4A' THEN 4 "
    "WHEN grade = '5A' THEN 5 ELSE 0 END"
)


def upgrade():
    op.create_index(
        "ix_bookings_station_starts_at_id",
        "bookings",
        ["station_code", "starts_at", "id"],
        postgresql_include=["status"],
    )
    op.drop_index("ix_bookings_station_code_starts_at", table_name="bookings")
    # SQLite takes no NULLS LAST in an index, and needs none: its NULLs sort last when descending.
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.create_index(
        "ix_companies_best_first",
        "companies",
        [sa.text(f"({GRADE_RANK}) DESC"), sa.text(f"credit_score DESC{nulls_last}"), "id"],
        postgresql_include=["listed_until", "hidden_until"],
    )

    op.create_index(
        "ix_credit_events_certificate_moves",
        "credit_events",
        ["created_at", "worker_id", "id"],
        postgresql_where=sa.text("kind = 'certificate'"),
        sqlite_where=sa.text("kind = 'certificate'"),
    )


def downgrade():
    op.drop_index("ix_credit_events_certificate_moves", table_name="credit_events")
    op.drop_index("ix_companies_best_first", table_name="companies")
    op.create_index("ix_bookings_station_code_starts_at", "bookings", ["station_code", "starts_at"])
    op.drop_index("ix_bookings_station_starts_at_id", table_name="bookings")
