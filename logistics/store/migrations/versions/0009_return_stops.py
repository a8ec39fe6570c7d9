"""Parcels that failed on the way come back: a stop of kind ``return`` (to the shop, or
the hub) and its event ``returned``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KINDS = "'start', 'pickup', 'delivery', 'return', 'end'"
TYPES = "'arrived', 'picked_up', 'delivered', 'failed', 'returned'"


def _checks(kinds: str, types: str) -> None:
    op.drop_constraint("ck_stops_known_kind", "stops", type_="check")
    op.create_check_constraint("ck_stops_known_kind", "stops", f"kind IN ({kinds})")
    op.drop_constraint("ck_stop_events_known_type", "stop_events", type_="check")
    op.create_check_constraint("ck_stop_events_known_type", "stop_events", f"type IN ({types})")


def upgrade() -> None:
    _checks(KINDS, TYPES)


def downgrade() -> None:
    op.execute("DELETE FROM stop_events WHERE type = 'returned'")
    op.execute("DELETE FROM stops WHERE kind = 'return'")
    _checks(KINDS.replace(", 'return'", ""), TYPES.replace(", 'returned'", ""))
