"""A company's place in the cohort stored with its grade (issue 18): whether, at its last grading,
a worker of it held an issued certificate and had stars, and the cohort's scores indexed, so that
a company graded by rank counts the others in the cohort and those above it from the index,
instead of joining every worker's certificate on each grading (130 ms at 100,000 workers, after
every rating). Filled from the workers as they stand now.

Revision ID: 0031_company_cohort
Revises: 0030_page_indexes
Create Date: 2026-12-02 14:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031_company_cohort"
down_revision = "0030_page_indexes"
branch_labels = None
depends_on = None

IN_COHORT = sa.text("in_cohort")


def upgrade():
    # Not in a batch: SQLite would copy the table and lose ix_companies_best_first (an expression).
    op.add_column(
        "companies",
        sa.Column(
            "in_cohort",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
            comment="at its last grading a worker of it held an issued certificate and had stars",
        ),
    )
    op.execute(
        "UPDATE companies SET in_cohort = EXISTS (SELECT 1 FROM workers JOIN certificates "
        "ON certificates.worker_id = workers.id WHERE workers.company_id = companies.id "
        "AND certificates.state = 'issued' AND workers.stars IS NOT NULL)"
    )
    op.create_index(
        "ix_companies_cohort_score", "companies", ["credit_score"], postgresql_where=IN_COHORT, sqlite_where=IN_COHORT
    )


def downgrade():
    op.drop_index("ix_companies_cohort_score", table_name="companies")
    op.drop_column("companies", "in_cohort")
