"""Addresses: each answer of a geocoder kept once (``geocoded_addresses``), and how an
order's address was placed (label, score, source).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "geocoded_addresses",
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("location", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("source IN ('osm', 'ban', 'manual')", name="ck_geocoded_addresses_known_source"),
        sa.PrimaryKeyConstraint("query", name="pk_geocoded_addresses"),
    )
    op.create_index("idx_geocoded_addresses_location", "geocoded_addresses", ["location"],
                    postgresql_using="gist")
    op.add_column("orders", sa.Column("address_label", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("address_score", sa.Float(), nullable=True))
    op.add_column("orders", sa.Column("address_source", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("orders", "address_source")
    op.drop_column("orders", "address_score")
    op.drop_column("orders", "address_label")
    op.drop_table("geocoded_addresses")
