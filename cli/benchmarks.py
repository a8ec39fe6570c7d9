"""``bench``, ``bench-network``, ``bench-day`` and ``bench-api``: the measurements of
``benchmarks/``, which a source checkout has and the installed wheel has not.

The benchmarks are not product code (they drive peer solvers and an HTTP client), so
the product never imports them: these commands load the ``benchmarks`` package by name
when they run, and say in one line where to run them from when it is missing.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from .options import (
    UserError,
    add_network_options,
    int_list,
    load_network,
    network_source,
    positive_float,
    store_error,
)

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any) -> dict[str, Handler]:
    """Add the four benchmark commands; returns their handlers."""
    p = sub.add_parser("bench", help="solve Solomon / Li & Lim / Gehring & Homberger instances, compare with the best known")
    p.add_argument("directory", type=Path)
    p.add_argument("--bks", type=Path, required=True)
    p.add_argument("--time-limit", type=positive_float, required=True)
    p.add_argument("--peers", default="", help="comma-separated: vroom,pyvrp")
    p.add_argument("--solutions", type=Path, required=True)
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--jobs", type=int, default=1, help="instances solved in parallel")
    p.add_argument("--only", default="", help="comma-separated instance names to run (default all)")
    p.add_argument(
        "--solver-option", action="append", default=[], metavar="NAME=VALUE",
        help="a SolveParams field for our solver, e.g. first_solution=SAVINGS (repeatable)",
    )

    p = sub.add_parser("bench-network", help="time travel matrices of 100 / 500 / 2,000 points per mode")
    add_network_options(p)
    p.add_argument("--sizes", type=int_list, default=[100, 500, 2000])
    p.add_argument("--csv", type=Path, required=True)

    p = sub.add_parser("bench-day", help="time the planning of generated days")
    add_network_options(p)
    p.add_argument("--orders-counts", dest="sizes", type=int_list, default=[100, 300, 1000])
    p.add_argument("--time-limit", type=positive_float, default=30.0)
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--peers", default="",
                   help="comma-separated: vroom,pyvrp; the same day's problem, one row per solver")
    p.add_argument("--threads", type=int, default=1, help="VROOM's threads (default 1)")

    p = sub.add_parser(
        "bench-api", help="load-test the HTTP API on 127.0.0.1: orders per second, courier endpoints' latency"
    )
    p.add_argument("--couriers", type=int, default=50, help="simulated couriers' phones (default 50)")
    p.add_argument("--duration", type=positive_float, default=20.0, help="seconds per phase (default 20)")
    p.add_argument("--order-clients", type=int, default=16, help="concurrent order posters (default 16)")
    p.add_argument(
        "--server-workers", type=int_list, default=[1],
        help="uvicorn worker processes; a list such as 1,2 measures each in turn (default 1)",
    )
    p.add_argument("--think-time", type=positive_float, default=0.5,
                   help="a phone's pause between two rounds of requests, seconds (default 0.5)")
    p.add_argument("--think-jitter", type=float, default=0.25,
                   help="the pause varies this much either way, seconds (default 0.25)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated data and pauses")
    p.add_argument("--port", type=int, default=0, help="the server's port on 127.0.0.1 (default 0: a free one)")
    p.add_argument("--database-url",
                   help="the PostgreSQL server the bench database is made on (default: $DATABASE_URL, else local)")
    p.add_argument("--csv", type=Path, required=True)

    p = sub.add_parser(
        "bench-moves",
        help="a dispatcher's random moves on a published generated day: applied, refused and why, answer time",
    )
    add_network_options(p)
    p.add_argument("--orders", type=int, default=300, help="orders of the day (default 300)")
    p.add_argument("--couriers", type=int, default=12, help="couriers, a third on foot (default 12)")
    p.add_argument("--moves", type=int, default=20, help="moves asked, one after the other (default 20)")
    p.add_argument("--time-limit", type=positive_float, default=30.0,
                   help="seconds to plan the day before the moves (default 30)")
    p.add_argument("--seed", type=int, default=0, help="seed of the day and of the moves")
    p.add_argument("--database-url",
                   help="the PostgreSQL server the bench database is made on (default: $DATABASE_URL, else local)")
    p.add_argument("--csv", type=Path, required=True)
    p = sub.add_parser("bench-geocoding",
                       help="the offline address index of an extract: build, lookups per second, share placed within 50 m")
    p.add_argument("--osm", type=Path, required=True, help="the extract (.osm or .osm.pbf)")
    p.add_argument("--sample", type=int, default=500, help="addresses looked up (default 500)")
    p.add_argument("--geocoder", choices=("osm", "ban"), default="osm",
                   help="the source measured: the offline index (default) or BAN (needs the internet)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--csv", type=Path, required=True)

    return {"bench": bench, "bench-network": bench_network, "bench-day": bench_day, "bench-api": bench_api,
            "bench-moves": bench_moves, "bench-geocoding": bench_geocoding}


def bench_geocoding(args: argparse.Namespace) -> int:
    """``douai-delivery bench-geocoding``: the offline address index of an extract."""
    from logistics.geocoding.candidate import GeocoderUnavailable

    geocoding = _benchmarks("geocoding")
    if not args.osm.is_file():
        raise UserError(f"--osm: no such file: {args.osm}")
    if args.sample < 1:
        raise UserError("--sample: at least 1")
    try:
        summary = geocoding.run_geocoding_benchmark(args.osm, args.csv, args.sample, args.seed,
                                                    args.geocoder)
    except GeocoderUnavailable as e:
        raise UserError(f"--geocoder {args.geocoder}: {e}") from None
    for key, value in summary.items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    print(f"-> {args.csv}")
    return 0


def _benchmarks(name: str) -> ModuleType:
    """A module of the ``benchmarks`` package, or a one-line error without it."""
    try:
        return importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith("benchmarks"):
            missing = e.name or "a module"
            raise UserError(f"the benchmarks need {missing}: install the project's bench group "
                            "(uv sync --group bench)") from None
        raise UserError("the benchmarks run from a source checkout of the project (its "
                        "benchmarks/ folder); this installation has the product only") from None


def solver_options(pairs: Sequence[str]) -> dict[str, object]:
    """``NAME=VALUE`` pairs as SolveParams fields, checked by SolveParams itself."""
    from routing.params import SolveParams

    fields = {f.name: f for f in dataclasses.fields(SolveParams)}
    options: dict[str, object] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or name not in fields:
            raise UserError(
                f"--solver-option {pair!r}: expected NAME=VALUE with NAME one of "
                f"{', '.join(sorted(fields))}"
            )
        value: object = text
        for convert in (int, float):
            try:
                value = convert(text)
                break
            except ValueError:
                continue
        if text.lower() in ("true", "false"):
            value = text.lower() == "true"
        options[name] = value
    try:
        SolveParams(**options)  # type: ignore[arg-type]
    except (TypeError, ValueError) as e:
        raise UserError(f"--solver-option: {e}") from None
    return options


def peer_names(text: str) -> tuple[str, ...]:
    """``--peers`` as names, each known."""
    peers = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = set(peers) - {"vroom", "pyvrp"}
    if unknown:
        raise UserError(f"--peers: unknown solver(s) {', '.join(sorted(unknown))} (known: vroom, pyvrp)")
    return peers


def bench(args: argparse.Namespace) -> int:
    """``douai-delivery bench``: exit 1 when a run failed (each named on stderr)."""
    if not args.directory.is_dir():
        raise UserError(f"{args.directory}: no such folder")
    if not args.bks.is_file():
        raise UserError(f"--bks: no such file: {args.bks}")
    peers = peer_names(args.peers)
    only = tuple(x.strip() for x in args.only.split(",") if x.strip()) or None
    options = solver_options(args.solver_option)
    runner = _benchmarks("vrp.runner")
    rows = runner.run_benchmark(
        args.directory, args.bks, args.time_limit, peers=peers,
        solutions_dir=args.solutions, csv_path=args.csv, jobs=args.jobs, instances=only,
        options=options,
    )
    runner.print_summary(rows)
    return int(runner.report_failures(rows))


def bench_network(args: argparse.Namespace) -> int:
    """``douai-delivery bench-network``."""
    day = _benchmarks("day")
    day.run_matrix_benchmark(load_network(args), args.sizes, args.csv)
    return 0


def bench_day(args: argparse.Namespace) -> int:
    """``douai-delivery bench-day``."""
    peers = peer_names(args.peers)
    if args.threads < 1:
        raise UserError("--threads: at least 1")
    day = _benchmarks("day")
    if peers:
        _benchmarks("day_peers")
    load_network(args)  # fails early without a network, and fills the cache
    day.run_day_benchmark(
        str(network_source(args)), args.cache_dir, sizes=tuple(args.sizes),
        time_limit_s=args.time_limit, csv_path=args.csv, peers=peers, threads=args.threads,
    )
    return 0


def bench_moves(args: argparse.Namespace) -> int:
    """``douai-delivery bench-moves``: exit 1 when a move lowered the planned orders."""
    from sqlalchemy.exc import OperationalError

    moves = _benchmarks("moves")
    for name in ("orders", "couriers", "moves"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name}: at least 1")
    if args.couriers < 2:
        raise UserError("--couriers: at least 2, for a move to have somewhere to go")
    net = load_network(args)
    params = moves.MovesParams(
        orders=args.orders, couriers=args.couriers, moves=args.moves,
        time_limit_s=args.time_limit, seed=args.seed, database_url=args.database_url,
    )
    try:
        summary = moves.run_moves_benchmark(net, params, args.csv)
    except OperationalError as e:
        raise store_error(e) from None
    if summary["planned_after"] < summary["planned_before"]:
        print("a move lowered the number of planned orders", file=sys.stderr)
        return 1
    return 0


def bench_api(args: argparse.Namespace) -> int:
    """``douai-delivery bench-api``: exit 1 when the orders stored differ from those accepted."""
    from sqlalchemy.exc import OperationalError

    load = _benchmarks("api_load")
    try:
        params = load.LoadParams(
            couriers=args.couriers, duration_s=args.duration, order_clients=args.order_clients,
            server_workers=tuple(args.server_workers), think_s=args.think_time,
            jitter_s=args.think_jitter, port=args.port, seed=args.seed, database_url=args.database_url,
        )
    except ValueError as e:
        raise UserError(str(e)) from None
    try:
        matched = load.run_api_benchmark(params, args.csv)
    except load.LoadBenchError as e:
        raise UserError(str(e)) from None
    except OperationalError as e:
        raise store_error(e) from None
    if not matched:
        print("the orders stored differ from the orders accepted (see above)", file=sys.stderr)
        return 1
    return 0
