"""An objection's evidence: the file the objector uploads with it (kept in app.storage, read only
through the app), in place of the unused evidence_document_id; and who read that file, as
document_look_ups are kept for a worker's documents. No objection had evidence linked (nothing
wrote the column), so nothing is carried over.

Revision ID: 0015_objection_evidence
Revises: 0014_web_sessions
Create Date: 2026-12-02 01:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_objection_evidence"
down_revision = "0014_web_sessions"
branch_labels = None
depends_on = None

EVIDENCE_WHOLE = "(evidence_key IS NULL) = (evidence_content_type IS NULL) AND (evidence_key IS NULL) = (evidence_size_bytes IS NULL)"


def upgrade():
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_column("evidence_document_id")
        batch_op.add_column(
            sa.Column(
                "evidence_key",
                sa.String(length=64),
                nullable=True,
                comment="the objector's uploaded evidence, if any (opaque; app.storage)",
            )
        )
        batch_op.add_column(sa.Column("evidence_content_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("evidence_size_bytes", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_objections_evidence_key"), ["evidence_key"])
        batch_op.create_check_constraint(batch_op.f("ck_objections_evidence_whole"), EVIDENCE_WHOLE)

    op.create_table(
        "objection_evidence_look_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objection_id", sa.Integer(), nullable=False),
        sa.Column("viewer_id", sa.Integer(), nullable=False),
        sa.Column("viewer_role", sa.String(length=16), nullable=False, comment="the role the look-up was allowed by"),
        sa.Column("looked_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"], ["objections.id"], name=op.f("fk_objection_evidence_look_ups_objection_id_objections")
        ),
        sa.ForeignKeyConstraint(
            ["viewer_id"], ["users.id"], name=op.f("fk_objection_evidence_look_ups_viewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_evidence_look_ups")),
    )
    op.create_index(
        op.f("ix_objection_evidence_look_ups_objection_id"), "objection_evidence_look_ups", ["objection_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_objection_evidence_look_ups_objection_id"), table_name="objection_evidence_look_ups")
    op.drop_table("objection_evidence_look_ups")
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_objections_evidence_whole"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_objections_evidence_key"), type_="unique")
        batch_op.drop_column("evidence_size_bytes")
        batch_op.drop_column("evidence_content_type")
        batch_op.drop_column("evidence_key")
        batch_op.add_column(
            sa.Column("evidence_document_id", sa.Integer(), nullable=True, comment="the uploaded evidence, once linked")
        )
