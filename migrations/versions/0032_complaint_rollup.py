"""The complaint figures' rollup (industry_statistics.models): per Beijing month of submission and
district, the booking complaints settled when the job last ran (their counts, and their hours to
decide in order, so that a percentile is read from the few ranks around it); and the indexes by
which each figure finds the complaints not settled then (undecided, decided since, or with a
response deadline still to pass), instead of joining the period's complaints to every booking.

Revision ID: 0032_complaint_rollup
Revises: 0031_company_cohort
Create Date: 2026-12-02 18:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0032_complaint_rollup"
down_revision = "0031_company_cohort"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "statistics_complaint_counts",
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=12), nullable=False, comment="'' for every district"),
        sa.Column("decided", sa.Integer(), nullable=False),
        sa.Column("answered_late", sa.Integer(), nullable=False),
        sa.Column("decided_late", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("first_day", "district", name=op.f("pk_statistics_complaint_counts")),
    )
    op.create_table(
        "statistics_complaint_hours",
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=12), nullable=False, comment="'' for every district"),
        sa.Column("rank", sa.Integer(), nullable=False, comment="1: the quickest decided"),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("first_day", "district", "rank", name=op.f("pk_statistics_complaint_hours")),
    )
    op.create_index("ix_booking_complaints_decided_at", "booking_complaints", ["decided_at"])
    op.create_index("ix_booking_complaints_respond_by", "booking_complaints", ["respond_by"])


def downgrade():
    op.drop_index("ix_booking_complaints_respond_by", table_name="booking_complaints")
    op.drop_index("ix_booking_complaints_decided_at", table_name="booking_complaints")
    op.drop_table("statistics_complaint_hours")
    op.drop_table("statistics_complaint_counts")
