"""Each exam's pass rate from a rollup (issue 18): the workers who sat it and those who passed
(at any attempt), of the results recorded before the training rollup's mark, kept by `flask
statistics roll-up` with the training figures, so that GET /api/v1/training/statistics reads a
row per exam and the results recorded since instead of every attempt (~195 ms at scale 1).

Filled from the attempts recorded before the mark, where the job has already run (before its
first run there is no mark, and the job counts every attempt).

Revision ID: 0036_exam_counts
Revises: 0035_training_rollup
Create Date: 2026-12-03 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036_exam_counts"
down_revision = "0035_training_rollup"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "training_exam_counts",
        sa.Column("exam_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sat", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["training_exams.id"], name=op.f("fk_training_exam_counts_exam_id_training_exams")
        ),
        sa.PrimaryKeyConstraint("exam_id", name=op.f("pk_training_exam_counts")),
    )
    op.execute(
        "INSERT INTO training_exam_counts (exam_id, sat, passed) "
        "SELECT exam_id, count(DISTINCT worker_id), count(DISTINCT CASE WHEN passed THEN worker_id END) "
        "FROM training_attempts "
        "WHERE recorded_at < (SELECT through FROM statistics_rollup_marks WHERE name = 'training') "
        "GROUP BY exam_id"
    )


def downgrade():
    op.drop_table("training_exam_counts")
