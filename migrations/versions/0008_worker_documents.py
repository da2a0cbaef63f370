"""Evidence on file: a worker's uploaded documents (versioned, reviewed, purged after retention),
who looked them up, and the worker's uploaded photo.

Revision ID: 0008_worker_documents
Revises: 0007_company_phone_public
Create Date: 2026-12-02 00:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_worker_documents"
down_revision = "0007_company_phone_public"
branch_labels = None
depends_on = None

KINDS = (
    "id_card_front",
    "id_card_back",
    "health_certificate",
    "skill_certificate",
    "credit_authorisation",
    "no_criminal_record",
    "insurance_policy",
)


def _in(values) -> str:
    return ", ".join(repr(value) for value in values)


def upgrade():
    op.add_column(
        "workers",
        sa.Column("photo_key", sa.String(length=64), nullable=True, comment="storage key of the uploaded photo"),
    )
    op.create_table(
        "worker_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False, comment="opaque; app.storage"),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True, comment="when the certificate on it ends"),
        sa.Column("review", sa.String(length=12), nullable=False),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True, comment="NULL for commands"),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True, comment="file deleted after retention"),
        sa.CheckConstraint(f"kind IN ({_in(KINDS)})", name=op.f("ck_worker_documents_kind")),
        sa.CheckConstraint(
            f"review IN ({_in(('pending', 'accepted', 'refused'))})", name=op.f("ck_worker_documents_review")
        ),
        sa.CheckConstraint(
            f"content_type IN ({_in(('image/jpeg', 'image/png', 'application/pdf'))})",
            name=op.f("ck_worker_documents_content_type"),
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_worker_documents_worker_id_workers")),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_worker_documents_reviewed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_worker_documents_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_documents")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_worker_documents_storage_key")),
        sa.UniqueConstraint("worker_id", "kind", "version", name=op.f("uq_worker_documents_worker_id")),
    )
    op.create_index("ix_worker_documents_worker_id", "worker_documents", ["worker_id"], unique=False)
    op.create_table(
        "document_look_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column(
            "what", sa.String(length=8), nullable=False, comment="list (of documents), document (its file) or photo"
        ),
        sa.Column("document_id", sa.Integer(), nullable=True, comment="the document read"),
        sa.Column("viewer_id", sa.Integer(), nullable=False),
        sa.Column("viewer_role", sa.String(length=16), nullable=False, comment="the role the look-up was allowed by"),
        sa.Column("looked_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["worker_documents.id"], name=op.f("fk_document_look_ups_document_id_worker_documents")
        ),
        sa.ForeignKeyConstraint(["viewer_id"], ["users.id"], name=op.f("fk_document_look_ups_viewer_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_document_look_ups_worker_id_workers")),
        sa.CheckConstraint(f"what IN ({_in(('list', 'document', 'photo'))})", name=op.f("ck_document_look_ups_what")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_look_ups")),
    )
    op.create_index("ix_document_look_ups_worker_id_id", "document_look_ups", ["worker_id", "id"], unique=False)


def downgrade():
    op.drop_index("ix_document_look_ups_worker_id_id", table_name="document_look_ups")
    op.drop_table("document_look_ups")
    op.drop_index("ix_worker_documents_worker_id", table_name="worker_documents")
    op.drop_table("worker_documents")
    with op.batch_alter_table("workers") as batch_op:
        batch_op.drop_column("photo_key")
