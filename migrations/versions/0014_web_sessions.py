"""The console's log-in tickets (approved from the mini-program) and its browser sessions.

Revision ID: 0014_web_sessions
Revises: 0013_training
Create Date: 2026-12-02 01:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_web_sessions"
down_revision = "0013_training"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "web_login_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scene", sa.String(length=32), nullable=False, comment="the code's scene, in the approve URL"),
        sa.Column("browser_secret_hash", sa.String(length=64), nullable=False),
        sa.Column("requested_from", sa.String(length=45), nullable=True, comment="the browser's address"),
        sa.Column("browser", sa.String(length=200), nullable=True, comment="the browser's User-Agent, cut to 200"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "used_at", sa.DateTime(timezone=True), nullable=True, comment="when the browser received its session"
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_web_login_tickets_approved_by_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_login_tickets")),
        sa.UniqueConstraint("scene", name=op.f("uq_web_login_tickets_scene")),
        sa.UniqueConstraint("browser_secret_hash", name=op.f("uq_web_login_tickets_browser_secret_hash")),
    )
    with op.batch_alter_table("web_login_tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_login_tickets_expires_at"), ["expires_at"], unique=False)
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))
    op.drop_table("web_sessions")
    with op.batch_alter_table("web_login_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_login_tickets_expires_at"))
    op.drop_table("web_login_tickets")
