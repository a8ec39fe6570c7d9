"""A shop's default parcel: what its marketplace orders count as when their items say
no weight or volume (a preset code of ``logistics.parcels``; ``petit_colis`` until set).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shops", sa.Column("default_parcel", sa.String(16), nullable=False,
                                     server_default="petit_colis"))


def downgrade() -> None:
    op.drop_column("shops", "default_parcel")
