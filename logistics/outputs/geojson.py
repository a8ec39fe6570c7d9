"""The rounds of a plan as an RFC 7946 GeoJSON FeatureCollection.

One LineString per round (the street path, coloured per courier) and one Point per stop,
then one Point per unassigned order whose location the plan gives. Positions are
``[lon, lat]`` in WGS 84 rounded to 6 decimals, with no ``crs`` member.
"""

from __future__ import annotations

from typing import Any

from logistics.outputs.plan_json import DECIMALS, PlanLike, as_json, rounded

#: Courier colours, distinct on a light map; cycled when there are more couriers.
COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
)


def courier_colour(index: int) -> str:
    """The colour of the ``index``-th round of a plan."""
    return COLOURS[index % len(COLOURS)]


def _position(lon: Any, lat: Any) -> list[float]:
    return [round(float(lon), DECIMALS), round(float(lat), DECIMALS)]


def round_line(round_: dict[str, Any]) -> list[list[float]]:
    """The positions of a round's path: its street geometry, else its stops in turn.

    Returns fewer than two positions only when the round has nowhere to go; a path
    that stays on one point is given twice so that it is still a valid LineString.
    """
    line = [_position(*p[:2]) for p in round_.get("geometry") or []]
    if len(line) < 2:
        line = [_position(s["lon"], s["lat"]) for s in round_.get("stops", [])]
    if len(line) == 1:
        line = line * 2
    return line


def plan_geojson(plan: PlanLike) -> dict[str, Any]:
    """A FeatureCollection of the plan's rounds, stops and located unassigned orders."""
    plan = as_json(plan)
    features: list[dict[str, Any]] = []
    for i, r in enumerate(plan.get("rounds", [])):
        colour = courier_colour(i)
        line = round_line(r)
        if len(line) >= 2:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": line},
                    "properties": rounded(
                        {
                            "feature": "round",
                            "courier_id": r.get("courier_id"),
                            "mode": r.get("mode"),
                            "distance_m": r.get("distance_m"),
                            "duration_s": r.get("duration_s"),
                            "start": r.get("start"),
                            "end": r.get("end"),
                            "colour": colour,
                            "stroke": colour,
                        }
                    ),
                }
            )
        for seq, s in enumerate(r.get("stops", [])):
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": _position(s["lon"], s["lat"])},
                    "properties": rounded(
                        {
                            "feature": "stop",
                            "courier_id": r.get("courier_id"),
                            "seq": seq,
                            "kind": s.get("kind"),
                            "order_ids": list(s.get("order_ids") or []),
                            "shop_id": s.get("shop_id"),
                            "arrival": s.get("arrival"),
                            "departure": s.get("departure"),
                            "load_kg": s.get("load_kg"),
                            "load_l": s.get("load_l"),
                            "colour": colour,
                        }
                    ),
                }
            )
    for u in plan.get("unassigned", []):
        if u.get("lon") is None or u.get("lat") is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": _position(u["lon"], u["lat"])},
                "properties": rounded(
                    {
                        "feature": "unassigned",
                        "order_id": u.get("order_id"),
                        "reason": u.get("reason"),
                        "detail": u.get("detail"),
                    }
                ),
            }
        )
    return {"type": "FeatureCollection", "features": features}
