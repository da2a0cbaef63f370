"""Sanctions (失信惩戒): cases against a worker or a company with their audit, evidence, the
失信名单 (listings), credit repair applications and the look-ups of a person's standing; the dates
of a measure on credit's own rows (workers.listed_until, companies.listed_until / hidden_until /
registrations_stopped_until); and the sanction_notice kind of subscribe message.

Revision ID: 0017_sanctions
Revises: 0016_training_materials
Create Date: 2026-12-02 04:38:21.182613

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_sanctions"
down_revision = "0016_training_materials"
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
)
KINDS_AFTER = (*KINDS_BEFORE, "sanction_notice")


def _message_kinds(kinds) -> None:
    with op.batch_alter_table("wechat_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_wechat_messages_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_wechat_messages_kind"), f"kind IN ({', '.join(repr(k) for k in kinds)})"
        )


def upgrade():
    op.create_table(
        "sanction_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("proposed_measure", sa.String(length=24), nullable=False),
        sa.Column("proposed_days", sa.Integer(), nullable=True, comment="for a measure of a period"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True, comment="NULL for commands"),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statement_due_on", sa.Date(), nullable=False, comment="the last day (Beijing) to state one's case"),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("stated_by_id", sa.Integer(), nullable=True),
        sa.Column("stated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_measure", sa.String(length=24), nullable=True),
        sa.Column("decided_days", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column(
            "breach_event_id", sa.Integer(), nullable=True, comment="the `breach` ledger event an upheld case wrote"
        ),
        sa.Column("measure_from", sa.Date(), nullable=True),
        sa.Column("measure_until", sa.Date(), nullable=True, comment="the last day of a measure of a period"),
        sa.Column("measure_ended_on", sa.Date(), nullable=True, comment="when the end of the period was recorded"),
        sa.Column(
            "certificate_suspended",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="this case suspended the certificate",
        ),
        sa.CheckConstraint(
            "category IN ('serious_complaint', 'court_record', 'platform_fraud', 'forged_certificate')",
            name=op.f("ck_sanction_cases_category"),
        ),
        sa.CheckConstraint(
            "decided_measure IS NULL OR decided_measure IN ('warning', 'suspension', 'listing', 'revocation', 'grade_capped', 'hidden', 'registrations_stopped')",
            name=op.f("ck_sanction_cases_decided_measure"),
        ),
        sa.CheckConstraint(
            "proposed_measure IN ('warning', 'suspension', 'listing', 'revocation', 'grade_capped', 'hidden', 'registrations_stopped')",
            name=op.f("ck_sanction_cases_proposed_measure"),
        ),
        sa.CheckConstraint(
            "status IN ('awaiting_statement', 'stated', 'upheld', 'reduced', 'dismissed')",
            name=op.f("ck_sanction_cases_status"),
        ),
        sa.CheckConstraint("(worker_id IS NULL) <> (company_id IS NULL)", name=op.f("ck_sanction_cases_one_party")),
        sa.ForeignKeyConstraint(
            ["breach_event_id"], ["credit_events.id"], name=op.f("fk_sanction_cases_breach_event_id_credit_events")
        ),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_sanction_cases_company_id_companies")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_sanction_cases_decided_by_id_users")),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"], name=op.f("fk_sanction_cases_opened_by_id_users")),
        sa.ForeignKeyConstraint(["stated_by_id"], ["users.id"], name=op.f("fk_sanction_cases_stated_by_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_sanction_cases_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction_cases")),
    )
    op.create_index("ix_sanction_cases_company_id", "sanction_cases", ["company_id"], unique=False)
    op.create_index("ix_sanction_cases_status", "sanction_cases", ["status"], unique=False)
    op.create_index("ix_sanction_cases_worker_id", "sanction_cases", ["worker_id"], unique=False)
    op.create_table(
        "sanction_listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("listed_from", sa.Date(), nullable=False),
        sa.Column("listed_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=10), nullable=True, comment="expired (its end date) or repaired"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "end_reason IS NULL OR end_reason IN ('expired', 'repaired')", name=op.f("ck_sanction_listings_end_reason")
        ),
        sa.CheckConstraint("status IN ('listed', 'ended')", name=op.f("ck_sanction_listings_status")),
        sa.CheckConstraint("(worker_id IS NULL) <> (company_id IS NULL)", name=op.f("ck_sanction_listings_one_party")),
        sa.CheckConstraint("listed_until >= listed_from", name=op.f("ck_sanction_listings_dates")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["sanction_cases.id"], name=op.f("fk_sanction_listings_case_id_sanction_cases")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_sanction_listings_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_sanction_listings_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction_listings")),
        sa.UniqueConstraint("case_id", name=op.f("uq_sanction_listings_case_id")),
    )
    op.create_index("ix_sanction_listings_company_id", "sanction_listings", ["company_id"], unique=False)
    op.create_index(
        "ix_sanction_listings_status_listed_until", "sanction_listings", ["status", "listed_until"], unique=False
    )
    op.create_index("ix_sanction_listings_worker_id", "sanction_listings", ["worker_id"], unique=False)
    op.create_table(
        "sanction_repairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("correction", sa.Text(), nullable=False, comment="what the party did to correct it"),
        sa.Column("applied_by_id", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column(
            "compensating_event_id",
            sa.Integer(),
            nullable=True,
            comment="the ledger event neutralising the case's breach",
        ),
        sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f("ck_sanction_repairs_status")),
        sa.ForeignKeyConstraint(["applied_by_id"], ["users.id"], name=op.f("fk_sanction_repairs_applied_by_id_users")),
        sa.ForeignKeyConstraint(
            ["compensating_event_id"],
            ["credit_events.id"],
            name=op.f("fk_sanction_repairs_compensating_event_id_credit_events"),
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_sanction_repairs_decided_by_id_users")),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["sanction_listings.id"], name=op.f("fk_sanction_repairs_listing_id_sanction_listings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction_repairs")),
    )
    op.create_index(op.f("ix_sanction_repairs_listing_id"), "sanction_repairs", ["listing_id"], unique=False)
    op.create_index(
        "uq_sanction_repairs_pending",
        "sanction_repairs",
        ["listing_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "sanction_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_sanction_events_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["sanction_cases.id"], name=op.f("fk_sanction_events_case_id_sanction_cases")
        ),
        sa.ForeignKeyConstraint(
            ["repair_id"], ["sanction_repairs.id"], name=op.f("fk_sanction_events_repair_id_sanction_repairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction_events")),
    )
    op.create_index("ix_sanction_events_case_id_id", "sanction_events", ["case_id", "id"], unique=False)
    op.create_table(
        "sanction_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False, comment="opaque; app.storage"),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stage IN ('facts', 'statement', 'repair')", name=op.f("ck_sanction_evidence_stage")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["sanction_cases.id"], name=op.f("fk_sanction_evidence_case_id_sanction_cases")
        ),
        sa.ForeignKeyConstraint(
            ["repair_id"], ["sanction_repairs.id"], name=op.f("fk_sanction_evidence_repair_id_sanction_repairs")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_sanction_evidence_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction_evidence")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_sanction_evidence_storage_key")),
    )
    op.create_index(op.f("ix_sanction_evidence_case_id"), "sanction_evidence", ["case_id"], unique=False)
    op.create_index(op.f("ix_sanction_evidence_repair_id"), "sanction_evidence", ["repair_id"], unique=False)
    op.create_table(
        "sanction_look_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=12), nullable=False),
        sa.Column("viewer_id", sa.Integer(), nullable=False),
        sa.Column("viewer_role", sa.String(length=16), nullable=False, comment="the role the look-up was allowed by"),
        sa.Column("worker_id", sa.Integer(), nullable=True, comment="NULL: no worker on file"),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column(
            "result", sa.String(length=12), nullable=False, comment="listed, not_listed or not_found; read for evidence"
        ),
        sa.Column("looked_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("what IN ('worker_check', 'evidence')", name=op.f("ck_sanction_look_ups_what")),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["sanction_evidence.id"], name=op.f("fk_sanction_look_ups_evidence_id_sanction_evidence")
        ),
        sa.ForeignKeyConstraint(["viewer_id"], ["users.id"], name=op.f("fk_sanction_look_ups_viewer_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_sanction_look_ups_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction_look_ups")),
    )
    op.create_index("ix_sanction_look_ups_worker_id", "sanction_look_ups", ["worker_id"], unique=False)
    with op.batch_alter_table("companies") as batch_op:
        batch_op.add_column(
            sa.Column("listed_until", sa.Date(), nullable=True, comment="on the 失信名单 until this day (Beijing)")
        )
        batch_op.add_column(
            sa.Column("hidden_until", sa.Date(), nullable=True, comment="hidden from the public list until this day")
        )
        batch_op.add_column(
            sa.Column(
                "registrations_stopped_until",
                sa.Date(),
                nullable=True,
                comment="registers no new workers until this day",
            )
        )
    with op.batch_alter_table("workers") as batch_op:
        batch_op.add_column(
            sa.Column("listed_until", sa.Date(), nullable=True, comment="on the 失信名单 until this day (Beijing)")
        )
    _message_kinds(KINDS_AFTER)


def downgrade():
    op.execute("DELETE FROM wechat_messages WHERE kind = 'sanction_notice'")
    _message_kinds(KINDS_BEFORE)
    with op.batch_alter_table("companies") as batch_op:
        batch_op.drop_column("listed_until")
        batch_op.drop_column("hidden_until")
        batch_op.drop_column("registrations_stopped_until")
    with op.batch_alter_table("workers") as batch_op:
        batch_op.drop_column("listed_until")
    op.drop_index("ix_sanction_look_ups_worker_id", table_name="sanction_look_ups")
    op.drop_table("sanction_look_ups")
    op.drop_index(op.f("ix_sanction_evidence_repair_id"), table_name="sanction_evidence")
    op.drop_index(op.f("ix_sanction_evidence_case_id"), table_name="sanction_evidence")
    op.drop_table("sanction_evidence")
    op.drop_index("ix_sanction_events_case_id_id", table_name="sanction_events")
    op.drop_table("sanction_events")
    op.drop_index(
        "uq_sanction_repairs_pending",
        table_name="sanction_repairs",
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.drop_index(op.f("ix_sanction_repairs_listing_id"), table_name="sanction_repairs")
    op.drop_table("sanction_repairs")
    op.drop_index("ix_sanction_listings_worker_id", table_name="sanction_listings")
    op.drop_index("ix_sanction_listings_status_listed_until", table_name="sanction_listings")
    op.drop_index("ix_sanction_listings_company_id", table_name="sanction_listings")
    op.drop_table("sanction_listings")
    op.drop_index("ix_sanction_cases_worker_id", table_name="sanction_cases")
    op.drop_index("ix_sanction_cases_status", table_name="sanction_cases")
    op.drop_index("ix_sanction_cases_company_id", table_name="sanction_cases")
    op.drop_table("sanction_cases")
