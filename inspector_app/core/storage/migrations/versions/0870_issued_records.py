"""The register of issued documents also holds the documents of a supervision record (issue 15 review): the
分类告知书 (classification_notice) and the 约谈记录 (interview), which belong to no inspection. Their rows have
no inspection_id and name their record in record_id; the rows of inspection documents keep record_id "".

Revision ID: 0870_issued_records
Revises: 0840_photo_view
"""

import sqlalchemy as sa
from alembic import op

revision = "0870_issued_records"
down_revision = "0860_statistics_inputs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.alter_column("inspection_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column("record_id", sa.String(length=36), nullable=False, server_default=""))
    # After the table is rebuilt (inside the batch, the copy would create it a second time).
    op.create_index("ix_issued_document_record_id", "issued_document", ["record_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM issued_document WHERE inspection_id IS NULL")
    op.drop_index("ix_issued_document_record_id", table_name="issued_document")
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_column("record_id")
        batch_op.alter_column("inspection_id", existing_type=sa.String(length=36), nullable=False)
