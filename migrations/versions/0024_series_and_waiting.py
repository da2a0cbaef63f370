"""Recurring series of bookings (each date's outcome and booking, their audit trail), the waiting
list of full slots (entries and their audit trail) and the waiting_offer kind of subscribe message.

Revision ID: 0024_series_and_waiting
Revises: 0023_complaint_severity
Create Date: 2026-12-02 05:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024_series_and_waiting"
down_revision = "0023_complaint_severity"
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
    "complaint_received",
    "complaint_escalated",
    "station_booking",
)
KINDS_AFTER = (*KINDS_BEFORE, "waiting_offer")
OUTCOMES = (
    "booked",
    "slot_full",
    "station_closed",
    "not_a_slot_start",
    "outside_booking_window",
    "beyond_series_horizon",
    "preferred_worker_busy",
)
IN_LINE = "status IN ('waiting', 'offered')"


def _message_kinds(kinds) -> None:
    with op.batch_alter_table("wechat_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_wechat_messages_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_wechat_messages_kind"), f"kind IN ({', '.join(repr(k) for k in kinds)})"
        )


def _events(table: str, parent: str, parent_table: str) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(parent, sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        *([sa.Column("reason", sa.Text(), nullable=True)] if table == "booking_series_events" else []),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f(f"fk_{table}_actor_id_users")),
        sa.ForeignKeyConstraint([parent], [f"{parent_table}.id"], name=op.f(f"fk_{table}_{parent}_{parent_table}")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    op.create_index(op.f(f"ix_{table}_{parent}"), table, [parent])


def upgrade():
    op.create_table(
        "booking_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False, comment="hash of the series request"),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("first_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False, comment="occurrences asked for"),
        sa.Column("preferred_worker_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'cancelled')", name=op.f("ck_booking_series_status")),
        sa.CheckConstraint("every_days >= 1 AND count >= 1", name=op.f("ck_booking_series_positive_rhythm")),
        sa.ForeignKeyConstraint(["resident_id"], ["users.id"], name=op.f("fk_booking_series_resident_id_users")),
        sa.ForeignKeyConstraint(
            ["station_code"], ["stations.code"], name=op.f("fk_booking_series_station_code_stations")
        ),
        sa.ForeignKeyConstraint(
            ["service_code"], ["booking_services.code"], name=op.f("fk_booking_series_service_code_booking_services")
        ),
        sa.ForeignKeyConstraint(
            ["preferred_worker_id"], ["workers.id"], name=op.f("fk_booking_series_preferred_worker_id_workers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_series")),
        sa.UniqueConstraint("resident_id", "idempotency_key", name="uq_booking_series_resident_idempotency_key"),
    )
    op.create_index(op.f("ix_booking_series_resident_id"), "booking_series", ["resident_id"])
    op.create_table(
        "booking_series_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="0 for the first date"),
        sa.Column("planned_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            f"outcome IN ({', '.join(repr(o) for o in OUTCOMES)})", name=op.f("ck_booking_series_occurrences_outcome")
        ),
        sa.CheckConstraint(
            "(outcome = 'booked') = (booking_id IS NOT NULL)",
            name=op.f("ck_booking_series_occurrences_booked_has_booking"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["booking_series.id"], name=op.f("fk_booking_series_occurrences_series_id_booking_series")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_series_occurrences_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_series_occurrences")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_booking_series_occurrences_booking_id")),
        sa.UniqueConstraint("series_id", "position", name="uq_booking_series_occurrences_series_position"),
    )
    op.create_index(op.f("ix_booking_series_occurrences_series_id"), "booking_series_occurrences", ["series_id"])
    _events("booking_series_events", "series_id", "booking_series")
    op.create_table(
        "booking_waiting_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting', 'offered', 'taken', 'lapsed', 'left')",
            name=op.f("ck_booking_waiting_entries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["users.id"], name=op.f("fk_booking_waiting_entries_resident_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["booking_slots.id"], name=op.f("fk_booking_waiting_entries_slot_id_booking_slots")
        ),
        sa.ForeignKeyConstraint(
            ["station_code"], ["stations.code"], name=op.f("fk_booking_waiting_entries_station_code_stations")
        ),
        sa.ForeignKeyConstraint(
            ["service_code"],
            ["booking_services.code"],
            name=op.f("fk_booking_waiting_entries_service_code_booking_services"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_waiting_entries_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_waiting_entries")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_booking_waiting_entries_booking_id")),
    )
    op.create_index(op.f("ix_booking_waiting_entries_resident_id"), "booking_waiting_entries", ["resident_id"])
    op.create_index("ix_booking_waiting_entries_slot_status", "booking_waiting_entries", ["slot_id", "status"])
    # A resident is in one slot's line once; PostgreSQL and SQLite both take a partial unique index.
    op.create_index(
        "uq_booking_waiting_entries_in_line",
        "booking_waiting_entries",
        ["slot_id", "resident_id"],
        unique=True,
        postgresql_where=sa.text(IN_LINE),
        sqlite_where=sa.text(IN_LINE),
    )
    _events("booking_waiting_events", "entry_id", "booking_waiting_entries")
    _message_kinds(KINDS_AFTER)


def downgrade():
    # The earlier CHECK does not admit the new kind: its messages (sent or not) go with it.
    op.execute("DELETE FROM wechat_messages WHERE kind = 'waiting_offer'")
    _message_kinds(KINDS_BEFORE)
    for table in ("booking_waiting_events", "booking_waiting_entries", "booking_series_events"):
        op.drop_table(table)
    op.drop_table("booking_series_occurrences")
    op.drop_table("booking_series")
