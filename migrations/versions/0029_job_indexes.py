"""Indexes for the scheduled jobs at city scale (issue 18), so that each reads the rows it touches,
not the table: the certificates' three end dates the expiry reminders look ahead on (one scan of
every file for each item before); the open complaints by status, deadlines and severity, which
the escalation job reads in each complaint table (every complaint ever filed before); the 失信
measures of a period still running, by their last day, which end-listings reads (every case).

Revision ID: 0029_job_indexes
Revises: 0028_statistics_rollups
Create Date: 2026-12-02 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029_job_indexes"
down_revision = "0028_statistics_rollups"
branch_labels = None
depends_on = None

END_DATES = ("health_certificate_valid_until", "criminal_record_valid_until", "insurance_valid_until")
COMPLAINT_TABLES = ("booking_complaints", "door_complaints", "engagement_complaints")
OPEN_COMPLAINT = "status IN ('submitted', 'accepted')"
RUNNING_MEASURE = "measure_ended_on IS NULL AND measure_until IS NOT NULL"


def upgrade():
    for column in END_DATES:
        op.create_index(f"ix_certificates_{column}", "certificates", [column])
    for table in COMPLAINT_TABLES:
        op.create_index(
            f"ix_{table}_open",
            table,
            ["status", "respond_by", "resolve_by", "severity"],
            postgresql_where=sa.text(OPEN_COMPLAINT),
            sqlite_where=sa.text(OPEN_COMPLAINT),
        )
    op.create_index(
        "ix_sanction_cases_running_measure_until",
        "sanction_cases",
        ["measure_until"],
        postgresql_where=sa.text(RUNNING_MEASURE),
        sqlite_where=sa.text(RUNNING_MEASURE),
    )


def downgrade():
    op.drop_index("ix_sanction_cases_running_measure_until", table_name="sanction_cases")
    for table in reversed(COMPLAINT_TABLES):
        op.drop_index(f"ix_{table}_open", table_name=table)
    for column in reversed(END_DATES):
        op.drop_index(f"ix_certificates_{column}", table_name="certificates")
