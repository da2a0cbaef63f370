"""The console's worker list sorted by name (姓名) or by stars read their pages from an index
(issue 18): no index held either order (credit.registry.WORKER_ORDERS), so each page sorted every
worker of the city to keep 20 (93 and 111 ms at 100,000 workers; a page of the list by id costs
0.2). (name, id) and (stars IS NULL, stars DESC, id) are those orders as the pages and their
cursors read them: 0.09 and 0.05 ms for the first page, 3 MB each at scale 1.

Revision ID: 0044_workers_by_name_and_stars
Revises: 0043_follow_ups_due
Create Date: 2026-12-04 02:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0044_workers_by_name_and_stars"
down_revision = "0043_follow_ups_due"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_workers_name_id", "workers", ["name", "id"])
    op.create_index("ix_workers_stars_first", "workers", [sa.text("(stars IS NULL)"), sa.text("stars DESC"), "id"])


def downgrade():
    op.drop_index("ix_workers_stars_first", table_name="workers")
    op.drop_index("ix_workers_name_id", table_name="workers")
