"""Staff invites, the role audit trail, WeChat subscribe messages and template decisions

Revision ID: 0004_wechat
Revises: 0003_credit
Create Date: 2026-11-25 17:49:51.505388

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_wechat"
down_revision = "0003_credit"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=100), nullable=True, comment="for the operator: whom it is for"),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redeemed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(role = 'station_staff' AND station_code IS NOT NULL AND company_id IS NULL) OR (role = 'company_admin' AND company_id IS NOT NULL AND station_code IS NULL) OR (role = 'operator' AND station_code IS NULL AND company_id IS NULL)",
            name=op.f("ck_staff_invites_scope_matches_role"),
        ),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_staff_invites_company_id_companies")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_staff_invites_created_by_id_users")),
        sa.ForeignKeyConstraint(["redeemed_by_id"], ["users.id"], name=op.f("fk_staff_invites_redeemed_by_id_users")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"], name=op.f("fk_staff_invites_revoked_by_id_users")),
        sa.ForeignKeyConstraint(
            ["station_code"], ["stations.code"], name=op.f("fk_staff_invites_station_code_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_staff_invites_code_hash")),
    )
    op.create_table(
        "wechat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=True, comment="NULL when skipped: none configured"),
        sa.Column("page", sa.String(length=200), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_errcode", sa.Integer(), nullable=True, comment="WeChat's errcode; NULL for a network failure"),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('booking_received', 'booking_confirmed', 'booking_assigned', 'booking_reminder', 'followup_survey')",
            name=op.f("ck_wechat_messages_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'not_subscribed', 'failed', 'skipped')",
            name=op.f("ck_wechat_messages_status"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_wechat_messages_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_messages")),
    )
    with op.batch_alter_table("wechat_messages", schema=None) as batch_op:
        batch_op.create_index("ix_wechat_messages_status_updated_at", ["status", "updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_wechat_messages_user_id"), ["user_id"], unique=False)

    op.create_table(
        "wechat_template_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column(
            "event",
            sa.String(length=40),
            nullable=False,
            comment="subscribe_msg_popup_event or subscribe_msg_change_event",
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('accept', 'reject', 'ban')", name=op.f("ck_wechat_template_decisions_decision")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_wechat_template_decisions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_template_decisions")),
        sa.UniqueConstraint("user_id", "template_id", name=op.f("uq_wechat_template_decisions_user_id")),
    )
    op.create_table(
        "role_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False, comment="who holds or held the role"),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True, comment="NULL for commands and dev-login"),
        sa.Column("invite_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("action IN ('granted', 'removed')", name=op.f("ck_role_events_action")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_role_events_actor_id_users")),
        sa.ForeignKeyConstraint(["grant_id"], ["role_grants.id"], name=op.f("fk_role_events_grant_id_role_grants")),
        sa.ForeignKeyConstraint(
            ["invite_id"], ["staff_invites.id"], name=op.f("fk_role_events_invite_id_staff_invites")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_role_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_events")),
    )
    with op.batch_alter_table("role_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_events_grant_id"), ["grant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_events_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("role_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_role_events_grant_id"))

    op.drop_table("role_events")
    op.drop_table("wechat_template_decisions")
    with op.batch_alter_table("wechat_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wechat_messages_user_id"))
        batch_op.drop_index("ix_wechat_messages_status_updated_at")

    op.drop_table("wechat_messages")
    op.drop_table("staff_invites")
