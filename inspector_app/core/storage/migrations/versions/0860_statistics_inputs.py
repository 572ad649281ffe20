"""Statistics inputs (issue 15, 000's other figures): how a license was issued (告知承诺 or the ordinary
procedure, 000 一) and the product named by a spot check (000 三: 抽查……22种产品).

Revision ID: 0860_statistics_inputs
Revises: 0810_supervision_records
"""

import sqlalchemy as sa
from alembic import op

revision = "0860_statistics_inputs"
down_revision = "0850_stored_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("license", schema=None) as batch_op:
        # NULL: not recorded; "commitment" 告知承诺; "standard" 一般程序 (frozen copy of catalog.ISSUANCE_MODES)
        batch_op.add_column(sa.Column("issuance", sa.String(length=12), nullable=True))
    with op.batch_alter_table("spot_check", schema=None) as batch_op:
        batch_op.add_column(sa.Column("product", sa.String(length=100), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("spot_check", schema=None) as batch_op:
        batch_op.drop_column("product")
    with op.batch_alter_table("license", schema=None) as batch_op:
        batch_op.drop_column("issuance")
