"""Run the platform: the HTTP API (``serve``), a planning ``worker``, the ``beat`` that
plans tomorrow, and ``stack-demo``, the main job's client part against a running API."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .options import UserError, add_network_options, date, load_network, positive_float

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any) -> dict[str, Handler]:
    """Add ``serve``, ``worker``, ``beat`` and ``stack-demo``; returns their handlers."""
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

    p = sub.add_parser(
        "stack-demo", help="post a generated day through a running API, have the worker plan it, read a round back"
    )
    add_network_options(p)
    p.add_argument("--api", default="http://127.0.0.1:8000", help="the API's address (default http://127.0.0.1:8000)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--orders-count", dest="n_orders", type=int, default=300)
    p.add_argument("--shops-count", dest="n_shops", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-limit", type=positive_float, default=30.0, help="the worker's search time (s)")
    p.add_argument("--date", type=date, default=None, help="the delivery day (default tomorrow)")
    p.add_argument("--database-url", help="the store, for the users' tokens (default: $DATABASE_URL)")
    return {"serve": serve, "worker": worker, "beat": beat, "stack-demo": stack_demo}


def serve(args: argparse.Namespace) -> int:
    """``douai-delivery serve``."""
    import uvicorn

    if args.workers <= 0:
        raise UserError("--workers must be positive")
    if args.workers == 1:
        from api.app import create_app

        uvicorn.run(create_app(args.database_url), host=args.host, port=args.port, log_level="info")
        return 0
    # Each worker process builds its own app (and engine) from its settings, which it
    # reads from the environment it inherits.
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    _serve_workers(uvicorn.Config(
        "api.app:create_app", factory=True, workers=args.workers, host=args.host, port=args.port,
        log_level="info",
    ))
    return 0


def _serve_workers(config: Any) -> None:
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


def _celery_app() -> Any:
    from logistics.jobs.tasks import app  # a bad setting stops here, as one line (cli.main)

    return app


def worker(args: argparse.Namespace) -> int:
    """``douai-delivery worker``."""
    if args.concurrency <= 0:
        raise UserError("--concurrency must be positive")
    argv = ["worker", f"--concurrency={args.concurrency}", f"--loglevel={args.loglevel}",
            "--without-gossip", "--without-mingle"]
    if args.name:
        argv.append(f"--hostname={args.name}")
    _celery_app().worker_main(argv)
    return 0


def beat(args: argparse.Namespace) -> int:
    """``douai-delivery beat``."""
    args.schedule_file.parent.mkdir(parents=True, exist_ok=True)
    _celery_app().start(["beat", f"--schedule={args.schedule_file}", f"--loglevel={args.loglevel}"])
    return 0


def stack_demo(args: argparse.Namespace) -> int:
    """``douai-delivery stack-demo``."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from logistics import clock

    from .stack_demo import StackError, run_stack_demo

    if args.n_orders <= 0 or args.n_shops <= 0:
        raise UserError("--orders-count and --shops-count must be positive")
    net = load_network(args)
    day = args.date or clock.tomorrow()
    t0 = time.monotonic()
    try:
        run_stack_demo(
            args.api, net, args.out, n_orders=args.n_orders, n_shops=args.n_shops, seed=args.seed,
            time_limit_s=args.time_limit, date=day, database_url=args.database_url,
        )
    except StackError as e:
        raise UserError(str(e)) from None
    except (OperationalError, ProgrammingError) as e:
        first = str(e.orig or e).strip().splitlines()[0]
        raise UserError(f"cannot use the store ({first}); run `douai-delivery db upgrade`, set DATABASE_URL") from None
    print(f"done in {time.monotonic() - t0:.1f} s")
    return 0
