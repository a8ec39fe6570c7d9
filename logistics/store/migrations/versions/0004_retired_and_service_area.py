"""Shops and couriers can be retired (kept for history, out of new orders and plans),
and the service area: the bounds of the street network each worker plans on.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("shops", "couriers"):
        op.add_column(table, sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "service_area",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("west", sa.Float(), nullable=False),
        sa.Column("south", sa.Float(), nullable=False),
        sa.Column("east", sa.Float(), nullable=False),
        sa.Column("north", sa.Float(), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "west <= east AND south <= north", name="ck_service_area_bounds_in_order"
        ),
        sa.PrimaryKeyConstraint("source", name="pk_service_area"),
    )


def downgrade() -> None:
    op.drop_table("service_area")
    for table in ("couriers", "shops"):
        op.drop_column(table, "retired_at")
