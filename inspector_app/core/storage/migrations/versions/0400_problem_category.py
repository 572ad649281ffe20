"""Problem category of a finding: item_result.problem_category (NULL = the item's default category).

Revision ID: 0400
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0400"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("problem_category", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item_result", schema=None) as batch_op:
        batch_op.drop_column("problem_category")
