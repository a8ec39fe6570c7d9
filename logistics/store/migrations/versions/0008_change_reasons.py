"""Plan changes as stable codes, and absent couriers.

A change's outcome becomes a code with its figures (``reason``, ``facts``) beside the
French ``detail`` the pages show. A new kind of change, ``absence``: a courier off the
day from ``absent_from`` (seconds since midnight; null: from when it is applied), whose
round is then marked ``withdrawn_at``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plan_changes", sa.Column("reason", sa.String(32), nullable=True))
    op.add_column("plan_changes", sa.Column("facts", JSONB(), nullable=True))
    op.add_column("plan_changes", sa.Column("absent_from", sa.Integer(), nullable=True))
    op.drop_constraint("ck_plan_changes_known_kind", "plan_changes", type_="check")
    op.create_check_constraint(
        "ck_plan_changes_known_kind", "plan_changes", "kind IN ('move', 'late_orders', 'absence')"
    )
    op.add_column("rounds", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("rounds", "withdrawn_at")
    op.execute("DELETE FROM plan_changes WHERE kind = 'absence'")
    op.drop_constraint("ck_plan_changes_known_kind", "plan_changes", type_="check")
    op.create_check_constraint(
        "ck_plan_changes_known_kind", "plan_changes", "kind IN ('move', 'late_orders')"
    )
    op.drop_column("plan_changes", "absent_from")
    op.drop_column("plan_changes", "facts")
    op.drop_column("plan_changes", "reason")
