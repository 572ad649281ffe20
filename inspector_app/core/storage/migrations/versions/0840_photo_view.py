"""Photo view (issue 16 §2): a quarter-turn rotation chosen by the inspector, and where the photo was taken
(EXIF GPS). The original file is evidence and is never rewritten; the rotation turns the stored thumbnail and
print copy only. Photos added before this revision have no position (their EXIF is read on adding).

Revision ID: 0840_photo_view
Revises: 0810_supervision_records
"""

import sqlalchemy as sa
from alembic import op

revision = "0840_photo_view"
down_revision = "0810_supervision_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rotation", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
        batch_op.drop_column("rotation")
