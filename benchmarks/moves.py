"""A dispatcher's moves on a published full day (``douai-delivery bench-moves``).

A generated day (300 orders, 12 couriers by default: two thirds on cargo bikes) is
stored in a database of its own, planned and published the way the worker does it;
then random moves, each of a planned order to another courier of the same mode, are
asked one after the other and applied by the worker's own code
(:func:`logistics.jobs.replan_jobs.apply_changes`, in this process, before the day
starts). Per move: applied or refused, the code and the order's own reason, the answer
time (from the change asked to its outcome written) and the day's planned orders and
total round hours after it. The database is dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from logistics import clock
from logistics.demo_day import generate_day
from logistics.jobs.plan_jobs import solve_plan
from logistics.jobs.replan_jobs import apply_changes
from logistics.store.db import make_engine
from logistics.store.models import Courier, Plan, PlanChange, Shop
from logistics.store.orders import add_order
from logistics.store.plan_changes import request_move
from logistics.store.plans import publish, request_plan
from logistics.timeofday import format_clock
from routing.network import StreetNetwork

from .api_load import bench_database
from .day import write_rows

#: the day planned and changed (a Tuesday, far from any clock change)
DAY = dt.date(2031, 6, 3)


@dataclass(frozen=True)
class MovesParams:
    """What the benchmark plans and asks."""

    orders: int = 300
    couriers: int = 12
    moves: int = 20
    time_limit_s: float = 30.0
    seed: int = 0
    database_url: str | None = None


def _time(seconds: int) -> dt.time:
    seconds = min(seconds, 24 * 3600 - 1)
    return dt.time(seconds // 3600, seconds % 3600 // 60)


def _point(lon: float, lat: float):
    return from_shape(Point(lon, lat), srid=4326)


def store_day(engine: Engine, net: StreetNetwork, params: MovesParams) -> list[str]:
    """The generated day's shops, couriers and orders in the store; the couriers' ids."""
    walkers = params.couriers // 3
    day = generate_day(
        net.graph("cargo_bike").node_coordinates(), seed=params.seed, n_orders=params.orders,
        n_bikes=params.couriers - walkers, n_walkers=walkers,
    )
    with Session(engine) as s:
        for sh in day.shops:
            s.add(Shop(id=sh.shop_id, name=sh.name, location=_point(sh.lon, sh.lat),
                       opens=_time(sh.opens), closes=_time(sh.closes)))
        for c in day.couriers:
            s.add(Courier(id=c.courier_id, mode=c.mode, capacity_kg=c.capacity_kg,
                          capacity_l=c.capacity_l, shift_start=_time(c.shift_start),
                          shift_end=_time(c.shift_end), start=_point(c.start_lon, c.start_lat),
                          end=_point(c.end_lon, c.end_lat)))
        s.flush()
        for o in day.orders:
            add_order(s, o, delivery_date=DAY)
        s.commit()
    return [c.courier_id for c in day.couriers]


@contextmanager
def published_day(net: StreetNetwork, params: MovesParams) -> Iterator[tuple[Engine, int]]:
    """A scratch database holding the day, planned and published: its engine and plan id."""
    with bench_database(params.database_url) as url:
        engine = make_engine(url)
        try:
            couriers = store_day(engine, net, params)
            with Session(engine) as s:
                plan, _ = request_plan(s, DAY, couriers=couriers, settings={
                    "time_limit_s": params.time_limit_s, "seed": params.seed})
                s.commit()
                plan_id = plan.id
            outcome = solve_plan(engine, plan_id, lambda: net)
            if outcome != "solved":
                msg = f"the day could not be planned ({outcome})"
                raise RuntimeError(msg)
            with Session(engine) as s:
                publish(s, s.get(Plan, plan_id))
                s.commit()
            yield engine, plan_id
        finally:
            engine.dispose()


def _state(engine: Engine, plan_id: int) -> tuple[dict[str, str], dict[str, str], int, float]:
    """Order -> courier on the plan, courier -> mode, planned orders, total round hours."""
    with Session(engine) as s:
        plan = s.get(Plan, plan_id)
        assert plan is not None
        on = {o: r.courier_id for r in plan.rounds for st in r.stops if st.kind == "delivery"
              for o in st.order_ids}
        modes = {c.id: c.mode for c in s.scalars(select(Courier))}
        hours = sum(r.duration_s for r in plan.rounds) / 3600
    return on, modes, len(on), hours


def run_moves_benchmark(net: StreetNetwork, params: MovesParams, csv_path: Path) -> dict[str, object]:
    """Plan, publish, then ask ``params.moves`` random moves; write one row per move and
    return the summary (also printed)."""
    rng = random.Random(params.seed)
    now = dt.datetime.combine(DAY, dt.time(6, 0), tzinfo=clock.zone())
    rows: list[dict[str, object]] = []
    with published_day(net, params) as (engine, plan_id):
        on, modes, planned0, hours0 = _state(engine, plan_id)
        planned, hours = planned0, hours0
        for k in range(params.moves):
            order = rng.choice(sorted(on))
            source = on[order]
            targets = sorted(c for c, m in modes.items() if m == modes[source] and c != source)
            if not targets:
                break
            target = rng.choice(targets)
            t0 = time.perf_counter()
            with Session(engine) as s:
                change = request_move(s, s.get(Plan, plan_id), order, target)
                s.commit()
                change_id = change.id
            apply_changes(engine, plan_id, lambda: net, now=now)
            seconds = time.perf_counter() - t0
            with Session(engine) as s:
                change = s.get(PlanChange, change_id)
                assert change is not None
                status, reason, facts, detail = change.status, change.reason, change.facts or {}, change.detail
            on, modes, planned, hours = _state(engine, plan_id)
            rows.append({
                "move": k + 1, "order": order, "from": source, "to": target, "mode": modes[target],
                "status": status, "reason": reason, "order_reason": facts.get("order_reason", ""),
                "seconds": round(seconds, 3), "planned": planned, "hours": round(hours, 2),
                "arrival": format_clock(facts["arrival"]) if facts.get("arrival") is not None else "",
                "detail": detail,
            })
    write_rows(csv_path, rows)
    times = sorted(float(str(r["seconds"])) for r in rows)
    refused: dict[str, int] = {}
    for r in rows:
        if r["status"] != "applied":
            key = f"{r['reason']}:{r['order_reason']}" if r["order_reason"] else str(r["reason"])
            refused[key] = refused.get(key, 0) + 1
    summary = {
        "moves": len(rows),
        "applied": sum(r["status"] == "applied" for r in rows),
        "refused": refused,
        "median_s": round(statistics.median(times), 2) if times else None,
        # nearest rank: the 19th of 20
        "p95_s": round(times[math.ceil(0.95 * len(times)) - 1], 2) if times else None,
        "planned_before": planned0, "planned_after": planned,
        "hours_before": round(hours0, 2), "hours_after": round(hours, 2),
    }
    print("summary: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return summary

