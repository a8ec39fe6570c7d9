"""Health of the services the platform needs: the database with PostGIS, Redis and a
worker on the queue; 200 when all answer, 503 with what failed otherwise.

Every check has its own short timeout and catches its own failure, so that a service
down gives a 503 that says so, never a 500 or a hang. No token is needed: nothing here
tells more than which service is up.
"""

import time

import redis
from celery import Celery
from fastapi import APIRouter, Request, Response
from sqlalchemy import Engine, text

from ..schemas import DatabaseCheck, HealthPublic, ServiceCheck, WorkerCheck

router = APIRouter(prefix="/api", tags=["health"])

#: seconds each check waits for its service
TIMEOUT_S = 1.0


def _failure(e: BaseException) -> str:
    """The first line of an error, short (a driver's message can run to pages)."""
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0] if lines else ''}"[:200]


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


@router.get(
    "/health",
    responses={503: {"model": HealthPublic, "description": "a service is down; its entry says which and why"}},
)
def health(request: Request, response: Response) -> HealthPublic:
    """Whether the database (with PostGIS), Redis and a worker answer."""
    database = _database(request.app.state.engine)
    jobs: Celery = request.app.state.jobs
    broker = _redis(str(jobs.conf.broker_url))
    if broker.ok:
        worker = _worker(jobs)
    else:
        # Asking the workers through a broker that is down would retry for seconds.
        worker = WorkerCheck(ok=False, workers=[], detail="not asked: Redis does not answer")
    ok = database.ok and broker.ok and worker.ok
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return HealthPublic(
        status="ok" if ok else "degraded", database=database, redis=broker, worker=worker
    )
