"""Benchmarks of whole days and of travel matrices, written as CSV rows.

Each day size runs in a fresh process so that its wall time (network load from the
cache, matrices, solve) and peak memory are its own, as a real planning run would see.
"""

from __future__ import annotations

import csv
import multiprocessing as mp
import platform
import resource
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from routing.network import StreetNetwork, load_network


def machine_note() -> str:
    """One line describing the machine, printed beside every benchmark."""
    try:
        import os

        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = mp.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            kib = int(f.readline().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.machine()}, {cores} cores{mem}, Python {platform.python_version()}"


def write_rows(path: Path, rows: Sequence[Mapping[str, object]]) -> None:
    """Write dict rows as CSV (columns of the first row) and print them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not rows:
        path.write_text("", encoding="utf-8")
        return
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"machine: {machine_note()}")
    cols = list(rows[0])
    print("  ".join(cols))
    for r in rows:
        print("  ".join(str(r[c]) for c in cols))
    print(f"csv: {path}")


def _one_day(
    source: str,
    cache_dir: str,
    n_orders: int,
    time_limit_s: float,
    seed: int,
    peers: tuple[str, ...] = (),
    threads: int = 1,
) -> dict | list[dict]:
    """One size: today's row without ``peers``; with them, one row per solver (ours
    first, with the day's columns too), each judged by :func:`benchmarks.day_peers.evaluate`."""
    from logistics.demo_day import generate_day
    from logistics.planning import PlanSettings, build_day_problem, plan_day, plan_from_solution

    t0 = time.perf_counter()
    net = load_network(source, cache_dir=cache_dir)
    nodes = net.graph("cargo_bike").node_coordinates()
    day = generate_day(nodes, seed=seed, n_orders=n_orders)
    t_gen = time.perf_counter()
    settings = PlanSettings(time_limit_s=time_limit_s, seed=seed)
    if peers:
        from routing.solver import solve

        started = time.monotonic()
        built = build_day_problem(day, net, settings)
        solution = solve(built.problem, settings.solve_params())
        plan = plan_from_solution(day, net, built, solution, settings, started=started)
    else:
        plan = plan_day(day, net, settings)
    t1 = time.perf_counter()
    s = plan.summary
    row = {
        "orders": n_orders,
        "shops": len(day.shops),
        "couriers": len(day.couriers),
        "planned": s.planned,
        "unassigned": s.unassigned,
        "couriers_used": s.couriers_used,
        "bike_km": s.bike_km,
        "foot_km": s.foot_km,
        "car_km_avoided": s.car_km_avoided,
        "load_and_generate_s": round(t_gen - t0, 2),
        "matrix_s": plan.solver.matrix_seconds,
        "solve_s": plan.solver.stats.get("seconds"),
        "plan_total_s": round(t1 - t_gen, 2),
        "wall_s": round(t1 - t0, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if not peers:
        return row
    from benchmarks.day_peers import BASKET_NOTE, evaluate, routes_of, run_peer, score_row

    problem = built.problem
    left_out = len(built.early)
    ours = score_row(
        n_orders, "ours", evaluate(problem, routes_of(solution)), row["solve_s"] or 0.0,
        f"{left_out} orders left out before solving, for all solvers" if left_out else "",
    )
    day_cols = {("fleet" if k == "couriers" else k): v for k, v in row.items() if k != "orders"}
    rows = [{**ours, **day_cols}]
    blank = dict.fromkeys(day_cols, "")
    for name in peers:
        routes, seconds, note = run_peer(
            name, problem, time_limit_s, vehicle_cost=settings.vehicle_cost_s * settings.time_weight,
            threads=threads, seed=seed,
        )
        score = evaluate(problem, routes, baskets_in_one_stop=False)
        rows.append({**score_row(n_orders, name, score, seconds, f"{note}; {BASKET_NOTE}"), **blank})
    return rows


def print_day_table(rows: Sequence[Mapping[str, object]]) -> None:
    """The solver rows as a Markdown table."""
    cols = ("orders", "solver", "served", "couriers", "km", "hours", "seconds", "feasible", "note")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")


def run_day_benchmark(
    source: str,
    cache_dir: str | Path,
    sizes: Iterable[int] = (100, 300, 1000),
    time_limit_s: float = 30.0,
    csv_path: Path | None = None,
    seed: int = 0,
    peers: Sequence[str] = (),
    threads: int = 1,
) -> list[dict]:
    """Generate and plan one day per size, each in its own process; rows per size.

    With ``peers`` (``vroom``, ``pyvrp``) the same day's problem goes to each peer after
    ours, in the same process and one after the other, and there is one row per solver
    (``peak_mb`` is measured before the peers run).
    """
    rows: list[dict] = []
    ctx = mp.get_context("spawn")
    for n in sizes:
        with ctx.Pool(1) as pool:
            out = pool.apply(
                _one_day, (str(source), str(cache_dir), n, time_limit_s, seed, tuple(peers), threads)
            )
        got = out if isinstance(out, list) else [out]
        rows.extend(got)
        for row in got:
            print(f"{n} orders: {row}", flush=True)
    if csv_path is not None:
        write_rows(csv_path, rows)
    if peers:
        print_day_table(rows)
    return rows


def run_matrix_benchmark(net: StreetNetwork, sizes: Sequence[int], csv_path: Path) -> list[dict]:
    """Time n-point matrices per mode; see :func:`benchmarks.network.matrix_timings`."""
    from benchmarks.network import matrix_timings

    rows = matrix_timings(net, sizes=tuple(sizes))
    write_rows(csv_path, rows)
    return rows



