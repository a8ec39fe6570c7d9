"""The customers' answers to the tracking page's one question (how they would have come
without the delivery), for the city's net figures.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_answers",
        sa.Column("order_id", sa.String(129), sa.ForeignKey(
            "orders.id", ondelete="CASCADE", name="fk_survey_answers_order_id_orders"), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('car', 'foot', 'bike', 'transit', 'none')",
                           name="ck_survey_answers_known_mode"),
    )
    op.create_index("ix_survey_answers_day", "survey_answers", ["day"])


def downgrade() -> None:
    op.drop_table("survey_answers")
