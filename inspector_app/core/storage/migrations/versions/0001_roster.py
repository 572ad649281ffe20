"""Roster: enterprises, production sites, licenses, inspectors, settings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_rep", sa.String(length=50), nullable=False),
        sa.Column("contact", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("classification", sa.String(length=2), nullable=False),
        sa.Column("risk_level", sa.String(length=3), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uscc"),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_district"), ["district"], unique=False
        )
        batch_op.create_index("ix_enterprise_name", ["name"], unique=False)

    op.create_table(
        "inspector",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("badge_no", sa.String(length=30), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("badge_no"),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "site",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_id", "address"),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_site_enterprise_id"), ["enterprise_id"], unique=False
        )

    op.create_table(
        "license",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("products", sa.Text(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("license", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_license_category"), ["category"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_license_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_license_expiry_date"), ["expiry_date"], unique=False
        )


def downgrade() -> None:
    op.drop_table("license")
    op.drop_table("site")
    op.drop_table("setting")
    op.drop_table("inspector")
    op.drop_table("enterprise")
