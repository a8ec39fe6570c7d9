"""The ``douai-delivery`` command: plan a day, generate a demo day, serve the API, run the benchmarks.

Every user error (bad CSV, missing file, no internet for the default network) ends
with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from logistics.settings import DEFAULT_PLACE, get_settings

EXIT_USAGE = 2


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage is in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _int_list(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r} must list positive whole numbers")
    return values


def _add_network_options(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument(
        "--place",
        help=f"place name to download from OpenStreetMap once and cache under data/osm/ "
        f"(default: $OSM_SOURCE, else {DEFAULT_PLACE!r})",
    )
    src.add_argument("--osm", type=Path, help="local OpenStreetMap extract (.osm or .osm.pbf)")
    p.add_argument(
        "--cache-dir", type=Path, default=Path("data/osm"), help="where downloads are cached"
    )
    p.add_argument("--cargo-bike-kmh", type=_positive_float, default=15.0, help="cargo bike speed (default 15)")
    p.add_argument("--foot-kmh", type=_positive_float, default=4.5, help="walking speed (default 4.5)")
    p.add_argument(
        "--max-snap-m", type=_positive_float, default=250.0,
        help="farthest a place may lie from a street of its mode (default 250)",
    )


def _add_solver_options(p: argparse.ArgumentParser, default_limit: float) -> None:
    p.add_argument(
        "--time-limit", type=_positive_float, default=default_limit,
        help=f"seconds the solver may search (default {default_limit:g})",
    )
    p.add_argument(
        "--solution-limit", type=int, default=None,
        help="stop each search phase after this many solutions: the plan is then "
        "reproducible (with the same --seed)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for reproducible choices")
    p.add_argument("--stop-time", type=int, default=60, help="seconds per stop: park, find the door (default 60)")
    p.add_argument("--pickup-service", type=int, default=60, help="seconds per parcel at a shop (default 60)")
    p.add_argument("--delivery-service", type=int, default=90, help="seconds per parcel at a customer (default 90)")
    p.add_argument(
        "--vehicle-cost", type=int, default=3 * 3600,
        help="one more courier is worth this many seconds of total round time (default 10800)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = _Parser(
        prog="douai-delivery",
        description="Plan cargo-bike and on-foot delivery rounds on OpenStreetMap streets.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("plan", help="plan a day from shops, orders and couriers CSV files")
    p.add_argument("--shops", type=Path, required=True)
    p.add_argument("--orders", type=Path, required=True)
    p.add_argument("--couriers", type=Path, required=True)
    _add_network_options(p)
    p.add_argument("--out", type=Path, required=True, help="folder for plan.json, rounds.geojson, map.html")
    _add_solver_options(p, 30.0)

    p = sub.add_parser("demo", help="generate a realistic day on the network and plan it")
    _add_network_options(p)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--orders-count", "--n-orders", dest="n_orders", type=int, default=300)
    p.add_argument("--shops-count", dest="n_shops", type=int, default=60)
    _add_solver_options(p, 30.0)

    p = sub.add_parser(
        "stack-demo", help="post a generated day through a running API, have the worker plan it, read a round back"
    )
    _add_network_options(p)
    p.add_argument("--api", default="http://127.0.0.1:8000", help="the API's address (default http://127.0.0.1:8000)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--orders-count", dest="n_orders", type=int, default=300)
    p.add_argument("--shops-count", dest="n_shops", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-limit", type=_positive_float, default=30.0, help="the worker's search time (s)")
    p.add_argument("--date", type=_date, default=None, help="the delivery day (default tomorrow)")
    p.add_argument("--database-url", help="the store, for the users' tokens (default: $DATABASE_URL)")

    p = sub.add_parser("bench", help="solve Solomon / Li & Lim instances and compare with the best known")
    p.add_argument("directory", type=Path)
    p.add_argument("--bks", type=Path, required=True)
    p.add_argument("--time-limit", type=_positive_float, required=True)
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
    _add_network_options(p)
    p.add_argument("--sizes", type=_int_list, default=[100, 500, 2000])
    p.add_argument("--csv", type=Path, required=True)

    p = sub.add_parser("bench-day", help="time the planning of generated days")
    _add_network_options(p)
    p.add_argument("--orders-counts", dest="sizes", type=_int_list, default=[100, 300, 1000])
    p.add_argument("--time-limit", type=_positive_float, default=30.0)
    p.add_argument("--csv", type=Path, required=True)

    p = sub.add_parser(
        "bench-api", help="load-test the HTTP API on 127.0.0.1: orders per second, courier endpoints' latency"
    )
    p.add_argument("--couriers", type=int, default=50, help="simulated couriers' phones (default 50)")
    p.add_argument("--duration", type=_positive_float, default=20.0, help="seconds per phase (default 20)")
    p.add_argument("--order-clients", type=int, default=16, help="concurrent order posters (default 16)")
    p.add_argument(
        "--server-workers", type=_int_list, default=[1],
        help="uvicorn worker processes; a list such as 1,2 measures each in turn (default 1)",
    )
    p.add_argument("--think-time", type=_positive_float, default=0.5,
                   help="a phone's pause between two rounds of requests, seconds (default 0.5)")
    p.add_argument("--think-jitter", type=float, default=0.25,
                   help="the pause varies this much either way, seconds (default 0.25)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated data and pauses")
    p.add_argument("--port", type=int, default=0, help="the server's port on 127.0.0.1 (default 0: a free one)")
    p.add_argument("--database-url",
                   help="the PostgreSQL server the bench database is made on (default: $DATABASE_URL, else local)")
    p.add_argument("--csv", type=Path, required=True)

    p = sub.add_parser("db", help="the PostGIS store")
    db = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    q = db.add_parser("upgrade", help="create the database if missing and apply every migration")
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    q.add_argument("--revision", default="head")

    p = sub.add_parser("serve", help="run the HTTP API (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")

    p = sub.add_parser("worker", help="run a planning worker (Celery, from $REDIS_URL, $DATABASE_URL, $OSM_SOURCE)")
    p.add_argument("--concurrency", type=int, default=1, help="plans solved at once (default 1; one core each)")
    p.add_argument("--loglevel", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument("--name", default=None, help="worker name (default: worker@HOST)")

    p = sub.add_parser("beat", help="run the scheduler: plans tomorrow at $PLAN_TOMORROW_AT (default 18:00)")
    p.add_argument("--schedule-file", type=Path, default=Path("data/celerybeat-schedule"),
                   help="where beat keeps its last run times")
    p.add_argument("--loglevel", default="info", choices=["debug", "info", "warning", "error"])

    p = sub.add_parser("users", help="API users and their tokens")
    users = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    q = users.add_parser("create", help="add a user and print its bearer token (shown once)")
    q.add_argument("--role", required=True, choices=["shop", "dispatcher", "courier", "city"])
    q.add_argument("--shop-id", help="the shop a shop user speaks for")
    q.add_argument("--courier-id", help="the courier a courier user is")
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    return parser


def _network_source(args: argparse.Namespace) -> str | Path:
    """The extract given with --osm, else the place: --place, $OSM_SOURCE, Douai."""
    if args.osm is not None:
        if not args.osm.is_file():
            raise UserError(f"--osm: no such file: {args.osm}")
        return args.osm
    return args.place or get_settings().osm_source


def _load_network(args: argparse.Namespace):
    from routing.network import NetworkSettings, NetworkUnavailable, load_network

    source = _network_source(args)
    settings = NetworkSettings(
        cargo_bike_kmh=args.cargo_bike_kmh, foot_kmh=args.foot_kmh, max_snap_m=args.max_snap_m
    )
    try:
        return load_network(source, settings, cache_dir=args.cache_dir)
    except NetworkUnavailable as e:
        raise UserError(str(e)) from None
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read the street network from {source}: {e}") from None


def _plan_settings(args: argparse.Namespace):
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


def _print_summary(plan, files: dict[str, Path], seconds: float) -> None:
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


def _cmd_plan(args: argparse.Namespace) -> int:
    from logistics.inputs import InputError, read_day_inputs
    from logistics.outputs.files import write_plan_outputs
    from logistics.planning import plan_day

    t0 = time.monotonic()
    try:
        # Check the files before the (slower) network load, then against its area.
        read_day_inputs(args.shops, args.orders, args.couriers)
        net = _load_network(args)
        # Swapped coordinates are refused; a place merely outside the area is planned
        # as off the network (unassigned, with its distance to the nearest street).
        day = read_day_inputs(
            args.shops, args.orders, args.couriers, bounds=net.bounds, outside="allow"
        )
    except InputError as e:
        raise UserError(str(e)) from None
    plan = plan_day(day, net, _plan_settings(args))
    files = write_plan_outputs(plan, args.out, title=f"Rounds — {net.source}")
    _print_summary(plan, files, time.monotonic() - t0)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from logistics.demo_day import generate_day
    from logistics.inputs import write_day_inputs
    from logistics.outputs.files import write_plan_outputs
    from logistics.planning import plan_day

    if args.n_orders <= 0 or args.n_shops <= 0:
        raise UserError("--orders-count and --shops-count must be positive")
    t0 = time.monotonic()
    net = _load_network(args)
    nodes = net.graph("cargo_bike").node_coordinates()
    day = generate_day(nodes, seed=args.seed, n_orders=args.n_orders, n_shops=args.n_shops)
    inputs = write_day_inputs(day, args.out / "inputs")
    print(f"generated a synthetic day: {len(day.orders)} orders, {len(day.shops)} shops, "
          f"{len(day.couriers)} couriers -> {args.out / 'inputs'}")
    plan = plan_day(day, net, _plan_settings(args))
    files = write_plan_outputs(plan, args.out, title=f"Demo day — {net.source}")
    files.update({f"input {k}": v for k, v in inputs.items()})
    _print_summary(plan, files, time.monotonic() - t0)
    return 0


def _cmd_stack_demo(args: argparse.Namespace) -> int:

    from sqlalchemy.exc import OperationalError, ProgrammingError

    from api.demo_stack import StackError, run_stack_demo
    from logistics import clock
    from logistics.store.users import UserError as BadUser

    if args.n_orders <= 0 or args.n_shops <= 0:
        raise UserError("--orders-count and --shops-count must be positive")
    net = _load_network(args)
    date = args.date or clock.tomorrow()
    t0 = time.monotonic()
    try:
        run_stack_demo(
            args.api, net, args.out, n_orders=args.n_orders, n_shops=args.n_shops, seed=args.seed,
            time_limit_s=args.time_limit, date=date, database_url=args.database_url,
        )
    except (StackError, BadUser) as e:
        raise UserError(str(e)) from None
    except (OperationalError, ProgrammingError) as e:
        first = str(e.orig or e).strip().splitlines()[0]
        raise UserError(f"cannot use the store ({first}); run `douai-delivery db upgrade`, set DATABASE_URL") from None
    print(f"done in {time.monotonic() - t0:.1f} s")
    return 0


def _solver_options(pairs: Sequence[str]) -> dict[str, object]:
    """``NAME=VALUE`` pairs as SolveParams fields, checked by SolveParams itself."""
    import dataclasses

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


def _cmd_bench(args: argparse.Namespace) -> int:
    from routing.vrplib.bench import print_summary, report_failures, run_benchmark

    if not args.directory.is_dir():
        raise UserError(f"{args.directory}: no such folder")
    if not args.bks.is_file():
        raise UserError(f"--bks: no such file: {args.bks}")
    peers = tuple(p.strip() for p in args.peers.split(",") if p.strip())
    unknown = set(peers) - {"vroom", "pyvrp"}
    if unknown:
        raise UserError(f"--peers: unknown solver(s) {', '.join(sorted(unknown))} (known: vroom, pyvrp)")
    only = tuple(x.strip() for x in args.only.split(",") if x.strip()) or None
    options = _solver_options(args.solver_option)
    rows = run_benchmark(
        args.directory, args.bks, args.time_limit, peers=peers,
        solutions_dir=args.solutions, csv_path=args.csv, jobs=args.jobs, instances=only,
        options=options,
    )
    print_summary(rows)
    return report_failures(rows)


def _cmd_bench_network(args: argparse.Namespace) -> int:
    from logistics.day_benchmark import run_matrix_benchmark

    net = _load_network(args)
    run_matrix_benchmark(net, args.sizes, args.csv)
    return 0


def _cmd_bench_day(args: argparse.Namespace) -> int:
    from logistics.day_benchmark import run_day_benchmark

    _load_network(args)  # fails early without a network, and fills the cache
    run_day_benchmark(
        str(_network_source(args)), args.cache_dir, sizes=tuple(args.sizes), time_limit_s=args.time_limit,
        csv_path=args.csv,
    )
    return 0


def _cmd_bench_api(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError

    from api.load_bench import LoadBenchError, LoadParams, run_api_benchmark

    try:
        params = LoadParams(
            couriers=args.couriers, duration_s=args.duration, order_clients=args.order_clients,
            server_workers=tuple(args.server_workers), think_s=args.think_time,
            jitter_s=args.think_jitter, port=args.port, seed=args.seed, database_url=args.database_url,
        )
    except ValueError as e:
        raise UserError(str(e)) from None
    try:
        matched = run_api_benchmark(params, args.csv)
    except LoadBenchError as e:
        raise UserError(str(e)) from None
    except OperationalError as e:
        first = str(e.orig or e).strip().splitlines()[0]
        raise UserError(f"cannot reach the database ({first}); set DATABASE_URL") from None
    if not matched:
        print("the orders stored differ from the orders accepted (see above)", file=sys.stderr)
        return 1
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError

    from logistics.store.db import database_url
    from logistics.store.migrate import upgrade

    url = database_url(args.database_url)
    try:
        upgrade(url, args.revision)
    except OperationalError as e:
        first = str(e.orig or e).strip().splitlines()[0]
        raise UserError(f"cannot reach the database ({first}); set DATABASE_URL") from None
    print(f"database at revision {args.revision}")
    return 0


def _cmd_users(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from logistics.store.db import make_engine, session_scope
    from logistics.store.users import UserError as BadUser
    from logistics.store.users import create_user

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine) as session:
            _, token = create_user(
                session, args.role, shop_id=args.shop_id, courier_id=args.courier_id
            )
    except BadUser as e:
        raise UserError(str(e)) from None
    except OperationalError as e:
        first = str(e.orig or e).strip().splitlines()[0]
        raise UserError(f"cannot reach the database ({first}); set DATABASE_URL") from None
    except ProgrammingError:
        raise UserError("the database has no tables yet: run `douai-delivery db upgrade`") from None
    finally:
        engine.dispose()
    print(token)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.workers <= 0:
        raise UserError("--workers must be positive")
    if args.workers == 1:
        from api.app import create_app

        uvicorn.run(create_app(args.database_url), host=args.host, port=args.port, log_level="info")
        return 0
    # Each worker process builds its own app (and engine) from the environment.
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    _serve_workers(uvicorn.Config(
        "api.app:create_app", factory=True, workers=args.workers, host=args.host, port=args.port,
        log_level="info",
    ))
    return 0


def _serve_workers(config) -> None:
    """What ``uvicorn.run`` does for ``workers > 1``, with a listening socket that says
    it is TCP: uvicorn's own leaves ``proto`` 0, so asyncio does not set TCP_NODELAY on
    the connections it accepts and every small response on a kept-alive connection
    waits ~40 ms for the client's delayed ACK (Kludex/uvicorn#3149, open in 0.54;
    measured here: a position's POST 11 ms with one worker, 55 ms with two)."""
    import socket

    from uvicorn.supervisors import Multiprocess

    bound = config.bind_socket()
    sock = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    Multiprocess(config, sockets=[sock]).run()


def _celery_app():
    try:
        from logistics.jobs.tasks import app
    except ValueError as e:  # a bad PLAN_TOMORROW_AT
        raise UserError(str(e)) from None
    return app


def _cmd_worker(args: argparse.Namespace) -> int:
    if args.concurrency <= 0:
        raise UserError("--concurrency must be positive")
    argv = ["worker", f"--concurrency={args.concurrency}", f"--loglevel={args.loglevel}",
            "--without-gossip", "--without-mingle"]
    if args.name:
        argv.append(f"--hostname={args.name}")
    _celery_app().worker_main(argv)
    return 0


def _cmd_beat(args: argparse.Namespace) -> int:
    args.schedule_file.parent.mkdir(parents=True, exist_ok=True)
    _celery_app().start(["beat", f"--schedule={args.schedule_file}", f"--loglevel={args.loglevel}"])
    return 0


COMMANDS = {
    "plan": _cmd_plan,
    "demo": _cmd_demo,
    "stack-demo": _cmd_stack_demo,
    "bench": _cmd_bench,
    "bench-network": _cmd_bench_network,
    "bench-day": _cmd_bench_day,
    "bench-api": _cmd_bench_api,
    "db": _cmd_db,
    "users": _cmd_users,
    "serve": _cmd_serve,
    "worker": _cmd_worker,
    "beat": _cmd_beat,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``douai-delivery``; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UserError as e:
        print(f"douai-delivery {args.command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
