"""The companies of a district counted by grade from an index (issue 18): GET
/api/v1/statistics/companies read every company of the district from the table to group them by
grade (273 rows, 55 heap pages of Tianhe's at scale 1, growing with the registry); an index of the
district and the grade answers it alone (3 pages), and serves every lookup by district that the
district's own index did, which it replaces.

Revision ID: 0041_companies_by_grade
Revises: 0040_class_counts
Create Date: 2026-12-03 16:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0041_companies_by_grade"
down_revision = "0040_class_counts"
branch_labels = None
depends_on = None


def upgrade():
    # Not in a batch: SQLite would copy the table and lose its partial index.
    op.create_index("ix_companies_district_code_grade", "companies", ["district_code", "grade"])
    op.drop_index("ix_companies_district_code", table_name="companies")


def downgrade():
    op.create_index("ix_companies_district_code", "companies", ["district_code"])
    op.drop_index("ix_companies_district_code_grade", table_name="companies")
