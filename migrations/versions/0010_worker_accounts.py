"""The worker's own account, objections (异议) to ledger events, and moving between companies.

- role_grants, staff_invites and role_events name a worker record for the role `worker`; a worker
  record is held by one account at a time.
- credit_events keep the company a worker's event happened under (employer_id; the rows written
  before could only have been under the worker's present company, since moving was not possible),
  and an upheld objection's compensating event names the event it neutralises.
- scan_logs say what kind of caller looked (NULL for the rows written before it was kept).
- employments (one open per worker; one opened for every worker employed now, from the day the
  worker was registered), employment_offers and objections are new.

Revision ID: 0010_worker_accounts
Revises: 0009_background_checks
Create Date: 2026-12-02 00:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_worker_accounts"
down_revision = "0009_background_checks"
branch_labels = None
depends_on = None

OLD_SCOPE = (
    "(role = 'station_staff' AND station_code IS NOT NULL AND company_id IS NULL)"
    " OR (role = 'company_admin' AND company_id IS NOT NULL AND station_code IS NULL)"
    " OR (role = 'operator' AND station_code IS NULL AND company_id IS NULL)"
)
NEW_SCOPE = (
    "(role = 'station_staff' AND station_code IS NOT NULL AND company_id IS NULL AND worker_id IS NULL)"
    " OR (role = 'company_admin' AND company_id IS NOT NULL AND station_code IS NULL AND worker_id IS NULL)"
    " OR (role = 'operator' AND station_code IS NULL AND company_id IS NULL AND worker_id IS NULL)"
    " OR (role = 'worker' AND worker_id IS NOT NULL AND station_code IS NULL)"
)
ACTIVE = sa.text("revoked_at IS NULL")


def upgrade():
    for table in ("role_grants", "staff_invites"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("worker_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_worker_id_workers"), "workers", ["worker_id"], ["id"])
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_scope_matches_role"), type_="check")
            batch_op.create_check_constraint(batch_op.f(f"ck_{table}_scope_matches_role"), NEW_SCOPE)
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.create_index(
            "uq_role_grants_active_worker", ["worker_id"], unique=True, postgresql_where=ACTIVE, sqlite_where=ACTIVE
        )
    op.add_column("role_events", sa.Column("worker_id", sa.Integer(), nullable=True))

    with op.batch_alter_table("credit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "employer_id",
                sa.Integer(),
                nullable=True,
                comment="a worker's event: the company employing them when it happened",
            )
        )
        batch_op.add_column(
            sa.Column(
                "neutralises_id",
                sa.Integer(),
                nullable=True,
                comment="an upheld objection's compensating event: the event that no longer counts",
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_credit_events_employer_id_companies"), "companies", ["employer_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_credit_events_neutralises_id_credit_events"), "credit_events", ["neutralises_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_credit_events_neutralises_id"), ["neutralises_id"])
    op.execute(
        "UPDATE credit_events SET employer_id = "
        "(SELECT workers.company_id FROM workers WHERE workers.id = credit_events.worker_id) "
        "WHERE worker_id IS NOT NULL"
    )

    op.add_column(
        "scan_logs",
        sa.Column(
            "viewer",
            sa.String(length=10),
            nullable=True,
            comment="resident, station, company, operator, anonymous or self; NULL before it was kept",
        ),
    )
    op.create_index("ix_scan_logs_certificate_id_scanned_at", "scan_logs", ["certificate_id", "scanned_at"])

    op.create_table(
        "employments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True, comment="NULL for commands"),
        sa.Column("ended_by_role", sa.String(length=20), nullable=True, comment="company_admin, worker or operator"),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_employments_company_id_companies")),
        sa.ForeignKeyConstraint(["ended_by_id"], ["users.id"], name=op.f("fk_employments_ended_by_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_employments_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employments")),
    )
    with op.batch_alter_table("employments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employments_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_employments_worker_id"), ["worker_id"], unique=False)
        batch_op.create_index(
            "uq_employments_open_worker",
            ["worker_id"],
            unique=True,
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        )
    op.execute(
        "INSERT INTO employments (worker_id, company_id, started_at) "
        "SELECT id, company_id, created_at FROM workers WHERE company_id IS NOT NULL"
    )

    op.create_table(
        "employment_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("offered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('offered', 'accepted', 'declined')", name=op.f("ck_employment_offers_status")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_employment_offers_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_employment_offers_decided_by_id_users")),
        sa.ForeignKeyConstraint(["offered_by_id"], ["users.id"], name=op.f("fk_employment_offers_offered_by_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_employment_offers_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employment_offers")),
    )
    with op.batch_alter_table("employment_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employment_offers_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_employment_offers_worker_id"), ["worker_id"], unique=False)
        batch_op.create_index(
            "uq_employment_offers_open",
            ["worker_id", "company_id"],
            unique=True,
            postgresql_where=sa.text("status = 'offered'"),
            sqlite_where=sa.text("status = 'offered'"),
        )

    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("objector_id", sa.Integer(), nullable=False),
        sa.Column("objector_role", sa.String(length=20), nullable=False, comment="worker or company_admin"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence_document_id", sa.Integer(), nullable=True, comment="the uploaded evidence, once linked"),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("compensating_event_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'upheld', 'rejected')", name=op.f("ck_objections_status")),
        sa.CheckConstraint("(worker_id IS NULL) <> (company_id IS NULL)", name=op.f("ck_objections_one_subject")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_objections_company_id_companies")),
        sa.ForeignKeyConstraint(
            ["compensating_event_id"],
            ["credit_events.id"],
            name=op.f("fk_objections_compensating_event_id_credit_events"),
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_objections_decided_by_id_users")),
        sa.ForeignKeyConstraint(["event_id"], ["credit_events.id"], name=op.f("fk_objections_event_id_credit_events")),
        sa.ForeignKeyConstraint(["objector_id"], ["users.id"], name=op.f("fk_objections_objector_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_objections_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        for column in ("event_id", "worker_id", "company_id", "objector_id"):
            batch_op.create_index(batch_op.f(f"ix_objections_{column}"), [column], unique=False)
        batch_op.create_index(
            "uq_objections_open_event",
            ["event_id"],
            unique=True,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )


def downgrade():
    op.drop_table("objections")
    op.drop_table("employment_offers")
    op.drop_table("employments")
    op.drop_index("ix_scan_logs_certificate_id_scanned_at", table_name="scan_logs")
    with op.batch_alter_table("scan_logs", schema=None) as batch_op:
        batch_op.drop_column("viewer")
    with op.batch_alter_table("credit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_credit_events_neutralises_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_credit_events_neutralises_id_credit_events"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_credit_events_employer_id_companies"), type_="foreignkey")
        batch_op.drop_column("neutralises_id")
        batch_op.drop_column("employer_id")
    with op.batch_alter_table("role_events", schema=None) as batch_op:
        batch_op.drop_column("worker_id")
    # Worker accounts cannot be kept without their column: their grants and invites go.
    op.execute("DELETE FROM role_events WHERE role = 'worker'")
    op.execute("DELETE FROM role_grants WHERE role = 'worker'")
    op.execute("DELETE FROM staff_invites WHERE role = 'worker'")
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_index("uq_role_grants_active_worker", postgresql_where=ACTIVE, sqlite_where=ACTIVE)
    for table in ("role_grants", "staff_invites"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_scope_matches_role"), type_="check")
            batch_op.create_check_constraint(batch_op.f(f"ck_{table}_scope_matches_role"), OLD_SCOPE)
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_worker_id_workers"), type_="foreignkey")
            batch_op.drop_column("worker_id")
