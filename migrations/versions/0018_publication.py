"""Publication: published lists (dated grade lists and 示范 selections), numbered per kind and
year, and their rows, copied from the companies when published.

Revision ID: 0018_publication
Revises: 0017_sanctions
Create Date: 2026-12-02 05:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_publication"
down_revision = "0017_sanctions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False, comment="the year the list is of (年度)"),
        sa.Column("sequence", sa.Integer(), nullable=False, comment="1, 2, ... within the kind and year"),
        sa.Column("number", sa.String(length=40), nullable=False, comment="e.g. 穗家信〔2026〕1号"),
        sa.Column("published_on", sa.Date(), nullable=False, comment="Beijing's date"),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scoring_version", sa.String(length=40), nullable=False, comment="credit/scoring.toml's version"),
        sa.Column(
            "criteria_version",
            sa.String(length=40),
            nullable=True,
            comment="publication/demonstration.toml's version (a selection only)",
        ),
        sa.Column("published_by_id", sa.Integer(), nullable=True, comment="NULL for commands"),
        sa.CheckConstraint("kind IN ('grade_list', 'demonstration')", name=op.f("ck_publications_kind")),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"], name=op.f("fk_publications_published_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("kind", "year", "sequence", name="uq_publications_kind_year_sequence"),
        sa.UniqueConstraint("number", name=op.f("uq_publications_number")),
    )
    op.create_table(
        "publication_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="1 for the first row"),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("company_name", sa.String(length=100), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("grade", sa.String(length=2), nullable=True),
        sa.Column("credit_score", sa.Float(), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"], ["publications.id"], name=op.f("fk_publication_entries_publication_id_publications")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_publication_entries_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_entries")),
        sa.UniqueConstraint("publication_id", "position", name="uq_publication_entries_position"),
        sa.UniqueConstraint("publication_id", "company_id", name="uq_publication_entries_company"),
    )
    op.create_index(op.f("ix_publication_entries_company_id"), "publication_entries", ["company_id"])


def downgrade():
    op.drop_index(op.f("ix_publication_entries_company_id"), table_name="publication_entries")
    op.drop_table("publication_entries")
    op.drop_table("publications")
