"""``plan`` a day from CSV files, or a generated ``demo`` day, into plan.json,
rounds.geojson and map.html."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .options import (
    UserError,
    add_network_options,
    add_solver_options,
    address_locator,
    load_network,
)

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any) -> dict[str, Handler]:
    """Add ``plan`` and ``demo``; returns their handlers."""
    p = sub.add_parser("plan", help="plan a day from shops, orders and couriers CSV files")
    p.add_argument("--shops", type=Path, required=True)
    p.add_argument("--orders", type=Path, required=True)
    p.add_argument("--couriers", type=Path, required=True)
    add_network_options(p)
    p.add_argument("--out", type=Path, required=True, help="folder for plan.json, rounds.geojson, map.html")
    add_solver_options(p, 30.0)

    p = sub.add_parser("demo", help="generate a realistic day on the network and plan it")
    add_network_options(p)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--orders-count", "--n-orders", dest="n_orders", type=int, default=300)
    p.add_argument("--shops-count", dest="n_shops", type=int, default=60)
    add_solver_options(p, 30.0)
    return {"plan": plan, "demo": demo}


def plan_settings(args: argparse.Namespace) -> Any:
    """The plan settings the solver options give, checked."""
    from logistics.planning import PlanSettings

    for name in ("stop_time", "pickup_service", "delivery_service", "vehicle_cost"):
        if getattr(args, name) < 0:
            raise UserError(f"--{name.replace('_', '-')} must not be negative")
    if args.solution_limit is not None and args.solution_limit <= 0:
        raise UserError("--solution-limit must be positive")
    return PlanSettings(
        time_limit_s=args.time_limit,
        solution_limit=args.solution_limit,
        seed=args.seed,
        stop_time_s=args.stop_time,
        pickup_service_s=args.pickup_service,
        delivery_service_s=args.delivery_service,
        vehicle_cost_s=args.vehicle_cost,
    )


def print_summary(plan: Any, files: dict[str, Path], seconds: float) -> None:
    """What a plan gave, in a few lines, and where its files are."""
    s = plan.summary
    print(f"network: {plan.network.source}")
    print(
        f"orders: {s.orders}, planned: {s.planned}, unassigned: {s.unassigned}, "
        f"couriers used: {s.couriers_used} of {s.couriers}"
    )
    print(
        f"cargo bike: {s.bike_km:.1f} km, on foot: {s.foot_km:.1f} km; "
        f"car trips avoided: {s.car_trips_avoided} ({s.car_km_avoided:.1f} km, "
        f"{s.co2_avoided_kg:.1f} kg CO2e)"
    )
    reasons: dict[str, int] = {}
    for u in plan.unassigned:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    if reasons:
        print("unassigned by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    for name, path in files.items():
        print(f"{name}: {path}")
    print(f"done in {seconds:.1f} s")


def plan(args: argparse.Namespace) -> int:
    """``douai-delivery plan``."""
    from logistics.inputs import read_day_inputs
    from logistics.outputs.files import write_plan_outputs
    from logistics.planning import plan_day

    t0 = time.monotonic()
    # Check the files before the (slower) network load, then against its area; an
    # InputError is one line (cli.main renders every DomainError).
    locate = address_locator(args)
    read_day_inputs(args.shops, args.orders, args.couriers, locate=locate)
    net = load_network(args)
    # Swapped coordinates are refused; a place merely outside the area is planned as
    # off the network (unassigned, with its distance to the nearest street); an
    # address no source places is left out as address_unknown.
    day = read_day_inputs(args.shops, args.orders, args.couriers, bounds=net.bounds, outside="allow",
                          locate=locate)
    document = plan_day(day, net, plan_settings(args))
    files = write_plan_outputs(document, args.out, title=f"Rounds — {net.source}")
    print_summary(document, files, time.monotonic() - t0)
    return 0


def demo(args: argparse.Namespace) -> int:
    """``douai-delivery demo``."""
    from logistics.demo_day import generate_day
    from logistics.inputs import write_day_inputs
    from logistics.outputs.files import write_plan_outputs
    from logistics.planning import plan_day

    if args.n_orders <= 0 or args.n_shops <= 0:
        raise UserError("--orders-count and --shops-count must be positive")
    t0 = time.monotonic()
    net = load_network(args)
    nodes = net.graph("cargo_bike").node_coordinates()
    day = generate_day(nodes, seed=args.seed, n_orders=args.n_orders, n_shops=args.n_shops)
    inputs = write_day_inputs(day, args.out / "inputs")
    print(f"generated a synthetic day: {len(day.orders)} orders, {len(day.shops)} shops, "
          f"{len(day.couriers)} couriers -> {args.out / 'inputs'}")
    document = plan_day(day, net, plan_settings(args))
    files = write_plan_outputs(document, args.out, title=f"Demo day — {net.source}")
    files.update({f"input {k}": v for k, v in inputs.items()})
    print_summary(document, files, time.monotonic() - t0)
    return 0
