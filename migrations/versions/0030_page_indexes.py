"""Indexes for the console's pages at city scale (issue 18): workers best first (most stars, the
higher score, the id: credit.recommendation's order), which the workers assignable to a booking
walk and stop at their limit instead of sorting every green worker of the city; certificates by
state and worker, so that a page of workers in one state, deep or not, and its count are read from
the two indexes alone (with pk_workers). The desk's count of complaints due and 投诉督办 read each
complaint table's open complaints through the partial index 0029 made for the escalation job.

Revision ID: 0030_page_indexes
Revises: 0029_job_indexes
Create Date: 2026-12-02 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030_page_indexes"
down_revision = "0029_job_indexes"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite takes no NULLS LAST in an index, and needs none: its NULLs sort last when descending.
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.create_index(
        "ix_workers_best_first",
        "workers",
        [sa.text(f"stars DESC{nulls_last}"), sa.text(f"credit_score DESC{nulls_last}"), "id"],
    )
    op.create_index("ix_certificates_state_worker_id", "certificates", ["state", "worker_id"])


def downgrade():
    op.drop_index("ix_certificates_state_worker_id", table_name="certificates")
    op.drop_index("ix_workers_best_first", table_name="workers")
