"""The statistics' rollups (industry_statistics.models): bookings per station and certificate
moves per district, per Beijing day and month, and how far each reaches; and the indexes by time
on booking events, follow-ups and complaints, by which the rollup job and each figure find the
bookings changed since the rollup was last brought up to date.

Revision ID: 0028_statistics_rollups
Revises: 0027_booking_in_one_statement
Create Date: 2026-12-02 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028_statistics_rollups"
down_revision = "0027_booking_in_one_statement"
branch_labels = None
depends_on = None

BOOKING_COUNTS = ("bookings", "completed", "cancelled", "follow_ups", "satisfied", "complained")


def upgrade():
    op.create_table(
        "statistics_rollup_marks",
        sa.Column("name", sa.String(length=20), nullable=False, comment="bookings or certificates"),
        sa.Column("through", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_statistics_rollup_marks")),
    )
    op.create_table(
        "statistics_booking_counts",
        sa.Column("span", sa.String(length=5), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in BOOKING_COUNTS),
        sa.CheckConstraint("span IN ('day', 'month')", name=op.f("ck_statistics_booking_counts_span")),
        sa.PrimaryKeyConstraint("span", "first_day", "station_code", name=op.f("pk_statistics_booking_counts")),
    )
    op.create_table(
        "statistics_certificate_counts",
        sa.Column("span", sa.String(length=5), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=12), nullable=False),
        sa.Column("what", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("span IN ('day', 'month')", name=op.f("ck_statistics_certificate_counts_span")),
        sa.PrimaryKeyConstraint("span", "first_day", "district", "what", name=op.f("pk_statistics_certificate_counts")),
    )
    op.create_index("ix_booking_events_created_at", "booking_events", ["created_at"])
    op.create_index("ix_booking_follow_ups_created_at", "booking_follow_ups", ["created_at"])
    op.create_index("ix_booking_complaints_submitted_at", "booking_complaints", ["submitted_at"])


def downgrade():
    op.drop_index("ix_booking_complaints_submitted_at", table_name="booking_complaints")
    op.drop_index("ix_booking_follow_ups_created_at", table_name="booking_follow_ups")
    op.drop_index("ix_booking_events_created_at", table_name="booking_events")
    op.drop_table("statistics_certificate_counts")
    op.drop_table("statistics_booking_counts")
    op.drop_table("statistics_rollup_marks")
