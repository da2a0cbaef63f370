"""Complaints that match their weight: a severity and response and resolution deadlines on every
complaint; door complaints get the handling columns booking's have (one vocabulary, one
StateTable) and a type; one audit trail of complaint steps and the escalations to operators
(once per complaint and reason); the complaint_received, complaint_escalated and station_booking
(a station's staff told of a new booking) kinds of subscribe message; and no-shows (爽约) of
bookings, recorded by staff; bookings taken on behalf of a caller or walk-in (booking_callers:
the encrypted name and phone, and the consent; held by the staff member until claimed). Complaints filed before keep no deadlines (NULL) and severity ordinary.

Revision ID: 0023_complaint_severity
Revises: 0022_engagements
Create Date: 2026-12-02 05:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023_complaint_severity"
down_revision = "0022_engagements"
branch_labels = None
depends_on = None

KINDS_BEFORE = (
    "booking_received",
    "booking_confirmed",
    "booking_assigned",
    "booking_reminder",
    "followup_survey",
    "expiry_reminder",
    "training_place",
    "sanction_notice",
    "engagement_received",
    "engagement_proposed",
    "engagement_interview",
    "engagement_chosen",
    "engagement_confirmed",
)
KINDS_AFTER = (*KINDS_BEFORE, "complaint_received", "complaint_escalated", "station_booking")
SEVERITY_RULE = "severity IN ('ordinary', 'serious', 'invalid')"
STATUS_RULE = "status IN ('submitted', 'accepted', 'upheld', 'dismissed', 'invalid', 'closed')"


def _message_kinds(kinds) -> None:
    with op.batch_alter_table("wechat_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_wechat_messages_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_wechat_messages_kind"), f"kind IN ({', '.join(repr(k) for k in kinds)})"
        )


def _deadlines_and_severity(batch_op, table: str) -> None:
    batch_op.add_column(sa.Column("severity", sa.String(length=12), nullable=False, server_default="ordinary"))
    batch_op.add_column(
        sa.Column(
            "respond_by",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="accepted by then; NULL for complaints filed before deadlines existed",
        )
    )
    batch_op.add_column(sa.Column("resolve_by", sa.DateTime(timezone=True), nullable=True, comment="decided by then"))
    batch_op.create_check_constraint(op.f(f"ck_{table}_severity"), SEVERITY_RULE)


def upgrade():
    with op.batch_alter_table("booking_complaints", schema=None) as batch_op:
        _deadlines_and_severity(batch_op, "booking_complaints")

    with op.batch_alter_table("door_complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("type", sa.String(length=20), nullable=False, server_default="other"))
        batch_op.add_column(sa.Column("status", sa.String(length=12), nullable=False, server_default="submitted"))
        _deadlines_and_severity(batch_op, "door_complaints")
        batch_op.add_column(
            sa.Column("result", sa.String(length=12), nullable=True, comment="upheld, dismissed or invalid")
        )
        batch_op.add_column(sa.Column("result_reason", sa.String(length=500), nullable=True))
        for step in ("accepted", "decided", "closed"):
            batch_op.add_column(sa.Column(f"{step}_by_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column(f"{step}_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_door_complaints_{step}_by_id_users"), "users", [f"{step}_by_id"], ["id"]
            )
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_check_constraint(op.f("ck_door_complaints_status"), STATUS_RULE)

    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_kind", sa.String(length=12), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_complaint_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    op.create_index("ix_complaint_events_kind_complaint_id", "complaint_events", ["complaint_kind", "complaint_id"])

    op.create_table(
        "complaint_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_kind", sa.String(length=12), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True, comment="the deadline passed, if that is why"),
        sa.Column("operators_alerted", sa.Integer(), nullable=False, comment="operators sent a subscribe message"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('serious', 'response_overdue', 'resolution_overdue')",
            name=op.f("ck_complaint_escalations_reason"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_escalations")),
        sa.UniqueConstraint("complaint_kind", "complaint_id", "reason", name="uq_complaint_escalations_once"),
    )
    op.create_table(
        "booking_no_shows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=12), nullable=False, comment="resident or worker: who was absent"),
        sa.Column("worker_id", sa.Integer(), nullable=True, comment="the booking's worker then"),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("party IN ('resident', 'worker')", name=op.f("ck_booking_no_shows_party")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_booking_no_shows_booking_id_bookings")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_booking_no_shows_worker_id_workers")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_booking_no_shows_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_no_shows")),
        sa.UniqueConstraint("booking_id", "party", name="uq_booking_no_shows_booking_party"),
    )
    op.create_index(op.f("ix_booking_no_shows_booking_id"), "booking_no_shows", ["booking_id"])

    op.create_table(
        "booking_callers",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.LargeBinary(), nullable=False),
        sa.Column("phone", sa.LargeBinary(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False, comment="keyed hash of phone, for the claim"),
        sa.Column("channel", sa.String(length=8), nullable=False, comment="phone or walk_in"),
        sa.Column(
            "consent_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="the caller agreed to their data being kept for the booking",
        ),
        sa.Column("consent_recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True, comment="the resident claimed it then"),
        sa.CheckConstraint("channel IN ('phone', 'walk_in')", name=op.f("ck_booking_callers_channel")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_booking_callers_booking_id_bookings")),
        sa.ForeignKeyConstraint(
            ["consent_recorded_by_id"], ["users.id"], name=op.f("fk_booking_callers_consent_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_booking_callers")),
    )
    op.create_index(op.f("ix_booking_callers_phone_hash"), "booking_callers", ["phone_hash"])
    _message_kinds(KINDS_AFTER)


def downgrade():
    # The earlier CHECK does not admit the new kinds: their messages (sent or not) go with them.
    op.execute(
        "DELETE FROM wechat_messages WHERE kind IN ('complaint_received', 'complaint_escalated', 'station_booking')"
    )
    _message_kinds(KINDS_BEFORE)
    op.drop_index(op.f("ix_booking_callers_phone_hash"), table_name="booking_callers")
    op.drop_table("booking_callers")
    op.drop_index(op.f("ix_booking_no_shows_booking_id"), table_name="booking_no_shows")
    op.drop_table("booking_no_shows")
    op.drop_table("complaint_escalations")
    op.drop_index("ix_complaint_events_kind_complaint_id", table_name="complaint_events")
    op.drop_table("complaint_events")
    with op.batch_alter_table("door_complaints", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_door_complaints_status"), type_="check")
        batch_op.drop_constraint(op.f("ck_door_complaints_severity"), type_="check")
        for step in ("closed", "decided", "accepted"):
            batch_op.drop_constraint(op.f(f"fk_door_complaints_{step}_by_id_users"), type_="foreignkey")
            batch_op.drop_column(f"{step}_at")
            batch_op.drop_column(f"{step}_by_id")
        for column in ("version", "result_reason", "result", "resolve_by", "respond_by", "severity", "status", "type"):
            batch_op.drop_column(column)
    with op.batch_alter_table("booking_complaints", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_booking_complaints_severity"), type_="check")
        for column in ("resolve_by", "respond_by", "severity"):
            batch_op.drop_column(column)
