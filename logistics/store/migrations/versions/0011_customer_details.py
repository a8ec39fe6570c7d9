"""The customer on the order: name, phone, e-mail and delivery notes (door code,
floor), all optional, for the courier at the door; erased with the address.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = (("customer_name", sa.Text()), ("customer_phone", sa.String(32)),
           ("customer_email", sa.String(254)), ("delivery_notes", sa.Text()))


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("orders", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("orders", name)
