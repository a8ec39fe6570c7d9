"""The service area: where the platform takes points (shops, customers, couriers).

The API knows no street network; the workers do. Each worker records the bounds of the
network it loads (one row per network source, the newest load wins), and the API
refuses a point outside those bounds widened by
:data:`~logistics.limits.AREA_MARGIN_M`, saying so when lon and lat look swapped.
Before any worker ran there is no area: only a point's own checks apply.
"""

from __future__ import annotations

import math

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from logistics import limits
from logistics.errors import DomainError
from logistics.store.models import ServiceArea


def record_area(session: Session, source: str, bounds: limits.Bounds) -> None:
    """Record that a worker plans on ``source``, whose streets span ``bounds``
    (west, south, east, north); a source already recorded gets its new bounds and
    becomes the newest."""
    west, south, east, north = (float(v) for v in bounds)
    if not all(map(math.isfinite, (west, south, east, north))) or west > east or south > north:
        msg = f"bounds must be finite (west, south, east, north): {bounds}"
        raise ValueError(msg)
    values = {"west": west, "south": south, "east": east, "north": north}
    session.execute(
        insert(ServiceArea)
        .values(source=source, recorded_at=func.clock_timestamp(), **values)
        .on_conflict_do_update(
            index_elements=[ServiceArea.source],
            set_={**values, "recorded_at": func.clock_timestamp()},
        )
    )


def area_bounds(session: Session) -> limits.Bounds | None:
    """The bounds of the newest recorded network, widened by the margin; None when no
    worker ever recorded one."""
    row = session.scalars(
        select(ServiceArea).order_by(ServiceArea.recorded_at.desc(), ServiceArea.source).limit(1)
    ).first()
    if row is None:
        return None
    return limits.with_margin((row.west, row.south, row.east, row.north))


def check_in_area(
    session: Session, lon_field: str, lat_field: str, lon: float, lat: float
) -> None:
    """Refuse (422, naming the field) a point outside the service area; nothing to
    check before a worker recorded one."""
    bounds = area_bounds(session)
    if bounds is None:
        return
    problem = limits.area_problem(bounds, lon, lat)
    if problem is not None:
        which, text = problem
        where = f"({lon:.6f}, {lat:.6f})"
        if limits.inside(bounds, lat, lon):
            code, params = "looks_swapped", {"where": where, "swapped": f"({lat:.6f}, {lon:.6f})"}
        else:
            code, params = "outside_service_area", {"where": where}
        raise DomainError(lon_field if which == "lon" else lat_field, text, code=code, params=params)
