"""Supervision records (issue 15): the inspector's district, the classification notice (001 §11), the
regulatory interview (约谈, 001 §35) and the actions that end a license (001 §39–§43).

Revision ID: 0810_supervision_records
Revises: 0800
"""

import sqlalchemy as sa
from alembic import op

revision = "0810_supervision_records"
down_revision = "0800"
branch_labels = None
depends_on = None


def _synced() -> list:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    with op.batch_alter_table("inspector", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=20), nullable=False, server_default=""))

    op.create_table(
        "classification_notice",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("classification", sa.String(length=2), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("who", sa.String(length=50), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_synced(),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
    )
    op.create_index("ix_classification_notice_enterprise_id", "classification_notice", ["enterprise_id"])
    op.create_index("ix_classification_notice_issued_on", "classification_notice", ["issued_on"])

    op.create_table(
        "interview",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("interviewee", sa.String(length=50), nullable=False),
        sa.Column("interviewee_title", sa.String(length=50), nullable=False),
        sa.Column("interviewers", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("who", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_synced(),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
    )
    op.create_index("ix_interview_enterprise_id", "interview", ["enterprise_id"])
    op.create_index("ix_interview_held_on", "interview", ["held_on"])

    op.create_table(
        "license_action",
        sa.Column("license_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("decision_no", sa.String(length=80), nullable=False),
        sa.Column("authority", sa.String(length=100), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("who", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_synced(),
        sa.ForeignKeyConstraint(["license_id"], ["license.id"]),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.UniqueConstraint("license_id", "kind"),
    )
    op.create_index("ix_license_action_license_id", "license_action", ["license_id"])
    op.create_index("ix_license_action_enterprise_id", "license_action", ["enterprise_id"])
    op.create_index("ix_license_action_effective_on", "license_action", ["effective_on"])


def downgrade() -> None:
    op.drop_table("license_action")
    op.drop_table("interview")
    op.drop_table("classification_notice")
    with op.batch_alter_table("inspector", schema=None) as batch_op:
        batch_op.drop_column("district")
