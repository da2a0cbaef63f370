"""Door entries: 确认入户 after any scan of a 安心碼 (a hire through a company or direct), with the
one rating and the complaints each admitted entry allows; and the outcome of WeChat's content
check (msgSecCheck) beside every resident's text, booking's ratings and complaints included
(their existing texts were shown before the check existed, and stay shown: pass).

Revision ID: 0011_door_entries
Revises: 0010_worker_accounts
Create Date: 2026-12-02 00:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_door_entries"
down_revision = "0010_worker_accounts"
branch_labels = None
depends_on = None

TEXT_STATUS_COMMENT = "msgSecCheck: pass (shown), pending (WeChat not reached yet), review or risky (hidden)"
TEXT_STATUS_RULE = "text_status IN ('pass', 'pending', 'review', 'risky')"


def text_status() -> sa.Column:
    return sa.Column(
        "text_status", sa.String(length=8), server_default="pass", nullable=False, comment=TEXT_STATUS_COMMENT
    )


def upgrade():
    op.create_table(
        "door_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False, comment="the 安心碼's colour when it was scanned"),
        sa.Column("admitted", sa.Boolean(), nullable=False, comment="green at the door; only then may it be rated"),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificates.id"], name=op.f("fk_door_entries_certificate_id_certificates")
        ),
        sa.ForeignKeyConstraint(["resident_id"], ["users.id"], name=op.f("fk_door_entries_resident_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_door_entries_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door_entries")),
    )
    with op.batch_alter_table("door_entries", schema=None) as batch_op:
        batch_op.create_index("ix_door_entries_resident_id_id", ["resident_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_door_entries_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "door_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=True),
        sa.Column("rated_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        text_status(),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_door_ratings_stars_range")),
        sa.CheckConstraint(TEXT_STATUS_RULE, name=op.f("ck_door_ratings_text_status")),
        sa.ForeignKeyConstraint(["entry_id"], ["door_entries.id"], name=op.f("fk_door_ratings_entry_id_door_entries")),
        sa.ForeignKeyConstraint(["rated_by_id"], ["users.id"], name=op.f("fk_door_ratings_rated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door_ratings")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_door_ratings_entry_id")),
    )
    op.create_table(
        "door_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        text_status(),
        sa.CheckConstraint(TEXT_STATUS_RULE, name=op.f("ck_door_complaints_text_status")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["door_entries.id"], name=op.f("fk_door_complaints_entry_id_door_entries")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_door_complaints_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door_complaints")),
    )
    with op.batch_alter_table("door_complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_door_complaints_entry_id"), ["entry_id"], unique=False)

    for table in ("booking_ratings", "booking_complaints"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(text_status())
            batch_op.create_check_constraint(op.f(f"ck_{table}_text_status"), TEXT_STATUS_RULE)


def downgrade():
    for table in ("booking_complaints", "booking_ratings"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_text_status"), type_="check")
            batch_op.drop_column("text_status")
    with op.batch_alter_table("door_complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_door_complaints_entry_id"))
    op.drop_table("door_complaints")
    op.drop_table("door_ratings")
    with op.batch_alter_table("door_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_door_entries_worker_id"))
        batch_op.drop_index("ix_door_entries_resident_id_id")
    op.drop_table("door_entries")
