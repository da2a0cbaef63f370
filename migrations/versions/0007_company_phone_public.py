"""Companies publish their contact number only once they mark it public: existing numbers were
entered without that consent, so every one starts unpublished.

Revision ID: 0007_company_phone_public
Revises: 0006_booking_reminders
Create Date: 2026-12-01 22:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_company_phone_public"
down_revision = "0006_booking_reminders"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "companies",
        sa.Column(
            "contact_phone_public",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
            comment="the company marked contact_phone as its business number, to be published",
        ),
    )


def downgrade():
    op.drop_column("companies", "contact_phone_public")
