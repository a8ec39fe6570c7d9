"""Addresses for couriers, one plan in force per day, and the changes made to a plan.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shops", sa.Column("address", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("customer_address", sa.Text(), nullable=True))
    op.add_column("plans", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "plans", sa.Column("revision", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index(
        "uq_plans_day_in_force", "plans", ["day"], unique=True,
        postgresql_where=sa.text("published_at IS NOT NULL AND withdrawn_at IS NULL"),
    )
    op.create_table(
        "plan_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=True),
        sa.Column("courier_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), server_default="queued", nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('move', 'late_orders')", name="ck_plan_changes_known_kind"),
        sa.CheckConstraint(
            "status IN ('queued', 'applied', 'refused')", name="ck_plan_changes_known_status"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], ondelete="CASCADE", name="fk_plan_changes_plan_id_plans"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_plan_changes_order_id_orders"),
        sa.ForeignKeyConstraint(
            ["courier_id"], ["couriers.id"], name="fk_plan_changes_courier_id_couriers"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_plan_changes_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_plan_changes"),
    )
    op.create_index("ix_plan_changes_plan_id", "plan_changes", ["plan_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_changes_plan_id", table_name="plan_changes")
    op.drop_table("plan_changes")
    op.drop_index("uq_plans_day_in_force", table_name="plans")
    for table, column in (
        ("plans", "revision"), ("plans", "withdrawn_at"), ("orders", "customer_address"),
        ("shops", "address"),
    ):
        op.drop_column(table, column)
