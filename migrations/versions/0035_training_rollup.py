"""The training figures' rollup (issue 18): enrolments made, completions, attendances and the
workers who sat and passed a course's exam, per course and Beijing month, kept by `flask
statistics roll-up`; the indexes by time by which the job and each figure find the rows since it
last ran; the index of enrolments by class, by which a page of classes' figures counts them; when
a class begins (its first session, an online class's opening: the month it counts in), filled
from its sessions and indexed, so that a period's classes are read from the index, not found by
every class's sessions; and when an attempt's result was recorded (a late submission is stamped
with its deadline, before it was recorded), filled from submitted_at.

Revision ID: 0035_training_rollup
Revises: 0034_worker_counts
Create Date: 2026-12-02 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035_training_rollup"
down_revision = "0034_worker_counts"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_training_enrolments_created_at", "training_enrolments", "created_at"),
    ("ix_training_enrolments_completed_on", "training_enrolments", "completed_on"),
    ("ix_training_enrolments_class_id", "training_enrolments", "class_id"),
    ("ix_training_attendances_at", "training_attendances", "at"),
    ("ix_training_attempts_submitted_at", "training_attempts", "submitted_at"),
    ("ix_training_attempts_recorded_at", "training_attempts", "recorded_at"),
)


def upgrade():
    op.create_table(
        "statistics_training_counts",
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=12), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("first_day", "course_id", "what", name=op.f("pk_statistics_training_counts")),
    )
    # Not in a batch: SQLite would copy the table, and its partial index of open attempts with it.
    op.add_column(
        "training_attempts",
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="when the result was recorded: a late submission's submitted_at is its deadline, earlier",
        ),
    )
    op.execute("UPDATE training_attempts SET recorded_at = submitted_at")
    op.add_column(
        "training_classes",
        sa.Column(
            "begins_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="its first session's start; an online class's opening",
        ),
    )
    op.execute(
        "UPDATE training_classes SET begins_at = coalesce("
        "(SELECT min(starts_at) FROM training_sessions WHERE class_id = training_classes.id), created_at)"
    )
    # NOT NULL on PostgreSQL only: SQLite would copy the table, which the rows of its sessions and
    # enrolments refuse (their foreign keys); there the model writes it for every class.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("training_classes", "begins_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])
    op.create_index("ix_training_classes_begins_at_id", "training_classes", ["begins_at", "id"])


def downgrade():
    op.drop_index("ix_training_classes_begins_at_id", table_name="training_classes")
    for name, table, _column in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_column("training_classes", "begins_at")
    op.drop_column("training_attempts", "recorded_at")
    op.drop_table("statistics_training_counts")
