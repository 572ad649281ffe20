"""Supervision loop: classification history, spot checks, plans, draws, assignments, rectifications, flags.

Revision ID: 0100
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annual_plan",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "district"),
    )
    op.create_table(
        "draw",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=True),
        sa.Column("drawn_on", sa.Date(), nullable=False),
        sa.Column("seed", sa.String(length=200), nullable=False),
        sa.Column("rules_id", sa.String(length=60), nullable=False),
        sa.Column("rules_json", sa.Text(), nullable=False),
        sa.Column("rules_hash", sa.String(length=64), nullable=False),
        sa.Column("roster_hash", sa.String(length=64), nullable=False),
        sa.Column("roster_snapshot", sa.LargeBinary(), nullable=False),
        sa.Column("result_hash", sa.String(length=64), nullable=False),
        sa.Column("drawn_by", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draw", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draw_year"), ["year"], unique=False)

    op.create_table(
        "classification_change",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("from_class", sa.String(length=2), nullable=True),
        sa.Column("to_class", sa.String(length=2), nullable=True),
        sa.Column("from_risk", sa.String(length=3), nullable=True),
        sa.Column("to_risk", sa.String(length=3), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("who", sa.String(length=50), nullable=False),
        sa.Column("commitment", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("classification_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classification_change_changed_on"), ["changed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_classification_change_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "conflict_of_interest",
        sa.Column("inspector_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspector_id", "enterprise_id"),
    )
    with op.batch_alter_table("conflict_of_interest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflict_of_interest_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conflict_of_interest_inspector_id"), ["inspector_id"], unique=False)

    op.create_table(
        "inspector_profile",
        sa.Column("inspector_id", sa.String(length=36), nullable=False),
        sa.Column("can_lead", sa.Boolean(), nullable=False),
        sa.Column("technical", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspector_id"),
    )
    op.create_table(
        "plan_entry",
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("visit_no", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["annual_plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "enterprise_id", "visit_no"),
    )
    with op.batch_alter_table("plan_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_entry_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_entry_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "product_class",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("classification", sa.String(length=2), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_id", "category"),
    )
    with op.batch_alter_table("product_class", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_class_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "spot_check",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("failed_batches", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("who", sa.String(length=50), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("spot_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spot_check_checked_on"), ["checked_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_spot_check_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("draw_id", sa.String(length=36), nullable=True),
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=40), nullable=False),
        sa.Column("team_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("publish_by", sa.Date(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"],
            ["draw.id"],
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_draw_id"), ["draw_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "rectification",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("followup_inspection_id", sa.String(length=36), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("check_record", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(length=300), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["followup_inspection_id"],
            ["inspection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id", "item_id"),
    )
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rectification_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_status"), ["status"], unique=False)

    op.create_table(
        "assignment_member",
        sa.Column("assignment_id", sa.String(length=36), nullable=False),
        sa.Column("inspector_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id", "inspector_id"),
    )
    with op.batch_alter_table("assignment_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_member_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_member_inspector_id"), ["inspector_id"], unique=False)

    op.create_table(
        "enforcement_flag",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("rectification_id", sa.String(length=36), nullable=True),
        sa.Column("inspection_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("citation", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=50), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectification.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("enforcement_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enforcement_flag_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enforcement_flag_raised_on"), ["raised_on"], unique=False)

    op.create_index("ix_item_result_conclusion", "item_result", ["conclusion", "inspection_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_item_result_conclusion", table_name="item_result")

    with op.batch_alter_table("enforcement_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_flag_raised_on"))
        batch_op.drop_index(batch_op.f("ix_enforcement_flag_enterprise_id"))

    op.drop_table("enforcement_flag")
    with op.batch_alter_table("assignment_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_member_inspector_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_member_assignment_id"))

    op.drop_table("assignment_member")
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_status"))
        batch_op.drop_index(batch_op.f("ix_rectification_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_deadline"))

    op.drop_table("rectification")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_draw_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("spot_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_spot_check_checked_on"))

    op.drop_table("spot_check")
    with op.batch_alter_table("product_class", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_class_enterprise_id"))

    op.drop_table("product_class")
    with op.batch_alter_table("plan_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_entry_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_entry_enterprise_id"))

    op.drop_table("plan_entry")
    op.drop_table("inspector_profile")
    with op.batch_alter_table("conflict_of_interest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_of_interest_inspector_id"))
        batch_op.drop_index(batch_op.f("ix_conflict_of_interest_enterprise_id"))

    op.drop_table("conflict_of_interest")
    with op.batch_alter_table("classification_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classification_change_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_classification_change_changed_on"))

    op.drop_table("classification_change")
    with op.batch_alter_table("draw", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draw_year"))

    op.drop_table("draw")
    op.drop_table("annual_plan")
