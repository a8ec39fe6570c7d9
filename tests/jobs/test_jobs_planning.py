"""Planning through a real worker process: queued → running → solved, one job per day
even when asked twice, published rounds, and a worker killed mid-plan."""

from __future__ import annotations

import time

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from logistics.demo_day import generate_day
from logistics.store.models import Order, Plan, Round, Stop


@pytest.fixture(scope="module")
def small_day(town):
    return generate_day(town.graph("cargo_bike").node_coordinates(), seed=5, n_orders=30, n_shops=6)


@pytest.fixture(scope="module")
def posted(platform, small_day, worker):
    return platform.post_day(small_day, "2031-03-04", "p1-")


def test_a_plan_is_solved_by_the_worker_and_asked_twice_runs_once(platform, posted, small_day, engine):
    c = platform.client
    r = c.post("/api/plans", headers=platform.dispatcher,
               json={"date": "2031-03-04", "time_limit_s": 3, "couriers": list(posted["couriers"])})
    assert r.status_code == 202, r.text
    first = r.json()
    assert first["status"] == "queued"
    assert first["duplicate"] is False
    again = c.post("/api/plans", headers=platform.dispatcher, json={"date": "2031-03-04"})
    assert again.status_code == 202
    assert again.json()["id"] == first["id"]
    assert again.json()["duplicate"] is True

    plan = platform.wait_plan(first["id"])
    assert plan["status"] == "solved", plan["error"]
    assert plan["attempts"] == 1
    summary = plan["summary"]
    assert summary["orders"] == len(small_day.orders)
    assert summary["planned"] + summary["unassigned"] == summary["orders"]
    assert summary["planned"] > 0
    on_rounds = [o for r in plan["rounds"] for s in r["stops"] if s["kind"] == "delivery" for o in s["order_ids"]]
    assert len(on_rounds) == summary["planned"] == len(set(on_rounds))
    for u in plan["unassigned"]:
        assert u["reason"]
        assert u["detail"]
    for rnd in plan["rounds"]:
        assert rnd["stops"][0]["kind"] == "start"
        assert rnd["stops"][-1]["kind"] == "end"
        assert rnd["geometry"]["type"] == "LineString"
        assert len(rnd["geometry"]["coordinates"]) >= 2
        # Pick-ups come before the drop of the same order.
        seen: set[str] = set()
        for s in rnd["stops"]:
            if s["kind"] == "pickup":
                seen |= set(s["order_ids"])
            if s["kind"] == "delivery":
                early = [o for o in s["order_ids"] if o not in seen and not _from_hub(small_day, o)]
                assert not early, f"dropped before their pick-up: {early}"
    with Session(engine) as s:
        statuses = dict(s.execute(select(Order.id, Order.status).where(Order.id.in_(on_rounds))).all())
        assert set(statuses.values()) == {"planned"}
        # Only one job ran for the day: one set of rounds.
        n_plans = s.scalar(select(func.count()).select_from(Plan).where(Plan.day == plan_day(first)))
        assert n_plans == 1
        # Each stop keeps its leg, cut from the round's street path: end to end they are
        # the path, and their metres the round's distance (the city counts them).
        for row in s.get(Plan, first["id"]).rounds:
            legs = [[tuple(c) for c in to_shape(st.leg).coords] for st in row.stops[1:]]
            joined = [legs[0][0]] + [c for leg in legs for c in leg[1:]]
            joined = [c for i, c in enumerate(joined) if i == 0 or c != joined[i - 1]]
            assert joined == [tuple(c) for c in to_shape(row.geometry).coords]
            assert sum(st.leg_m for st in row.stops[1:]) == row.distance_m
    audit = c.get(f"/api/plans/{first['id']}/audit", headers=platform.dispatcher).json()
    assert len(audit["inputs"]["orders"]) == len(small_day.orders)
    assert audit["settings"]["time_limit_s"] == 3


def _from_hub(day, order_id: str) -> bool:
    oid = order_id.removeprefix("p1-")
    return any(o.order_id == oid and o.shop_id is None for o in day.orders)


def plan_day(created: dict):
    import datetime as dt

    return dt.date.fromisoformat(created["date"])


def test_publish_makes_the_plan_in_force_and_only_solved_plans_publish(platform, posted):
    c = platform.client
    plans = c.get("/api/plans", headers=platform.dispatcher, params={"date": "2031-03-04"}).json()
    plan_id = plans[0]["id"]
    r = c.post(f"/api/plans/{plan_id}/publish", headers=platform.dispatcher)
    assert r.status_code == 200, r.text
    assert r.json()["published"] is True
    # Publishing again is harmless; a plan request for a day in force is refused.
    assert c.post(f"/api/plans/{plan_id}/publish", headers=platform.dispatcher).status_code == 200
    r = c.post("/api/plans", headers=platform.dispatcher, json={"date": "2031-03-04"})
    assert r.status_code == 409
    assert "published" in r.json()["detail"]


def test_plan_requests_are_checked_and_kept_to_dispatchers(platform, posted):
    c = platform.client
    shop = next(iter(posted["shops"].values()))
    assert c.post("/api/plans", headers=shop, json={"date": "2031-03-05"}).status_code == 403
    assert c.post("/api/plans", headers=platform.city, json={"date": "2031-03-05"}).status_code == 403
    assert c.post("/api/plans", json={"date": "2031-03-05"}).status_code == 401
    r = c.post("/api/plans", headers=platform.dispatcher, json={"date": "2031-02-30"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "date"
    r = c.post("/api/plans", headers=platform.dispatcher, json={"date": "2031-03-05", "time_limit_s": 0})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "time_limit_s"
    r = c.post("/api/plans", headers=platform.dispatcher, json={"date": "2031-03-05", "couriers": ["ghost"]})
    assert r.status_code == 422
    assert r.json()["detail"] == [{"field": "couriers", "problem": "no courier 'ghost'"}]
    assert c.get("/api/plans/999999", headers=platform.dispatcher).status_code == 404
    assert c.post("/api/plans/999999/publish", headers=platform.dispatcher).status_code == 404


def test_a_worker_killed_mid_plan_leaves_it_to_be_retried_never_half_written(
    platform, worker, town, engine
):
    day = generate_day(town.graph("cargo_bike").node_coordinates(), seed=9, n_orders=60, n_shops=8)
    tokens = platform.post_day(day, "2031-03-06", "k1-")
    c = platform.client
    r = c.post("/api/plans", headers=platform.dispatcher,
               json={"date": "2031-03-06", "time_limit_s": 12, "couriers": list(tokens["couriers"])})
    plan_id = r.json()["id"]
    platform.wait_plan(plan_id, statuses=("running",), timeout=60)
    time.sleep(2)  # well into the search
    worker.kill()
    with Session(engine) as s:
        plan = s.get(Plan, plan_id)
        assert plan.status == "running"
        assert s.scalar(select(func.count()).select_from(Round).where(Round.plan_id == plan_id)) == 0
        assert s.scalar(select(func.count()).select_from(Order).where(
            Order.id.like("k1-%"), Order.status == "planned")) == 0
    worker.start()  # a new worker takes the orphaned plan back at once
    plan = platform.wait_plan(plan_id, timeout=120)
    assert plan["status"] == "solved", plan["error"]
    assert plan["attempts"] == 2
    with Session(engine) as s:
        rounds = s.scalars(select(Round).where(Round.plan_id == plan_id)).all()
        assert len(rounds) == len({r.courier_id for r in rounds}) == len(plan["rounds"])
        stops = s.scalar(select(func.count()).select_from(Stop).join(Round).where(Round.plan_id == plan_id))
        assert stops == sum(len(r["stops"]) for r in plan["rounds"])
    # The message of the killed run comes back later; running it again changes nothing.
    from logistics.jobs.plan_jobs import solve_plan

    assert solve_plan(engine, plan_id, lambda: town) == "solved"
    with Session(engine) as s:
        assert s.get(Plan, plan_id).attempts == 2


def test_recovery_requeues_orphans_leaves_live_plans_and_gives_up_after_three_deaths(engine, town):
    import datetime as dt

    from sqlalchemy import text

    from logistics.jobs.plan_jobs import MAX_ATTEMPTS, plan_lock, recover_plans

    with Session(engine) as s:
        orphan = Plan(day=dt.date(2031, 4, 1), status="running", attempts=1, settings={})
        live = Plan(day=dt.date(2031, 4, 2), status="running", attempts=1, settings={})
        doomed = Plan(day=dt.date(2031, 4, 3), status="running", attempts=MAX_ATTEMPTS, settings={})
        lost = Plan(day=dt.date(2031, 4, 4), status="queued", settings={})
        fresh = Plan(day=dt.date(2031, 4, 5), status="queued", settings={})
        s.add_all([orphan, live, doomed, lost, fresh])
        s.flush()
        s.execute(text("UPDATE plans SET created_at = now() - interval '1 hour' WHERE id = :id"), {"id": lost.id})
        s.commit()
        ids = {k: p.id for k, p in dict(orphan=orphan, live=live, doomed=doomed, lost=lost, fresh=fresh).items()}
    sent: list[int] = []
    with plan_lock(engine, ids["live"]) as held:  # a live worker on this one
        assert held
        again = recover_plans(engine, sent.append)
    assert ids["orphan"] in sent
    assert ids["lost"] in sent
    assert not {ids["live"], ids["doomed"], ids["fresh"]} & set(sent)
    assert sorted(again) == sorted(sent)
    with Session(engine) as s:
        assert s.get(Plan, ids["orphan"]).status == "queued"
        assert s.get(Plan, ids["live"]).status == "running"
        doomed = s.get(Plan, ids["doomed"])
        assert doomed.status == "failed"
        assert "stopped 3 times" in doomed.error


def test_a_plan_whose_network_cannot_load_fails_with_the_reason(engine):
    import datetime as dt

    from logistics.jobs.plan_jobs import solve_plan
    from routing.network import NetworkUnavailable

    with Session(engine) as s:
        plan = Plan(day=dt.date(2031, 4, 6), status="queued", settings={})
        s.add(plan)
        s.commit()
        plan_id = plan.id

    def offline():
        raise NetworkUnavailable("cannot download 'Douai, France': no internet?")

    assert solve_plan(engine, plan_id, offline) == "failed"
    with Session(engine) as s:
        plan = s.get(Plan, plan_id)
        assert plan.status == "failed"
        assert "no internet" in plan.error
    assert solve_plan(engine, plan_id, offline) == "failed"  # a repeated task changes nothing


#: the clock when the beat runs, and the day it must plan: a morning and an evening
#: hour, the evenings before the clocks change, and the hour after midnight in Douai that
#: is still the day before in UTC
BEAT_CASES = [
    ("2032-03-26T08:30:00+01:00", "2032-03-27"),
    ("2032-03-27T19:40:00+01:00", "2032-03-28"),
    ("2032-03-28T23:30:00+02:00", "2032-03-29"),
    ("2032-10-30T19:40:00+02:00", "2032-10-31"),
    ("2032-10-31T00:30:00+02:00", "2032-11-01"),
]


@pytest.mark.parametrize(("now", "tomorrow"), BEAT_CASES, ids=[n for n, _ in BEAT_CASES])
def test_beat_task_asks_for_tomorrows_plan_once(engine, monkeypatch, celery_jobs, clock, now, tomorrow):
    import datetime as dt

    from logistics.jobs import tasks

    clock.set(dt.datetime.fromisoformat(now))
    monkeypatch.setattr(tasks, "_engine", engine)
    sent: list[int] = []
    monkeypatch.setattr(tasks, "send_solve", sent.append)
    first = tasks.plan_tomorrow_task.run()
    second = tasks.plan_tomorrow_task.run()
    assert first == second
    assert sent == [first]
    with Session(engine) as s:
        assert s.get(Plan, first).day == dt.date.fromisoformat(tomorrow)
    schedule = tasks.app.conf.beat_schedule["plan-tomorrow"]
    assert schedule["task"] == "douai.plan_tomorrow"
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({18}, {0})


def test_beat_runs_as_its_own_process(worker_env, tmp_path):
    """`douai-delivery beat` starts, loads the schedule and keeps running until stopped."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "douai-delivery"
    log = tmp_path / "beat.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(script), "beat", "--schedule-file", str(tmp_path / "schedule"),
                                 "--loglevel", "debug"], env=worker_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "plan-tomorrow" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.3)
        assert "plan-tomorrow" in log.read_text(), log.read_text()
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(15)


def test_a_bad_schedule_hour_is_one_line(worker_env):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "douai-delivery"
    r = subprocess.run([str(script), "beat"], env={**worker_env, "PLAN_TOMORROW_AT": "25:00"},
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2
    assert r.stderr.strip() == "douai-delivery beat: error: PLAN_TOMORROW_AT: '25:00' is not a time HH:MM"
