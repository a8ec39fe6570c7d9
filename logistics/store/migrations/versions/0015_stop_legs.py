"""Each stop's leg (the street path from the stop before, and its metres), so that the
city's figures count the kilometres really ridden and map the streets the bikes took.

Existing rounds get their legs cut from their stored path.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import json

import geoalchemy2
import sqlalchemy as sa
from alembic import op

from logistics.ridden import split_legs

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stops", sa.Column("leg_m", sa.Integer, nullable=True))
    op.add_column("stops", sa.Column(
        "leg", geoalchemy2.Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=True))
    op.create_index("idx_stops_leg", "stops", ["leg"], postgresql_using="gist")
    conn = op.get_bind()
    rounds = conn.execute(sa.text(
        "SELECT id, distance_m, ST_AsGeoJSON(geometry) FROM rounds")).all()
    for round_id, distance_m, line_json in rounds:
        stops = conn.execute(sa.text(
            "SELECT id, ST_X(location), ST_Y(location) FROM stops WHERE round_id = :r ORDER BY seq"),
            {"r": round_id}).all()
        line = [tuple(c) for c in json.loads(line_json)["coordinates"]] if line_json else []
        legs = split_legs(line, [(x, y) for _, x, y in stops], distance_m or 0)
        for (stop_id, _, _), leg in zip(stops, legs, strict=True):
            if leg is None:
                continue
            conn.execute(sa.text(
                "UPDATE stops SET leg_m = :m, leg = ST_SetSRID(ST_GeomFromText(:wkt), 4326) "
                "WHERE id = :id"),
                {"m": leg.metres, "id": stop_id,
                 "wkt": "LINESTRING(" + ", ".join(f"{x!r} {y!r}" for x, y in leg.coords) + ")"})


def downgrade() -> None:
    op.drop_index("idx_stops_leg", "stops")
    op.drop_column("stops", "leg")
    op.drop_column("stops", "leg_m")
