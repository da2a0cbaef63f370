"""Training: a lesson's PDF material (a key in the file storage), the refresher course an upheld
complaint requires, the complaint that required a refresher (once per complaint), and the
training_place kind of subscribe message (a waiting worker's place is theirs).

Revision ID: 0016_training_materials
Revises: 0015_objection_evidence
Create Date: 2026-12-02 02:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_training_materials"
down_revision = "0015_objection_evidence"
branch_labels = None
depends_on = None

KINDS_BEFORE = (
    "booking_received",
    "booking_confirmed",
    "booking_assigned",
    "booking_reminder",
    "followup_survey",
    "expiry_reminder",
)
KINDS_AFTER = (*KINDS_BEFORE, "training_place")


def _message_kinds(kinds) -> None:
    with op.batch_alter_table("wechat_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_wechat_messages_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_wechat_messages_kind"), f"kind IN ({', '.join(repr(k) for k in kinds)})"
        )


def upgrade():
    with op.batch_alter_table("training_lessons") as batch_op:
        batch_op.add_column(
            sa.Column("pdf_storage_key", sa.String(length=50), nullable=True, comment="app.storage key of the PDF")
        )
        batch_op.add_column(sa.Column("pdf_size_bytes", sa.Integer(), nullable=True))
    with op.batch_alter_table("training_courses") as batch_op:
        batch_op.add_column(
            sa.Column(
                "required_after_complaint",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment="a refresher required of a worker when a complaint against them is upheld, in its services",
            )
        )
    with op.batch_alter_table("training_refresher_requirements") as batch_op:
        batch_op.add_column(
            sa.Column(
                "complaint_id",
                sa.Integer(),
                nullable=True,
                comment="the upheld complaint (booking_complaints.id) that required it",
            )
        )
        batch_op.create_index("uq_training_refresher_requirements_complaint_id", ["complaint_id"], unique=True)
    _message_kinds(KINDS_AFTER)


def downgrade():
    # The earlier CHECK does not admit the new kind: its messages (sent or not) go with it.
    op.execute("DELETE FROM wechat_messages WHERE kind = 'training_place'")
    _message_kinds(KINDS_BEFORE)
    with op.batch_alter_table("training_refresher_requirements") as batch_op:
        batch_op.drop_index("uq_training_refresher_requirements_complaint_id")
        batch_op.drop_column("complaint_id")
    with op.batch_alter_table("training_courses") as batch_op:
        batch_op.drop_column("required_after_complaint")
    with op.batch_alter_table("training_lessons") as batch_op:
        batch_op.drop_column("pdf_size_bytes")
        batch_op.drop_column("pdf_storage_key")
