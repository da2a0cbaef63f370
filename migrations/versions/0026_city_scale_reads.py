"""Indexes for the lists read at city scale (issue 18): a station's bookings in their order with
their status, so a page, a deep page and the count are read from the index alone (it replaces
the index of the station and start time, which it begins with); follow-ups found by booking.

Revision ID: 0026_city_scale_reads
Revises: 0025_engagement_complaints
Create Date: 2026-12-02 08:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0026_city_scale_reads"
down_revision = "0025_engagement_complaints"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_bookings_station_starts_at_id",
        "bookings",
        ["station_code", "starts_at", "id"],
        postgresql_include=["status"],
    )
    op.drop_index("ix_bookings_station_code_starts_at", table_name="bookings")


def downgrade():
    op.create_index("ix_bookings_station_code_starts_at", "bookings", ["station_code", "starts_at"])
    op.drop_index("ix_bookings_station_starts_at_id", table_name="bookings")
