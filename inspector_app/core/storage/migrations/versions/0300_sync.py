"""Sync bundles: registered devices, record sync state, outgoing streams, bundle log, conflicts, receipts.

Revision ID: 0300
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0300"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_device",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("signing_key", sa.String(length=64), nullable=False),
        sa.Column("encryption_key", sa.String(length=64), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("inspector_name", sa.String(length=50), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sync_record_state",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("mark", sa.String(length=100), nullable=False),
        sa.Column("vv", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("changed_seq", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=36), nullable=False),
        sa.Column("received_hash", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kind", "record_id"),
    )
    with op.batch_alter_table("sync_record_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_record_state_changed_seq"), ["changed_seq"], unique=False)

    op.create_table(
        "sync_outbox",
        sa.Column("destination", sa.String(length=36), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("sent_upto", sa.Integer(), nullable=False),
        sa.Column("last_export_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("destination"),
    )
    op.create_table(
        "sync_bundle_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("source", sa.String(length=36), nullable=False),
        sa.Column("destination", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("ordered", sa.Boolean(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("abandoned", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("direction", "source", "destination", "seq"),
    )
    with op.batch_alter_table("sync_bundle_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_bundle_log_source"), ["source"], unique=False)

    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=36), nullable=False),
        sa.Column("bundle_log_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("local_hash", sa.String(length=64), nullable=False),
        sa.Column("local_vv", sa.Text(), nullable=False),
        sa.Column("local_data", sa.Text(), nullable=False),
        sa.Column("incoming_hash", sa.String(length=64), nullable=False),
        sa.Column("incoming_vv", sa.Text(), nullable=False),
        sa.Column("incoming_data", sa.Text(), nullable=False),
        sa.Column("files_dir", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["bundle_log_id"], ["sync_bundle_log.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_conflict_status"), ["status"], unique=False)
        batch_op.create_index("ix_sync_conflict_record", ["kind", "record_id"], unique=False)

    op.create_table(
        "sync_receipt",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("issuer", sa.String(length=36), nullable=False),
        sa.Column("bundle_destination", sa.String(length=36), nullable=False),
        sa.Column("bundle_seq", sa.Integer(), nullable=False),
        sa.Column("bundle_sha256", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_receipt_device_id"), ["device_id"], unique=False)


def downgrade() -> None:
    op.drop_table("sync_receipt")
    op.drop_table("sync_conflict")
    op.drop_table("sync_bundle_log")
    op.drop_table("sync_outbox")
    op.drop_table("sync_record_state")
    op.drop_table("sync_device")
