"""Booking reminders: when a booking's day-before reminder was queued, so it is queued once, and
an index on the start time to find tomorrow's bookings across stations.

Revision ID: 0006_booking_reminders
Revises: 0005_booking
Create Date: 2026-11-26 18:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_booking_reminders"
down_revision = "0005_booking"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "bookings",
        sa.Column(
            "reminder_queued_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="the day-before reminder was queued; a reschedule clears it",
        ),
    )
    op.create_index("ix_bookings_starts_at", "bookings", ["starts_at"], unique=False)


def downgrade():
    op.drop_index("ix_bookings_starts_at", table_name="bookings")
    op.drop_column("bookings", "reminder_queued_at")
