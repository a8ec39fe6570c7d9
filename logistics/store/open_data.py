"""The figures behind the open data, read from the plans in force: per 500 m cell of a
month (deliveries, on foot, avoided car km, cargo-bike km ridden) and per street segment
of a period (cargo-bike passages). Only sums leave these queries.

The days counted are those with a plan in force, as in :mod:`logistics.store.impact_metrics`,
whose ridden stops (up to the last event, to the end once all is done) these reuse.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text
from sqlalchemy.orm import Session

from logistics.open_data import CELL_M, Cell, CellFigures, grid_srid
from logistics.store.impact_metrics import RIDDEN_STOPS, TRIP_FACTORS, TRIPS_MADE

_IN_FORCE = "p.published_at IS NOT NULL AND p.withdrawn_at IS NULL"

#: the month's delivered orders of days in force, with the mode of their hand-over
_DELIVERED = f"""
    WITH delivered AS (
        SELECT o.id, o.customer_location AS at,
               EXISTS (SELECT 1 FROM plans AS p JOIN rounds AS r ON r.plan_id = p.id
                       JOIN couriers AS c ON c.id = r.courier_id
                       JOIN stops AS st ON st.round_id = r.id
                       WHERE p.day = o.delivery_date AND {_IN_FORCE} AND st.kind = 'delivery'
                         AND st.order_ids ? o.id AND c.mode = 'foot') AS on_foot
        FROM orders AS o
        WHERE o.status = 'delivered' AND o.delivery_date BETWEEN :first AND :last
          AND o.customer_location IS NOT NULL
          AND EXISTS (SELECT 1 FROM plans AS p WHERE p.day = o.delivery_date AND {_IN_FORCE})
    )
"""

_CENTRE = text(_DELIVERED + "SELECT avg(ST_X(at)), avg(ST_Y(at)) FROM delivered")

_CELL = "floor(ST_X(g) / :size)::bigint, floor(ST_Y(g) / :size)::bigint"

_DELIVERIES = text(_DELIVERED + f"""
    , g AS (SELECT ST_Transform(at, :srid) AS g, on_foot FROM delivered)
    SELECT {_CELL}, count(*), count(*) FILTER (WHERE on_foot) FROM g GROUP BY 1, 2
""")

# The plan's avoided trips a delivered order made real (as the impact figures count them),
# each in the cell of its first delivered order's home.
_TRIPS = text(TRIPS_MADE + f"""
    , located AS (
        SELECT DISTINCT ON (day, n) km, ST_Transform(customer_location, :srid) AS g
        FROM made WHERE customer_location IS NOT NULL ORDER BY day, n, order_id
    )
    SELECT {_CELL}, sum(km) FROM located GROUP BY 1, 2
""")

# The cargo-bike legs ridden, cut by the cells they cross; each piece counts its share of
# the leg's metres (the network's), so the cells add up to the kilometres ridden.
_BIKE = text(RIDDEN_STOPS + """
    , leg AS (
        SELECT ST_Transform(leg, :srid) AS g, leg_m FROM ridden
        WHERE mode = 'cargo_bike' AND leg IS NOT NULL AND leg_m > 0
    ),
    piece AS (
        SELECT leg.leg_m, ST_Length(leg.g) AS len, cx, cy,
               ST_Length(ST_Intersection(leg.g, ST_MakeEnvelope(
                   cx * :size, cy * :size, (cx + 1) * :size, (cy + 1) * :size, :srid))) AS inside
        FROM leg
        CROSS JOIN LATERAL generate_series(floor(ST_XMin(leg.g) / :size)::bigint,
                                           floor(ST_XMax(leg.g) / :size)::bigint) AS cx
        CROSS JOIN LATERAL generate_series(floor(ST_YMin(leg.g) / :size)::bigint,
                                           floor(ST_YMax(leg.g) / :size)::bigint) AS cy
    )
    SELECT cx, cy, sum(leg_m * inside / len) / 1000.0 FROM piece
    WHERE len > 0 AND inside > 0 GROUP BY cx, cy
""")


def month_cells(session: Session, first: dt.date, last: dt.date) -> tuple[int, dict[Cell, CellFigures]]:
    """The grid's EPSG code (from where the month's deliveries are) and each cell's figures."""
    lon, lat = session.execute(_CENTRE, {"first": first, "last": last}).one()
    srid = grid_srid(float(lon), float(lat)) if lon is not None else 3035
    params = {"first": first, "last": last, "srid": srid, "size": CELL_M}
    figures: dict[Cell, dict[str, float]] = {}
    for cx, cy, n, foot in session.execute(_DELIVERIES, params):
        figures.setdefault((cx, cy), {}).update(deliveries=int(n), on_foot=int(foot))
    for cx, cy, km in session.execute(_TRIPS, {**params, **TRIP_FACTORS}):
        figures.setdefault((cx, cy), {})["car_km"] = float(km or 0)
    for cx, cy, km in session.execute(_BIKE, params):
        figures.setdefault((cx, cy), {})["bike_km"] = float(km or 0)
    return srid, {c: CellFigures(**f) for c, f in figures.items()}  # type: ignore[arg-type]


# Street segments of the cargo-bike legs ridden, each counted once per leg that rode it
# (either way), runs of segments with the same count merged into lines. The two segments
# at each end of a leg are left out: they join a door to its street.
_PASSAGES = text(RIDDEN_STOPS + """
    , seg AS (
        SELECT d.geom AS g
        FROM ridden
        CROSS JOIN LATERAL ST_DumpSegments(ridden.leg) AS d
        WHERE ridden.mode = 'cargo_bike' AND ridden.leg IS NOT NULL
          AND d.path[1] > 2 AND d.path[1] < ST_NPoints(ridden.leg) - 2
    ),
    one_way AS (
        SELECT CASE WHEN ARRAY[ST_X(ST_StartPoint(g)), ST_Y(ST_StartPoint(g))]
                         > ARRAY[ST_X(ST_EndPoint(g)), ST_Y(ST_EndPoint(g))]
                    THEN ST_Reverse(g) ELSE g END AS g
        FROM seg WHERE NOT ST_Equals(ST_StartPoint(g), ST_EndPoint(g))
    ),
    counted AS (
        SELECT (array_agg(g))[1] AS g, count(*) AS n FROM one_way
        GROUP BY ST_AsBinary(ST_SnapToGrid(g, 0.000001))
    )
    SELECT n, ST_AsGeoJSON(ST_LineMerge(ST_Collect(g)), 7) FROM counted
    WHERE n >= :min_count GROUP BY n ORDER BY n
""")


def passages(session: Session, first: dt.date, last: dt.date, min_count: int
             ) -> list[tuple[list[list[tuple[float, float]]], int]]:
    """Each number of cargo-bike passages (at least ``min_count``) with its street lines."""
    out = []
    for n, geometry in session.execute(_PASSAGES, {"first": first, "last": last,
                                                   "min_count": min_count}):
        g = json.loads(geometry)
        parts = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        out.append(([[(float(x), float(y)) for x, y in part] for part in parts], int(n)))
    return out
