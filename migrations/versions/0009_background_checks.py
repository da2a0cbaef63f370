"""Background checks, insurance and real-name checks as facts of a worker's file; the latest of
each on the certificate, which the colour reads; the expiry reminders queued so far; and the
expiry_reminder kind of subscribe message.

Revision ID: 0009_background_checks
Revises: 0008_worker_documents
Create Date: 2026-12-02 00:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_background_checks"
down_revision = "0008_worker_documents"
branch_labels = None
depends_on = None

KINDS_BEFORE = ("booking_received", "booking_confirmed", "booking_assigned", "booking_reminder", "followup_survey")
KINDS_AFTER = (*KINDS_BEFORE, "expiry_reminder")
CHECK_RESULTS = {
    "criminal_record": ("clear", "record_found", "pending"),
    "insurance": ("in_force", "not_insured", "pending"),
    "identity": ("verified", "mismatch", "pending"),
}


def _kinds(kinds) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def _message_kinds(kinds) -> None:
    with op.batch_alter_table("wechat_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_wechat_messages_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_wechat_messages_kind"), _kinds(kinds))


def upgrade():
    op.create_table(
        "worker_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "source", sa.String(length=8), nullable=False, comment="paper (a certificate an operator saw) or service"
        ),
        sa.Column("reference", sa.LargeBinary(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True, comment="NULL for imports and commands"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            " OR ".join(
                f"(kind = '{kind}' AND result IN ({', '.join(repr(r) for r in results)}))"
                for kind, results in CHECK_RESULTS.items()
            ),
            name=op.f("ck_worker_checks_result_of_kind"),
        ),
        sa.CheckConstraint("source IN ('paper', 'service')", name=op.f("ck_worker_checks_source")),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
            name=op.f("ck_worker_checks_dates"),
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_worker_checks_actor_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_worker_checks_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_checks")),
    )
    op.create_index("ix_worker_checks_worker_id_kind_id", "worker_checks", ["worker_id", "kind", "id"], unique=False)
    op.create_table(
        "expiry_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("queued_on", sa.Date(), nullable=False, comment="Beijing's date when it was queued"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_expiry_reminders_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expiry_reminders")),
        sa.UniqueConstraint("worker_id", "item", "valid_until", name=op.f("uq_expiry_reminders_worker_id")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("criminal_record_result", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("criminal_record_checked_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "criminal_record_valid_until",
                sa.Date(),
                nullable=True,
                comment="the check's own end or its re-check date, whichever comes first",
            )
        )
        batch_op.add_column(sa.Column("insurance_result", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("insurance_valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("insurance_valid_until", sa.Date(), nullable=True))
    _message_kinds(KINDS_AFTER)


def downgrade():
    op.execute("DELETE FROM wechat_messages WHERE kind = 'expiry_reminder'")
    _message_kinds(KINDS_BEFORE)
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        for column in (
            "insurance_valid_until",
            "insurance_valid_from",
            "insurance_result",
            "criminal_record_valid_until",
            "criminal_record_checked_on",
            "criminal_record_result",
        ):
            batch_op.drop_column(column)
    op.drop_table("expiry_reminders")
    op.drop_index("ix_worker_checks_worker_id_kind_id", table_name="worker_checks")
    op.drop_table("worker_checks")
