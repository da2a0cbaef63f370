"""The public company list's page after a cursor is one index range (issue 18): its order sorted
the score DESC NULLS LAST, which the page's bound could not hold, so a page read the index from
the first company of the cursor's grade and filtered every one before the cursor (492 index
entries and 519 heap pages for a page of 20 at scale 1, ten times that at 10). The score is sorted
as coalesce(credit_score, -1), never NULL (scores are 0 to 100), in the same order, and the page
starts at the cursor's grade and score together.

Revision ID: 0042_company_list_range
Revises: 0041_companies_by_grade
Create Date: 2026-12-04 01:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0042_company_list_range"
down_revision = "0041_companies_by_grade"
branch_labels = None
depends_on = None

GRADE_RANK = (
    "CASE WHEN grade = 'A' THEN 1 WHEN grade = '2A' THEN 2 WHEN grade = '3A' THEN 3 WHEN grade = '4A' THEN 4 "
    "WHEN grade = '5A' THEN 5 ELSE 0 END"
)


def _best_first(score_descending: str) -> None:
    op.create_index(
        "ix_companies_best_first",
        "companies",
        [sa.text(f"({GRADE_RANK}) DESC"), sa.text(score_descending), "id"],
        postgresql_include=["listed_until", "hidden_until"],
    )


def upgrade():
    # Not in a batch: SQLite would copy the table and lose its expression and partial indexes.
    op.drop_index("ix_companies_best_first", table_name="companies")
    _best_first("coalesce(credit_score, -1) DESC")


def downgrade():
    op.drop_index("ix_companies_best_first", table_name="companies")
    # SQLite takes no NULLS LAST in an index, and needs none: its NULLs sort last when descending.
    _best_first("credit_score DESC" + (" NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""))
