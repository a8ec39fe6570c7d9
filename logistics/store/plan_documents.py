"""A plan document in the store, and back.

The rounds and their stops are stored once, as rows (``rounds``, ``stops``): couriers
report on those rows and re-plans rewrite them. The rest of the document (summary,
orders left out, avoided trips, the solver's facts) is kept as JSON on the plan. The
document a reader gets is put together from both, so it always shows the rounds in
force, after every change.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import LineString, Point

from logistics.clock import seconds_of_day, time_of_day
from logistics.plan_document import PlanDocument, PlanRound, PlanStop
from logistics.ridden import Point as LonLat
from logistics.ridden import split_legs
from logistics.store.models import Plan, Round, Stop


def stop_row(seq: int, stop: PlanStop, row: Stop | None = None) -> Stop:
    """A stop of a document as a row (``row`` updated in place when given)."""
    row = row if row is not None else Stop()
    row.seq, row.kind, row.order_ids, row.shop_id = seq, stop.kind, list(stop.order_ids), stop.shop_id
    row.location = from_shape(Point(stop.lon, stop.lat), 4326)
    row.arrival, row.departure = time_of_day(stop.arrival), time_of_day(stop.departure)
    row.load_kg, row.load_l = stop.load_kg, stop.load_l
    return row


def line_of(coords: list[tuple[float, float]]) -> Any:
    """A street path as a LINESTRING, or None when it has fewer than two points."""
    return from_shape(LineString(coords), 4326) if len(coords) >= 2 else None


def fill_legs(stops: list[Stop], points: list[LonLat], line: list[LonLat], distance_m: int) -> None:
    """Each stop's leg (the path from the stop before, and its metres) cut from the
    round's ``line``, so that the kilometres ridden can be counted stop by stop."""
    for stop, leg in zip(stops, split_legs(line, points, distance_m), strict=True):
        stop.leg_m = None if leg is None else leg.metres
        stop.leg = None if leg is None else from_shape(LineString(leg.coords), 4326)


def round_row(r: PlanRound) -> Round:
    """A round of a document as a row, with its stops and their legs."""
    row = Round(courier_id=r.courier_id, distance_m=r.distance_m, duration_s=r.duration_s,
                travel_s=r.travel_s, geometry=line_of(r.geometry))
    row.stops = [stop_row(i, s) for i, s in enumerate(r.stops)]
    fill_legs(row.stops, [(s.lon, s.lat) for s in r.stops], list(r.geometry), r.distance_m)
    return row


def plan_stop(s: Stop) -> PlanStop:
    """A stop row as a stop of a document."""
    p = to_shape(s.location)
    return PlanStop(
        kind=s.kind, order_ids=list(s.order_ids), shop_id=s.shop_id, lon=p.x, lat=p.y,
        arrival=seconds_of_day(s.arrival), departure=seconds_of_day(s.departure),
        load_kg=s.load_kg, load_l=s.load_l, leg_m=s.leg_m,
    )


def plan_round(r: Round, *, geometry: bool = True) -> PlanRound:
    """A round row (with its courier and stops) as a round of a document."""
    stops = [plan_stop(s) for s in r.stops]
    line = [(x, y) for x, y, *_ in to_shape(r.geometry).coords] if geometry and r.geometry is not None else []
    return PlanRound(
        courier_id=r.courier_id, mode=r.courier.mode, distance_m=r.distance_m,
        duration_s=r.duration_s, travel_s=r.travel_s or 0,
        start=stops[0].departure if stops else 0, end=stops[-1].arrival if stops else 0,
        orders=sum(len(s.order_ids) for s in stops if s.kind == "delivery"),
        stops=stops, geometry=line,
    )


def keep_document(plan: Plan, document: PlanDocument) -> None:
    """Keep a document's JSON part on the plan (its rounds are rows, not JSON)."""
    plan.result = document.model_dump(mode="json", exclude={"rounds"})


def document_of(plan: Plan, *, geometry: bool = True) -> PlanDocument | None:
    """The plan's document as it stands: the kept JSON and the rounds' rows; None
    before the plan is solved."""
    if not plan.result:
        return None
    return PlanDocument.model_validate(
        {**plan.result, "rounds": [plan_round(r, geometry=geometry) for r in plan.rounds]}
    )
