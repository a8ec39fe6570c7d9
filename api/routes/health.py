"""Health of the services the platform needs: the database with PostGIS, Redis and a
worker on the queue.

Anyone may ask ``GET /api/health`` whether the platform is up: the answer is only
``ok`` (200) or ``degraded`` (503), nothing of what runs behind it, and it is rate
limited per address (:mod:`api.ratelimit`). A dispatcher reads which service failed and
why at ``GET /api/health/details``.

The checks run side by side, each with its own short timeout, and the whole answer
comes within :data:`DEADLINE_S` whatever a service does (a database that accepts the
connection and never answers included): a service down gives a 503 that says so, never
a 500 or a hang.
"""

import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Literal, TypeVar

import redis
from celery import Celery
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import Engine, text

from ..deps import Dispatcher
from ..schemas import DatabaseCheck, HealthPublic, ServiceCheck, WorkerCheck, error_responses

router = APIRouter(prefix="/api", tags=["health"])

#: seconds each check waits for its service
TIMEOUT_S = 1.0
#: seconds the whole answer may take, whatever a service does
DEADLINE_S = 2.5
#: an absolute file path in a driver's message (a socket's, say): not for the caller
_PATH = re.compile(r"(?<![\w:/.])/(?:[\w.@+-]+/)+[\w.@+-]*")

T = TypeVar("T")


class HealthStatus(BaseModel):
    """Whether the platform is up: ``ok`` (200) when the database, Redis and a worker
    all answer, else ``degraded`` (503). Which failed is for a dispatcher
    (``GET /api/health/details``)."""

    # Defined here, not in api.schemas: the anonymous answer exists only for this route.
    status: Literal["ok", "degraded"]


def _failure(e: BaseException) -> str:
    """The first line of an error, short (a driver's message can run to pages), with no
    file path of the server in it."""
    lines = str(e).strip().splitlines()
    return _PATH.sub("…", f"{type(e).__name__}: {lines[0] if lines else ''}")[:200]


def _database(engine: Engine) -> DatabaseCheck:
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            conn.execute(text("SET LOCAL statement_timeout = 2000"))
            version = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
    except Exception as e:
        return DatabaseCheck(ok=False, detail=_failure(e), postgis=None)
    ms = round((time.monotonic() - started) * 1000)
    return DatabaseCheck(ok=True, detail=f"answered in {ms} ms", postgis=str(version))


def _redis(url: str) -> ServiceCheck:
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_S, socket_timeout=TIMEOUT_S
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as e:
        return ServiceCheck(ok=False, detail=_failure(e))
    return ServiceCheck(ok=True, detail="PING answered")


def _worker(jobs: Celery) -> WorkerCheck:
    # Workers of other stacks sharing this Redis answer a broadcast too: only those
    # consuming this app's queue count.
    queue = jobs.conf.task_default_queue
    try:
        replies = jobs.control.inspect(timeout=TIMEOUT_S).active_queues() or {}
    except Exception as e:
        return WorkerCheck(ok=False, workers=[], detail=_failure(e))
    ours = sorted(
        name for name, queues in replies.items()
        if any(q.get("name") == queue for q in queues or ())
    )
    if ours:
        return WorkerCheck(ok=True, workers=ours, detail=f"{len(ours)} consuming queue {queue}")
    if replies:
        detail = f"{len(replies)} worker(s) answered within {TIMEOUT_S:g} s, none consuming queue {queue}"
    else:
        detail = f"no worker answered within {TIMEOUT_S:g} s"
    return WorkerCheck(ok=False, workers=[], detail=detail)


def _broker_and_worker(jobs: Celery) -> tuple[ServiceCheck, WorkerCheck]:
    broker = _redis(str(jobs.conf.broker_url))
    if not broker.ok:
        # Asking the workers through a broker that is down would retry for seconds.
        return broker, WorkerCheck(ok=False, workers=[], detail="not asked: Redis does not answer")
    return broker, _worker(jobs)


def _by(future: "Future[T]", deadline: float, late: T) -> T:
    """The future's result if it comes by ``deadline`` (monotonic), else ``late``."""
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:
        return late


def check_services(engine: Engine, jobs: Celery) -> HealthPublic:
    """Every service's check, run side by side and cut at :data:`DEADLINE_S` (a check
    still waiting then counts as down; its thread ends on its own timeout)."""
    pool = ThreadPoolExecutor(2, thread_name_prefix="health")
    try:
        deadline = time.monotonic() + DEADLINE_S
        database_f = pool.submit(_database, engine)
        queue_f = pool.submit(_broker_and_worker, jobs)
        late = f"no answer within {DEADLINE_S:g} s"
        database = _by(database_f, deadline, DatabaseCheck(ok=False, detail=late, postgis=None))
        broker, worker = _by(queue_f, deadline, (
            ServiceCheck(ok=False, detail=late), WorkerCheck(ok=False, workers=[], detail=late)))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    ok = database.ok and broker.ok and worker.ok
    return HealthPublic(status="ok" if ok else "degraded", database=database, redis=broker,
                        worker=worker)


def _answer(response: Response, health: HealthPublic) -> None:
    response.status_code = 200 if health.status == "ok" else 503
    response.headers["Cache-Control"] = "no-store"


@router.get(
    "/health",
    responses={
        503: {"model": HealthStatus, "description": "a service is down (which: see /api/health/details)"},
        **error_responses(429, notes={429: "Too many health checks from this address."}),
    },
)
def health(request: Request, response: Response) -> HealthStatus:
    """Whether the platform is up (the database with PostGIS, Redis and a worker all
    answer): ``ok`` or ``degraded``, no more. No token needed."""
    checked = check_services(request.app.state.engine, request.app.state.jobs)
    _answer(response, checked)
    return HealthStatus(status=checked.status)


@router.get(
    "/health/details",
    responses={
        503: {"model": HealthPublic, "description": "a service is down; its entry says which and why"},
        **error_responses(401, 403, 422),
    },
)
def health_details(request: Request, response: Response, _: Dispatcher) -> HealthPublic:
    """Which of the database (with PostGIS), Redis and a worker answer, and how or why
    not (dispatcher)."""
    checked = check_services(request.app.state.engine, request.app.state.jobs)
    _answer(response, checked)
    return checked
