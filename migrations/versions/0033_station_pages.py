"""Two console pages at city scale (issue 18). A booking complaint keeps its booking's station: the
station's complaint triage read every complaint of the city and every booking of the station to
find the station's few (12 ms at scale 1, the largest station's 5,700 bookings and 10,000
complaints); now they are read from an index of their own, the column filled from the bookings.
The companies by score, the console's default order: its first page read from an index instead
of the city's 3,000 companies sorted (1 ms → 0.1 ms).

Revision ID: 0033_station_pages
Revises: 0032_complaint_rollup
Create Date: 2026-12-02 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033_station_pages"
down_revision = "0032_complaint_rollup"
branch_labels = None
depends_on = None


COMMENT = (
    "the booking's station (a booking never changes station): a station's complaints are read from this "
    "table alone, not joined to every booking of the station"
)


def upgrade():
    op.add_column("booking_complaints", sa.Column("station_code", sa.String(length=12), nullable=True, comment=COMMENT))
    op.execute(
        "UPDATE booking_complaints SET station_code = "
        "(SELECT bookings.station_code FROM bookings WHERE bookings.id = booking_complaints.booking_id)"
    )
    with op.batch_alter_table("booking_complaints") as batch:
        batch.alter_column("station_code", existing_type=sa.String(length=12), nullable=False, existing_comment=COMMENT)
        batch.create_foreign_key("fk_booking_complaints_station_code_stations", "stations", ["station_code"], ["code"])
        batch.create_index("ix_booking_complaints_station_code_id", ["station_code", "id"])
    # Not in a batch: SQLite would copy the table and lose ix_companies_best_first (an expression).
    op.create_index("ix_companies_score_id", "companies", [sa.text("credit_score DESC"), "id"])


def downgrade():
    op.drop_index("ix_companies_score_id", table_name="companies")
    with op.batch_alter_table("booking_complaints") as batch:
        batch.drop_index("ix_booking_complaints_station_code_id")
        batch.drop_constraint("fk_booking_complaints_station_code_stations", type_="foreignkey")
        batch.drop_column("station_code")
