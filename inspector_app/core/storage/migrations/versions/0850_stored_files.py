"""A bureau of several clerks (issue 17): attachments kept in the server database, and who changed what.

- stored_file: photo originals and issued PDFs by content (SHA-256). On a server database every clerk's
  workstation must open them, so they live here; a file database keeps them as files in the data folder
  (the table exists there too, empty, so both engines have one schema).
- change_log: who (the server role, or the laptop's inspector / OS user) made which bureau change when,
  shown in the enterprise's archive history (一企一档).

Revision ID: 0850_stored_files
Revises: 0810_supervision_records
"""

import sqlalchemy as sa
from alembic import op

revision = "0850_stored_files"
down_revision = "0840_photo_view"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("enterprise_id", sa.String(length=36), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_log_enterprise_id", "change_log", ["enterprise_id"])
    op.create_index("ix_change_log_at", "change_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_change_log_at", table_name="change_log")
    op.drop_index("ix_change_log_enterprise_id", table_name="change_log")
    op.drop_table("change_log")
    op.drop_table("stored_file")
