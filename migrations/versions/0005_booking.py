"""Booking: the service catalogue, station offers and closed days, slots with capacity, bookings
with their audit events, worker time blocks (no double-booking), entry checks, ratings, follow-up
calls and complaints.

Revision ID: 0005_booking
Revises: 0004_wechat
Create Date: 2026-11-25 17:47:37.541895

"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

# revision identifiers, used by Alembic.
revision = "0005_booking"
down_revision = "0004_wechat"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "booking_services",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("typical_minutes", sa.Integer(), nullable=False, comment="typical duration of one visit"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_booking_services")),
        sa.UniqueConstraint("name", name=op.f("uq_booking_services_name")),
    )
    op.create_table(
        "booking_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False, comment="UTC"),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False, comment="UTC"),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name=op.f("ck_booking_slots_within_capacity")),
        sa.ForeignKeyConstraint(
            ["service_code"], ["booking_services.code"], name=op.f("fk_booking_slots_service_code_booking_services")
        ),
        sa.ForeignKeyConstraint(
            ["station_code"], ["stations.code"], name=op.f("fk_booking_slots_station_code_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_slots")),
        sa.UniqueConstraint("station_code", "service_code", "starts_at", name="uq_booking_slots_station_service_start"),
    )
    op.create_table(
        "station_closed_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="Asia/Shanghai date"),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_station_closed_days_closed_by_id_users")),
        sa.ForeignKeyConstraint(
            ["station_code"], ["stations.code"], name=op.f("fk_station_closed_days_station_code_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_closed_days")),
        sa.UniqueConstraint("station_code", "day", name="uq_station_closed_days_station_day"),
    )
    op.create_table(
        "station_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False, comment="ISO weekdays open, 1 = Monday"),
        sa.Column("opens_at", sa.Time(), nullable=False, comment="Asia/Shanghai"),
        sa.Column("closes_at", sa.Time(), nullable=False, comment="Asia/Shanghai; the last slot ends by then"),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False, comment="places per slot"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_station_offers_capacity_positive")),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_station_offers_opens_before_closing")),
        sa.CheckConstraint(
            "slot_minutes > 0 AND slot_minutes % 30 = 0", name=op.f("ck_station_offers_slot_minutes_in_blocks")
        ),
        sa.ForeignKeyConstraint(
            ["service_code"], ["booking_services.code"], name=op.f("fk_station_offers_service_code_booking_services")
        ),
        sa.ForeignKeyConstraint(
            ["station_code"], ["stations.code"], name=op.f("fk_station_offers_station_code_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_offers")),
        sa.UniqueConstraint("station_code", "service_code", name="uq_station_offers_station_service"),
    )
    with op.batch_alter_table("station_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_station_offers_station_code"), ["station_code"], unique=False)

    op.create_geospatial_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False, comment="hash of the booking request"),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("address", sa.LargeBinary(), nullable=False),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("contact_name", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("preferred_worker_id", sa.Integer(), nullable=True),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("reschedule_count", sa.Integer(), nullable=False, comment="> 0 shows 已改约"),
        sa.Column("entry_confirmed_at", sa.DateTime(timezone=True), nullable=True, comment="确认入户"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'assigned', 'in_service', 'completed', 'cancelled', 'rejected')",
            name=op.f("ck_bookings_status"),
        ),
        sa.ForeignKeyConstraint(
            ["preferred_worker_id"], ["workers.id"], name=op.f("fk_bookings_preferred_worker_id_workers")
        ),
        sa.ForeignKeyConstraint(["resident_id"], ["users.id"], name=op.f("fk_bookings_resident_id_users")),
        sa.ForeignKeyConstraint(
            ["service_code"], ["booking_services.code"], name=op.f("fk_bookings_service_code_booking_services")
        ),
        sa.ForeignKeyConstraint(["slot_id"], ["booking_slots.id"], name=op.f("fk_bookings_slot_id_booking_slots")),
        sa.ForeignKeyConstraint(["station_code"], ["stations.code"], name=op.f("fk_bookings_station_code_stations")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_bookings_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("resident_id", "idempotency_key", name="uq_bookings_resident_idempotency_key"),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bookings_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index("ix_bookings_station_code_starts_at", ["station_code", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "booking_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("result", sa.String(length=12), nullable=True, comment="upheld, dismissed or invalid"),
        sa.Column("result_note", sa.String(length=500), nullable=True),
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
            name=op.f("ck_booking_complaints_status"),
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"], ["users.id"], name=op.f("fk_booking_complaints_accepted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_complaints_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_booking_complaints_closed_by_id_users")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_booking_complaints_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_booking_complaints_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_complaints")),
    )
    with op.batch_alter_table("booking_complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_complaints_booking_id"), ["booking_id"], unique=False)

    op.create_table(
        "booking_entry_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("scanned_worker_id", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False, comment="the certificate's colour at the door"),
        sa.Column("checked_by_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_entry_checks_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificates.id"], name=op.f("fk_booking_entry_checks_certificate_id_certificates")
        ),
        sa.ForeignKeyConstraint(
            ["checked_by_id"], ["users.id"], name=op.f("fk_booking_entry_checks_checked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["scanned_worker_id"], ["workers.id"], name=op.f("fk_booking_entry_checks_scanned_worker_id_workers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_entry_checks")),
    )
    with op.batch_alter_table("booking_entry_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_entry_checks_booking_id"), ["booking_id"], unique=False)

    op.create_table(
        "booking_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True, comment="NULL for commands"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_booking_events_actor_id_users")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_booking_events_booking_id_bookings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_events")),
    )
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_events_booking_id"), ["booking_id"], unique=False)

    op.create_table(
        "booking_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("caller_id", sa.Integer(), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_follow_ups_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(["caller_id"], ["users.id"], name=op.f("fk_booking_follow_ups_caller_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_follow_ups")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_booking_follow_ups_booking_id")),
    )
    op.create_table(
        "booking_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=True),
        sa.Column("rated_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_booking_ratings_stars_range")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_booking_ratings_booking_id_bookings")),
        sa.ForeignKeyConstraint(["rated_by_id"], ["users.id"], name=op.f("fk_booking_ratings_rated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_ratings")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_booking_ratings_booking_id")),
    )
    op.create_table(
        "worker_time_blocks",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_worker_time_blocks_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_worker_time_blocks_worker_id_workers")),
        sa.PrimaryKeyConstraint("worker_id", "starts_at", name=op.f("pk_worker_time_blocks")),
    )
    with op.batch_alter_table("worker_time_blocks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_time_blocks_booking_id"), ["booking_id"], unique=False)


def downgrade():
    with op.batch_alter_table("worker_time_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_time_blocks_booking_id"))

    op.drop_table("worker_time_blocks")
    op.drop_table("booking_ratings")
    op.drop_table("booking_follow_ups")
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_events_booking_id"))

    op.drop_table("booking_events")
    with op.batch_alter_table("booking_entry_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_entry_checks_booking_id"))

    op.drop_table("booking_entry_checks")
    with op.batch_alter_table("booking_complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_complaints_booking_id"))

    op.drop_table("booking_complaints")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookings_worker_id"))
        batch_op.drop_index("ix_bookings_station_code_starts_at")
        batch_op.drop_index(batch_op.f("ix_bookings_slot_id"))
        batch_op.drop_index(batch_op.f("ix_bookings_resident_id"))

    op.drop_geospatial_table("bookings")
    with op.batch_alter_table("station_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_station_offers_station_code"))

    op.drop_table("station_offers")
    op.drop_table("station_closed_days")
    op.drop_table("booking_slots")
    op.drop_table("booking_services")
