"""Companies, workers, their 安心服務證 certificates, the append-only credit ledger and the scan log.

Revision ID: 0003_credit
Revises: 0002_accounts
Create Date: 2026-11-25 03:53:39.820323

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003_credit"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False, comment="统一社会信用代码 (GB 32100)"),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("contact_name", sa.String(length=32), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True, comment="the business's public number"),
        sa.Column("grade", sa.String(length=2), nullable=True),
        sa.Column("credit_score", sa.Float(), nullable=True),
        sa.Column("credit_config_version", sa.String(length=40), nullable=True),
        sa.Column("credit_computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_companies_credit_code")),
    )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_companies_district_code"), ["district_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_companies_grade"), ["grade"], unique=False)

    op.create_table(
        "workers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("id_number", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False, comment="keyed hash of id_number"),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=True, comment="keyed hash of phone"),
        sa.Column("photo_url", sa.String(length=300), nullable=True),
        sa.Column("service_types", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("years_of_experience", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("credit_score", sa.Float(), nullable=True),
        sa.Column("credit_config_version", sa.String(length=40), nullable=True),
        sa.Column("credit_computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("rating_mean", sa.Float(), nullable=True),
        sa.Column("upheld_complaints", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_workers_company_id_companies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
        sa.UniqueConstraint("id_number_hash", name=op.f("uq_workers_id_number_hash")),
    )
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workers_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workers_phone_hash"), ["phone_hash"], unique=False)

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True, comment="given at first issue"),
        sa.Column("scan_token", sa.String(length=64), nullable=True),
        sa.Column("id_card_checked_on", sa.Date(), nullable=True),
        sa.Column("health_certificate_valid_until", sa.Date(), nullable=True),
        sa.Column(
            "skill_certificate",
            sa.String(length=100),
            nullable=True,
            comment="name and number of the skill or training certificate",
        ),
        sa.Column(
            "authorisation_signed_on",
            sa.Date(),
            nullable=True,
            comment="信用信息授权书; the profile is public only while signed",
        ),
        sa.Column("training_hours", sa.Integer(), nullable=True),
        sa.Column("trained_on", sa.Date(), nullable=True),
        sa.Column("exam_score", sa.Integer(), nullable=True),
        sa.Column("exam_passed_on", sa.Date(), nullable=True),
        sa.Column("identity_verified_on", sa.Date(), nullable=True, comment="人证合一"),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('applied', 'documents_checked', 'trained', 'exam_passed', 'identity_verified', 'issued', 'suspended', 'revoked', 'expired')",
            name=op.f("ck_certificates_state"),
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_certificates_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
        sa.UniqueConstraint("scan_token", name=op.f("uq_certificates_scan_token")),
        sa.UniqueConstraint("worker_id", name=op.f("uq_certificates_worker_id")),
    )
    op.create_table(
        "credit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.String(length=100), nullable=True, comment="e.g. booking:123, complaint:45"),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True, comment="NULL for imports and commands"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(worker_id IS NULL) <> (company_id IS NULL)", name=op.f("ck_credit_events_one_subject")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_credit_events_actor_id_users")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_credit_events_company_id_companies")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_credit_events_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_events")),
    )
    with op.batch_alter_table("credit_events", schema=None) as batch_op:
        batch_op.create_index("ix_credit_events_company_id_id", ["company_id", "id"], unique=False)
        batch_op.create_index("ix_credit_events_worker_id_id", ["worker_id", "id"], unique=False)

    op.create_table(
        "scan_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False, comment="api or page"),
        sa.Column("client", sa.String(length=16), nullable=False, comment="wechat, android, ios, browser or other"),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificates.id"], name=op.f("fk_scan_logs_certificate_id_certificates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_logs")),
    )
    with op.batch_alter_table("scan_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_logs_certificate_id"), ["certificate_id"], unique=False)


def downgrade():
    with op.batch_alter_table("scan_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_logs_certificate_id"))

    op.drop_table("scan_logs")
    with op.batch_alter_table("credit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_events_worker_id_id")
        batch_op.drop_index("ix_credit_events_company_id_id")

    op.drop_table("credit_events")
    op.drop_table("certificates")
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workers_phone_hash"))
        batch_op.drop_index(batch_op.f("ix_workers_company_id"))

    op.drop_table("workers")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_grade"))
        batch_op.drop_index(batch_op.f("ix_companies_district_code"))

    op.drop_table("companies")
