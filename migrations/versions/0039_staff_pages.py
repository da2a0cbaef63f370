"""The station's pages at city scale (issue 18). The desk found its bookings waiting to be
confirmed among every booking of the station's history (5,700 at the busiest station at scale 1:
3,900 heap pages read to sort 40 pending ones, 126 ms when they are not in memory), and its
complaints due among the open complaints of the whole city, each joined to its booking for its
station; two partial indexes hold only those rows: the pending bookings by station and age, the
open booking complaints by station and deadline. A page of a station's engagement requests read
and sorted every engagement of its history by first day (76 heap pages at that station, 18 ms
cold); an index of them in that order gives the page's rows by key.

Revision ID: 0039_staff_pages
Revises: 0038_worker_counts_deferred
Create Date: 2026-12-03 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0039_staff_pages"
down_revision = "0038_worker_counts_deferred"
branch_labels = None
depends_on = None

PENDING = "status = 'pending'"
OPEN = "status IN ('submitted', 'accepted')"


def upgrade():
    # Not in a batch: SQLite would copy the tables and lose their other partial indexes.
    op.create_index(
        "ix_bookings_station_pending",
        "bookings",
        ["station_code", "created_at", "id"],
        postgresql_where=sa.text(PENDING),
        sqlite_where=sa.text(PENDING),
    )
    op.create_index("ix_engagements_station_start_day_id", "engagements", ["station_code", "start_day", "id"])
    op.create_index(
        "ix_booking_complaints_station_open",
        "booking_complaints",
        ["station_code", "status", "respond_by", "resolve_by"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade():
    op.drop_index("ix_engagements_station_start_day_id", table_name="engagements")
    op.drop_index("ix_booking_complaints_station_open", table_name="booking_complaints")
    op.drop_index("ix_bookings_station_pending", table_name="bookings")
