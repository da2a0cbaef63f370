"""The public-credit feed (公共信用资源数据目录): the published records (an outbox, each with its
inserting transaction's id on PostgreSQL), the receiving platforms with their hashed API keys, and
the log of every pull.

Revision ID: 0019_public_credit_feed
Revises: 0018_publication
Create Date: 2026-12-02 05:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_public_credit_feed"
down_revision = "0018_publication"
branch_labels = None
depends_on = None

KINDS = (
    "company_grade_changed",
    "certificate_issued",
    "certificate_suspended",
    "certificate_reinstated",
    "certificate_revoked",
    "certificate_expired",
    "certificate_renewed",
    "listing_started",
    "listing_ended",
)


def _xact_default():
    """PostgreSQL: the id of the transaction inserting the row (feed.pulling pages by it).
    SQLite: 0, as one writer at a time makes the row id the commit order."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.text("(pg_current_xact_id()::text::bigint)")
    return sa.text("0")


def upgrade():
    op.create_table(
        "feed_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject_type", sa.String(length=8), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("certificate_number", sa.String(length=20), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "xact_id",
            sa.BigInteger(),
            server_default=_xact_default(),
            nullable=False,
            comment="the inserting transaction's id (PostgreSQL), 0 on SQLite",
        ),
        sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name=op.f("ck_feed_records_kind")),
        sa.CheckConstraint("subject_type IN ('worker', 'company')", name=op.f("ck_feed_records_subject_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_records")),
    )
    op.create_index("ix_feed_records_position", "feed_records", ["xact_id", "id"])
    op.create_index(op.f("ix_feed_records_occurred_at"), "feed_records", ["occurred_at"])
    op.create_index(op.f("ix_feed_records_credit_code"), "feed_records", ["credit_code"])
    op.create_index(op.f("ix_feed_records_certificate_number"), "feed_records", ["certificate_number"])
    op.create_table(
        "feed_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False, comment="SHA-256 of the API key"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_clients")),
        sa.UniqueConstraint("name", name=op.f("uq_feed_clients_name")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_feed_clients_key_hash")),
    )
    op.create_table(
        "feed_pulls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False, comment="since, cursor, format and limit as asked"),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("first_record_id", sa.Integer(), nullable=True),
        sa.Column("last_record_id", sa.Integer(), nullable=True),
        sa.Column("next_cursor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["feed_clients.id"], name=op.f("fk_feed_pulls_client_id_feed_clients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_pulls")),
    )
    op.create_index(op.f("ix_feed_pulls_client_id"), "feed_pulls", ["client_id"])


def downgrade():
    op.drop_index(op.f("ix_feed_pulls_client_id"), table_name="feed_pulls")
    op.drop_table("feed_pulls")
    op.drop_table("feed_clients")
    op.drop_index(op.f("ix_feed_records_certificate_number"), table_name="feed_records")
    op.drop_index(op.f("ix_feed_records_credit_code"), table_name="feed_records")
    op.drop_index(op.f("ix_feed_records_occurred_at"), table_name="feed_records")
    op.drop_index("ix_feed_records_position", table_name="feed_records")
    op.drop_table("feed_records")
