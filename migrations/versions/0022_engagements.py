"""Long and live-in engagements (长期/住家服务): the engagements, their candidates with interviews,
audit events, 上户/下户 scans, ratings and follow-up calls; a worker time block is held by a slot
booking or by an engagement (exactly one); the engagement kinds of subscribe message.

Revision ID: 0022_engagements
Revises: 0020_worker_demographics
Create Date: 2026-12-02 05:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_engagements"
down_revision = "0020_worker_demographics"
branch_labels = None
depends_on = None

TEXT_STATUS_COMMENT = "msgSecCheck: pass (shown), pending (WeChat not reached yet), review or risky (hidden)"
TEXT_STATUS_RULE = "text_status IN ('pass', 'pending', 'review', 'risky')"
STATUSES = (
    "requested",
    "proposed",
    "interviewing",
    "chosen",
    "confirmed",
    "in_service",
    "completed",
    "ended_early",
    "cancelled",
)
SERVICES = ("maternity", "childcare", "live_in_housekeeping", "elderly_care")
KINDS_BEFORE = (
    "booking_received",
    "booking_confirmed",
    "booking_assigned",
    "booking_reminder",
    "followup_survey",
    "expiry_reminder",
    "training_place",
    "sanction_notice",
)
KINDS_AFTER = (
    *KINDS_BEFORE,
    "engagement_received",
    "engagement_proposed",
    "engagement_interview",
    "engagement_chosen",
    "engagement_confirmed",
)


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _message_kinds(kinds) -> None:
    with op.batch_alter_table("wechat_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_wechat_messages_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_wechat_messages_kind"), _one_of("kind", kinds))


def _text_status() -> sa.Column:
    return sa.Column(
        "text_status", sa.String(length=8), server_default="pass", nullable=False, comment=TEXT_STATUS_COMMENT
    )


def _fk(table: str, column: str, referred: str, key: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{referred}.{key}"], name=op.f(f"fk_{table}_{column}_{referred}"))


def upgrade():
    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("service_code", sa.String(length=32), nullable=False, comment="credit.service_types code"),
        sa.Column("start_day", sa.Date(), nullable=False, comment="Asia/Shanghai"),
        sa.Column("last_day", sa.Date(), nullable=False, comment="Asia/Shanghai, included; an extension moves it"),
        sa.Column("length", sa.Integer(), nullable=False, comment="as requested, in length_unit"),
        sa.Column("length_unit", sa.String(length=8), nullable=False),
        sa.Column("live_in", sa.Boolean(), nullable=False),
        sa.Column("day_starts_at", sa.Time(), nullable=True, comment="Asia/Shanghai; NULL when live-in"),
        sa.Column("day_ends_at", sa.Time(), nullable=True, comment="Asia/Shanghai; NULL when live-in"),
        sa.Column("address", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=True, comment="the resident's needs (content-checked)"),
        sa.Column("preferred_worker_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True, comment="the chosen one"),
        sa.Column("resident_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "worker_confirmed_by_id",
            sa.Integer(),
            nullable=True,
            comment="the worker's account, or staff on the worker's behalf",
        ),
        sa.Column("contract_reference", sa.String(length=64), nullable=True, comment="the e-contract signed elsewhere"),
        sa.Column("contract_signed_on", sa.Date(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True, comment="上户"),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True, comment="下户, or the early end"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _text_status(),
        sa.CheckConstraint(_one_of("status", STATUSES), name=op.f("ck_engagements_status")),
        sa.CheckConstraint(_one_of("service_code", SERVICES), name=op.f("ck_engagements_service")),
        sa.CheckConstraint(
            "(station_code IS NULL) <> (company_id IS NULL)", name=op.f("ck_engagements_to_station_or_company")
        ),
        sa.CheckConstraint("last_day >= start_day", name=op.f("ck_engagements_ends_after_start")),
        sa.CheckConstraint(
            "live_in OR (day_starts_at IS NOT NULL AND day_ends_at IS NOT NULL AND day_ends_at > day_starts_at)",
            name=op.f("ck_engagements_day_hours"),
        ),
        sa.CheckConstraint(_one_of("length_unit", ("days", "months")), name=op.f("ck_engagements_length_unit")),
        sa.CheckConstraint(TEXT_STATUS_RULE, name=op.f("ck_engagements_text_status")),
        _fk("engagements", "resident_id", "users"),
        _fk("engagements", "station_code", "stations", "code"),
        _fk("engagements", "company_id", "companies"),
        _fk("engagements", "preferred_worker_id", "workers"),
        _fk("engagements", "worker_id", "workers"),
        _fk("engagements", "worker_confirmed_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagements_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagements_worker_id"), ["worker_id"], unique=False)
        batch_op.create_index("ix_engagements_station_code_status", ["station_code", "status"], unique=False)
        batch_op.create_index("ix_engagements_company_id_status", ["company_id", "status"], unique=False)

    op.create_table(
        "engagement_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interview_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("interview_mode", sa.String(length=10), nullable=True),
        sa.Column("interview_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "interview_mode IS NULL OR interview_mode IN ('in_person', 'video')",
            name=op.f("ck_engagement_candidates_mode"),
        ),
        _fk("engagement_candidates", "engagement_id", "engagements"),
        _fk("engagement_candidates", "worker_id", "workers"),
        _fk("engagement_candidates", "proposed_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_candidates")),
        sa.UniqueConstraint("engagement_id", "worker_id", name="uq_engagement_candidates_engagement_worker"),
    )
    with op.batch_alter_table("engagement_candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_candidates_engagement_id"), ["engagement_id"], unique=False)

    op.create_table(
        "engagement_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True, comment="NULL for commands"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("engagement_events", "engagement_id", "engagements"),
        _fk("engagement_events", "actor_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_events")),
    )
    with op.batch_alter_table("engagement_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_events_engagement_id"), ["engagement_id"], unique=False)

    op.create_table(
        "engagement_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("scanned_worker_id", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False, comment="the certificate's colour at the scan"),
        sa.Column("scanned_by_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('start', 'end')", name=op.f("ck_engagement_scans_kind")),
        _fk("engagement_scans", "engagement_id", "engagements"),
        _fk("engagement_scans", "certificate_id", "certificates"),
        _fk("engagement_scans", "scanned_worker_id", "workers"),
        _fk("engagement_scans", "scanned_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_scans")),
    )
    with op.batch_alter_table("engagement_scans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_scans_engagement_id"), ["engagement_id"], unique=False)

    op.create_table(
        "engagement_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False, comment="0 the end, n the n-th month of service"),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=True),
        sa.Column("rated_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _text_status(),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_engagement_ratings_stars_range")),
        sa.CheckConstraint("period >= 0", name=op.f("ck_engagement_ratings_period")),
        sa.CheckConstraint(TEXT_STATUS_RULE, name=op.f("ck_engagement_ratings_text_status")),
        _fk("engagement_ratings", "engagement_id", "engagements"),
        _fk("engagement_ratings", "rated_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_ratings")),
        sa.UniqueConstraint("engagement_id", "period", name="uq_engagement_ratings_engagement_period"),
    )
    with op.batch_alter_table("engagement_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_ratings_engagement_id"), ["engagement_id"], unique=False)

    op.create_table(
        "engagement_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("caller_id", sa.Integer(), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("engagement_follow_ups", "engagement_id", "engagements"),
        _fk("engagement_follow_ups", "caller_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_follow_ups")),
    )
    with op.batch_alter_table("engagement_follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_follow_ups_engagement_id"), ["engagement_id"], unique=False)

    # A worker's half hour is held by a slot booking or by an engagement, under the same primary key.
    with op.batch_alter_table("worker_time_blocks", schema=None) as batch_op:
        batch_op.alter_column("booking_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("engagement_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_worker_time_blocks_engagement_id_engagements"), "engagements", ["engagement_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_worker_time_blocks_engagement_id"), ["engagement_id"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_worker_time_blocks_held_by_one"), "(booking_id IS NULL) <> (engagement_id IS NULL)"
        )
    _message_kinds(KINDS_AFTER)


def downgrade():
    op.execute(sa.text(f"DELETE FROM wechat_messages WHERE kind NOT IN ({', '.join(repr(k) for k in KINDS_BEFORE)})"))
    _message_kinds(KINDS_BEFORE)
    op.execute(sa.text("DELETE FROM worker_time_blocks WHERE engagement_id IS NOT NULL"))
    with op.batch_alter_table("worker_time_blocks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_worker_time_blocks_held_by_one"), type_="check")
        batch_op.drop_index(batch_op.f("ix_worker_time_blocks_engagement_id"))
        batch_op.drop_constraint(batch_op.f("fk_worker_time_blocks_engagement_id_engagements"), type_="foreignkey")
        batch_op.drop_column("engagement_id")
        batch_op.alter_column("booking_id", existing_type=sa.Integer(), nullable=False)
    for table in (
        "engagement_follow_ups",
        "engagement_ratings",
        "engagement_scans",
        "engagement_events",
        "engagement_candidates",
        "engagements",
    ):
        op.drop_table(table)
