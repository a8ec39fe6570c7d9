"""Publishing under real concurrency: a dispatcher's double click (one plan published by
many requests at once) and two plans of one day published at once, through a real
``douai-delivery serve`` on the real store. Afterwards exactly one plan of the day is in
force, its couriers get their rounds, and no request got a 500."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import courier_seed as seed
import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from stack_helpers import free_port, serving

from logistics.store.models import Plan

#: requests sent at once, and how many times each race is run
REQUESTS, ROUNDS = 8, 5
#: this module's days (one plan in force per day in the shared database)
_DAYS = (dt.date(2034, 2, 1) + dt.timedelta(days=n) for n in itertools.count())
_PREFIXES = (f"pub{n}" for n in itertools.count())


@pytest.fixture(scope="module")
def base(db_url, redis_url, queue, tmp_path_factory) -> Iterator[str]:
    """A real API server (uvicorn, its thread pool) on the session's store."""
    import os

    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "DOUAI_QUEUE": queue}
    log = tmp_path_factory.mktemp("publish") / "serve.log"
    with serving([sys.executable, "-m", "cli.main", "serve", "--port", str(port)], log=log,
                 port=port, env=env) as url:
        yield url


def at_once(calls: list) -> list[httpx.Response]:
    """Run every call in its own thread, all released together by a barrier."""
    gate = threading.Barrier(len(calls))

    def run(call):
        gate.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def in_force(engine, day: dt.date) -> list[int]:
    with Session(engine) as s:
        return list(s.scalars(select(Plan.id).where(
            Plan.day == day, Plan.published_at.is_not(None), Plan.withdrawn_at.is_(None))))


def publish_call(client: httpx.Client, plan_id: int, headers: dict[str, str]):
    return lambda: client.post(f"/api/plans/{plan_id}/publish", headers=headers)


@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_one_plan_published_many_times_at_once_is_in_force_once(base, engine, attempt):
    day = seed.seed_day(engine, next(_PREFIXES), next(_DAYS), published=False)
    with httpx.Client(base_url=base, timeout=30) as client:
        answers = at_once([publish_call(client, day.plan_id, day.auth("dispatcher"))
                           for _ in range(REQUESTS)])
        assert [r.status_code for r in answers] == [200] * REQUESTS, [r.text for r in answers]
        assert all(r.json()["published"] is True for r in answers)
        assert all(r.json()["replaces"] is None for r in answers)
        assert in_force(engine, day.day) == [day.plan_id]
        mine = client.get("/api/couriers/me/round", params={"date": str(day.day)},
                          headers=day.auth("courier"))
        assert mine.status_code == 200, mine.text
        assert (mine.json()["plan_id"], mine.json()["round_id"]) == (day.plan_id, day.round_id)


@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_two_plans_of_a_day_published_at_once_leave_one_in_force(base, engine, attempt):
    when = next(_DAYS)
    days = [seed.seed_day(engine, next(_PREFIXES), when, published=False) for _ in range(2)]
    with httpx.Client(base_url=base, timeout=30) as client:
        calls = [publish_call(client, d.plan_id, d.auth("dispatcher")) for d in days] * (REQUESTS // 2)
        answers = at_once(calls)
        codes = [r.status_code for r in answers]
        assert set(codes) <= {200, 409}, [r.text for r in answers]
        for r in answers:
            assert set(r.json()) >= ({"error", "detail"} if r.status_code == 409 else {"id"})
        (winner,) = in_force(engine, when)
        assert winner in {d.plan_id for d in days}
        for r in answers:
            if r.status_code == 409:  # the other plan won, or replaced this one meanwhile
                assert r.json()["error"] == "conflict"
                assert "published while" in r.json()["detail"] or "withdrawn" in r.json()["detail"]
        won = next(d for d in days if d.plan_id == winner)
        mine = client.get("/api/couriers/me/round", params={"date": str(when)},
                          headers=won.auth("courier"))
        assert mine.status_code == 200, mine.text
        assert (mine.json()["plan_id"], mine.json()["round_id"]) == (winner, won.round_id)
        lost = next(d for d in days if d.plan_id != winner)
        theirs = client.get("/api/couriers/me/round", params={"date": str(when)},
                            headers=lost.auth("courier"))
        assert theirs.status_code == 404, theirs.text
