"""A bounded load test of the HTTP API on 127.0.0.1 (``douai-delivery bench-api``).

What it measures, per server worker count: how many orders per second the API accepts
from concurrent shop clients, and the latency of the courier endpoints when many phones
follow their rounds at once. Everything runs against the real server process
(``douai-delivery serve``) on a database of its own, so the numbers include HTTP,
authentication, the ORM and PostGIS, as a user would see them.

It is bounded and tidy: only 127.0.0.1, phases of a fixed length, one request in flight
per simulated client, and the database and server it starts are removed at the end, also
on an error or Ctrl-C (SIGTERM is handled like Ctrl-C).

The client (asyncio + httpx) runs on the same machine as the server and PostgreSQL, so
it takes a share of the same cores: the figures are a floor for this machine, not the
server's capacity.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import datetime as dt
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, Point
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from logistics import clock
from logistics.inputs import Order as OrderInput
from logistics.jobs.celery_app import redis_url
from logistics.store.db import database_url, make_engine
from logistics.store.migrate import create_database_if_missing, upgrade
from logistics.store.models import Courier, Order, OrderStatus, Plan, PlanStatus, Round, Shop, Stop
from logistics.store.order_status import move_order
from logistics.store.orders import add_order
from logistics.store.users import create_user

HOST = "127.0.0.1"
#: Douai's centre, where the seeded shops, couriers and customers are
CENTRE = (3.0800, 50.3700)
#: orders each seeded courier carries: one pickup and one delivery stop each
ORDERS_PER_ROUND = 6
SHOPS = 5
#: the posted orders' day is this far ahead, so no plan is in force and nothing re-plans
ORDER_DAYS_AHEAD = 30
#: seconds the server may take to answer after its start
START_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 30.0

ORDERS_EP = "POST /api/orders"
ROUND_EP = "GET /api/couriers/me/round"
POSITION_EP = "POST /api/couriers/me/positions"
EVENT_EP = "POST /api/stops/{id}/events"
COLUMNS = ("phase", "endpoint", "clients", "requests", "accepted", "per_s", "p50_ms", "p95_ms",
           "p99_ms", "errors", "stored", "cores", "server_workers", "client_cores", "server_cores",
           "db_cores", "other_cores")


class LoadBenchError(RuntimeError):
    """The benchmark cannot run or go on (no database, the server did not start); one line."""


@dataclasses.dataclass(frozen=True)
class LoadParams:
    """What to run. Limits keep the test bounded on a laptop."""

    couriers: int = 50
    duration_s: float = 20.0
    order_clients: int = 16
    server_workers: tuple[int, ...] = (1,)
    think_s: float = 0.5
    jitter_s: float = 0.25
    port: int = 0
    seed: int = 0
    database_url: str | None = None

    def __post_init__(self) -> None:
        checks = (
            (1 <= self.couriers <= 1000, "couriers must be between 1 and 1000"),
            (0 < self.duration_s <= 600, "duration must be more than 0 and at most 600 s"),
            (1 <= self.order_clients <= 256, "order clients must be between 1 and 256"),
            (bool(self.server_workers) and all(1 <= w <= 16 for w in self.server_workers),
             "server workers must be between 1 and 16"),
            (self.think_s > 0, "think time must be positive"),
            (0 <= self.jitter_s <= self.think_s, "think jitter must be between 0 and the think time"),
            (0 <= self.port <= 65535, "port must be between 0 and 65535"),
        )
        for ok, msg in checks:
            if not ok:
                raise ValueError(msg)


@dataclasses.dataclass
class EndpointStats:
    """Latencies (ms) of the answered requests of one endpoint, and how they ended."""

    latencies_ms: list[float] = dataclasses.field(default_factory=list)
    statuses: Counter[str] = dataclasses.field(default_factory=Counter)

    def add(self, status: int | None, seconds: float) -> None:
        self.statuses[str(status) if status is not None else "no answer"] += 1
        if status is not None:
            self.latencies_ms.append(seconds * 1000)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def count(self, *codes: int) -> int:
        return sum(self.statuses[str(c)] for c in codes)

    @property
    def errors(self) -> int:
        """Requests without a 2xx answer (a retry's 200 is an answer, not an error)."""
        ok = sum(n for s, n in self.statuses.items() if s.isdigit() and 200 <= int(s) < 300)
        return self.requests - ok


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation; NaN when empty."""
    if not values:
        return float("nan")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def cores() -> int:
    """Cores this process may run on (the server and the database share them)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def machine_note() -> str:
    """Architecture, cores, RAM and Python, for the report."""
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            mem = f", {int(f.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.machine()}, {cores()} cores{mem}, Python {platform.python_version()}"


# -- the store: a database of its own, seeded through the models (not timed) -----------


@contextmanager
def bench_database(base_url: str | None) -> Iterator[str]:
    """A new database ``douai_bench_<hex>`` on the server of ``base_url``, migrated;
    dropped (``WITH (FORCE)``) at the end, whatever happens."""
    base = make_url(database_url(base_url))
    url = base.set(database=f"douai_bench_{uuid.uuid4().hex[:12]}")
    text_url = url.render_as_string(hide_password=False)
    create_database_if_missing(text_url)
    try:
        upgrade(text_url)
        yield text_url
    finally:
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        finally:
            admin.dispose()


@dataclasses.dataclass(frozen=True)
class Seeded:
    """The bearer tokens the simulated clients use."""

    courier_tokens: list[str]
    shop_tokens: list[str]


def _pt(lon: float, lat: float) -> Any:
    return from_shape(Point(lon, lat), 4326)


def _near(rng: random.Random, spread: float = 0.02) -> tuple[float, float]:
    return (round(CENTRE[0] + rng.uniform(-spread, spread), 6),
            round(CENTRE[1] + rng.uniform(-spread / 2, spread / 2), 6))


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def seed_store(engine: Engine, n_couriers: int, day: dt.date, seed: int = 0) -> Seeded:
    """Shops, couriers with a token each, and a published solved plan of ``day`` with
    one round per courier: start, six pickups, six deliveries, end; orders ``planned``."""
    rng = random.Random(seed)
    with Session(engine) as s:
        shops = []
        for i in range(SHOPS):
            lon, lat = _near(rng, 0.01)
            shops.append(Shop(id=f"shop-{i + 1}", name=f"Shop {i + 1}", address=f"{i + 1} rue de Bellain",
                              location=_pt(lon, lat), opens=dt.time(8), closes=dt.time(20)))
        s.add_all(shops)
        couriers = [f"courier-{i + 1:03d}" for i in range(n_couriers)]
        s.add_all(Courier(id=c, mode="cargo_bike", capacity_kg=100, capacity_l=300,
                          shift_start=dt.time(8), shift_end=dt.time(18), start=_pt(*CENTRE),
                          end=_pt(*CENTRE)) for c in couriers)
        s.flush()
        plan = Plan(day=day, status=PlanStatus.SOLVED.value, settings={},
                    finished_at=func.now(), published_at=func.now())
        for ci, courier in enumerate(couriers):
            plan.rounds.append(_seed_round(s, rng, shops, courier, ci, day))
        s.add(plan)
        s.flush()
        tokens = Seeded(
            courier_tokens=[create_user(s, "courier", courier_id=c)[1] for c in couriers],
            shop_tokens=[create_user(s, "shop", shop_id=sh.id)[1] for sh in shops],
        )
        s.commit()
    return tokens


def _seed_round(s: Session, rng: random.Random, shops: list[Shop], courier: str, ci: int,
                day: dt.date) -> Round:
    """One courier's orders (stored ``planned``) and the round that carries them."""
    picks: list[tuple[str, Shop]] = []
    homes: list[tuple[str, tuple[float, float]]] = []
    for k in range(ORDERS_PER_ROUND):
        shop = shops[(ci + k) % len(shops)]
        home = _near(rng)
        order_id = f"{courier}-o{k + 1}"
        row, _ = add_order(s, OrderInput(order_id, shop.id, None, home[0], home[1], 2.0, 5.0,
                                         0, 14 * 3600, 18 * 3600), delivery_date=day,
                           customer_address=f"{k + 1} place d'Armes, Douai")
        move_order(s, row, OrderStatus.PLANNED)
        picks.append((order_id, shop))
        homes.append((order_id, home))
    minute = 9 * 60
    stops = [Stop(seq=0, kind="start", order_ids=[], shop_id=None, location=_pt(*CENTRE),
                  arrival=_clock(minute), departure=_clock(minute), load_kg=0, load_l=0)]
    path = [CENTRE]
    load = 0.0
    for order_id, shop in picks:
        minute += 10
        load += 2.0
        stops.append(Stop(seq=len(stops), kind="pickup", order_ids=[order_id], shop_id=shop.id,
                          location=shop.location, arrival=_clock(minute),
                          departure=_clock(minute + 2), load_kg=load, load_l=load * 2.5))
    for order_id, home in homes:
        minute = max(minute + 15, 14 * 60)
        load -= 2.0
        stops.append(Stop(seq=len(stops), kind="delivery", order_ids=[order_id], shop_id=None,
                          location=_pt(*home), arrival=_clock(minute),
                          departure=_clock(minute + 3), load_kg=load, load_l=load * 2.5))
        path.append(home)
    minute += 10
    stops.append(Stop(seq=len(stops), kind="end", order_ids=[], shop_id=None, location=_pt(*CENTRE),
                      arrival=_clock(minute), departure=_clock(minute), load_kg=0, load_l=0))
    rnd = Round(courier_id=courier, distance_m=9000, duration_s=(minute - 9 * 60) * 60,
                geometry=from_shape(LineString([*path, CENTRE]), 4326))
    rnd.stops = stops
    return rnd


def stored_orders(engine: Engine, day: dt.date) -> list[str]:
    """Ids of the orders stored for ``day`` (the orders phase's check)."""
    with Session(engine) as s:
        return list(s.scalars(select(Order.id).where(Order.delivery_date == day)))


@dataclasses.dataclass(frozen=True)
class CpuSample:
    """CPU seconds used so far by this process (the client), by the server's process
    group, by the local PostgreSQL (its processes, and through the postmaster the
    backends that have exited) and by the whole machine. What is left over is other
    people's work: a run where it is not near zero was disturbed."""

    at: float
    client_s: float
    server_s: float
    db_s: float
    machine_s: float

    @classmethod
    def take(cls, server_pgid: int) -> CpuSample:
        tick = os.sysconf("SC_CLK_TCK")
        server = db = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                comm, _, rest = stat.read_text(encoding="ascii", errors="replace").rpartition(")")
            except OSError:  # gone meanwhile
                continue
            fields = rest.split()  # state, ppid, pgrp, ...; utime, stime, cutime, cstime at 11-14
            if int(fields[2]) == server_pgid:
                server += int(fields[11]) + int(fields[12])
            elif comm.endswith("(postgres"):
                db += sum(int(x) for x in fields[11:15])
        try:
            with open("/proc/stat", encoding="ascii") as f:
                cpu = [int(x) for x in f.readline().split()[1:9]]
            busy = (sum(cpu) - cpu[3] - cpu[4]) / tick  # all but idle and iowait
        except (OSError, ValueError, IndexError):  # not Linux: unknown
            busy = float("nan")
        return cls(time.monotonic(), time.process_time(), server / tick, db / tick, busy)

    def cores_since(self, start: CpuSample) -> dict[str, float]:
        """Cores used on average between ``start`` and this sample, by who."""
        wall = max(self.at - start.at, 1e-9)
        used = {
            "client_cores": (self.client_s - start.client_s) / wall,
            "server_cores": (self.server_s - start.server_s) / wall,
            "db_cores": (self.db_s - start.db_s) / wall,
        }
        used["other_cores"] = max(0.0, (self.machine_s - start.machine_s) / wall - sum(used.values()))
        return {k: round(v, 2) for k, v in used.items()}


# -- the server: ``douai-delivery serve`` as a child process ---------------------------


def free_port() -> int:
    """A TCP port of 127.0.0.1 free at the time of asking."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _command() -> list[str]:
    script = Path(sys.executable).parent / "douai-delivery"
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def _last_line(log: Path) -> str:
    lines = [x for x in log.read_text(encoding="utf-8", errors="replace").splitlines() if x.strip()]
    return lines[-1].strip() if lines else "no output"


@contextmanager
def run_server(db_url: str, workers: int, port: int, probe_token: str) -> Iterator[tuple[str, int]]:
    """The API on ``127.0.0.1:port`` with ``workers`` processes, ready to answer: its
    address and process group; the group is stopped at the end (SIGTERM, then SIGKILL
    after 15 s)."""
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url(),
           "DOUAI_QUEUE": f"douai-bench-{uuid.uuid4().hex[:8]}"}
    cmd = [*_command(), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    with tempfile.TemporaryDirectory(prefix="douai-bench-") as tmp:
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            base = f"http://{HOST}:{port}"
            _wait_ready(proc, base, log, workers, probe_token)
            yield base, proc.pid
        finally:
            _stop(proc)


def _wait_ready(proc: subprocess.Popen, base: str, log: Path, workers: int, token: str) -> None:
    """Until a courier's round answers 200 and every worker has logged its start-up."""
    deadline = time.monotonic() + START_TIMEOUT_S
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LoadBenchError(f"the server stopped at start (exit {proc.returncode}): {_last_line(log)}")
        try:
            r = httpx.get(base + "/api/couriers/me/round", headers=headers, timeout=5, trust_env=False)
        except httpx.HTTPError:
            r = None
        started = log.read_text(encoding="utf-8", errors="replace").count("Application startup complete")
        if r is not None and r.status_code == 200 and started >= workers:
            return
        if r is not None and r.status_code != 200:
            raise LoadBenchError(f"the server answered {r.status_code} to a courier's round at start")
        time.sleep(0.2)
    raise LoadBenchError(f"the server did not answer within {START_TIMEOUT_S:.0f} s: {_last_line(log)}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and its workers: SIGTERM to its own process group (started by us,
    in a session of its own), SIGKILL to whatever is left after 15 s."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(15)
    with suppress(ProcessLookupError):  # a worker left behind, or a leader that hangs
        os.killpg(proc.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(5)


# -- the load: simulated shops and phones ----------------------------------------------


async def _timed(client: httpx.AsyncClient, stats: EndpointStats, method: str, url: str,
                 **kwargs: Any) -> httpx.Response | None:
    """One request, its latency recorded (up to the whole body read); None: no answer."""
    t0 = time.perf_counter()
    try:
        r = await client.request(method, url, **kwargs)
    except httpx.HTTPError:
        stats.add(None, time.perf_counter() - t0)
        return None
    stats.add(r.status_code, time.perf_counter() - t0)
    return r


def _client(base: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT_S, trust_env=False)


async def _shop_client(client: httpx.AsyncClient, token: str, n: int, day: dt.date,
                       deadline: float, stats: EndpointStats, accepted: list[str]) -> None:
    """Post orders one after another until the deadline, each with its own key."""
    rng = random.Random(n)
    k = 0
    while time.monotonic() < deadline:
        k += 1
        lon, lat = _near(rng)
        order_id = f"load-{n:03d}-{k:06d}"
        body = {"order_id": order_id, "customer_lon": lon, "customer_lat": lat, "weight_kg": 1.5,
                "volume_l": 4.0, "deliver_from": "14:00", "deliver_to": "16:00",
                "date": day.isoformat()}
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
        r = await _timed(client, stats, "POST", "/api/orders", json=body, headers=headers)
        if r is not None and r.status_code == 201:
            accepted.append(r.json()["order_id"])  # the public id (the shop's namespace)


async def orders_phase(base: str, tokens: Sequence[str], clients: int, duration_s: float,
                       day: dt.date) -> tuple[EndpointStats, list[str], float]:
    """``clients`` shops posting orders for ``duration_s``: stats, accepted ids, seconds."""
    stats = EndpointStats()
    accepted: list[str] = []
    async with _client(base, clients) as client:
        t0 = time.monotonic()
        deadline = t0 + duration_s
        await asyncio.gather(*(
            _shop_client(client, tokens[i % len(tokens)], i, day, deadline, stats, accepted)
            for i in range(clients)
        ))
        return stats, accepted, time.monotonic() - t0


def next_event(round_body: dict[str, Any]) -> tuple[int, str, dict[str, Any]] | None:
    """The event the courier reports next (stop id, type, the stop), or None when the
    round has nothing left to do: arrived first, then picked up or handed over."""
    stop = next((s for s in round_body.get("stops", []) if s["stop_id"] == round_body.get("next_stop_id")),
                None)
    if stop is None or stop["kind"] not in ("pickup", "delivery"):
        return None
    if stop["status"] == "pending":
        return stop["stop_id"], "arrived", stop
    if stop["status"] == "arrived":
        return stop["stop_id"], "picked_up" if stop["kind"] == "pickup" else "delivered", stop
    return None


async def _phone(client: httpx.AsyncClient, token: str, rng: random.Random, deadline: float,
                 think: tuple[float, float], stats: dict[str, EndpointStats]) -> None:
    """One courier's phone: read the round, send a position, report the next event; think."""
    headers = {"Authorization": f"Bearer {token}"}
    await asyncio.sleep(rng.uniform(0, think[0]))  # phones do not start in step
    where = CENTRE
    while time.monotonic() < deadline:
        r = await _timed(client, stats[ROUND_EP], "GET", "/api/couriers/me/round", headers=headers)
        todo = next_event(r.json()) if r is not None and r.status_code == 200 else None
        if todo is not None:
            where = (todo[2]["lon"], todo[2]["lat"])
        lon, lat = where[0] + rng.uniform(-2e-4, 2e-4), where[1] + rng.uniform(-2e-4, 2e-4)
        await _timed(client, stats[POSITION_EP], "POST", "/api/couriers/me/positions",
                     json={"lon": lon, "lat": lat}, headers=headers)
        if todo is not None:
            await _timed(client, stats[EVENT_EP], "POST", f"/api/stops/{todo[0]}/events",
                         json={"type": todo[1], "lon": lon, "lat": lat}, headers=headers)
        await asyncio.sleep(max(0.0, rng.uniform(think[0] - think[1], think[0] + think[1])))


async def couriers_phase(base: str, tokens: Sequence[str], duration_s: float, think_s: float,
                         jitter_s: float, seed: int) -> tuple[dict[str, EndpointStats], float]:
    """Every courier's phone at once for ``duration_s``: stats per endpoint, seconds."""
    stats = {ep: EndpointStats() for ep in (ROUND_EP, POSITION_EP, EVENT_EP)}
    async with _client(base, len(tokens)) as client:
        t0 = time.monotonic()
        deadline = t0 + duration_s
        await asyncio.gather(*(
            _phone(client, tok, random.Random(seed * 100_003 + i), deadline, (think_s, jitter_s), stats)
            for i, tok in enumerate(tokens)
        ))
        return stats, time.monotonic() - t0


async def warm_up(base: str, tokens: Sequence[str]) -> None:
    """Every courier reads its round once (not timed): connections, pools, caches."""
    sink = EndpointStats()
    async with _client(base, len(tokens)) as client:
        await asyncio.gather(*(
            _timed(client, sink, "GET", "/api/couriers/me/round", headers={"Authorization": f"Bearer {t}"})
            for t in tokens
        ))


# -- the run and its report ------------------------------------------------------------


def _row(phase: str, endpoint: str, clients: int, stats: EndpointStats, accepted: int,
         seconds: float, workers: int, stored: int | str = "") -> dict[str, object]:
    lat = stats.latencies_ms
    return {
        "phase": phase, "endpoint": endpoint, "clients": clients, "requests": stats.requests,
        "accepted": accepted, "per_s": round(accepted / seconds, 1) if seconds > 0 else 0.0,
        "p50_ms": round(percentile(lat, 50), 1), "p95_ms": round(percentile(lat, 95), 1),
        "p99_ms": round(percentile(lat, 99), 1), "errors": stats.errors, "stored": stored,
        "cores": cores(), "server_workers": workers,
    }


def _statuses(stats: EndpointStats) -> str:
    return ", ".join(f"{code}: {n}" for code, n in sorted(stats.statuses.items()))


def run_one(params: LoadParams, workers: int) -> tuple[list[dict[str, object]], bool]:
    """Both phases against a fresh database and server with ``workers`` processes;
    the CSV rows and whether the stored orders match the accepted ones."""
    today = clock.today()
    order_day = today + dt.timedelta(days=ORDER_DAYS_AHEAD)
    with bench_database(params.database_url) as url:
        engine = make_engine(url)
        try:
            t0 = time.monotonic()
            seeded = seed_store(engine, params.couriers, today, params.seed)
            print(f"[{workers} worker(s)] database {make_url(url).database}: seeded {params.couriers} "
                  f"couriers, {params.couriers * ORDERS_PER_ROUND} planned orders in "
                  f"{time.monotonic() - t0:.1f} s")
            port = params.port or free_port()
            with run_server(url, workers, port, seeded.courier_tokens[0]) as (base, pgid):
                print(f"[{workers} worker(s)] server {base} ready")
                asyncio.run(warm_up(base, seeded.courier_tokens))
                cpu0 = CpuSample.take(pgid)
                o_stats, accepted, o_s = asyncio.run(orders_phase(
                    base, seeded.shop_tokens, params.order_clients, params.duration_s, order_day))
                cpu1 = CpuSample.take(pgid)
                stored = stored_orders(engine, order_day)
                cpu2 = CpuSample.take(pgid)
                c_stats, c_s = asyncio.run(couriers_phase(
                    base, seeded.courier_tokens, params.duration_s, params.think_s,
                    params.jitter_s, params.seed))
                cpu3 = CpuSample.take(pgid)
        finally:
            engine.dispose()
    match = sorted(stored) == sorted(accepted)
    print(f"[{workers} worker(s)] orders: {_statuses(o_stats)}; stored {len(stored)} for "
          f"{len(accepted)} accepted ({'match' if match else 'MISMATCH'})")
    for ep, st in c_stats.items():
        print(f"[{workers} worker(s)] {ep}: {_statuses(st)}")
    rows = [_row("orders", ORDERS_EP, params.order_clients, o_stats, o_stats.count(201), o_s,
                 workers, stored=len(stored)) | cpu1.cores_since(cpu0)]
    for ep, st in c_stats.items():
        ok = st.requests - st.errors
        rows.append(_row("couriers", ep, params.couriers, st, ok, c_s, workers) | cpu3.cores_since(cpu2))
    return rows, match


def write_csv(path: Path, rows: Sequence[dict[str, object]]) -> None:
    """The rows, one per phase and endpoint, under :data:`COLUMNS`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def print_table(rows: Sequence[dict[str, object]]) -> None:
    """The rows as an aligned table."""
    cells = [[str(c) for c in COLUMNS]] + [[str(r[c]) for c in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    for line in cells:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_api_benchmark(params: LoadParams, csv_path: Path) -> bool:
    """Run every worker count in turn, write the CSV after each, print the table;
    True when every orders phase stored exactly the accepted orders."""
    previous = None
    if hasattr(signal, "SIGTERM"):
        try:
            previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        except ValueError:  # not the main thread: leave SIGTERM alone
            previous = None
    try:
        print(f"machine: {machine_note()}; client, server and PostgreSQL share these cores")
        rows: list[dict[str, object]] = []
        all_match = True
        for workers in params.server_workers:
            new, match = run_one(params, workers)
            rows.extend(new)
            all_match = all_match and match
            write_csv(csv_path, rows)
        print_table(rows)
        print(f"csv: {csv_path}")
        return all_match
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
