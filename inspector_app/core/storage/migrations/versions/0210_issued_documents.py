"""Archive of issued documents: issued_document (the exact signed PDF handed out, file under data_dir()/issued/).

Revision ID: 0210
Revises: 0200
"""

import sqlalchemy as sa
from alembic import op

revision = "0210"
down_revision = "0200"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_document",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("verification_code", sa.String(length=30), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("how", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("device", sa.String(length=100), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("signer_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id", "sha256"),
    )
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_document_inspection_id"), ["inspection_id"], unique=False)


def downgrade() -> None:
    op.drop_table("issued_document")
