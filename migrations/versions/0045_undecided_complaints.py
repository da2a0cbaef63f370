"""The complaint statistics' undecided complaints counted from an index (issue 18). A month the
rollup holds read every complaint of it still undecided, row by row: 213 at scale 1 on 155 heap
pages (one page each, as they were filed among every other write), 12 at 0.01 on 49, and ten
times as many pages at scale 10 on a machine that caches little. A partial index of the
undecided complaints by filing time, carrying what the figures read of them (station, answer
and deadlines), gives their counts from 4 index pages without a heap page; a partial index of
those decided unanswered by response deadline finds the few such the rollup does not hold yet
without the heap pages of every complaint still waiting for its response.

Revision ID: 0045_undecided_complaints
Revises: 0044_workers_by_name_and_stars
Create Date: 2026-12-04 02:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0045_undecided_complaints"
down_revision = "0044_workers_by_name_and_stars"
branch_labels = None
depends_on = None

UNDECIDED = "decided_at IS NULL"
DECIDED_UNANSWERED = "decided_at IS NOT NULL AND accepted_at IS NULL"


def upgrade():
    # Not in a batch: SQLite would copy the table and lose its other partial indexes.
    op.create_index(
        "ix_booking_complaints_undecided",
        "booking_complaints",
        ["submitted_at"],
        postgresql_include=["station_code", "accepted_at", "respond_by", "resolve_by"],
        postgresql_where=sa.text(UNDECIDED),
        sqlite_where=sa.text(UNDECIDED),
    )
    op.create_index(
        "ix_booking_complaints_decided_unanswered",
        "booking_complaints",
        ["respond_by"],
        postgresql_where=sa.text(DECIDED_UNANSWERED),
        sqlite_where=sa.text(DECIDED_UNANSWERED),
    )


def downgrade():
    op.drop_index("ix_booking_complaints_decided_unanswered", table_name="booking_complaints")
    op.drop_index("ix_booking_complaints_undecided", table_name="booking_complaints")
