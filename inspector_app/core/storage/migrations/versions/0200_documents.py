"""Documents: sign-offs, signatures, amendments, evidence photos, document numbers.

Revision ID: 0200
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0200"
down_revision = "0002"
branch_labels = None
depends_on = None


def _synced() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "inspection_signoff",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("rectification_days", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("device", sa.String(length=100), nullable=False),
        *_synced(),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id"),
    )
    op.create_table(
        "amendment",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("canonical", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        *_synced(),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id", "seq"),
    )
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_amendment_inspection_id"), ["inspection_id"], unique=False)

    op.create_table(
        "signature",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("amendment_id", sa.String(length=36), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("witness", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("strokes", sa.Text(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("image_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        *_synced(),
        sa.ForeignKeyConstraint(["amendment_id"], ["amendment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspector.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signature_amendment_id"), ["amendment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signature_inspection_id"), ["inspection_id"], unique=False)

    op.create_table(
        "photo",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("ext", sa.String(length=8), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=False),
        sa.Column("print_copy", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        *_synced(),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id", "sha256"),
    )
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photo_inspection_id"), ["inspection_id"], unique=False)

    op.create_table(
        "doc_number",
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=False),
        sa.Column("device", sa.String(length=100), nullable=False),
        *_synced(),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("doc_type", "year", "prefix", "serial"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("doc_number", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_doc_number_inspection_id"), ["inspection_id"], unique=False)


def downgrade() -> None:
    op.drop_table("doc_number")
    op.drop_table("photo")
    op.drop_table("signature")
    op.drop_table("amendment")
    op.drop_table("inspection_signoff")
