"""Workers' gender and birth year, read from the ID number at registration, for the statistics.

The ID numbers are encrypted with the application's key, which a migration does not hold (it may
run offline, as SQL): rows registered before this revision keep NULL until
`flask credit backfill-demographics` fills them in.

Revision ID: 0020_worker_demographics
Revises: 0019_public_credit_feed
Create Date: 2026-12-02 05:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_worker_demographics"
down_revision = "0019_public_credit_feed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workers") as batch_op:
        batch_op.add_column(
            sa.Column("gender", sa.String(length=6), nullable=True, comment="male or female, from the ID number")
        )
        batch_op.add_column(sa.Column("birth_year", sa.Integer(), nullable=True, comment="from the ID number"))
        batch_op.create_check_constraint(batch_op.f("ck_workers_gender"), "gender IN ('male', 'female')")


def downgrade():
    with op.batch_alter_table("workers") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_workers_gender"), type_="check")
        batch_op.drop_column("birth_year")
        batch_op.drop_column("gender")
