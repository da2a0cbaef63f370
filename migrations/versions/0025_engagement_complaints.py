"""Complaints about an engagement (engagement_complaints): the handling columns every complaint
table carries (one vocabulary, one StateTable, a severity with its deadlines), the worker
complained of and the content-checked text. Their steps and escalations go in complaint_events
and complaint_escalations under the kind "engagement"; the complaint_received and
complaint_escalated kinds of subscribe message exist already.

Revision ID: 0025_engagement_complaints
Revises: 0024_series_and_waiting
Create Date: 2026-12-02 06:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025_engagement_complaints"
down_revision = "0024_series_and_waiting"
branch_labels = None
depends_on = None

TABLE = "engagement_complaints"
TEXT_STATUS_COMMENT = "msgSecCheck: pass (shown), pending (WeChat not reached yet), review or risky (hidden)"


def _fk(column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{referred}.id"], name=op.f(f"fk_{TABLE}_{column}_{referred}"))


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True, comment="the engagement's worker when it was filed"),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column(
            "text_status", sa.String(length=8), server_default="pass", nullable=False, comment=TEXT_STATUS_COMMENT
        ),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column(
            "respond_by",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="accepted by then; NULL for complaints filed before deadlines existed",
        ),
        sa.Column("resolve_by", sa.DateTime(timezone=True), nullable=True, comment="decided by then"),
        sa.Column("result", sa.String(length=12), nullable=True, comment="upheld, dismissed or invalid"),
        sa.Column("result_reason", sa.String(length=500), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'upheld', 'dismissed', 'invalid', 'closed')",
            name=op.f(f"ck_{TABLE}_status"),
        ),
        sa.CheckConstraint("severity IN ('ordinary', 'serious', 'invalid')", name=op.f(f"ck_{TABLE}_severity")),
        sa.CheckConstraint(
            "text_status IN ('pass', 'pending', 'review', 'risky')", name=op.f(f"ck_{TABLE}_text_status")
        ),
        _fk("engagement_id", "engagements"),
        _fk("worker_id", "workers"),
        _fk("submitted_by_id", "users"),
        _fk("accepted_by_id", "users"),
        _fk("decided_by_id", "users"),
        _fk("closed_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_engagement_id"), ["engagement_id"], unique=False)


def downgrade():
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_engagement_id"))
    op.drop_table(TABLE)
