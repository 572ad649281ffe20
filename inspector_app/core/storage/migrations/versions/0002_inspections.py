"""Inspections: template snapshots, inspections, teams, item results.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_snapshot",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("template_id", sa.String(length=50), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_table(
        "inspection",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("license_id", sa.String(length=36), nullable=True),
        sa.Column("template_digest", sa.String(length=64), nullable=False),
        sa.Column("template_id", sa.String(length=50), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["license_id"],
            ["license.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
        ),
        sa.ForeignKeyConstraint(
            ["template_digest"],
            ["template_snapshot.digest"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_inspected_on"), ["inspected_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_site_id"), ["site_id"], unique=False
        )

    op.create_table(
        "inspection_member",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspection.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.PrimaryKeyConstraint("inspection_id", "inspector_id"),
    )
    op.create_table(
        "item_result",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=20), nullable=False),
        sa.Column("conclusion", sa.String(length=12), nullable=True),
        sa.Column("na_reason", sa.String(length=200), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("remark", sa.Text(), nullable=False),
        sa.Column("rectified_on_site", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspection.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id", "item_id"),
    )


def downgrade() -> None:
    op.drop_table("item_result")
    op.drop_table("inspection_member")
    op.drop_table("inspection")
    op.drop_table("template_snapshot")
