"""Where couriers are: the positions their phones send, and the latest one of each
courier for the dispatcher's live map.

A phone that was offline sends its whole queue at once, and may send it again when the
answer is lost; a position is one instant of one courier, so a copy with an instant
already stored for that courier is skipped rather than stored twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from logistics import clock
from logistics.clock import local_iso
from logistics.store.models import CourierPosition


@dataclasses.dataclass(frozen=True)
class Fix:
    """One position as the phone reports it (``at`` None: now; no zone: local time)."""

    lon: float
    lat: float
    at: dt.datetime | None = None


def store_positions(session: Session, courier_id: str, fixes: list[Fix]) -> int:
    """Append the courier's positions; returns how many were new (copies of an instant
    already stored for this courier, or repeated in the batch, are skipped)."""
    rows: dict[dt.datetime, Fix] = {}
    for f in fixes:
        rows.setdefault(clock.local(f.at), f)
    if not rows:
        return 0
    stored = set(session.scalars(
        select(CourierPosition.at).where(
            CourierPosition.courier_id == courier_id, CourierPosition.at.in_(list(rows))
        )
    ))
    new = [(at, f) for at, f in rows.items() if at not in stored]
    session.add_all(
        CourierPosition(courier_id=courier_id, at=at,
                        location=from_shape(Point(f.lon, f.lat), 4326))
        for at, f in new
    )
    session.flush()
    return len(new)


def latest_positions(session: Session, day: dt.date) -> list[dict[str, Any]]:
    """The last position of each courier who sent one on ``day`` (local), by courier."""
    start, end = clock.day_bounds(day)
    # row_number() rather than DISTINCT ON: the same statement on SQLAlchemy 2.0 and 2.1
    ranked = (
        select(CourierPosition.id, func.row_number().over(
            partition_by=CourierPosition.courier_id,
            order_by=(CourierPosition.at.desc(), CourierPosition.id.desc()),
        ).label("rank"))
        .where(CourierPosition.at >= start, CourierPosition.at < end)
        .subquery()
    )
    rows = session.scalars(
        select(CourierPosition).join(ranked, ranked.c.id == CourierPosition.id)
        .where(ranked.c.rank == 1).order_by(CourierPosition.courier_id)
    )
    out = []
    for p in rows:
        point = to_shape(p.location)
        out.append({"courier_id": p.courier_id, "lon": point.x, "lat": point.y,
                    "at": local_iso(p.at)})
    return out
