"""The rounds of a plan are stored once, as rows: their travel time joins the row, and the
plan document kept as JSON loses its copy of the rounds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rounds", sa.Column("travel_s", sa.Integer(), nullable=True))
    # The travel time the JSON copy holds, where it does; else the round's duration
    # (an upper bound: the time on the way, waiting included).
    op.execute("""
        UPDATE rounds AS r SET travel_s = coalesce((
            SELECT (x ->> 'travel_s')::int
            FROM plans AS p, jsonb_array_elements(
                CASE WHEN jsonb_typeof(p.result -> 'rounds') = 'array'
                     THEN p.result -> 'rounds' ELSE '[]'::jsonb END) AS x
            WHERE p.id = r.plan_id AND x ->> 'courier_id' = r.courier_id
            LIMIT 1), r.duration_s)
    """)
    op.alter_column("rounds", "travel_s", nullable=False, server_default="0")
    op.execute("UPDATE plans SET result = result - 'rounds' WHERE jsonb_typeof(result) = 'object'")


def downgrade() -> None:
    op.drop_column("rounds", "travel_s")
