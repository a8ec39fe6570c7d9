"""Helpers of the logistics tests: synthetic street nodes and a plan in the planner's format."""

from __future__ import annotations

from typing import Any

import numpy as np

from logistics.inputs import DayInputs
from logistics.timeofday import format_clock


def _legs(points: list[tuple[float, float]]) -> list[list[float]]:
    """A fake street path through the points: an L-shaped detour on each leg."""
    line: list[list[float]] = []
    for (x0, y0), (x1, _) in zip(points, points[1:], strict=False):
        line += [[x0, y0], [x1, y0]]
    line.append(list(points[-1]))
    return line


def fake_plan(day: DayInputs, n_rounds: int = 4, per_round: int = 6) -> dict[str, Any]:
    """Rounds taking the first orders with a shop, ``per_round`` orders each, in turn."""
    shops = day.shop_by_id()
    pool = [o for o in day.orders if o.shop_id is not None and o.basket_id is None]
    rounds, planned = [], set()
    for k, courier in enumerate(day.couriers[:n_rounds]):
        mine = pool[k * per_round : (k + 1) * per_round]
        hub = (courier.start_lon, courier.start_lat)
        t = courier.shift_start
        load = [0.0, 0.0]
        stops: list[dict[str, Any]] = []

        def stop(
            kind: str,
            ids: list[str],
            shop: str | None,
            p: tuple[float, float],
            stops: list[dict[str, Any]] = stops,
            load: list[float] = load,
        ) -> None:
            nonlocal t
            stops.append(
                {
                    "kind": kind,
                    "order_ids": ids,
                    "shop_id": shop,
                    "lon": p[0],
                    "lat": p[1],
                    "arrival": format_clock(t, with_seconds=True),
                    "departure": format_clock(t + 120, with_seconds=True),
                    "load_kg": round(load[0], 3),
                    "load_l": round(load[1], 3),
                }
            )
            t += 600

        stop("start", [], None, hub)
        for o in mine:
            load[0] += o.weight_kg
            load[1] += o.volume_l
            s = shops[o.shop_id]
            stop("pickup", [o.order_id], o.shop_id, (s.lon, s.lat))
        for o in mine:
            load[0] -= o.weight_kg
            load[1] -= o.volume_l
            stop("delivery", [o.order_id], None, (o.customer_lon, o.customer_lat))
            planned.add(o.order_id)
        stop("end", [], None, (courier.end_lon, courier.end_lat))
        rounds.append(
            {
                "courier_id": courier.courier_id,
                "mode": courier.mode,
                "distance_m": 1000.0 * (k + 3) + 0.123456789,
                "duration_s": t - courier.shift_start,
                "start": format_clock(courier.shift_start, with_seconds=True),
                "end": format_clock(t, with_seconds=True),
                "geometry": _legs([(s["lon"], s["lat"]) for s in stops]),
                "stops": stops,
            }
        )
    unassigned = [
        {"order_id": o.order_id, "reason": "too_big", "detail": f"{o.weight_kg} kg > capacity"}
        for o in day.orders
        if o.weight_kg > 100 or o.volume_l > 300
    ]
    unassigned.append(
        {
            "order_id": "<script>alert('x')</script>",
            "reason": 'no_courier & "late"',
            "detail": "</script><b>bold</b>",
            "lon": day.orders[0].customer_lon,
            "lat": day.orders[0].customer_lat,
        }
    )
    return {
        "network": {"source": "synthetic grid — « test »"},
        "rounds": rounds,
        "unassigned": unassigned,
        "summary": {
            "orders": len(day.orders),
            "planned": len(planned),
            "couriers_used": len(rounds),
            "bike_km": 12.345,
            "foot_km": 3.2,
            "car_km_avoided": 45.678,
            "co2_avoided_kg": 9.94,
        },
        "impact": {"method": "test"},
    }


#: (west, south, east, north) of the synthetic street nodes, around Douai.
BOUNDS = (3.03, 50.34, 3.13, 50.40)


def grid_nodes(seed: int = 1, n: int = 3000) -> np.ndarray:
    """Random street-node coordinates (lon, lat) spread over BOUNDS."""
    rng = np.random.default_rng(seed)
    w, s, e, n_ = BOUNDS
    return np.column_stack([rng.uniform(w, e, n), rng.uniform(s, n_, n)])
