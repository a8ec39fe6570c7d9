"""A database that refuses connections, or accepts them and never answers, or takes too
long over a statement: every endpoint answers 503 with the one error body, within the
timeouts (``DATABASE_CONNECT_TIMEOUT_S``, ``DATABASE_STATEMENT_TIMEOUT_S``), never a
500 and never a hang; ``/api/health`` says ``degraded`` within a few seconds. The
worker's engine has no statement timeout: its planning transactions are not cut."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from stack_helpers import free_port, serving

from api.app import create_app
from logistics.store.db import make_engine
from logistics.store.users import create_user

TOKEN = {"Authorization": "Bearer some-token"}


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port of 127.0.0.1 that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def _app(url: str, celery_jobs) -> TestClient:
    return TestClient(create_app(database_url=url, jobs=celery_jobs))


def _down(client: TestClient, bound_s: float) -> None:
    """Every kind of request answers 503 ``unavailable`` within ``bound_s`` each."""
    for method, path, body in (("GET", "/api/orders/x", None),
                               ("POST", "/api/plans", {"date": "2031-01-01"}),
                               ("GET", "/api/health/details", None)):
        started = time.monotonic()
        r = client.request(method, path, headers=TOKEN, json=body)
        took = time.monotonic() - started
        assert r.status_code == 503, (path, r.text)
        assert r.headers["content-type"] == "application/json"
        assert r.json()["error"] == "unavailable"
        assert set(r.json()) == {"error", "detail"}
        assert "127.0.0.1" not in r.text  # the driver's words (hosts, ports) stay in the log
        assert took < bound_s, (path, took)
    started = time.monotonic()
    r = client.get("/api/health")
    assert (r.status_code, r.json()) == (503, {"status": "degraded"})
    assert time.monotonic() - started < 4


def test_a_database_that_refuses_connections_is_503_at_once(env, celery_jobs):
    env(DATABASE_CONNECT_TIMEOUT_S="2")
    _down(_app(f"postgresql://nobody@127.0.0.1:{free_port()}/none", celery_jobs), bound_s=1.5)


def test_a_database_that_never_answers_is_503_within_the_connect_timeout(env, celery_jobs, silent_port):
    env(DATABASE_CONNECT_TIMEOUT_S="2")
    _down(_app(f"postgresql://nobody@127.0.0.1:{silent_port}/none", celery_jobs), bound_s=3.5)


def test_a_statement_that_runs_too_long_is_503_and_the_worker_has_no_limit(
    env, db_url, celery_jobs, engine
):
    env(DATABASE_STATEMENT_TIMEOUT_S="1")
    with Session(engine) as s:
        _, token = create_user(s, "dispatcher")
        s.commit()
    app = create_app(database_url=db_url, jobs=celery_jobs)
    with app.state.engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "1s"
    worker_engine = make_engine(db_url)  # what the worker and the command line use
    try:
        with worker_engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "0"
    finally:
        worker_engine.dispose()
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/plans", params={"date": "2031-01-01"}, headers=headers).status_code == 200
    with engine.connect() as blocker:  # a long transaction holds the users' table
        blocker.execute(text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        r = client.get("/api/plans", params={"date": "2031-01-01"}, headers=headers)
        took = time.monotonic() - started
        blocker.rollback()
    assert r.status_code == 503, r.text
    assert r.json()["error"] == "unavailable"
    assert took < 3
    assert client.get("/api/plans", params={"date": "2031-01-01"}, headers=headers).status_code == 200


def test_a_real_server_on_a_database_that_never_answers(silent_port, redis_url, queue, tmp_path):
    """``douai-delivery serve`` itself: JSON 503 over HTTP, the health check in seconds."""
    import os

    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{silent_port}/none",
           "DATABASE_CONNECT_TIMEOUT_S": "2", "REDIS_URL": redis_url, "DOUAI_QUEUE": queue}
    cmd = [sys.executable, "-m", "cli.main", "serve", "--port", str(port)]
    with serving(cmd, log=tmp_path / "serve.log", port=port, env=env) as base:
        started = time.monotonic()
        r = httpx.get(f"{base}/api/orders/x", headers=TOKEN, timeout=10)
        assert (r.status_code, r.json()["error"]) == (503, "unavailable")
        assert r.headers["retry-after"] == "5"
        assert time.monotonic() - started < 4
        started = time.monotonic()
        r = httpx.get(f"{base}/api/health", timeout=10)
        assert (r.status_code, r.json()) == (503, {"status": "degraded"})
        assert time.monotonic() - started < 4
