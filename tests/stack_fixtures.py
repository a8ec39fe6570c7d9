"""Fixtures of the tests that run the platform: a town the tests write themselves, a
real ``douai-delivery worker`` process on this session's queue, the API in front (in
process, and as a real ``douai-delivery serve`` for the browser), and users to play
every role. Imported by the root ``conftest.py``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from osm_fixtures import grid_town
from stack_helpers import free_port, serving, wait_for

from api.app import create_app
from routing.network import StreetNetwork, load_network

SCRIPT = Path(sys.executable).parent / "douai-delivery"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def town_osm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return grid_town(tmp_path_factory.mktemp("osm") / "grid-town.osm")


@pytest.fixture(scope="session")
def town(town_osm: Path) -> StreetNetwork:
    return load_network(town_osm)


class Worker:
    """A real worker process (its own process group), started and killed at will."""

    def __init__(self, env: dict[str, str], jobs, log_dir: Path) -> None:
        self.env, self.jobs, self.log_dir = env, jobs, log_dir
        self.proc: subprocess.Popen | None = None
        self.name = ""
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.name = f"test-{uuid.uuid4().hex[:6]}@localhost"
        log = (self.log_dir / f"worker-{self.starts}.log").open("w")
        self.proc = subprocess.Popen(
            [str(SCRIPT), "worker", "--name", self.name, "--loglevel", "info"],
            env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log().splitlines()[-5:]}")
            replies = self.jobs.control.ping(destination=[self.name], timeout=0.5)
            if any(self.name in r for r in replies):
                return
        raise RuntimeError(f"worker did not answer within 60 s: {self.log()[-2000:]}")

    def log(self) -> str:
        return (self.log_dir / f"worker-{self.starts}.log").read_text()

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children): no clean-up runs."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def worker_env(db_url: str, redis_url: str, queue: str, town_osm: Path) -> dict[str, str]:
    return {
        **os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "DOUAI_QUEUE": queue,
        "OSM_SOURCE": str(town_osm),
    }


@pytest.fixture(scope="session")
def worker(worker_env, celery_jobs, tmp_path_factory) -> Iterator[Worker]:
    """One worker for the session's tests; a test that kills it starts it again."""
    w = Worker(worker_env, celery_jobs, tmp_path_factory.mktemp("worker"))
    w.start()
    yield w
    w.stop()


@pytest.fixture(scope="session")
def client(engine, celery_jobs) -> TestClient:
    return TestClient(create_app(engine=engine, jobs=celery_jobs))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Platform:
    """Users and helpers to post a day through the API, as shops and a dispatcher do."""

    def __init__(self, client: TestClient, engine) -> None:
        from sqlalchemy.orm import Session

        from logistics.store.users import create_user

        self.client, self.engine = client, engine
        self._create_user, self._session = create_user, Session
        self.dispatcher = auth(self.token("dispatcher"))
        self.city = auth(self.token("city"))

    def token(self, role: str, **ids: str) -> str:
        with self._session(self.engine) as s:
            _, token = self._create_user(s, role, **ids)
            s.commit()
        return token

    def post_day(self, day, date: str, prefix: str) -> dict[str, dict[str, str]]:
        """Shops and couriers (ids prefixed), then each order by its shop's user; returns
        the tokens of the shops and couriers by id."""
        c = self.client
        shop_tokens, courier_tokens = {}, {}
        for s in day.shops:
            r = c.post("/api/shops", headers=self.dispatcher, json={
                "shop_id": prefix + s.shop_id, "name": s.name, "lon": s.lon, "lat": s.lat,
                "opens": _hm(s.opens), "closes": _hm(s.closes)})
            assert r.status_code == 201, r.text
            shop_tokens[prefix + s.shop_id] = auth(self.token("shop", shop_id=prefix + s.shop_id))
        for k in day.couriers:
            r = c.post("/api/couriers", headers=self.dispatcher, json={
                "courier_id": prefix + k.courier_id, "mode": k.mode, "capacity_kg": k.capacity_kg,
                "capacity_l": k.capacity_l, "shift_start": _hm(k.shift_start),
                "shift_end": _hm(k.shift_end), "start_lon": k.start_lon, "start_lat": k.start_lat})
            assert r.status_code == 201, r.text
            courier_tokens[prefix + k.courier_id] = auth(
                self.token("courier", courier_id=prefix + k.courier_id))
        for o in day.orders:
            self.post_order(o, date, prefix, shop_tokens)
        return {"shops": shop_tokens, "couriers": courier_tokens}

    def post_order(self, o, date: str, prefix: str, shop_tokens, **changes) -> dict:
        body = {
            "order_id": prefix + o.order_id, "basket_id": prefix + o.basket_id if o.basket_id else None,
            "customer_lon": o.customer_lon, "customer_lat": o.customer_lat,
            "customer_address": f"{o.order_id} rue de la Grille, Douai",
            "weight_kg": o.weight_kg, "volume_l": o.volume_l,
            "ready_at": _hm(o.ready_at) if o.ready_at else None,
            "deliver_from": _hm(o.deliver_from), "deliver_to": _hm(o.deliver_to), "date": date,
            **changes,
        }
        headers = shop_tokens[prefix + o.shop_id] if o.shop_id else self.dispatcher
        r = self.client.post("/api/orders", headers={**headers, "Idempotency-Key": body["order_id"]},
                             json=body)
        assert r.status_code in (200, 201), r.text
        return r.json()

    def wait_plan(self, plan_id: int, statuses=("solved", "failed"), timeout: float = 120.0) -> dict:
        def done():
            r = self.client.get(f"/api/plans/{plan_id}", headers=self.dispatcher)
            assert r.status_code == 200, r.text
            return r.json() if r.json()["status"] in statuses else None

        return wait_for(done, timeout)


def _hm(seconds: int) -> str:
    seconds = min(seconds, 24 * 3600)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@pytest.fixture(scope="session")
def platform(client, engine) -> Platform:
    return Platform(client, engine)


@pytest.fixture(scope="session")
def api_server(worker_env, worker, tmp_path_factory) -> Iterator[str]:
    """``douai-delivery serve`` on a free port of 127.0.0.1 with the session's store,
    queue and worker; yields its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("api") / "serve.log"
    with serving([str(SCRIPT), "serve", "--host", "127.0.0.1", "--port", str(port)], log=log,
                 port=port, env=worker_env, cwd=REPO) as base:
        yield base
