"""Changes asked while the job queue was down are not lost: the beat's recovery sends
again the change job of every plan whose changes have waited too long (not those just
asked, nor a plan a live worker is on), and the real worker then applies them."""

from __future__ import annotations

import datetime as dt

import courier_seed as seed
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from stack_helpers import wait_for

from api.app import create_app
from logistics.jobs.celery_app import APPLY_CHANGES, make_celery
from logistics.jobs.plan_jobs import plan_lock, recover_changes
from logistics.store.models import Plan, PlanChange
from logistics.store.plan_changes import request_move

DAY = dt.date(2034, 5, 2)


def _age(engine, change_id: int, seconds: int) -> None:
    with Session(engine) as s:
        s.execute(text("UPDATE plan_changes SET created_at = now() - make_interval(secs => :s) "
                       "WHERE id = :id"), {"s": seconds, "id": change_id})
        s.commit()


def _queue_move(engine, day: seed.SeededDay) -> int:
    """A move of o3 to the other courier, stored and never sent."""
    with Session(engine) as s:
        change = request_move(s, s.get(Plan, day.plan_id), day.orders["o3"], day.other_courier)
        s.commit()
        return change.id


def test_only_changes_that_waited_too_long_are_sent_again_and_not_under_a_live_worker(engine):
    lost = seed.seed_day(engine, "rcv-lost", DAY + dt.timedelta(days=1))
    fresh = seed.seed_day(engine, "rcv-fresh", DAY + dt.timedelta(days=2))
    busy = seed.seed_day(engine, "rcv-busy", DAY + dt.timedelta(days=3))
    for day, age in ((lost, 600), (fresh, 0), (busy, 600)):
        _age(engine, _queue_move(engine, day), age)
    sent: list[int] = []
    with plan_lock(engine, busy.plan_id) as held:  # a worker applying this plan's changes
        assert held
        again = recover_changes(engine, sent.append)
    assert lost.plan_id in sent
    assert fresh.plan_id not in sent
    assert busy.plan_id not in sent
    assert sorted(again) == sorted(sent)
    # Without the lock, the busy plan's change is sent again too; each plan once.
    sent.clear()
    recover_changes(engine, sent.append)
    assert {lost.plan_id, busy.plan_id} <= set(sent)
    assert len(sent) == len(set(sent))


def test_a_move_asked_while_redis_is_down_is_applied_once_recovery_sends_it(
    engine, worker, celery_jobs, clock
):
    day = seed.seed_day(engine, "rcv-down", DAY)
    clock.on(DAY, "08:00")
    broker_down = make_celery("redis://127.0.0.1:1/0", "nowhere")
    try:
        client = TestClient(create_app(engine=engine, jobs=broker_down))
        r = client.post(f"/api/plans/{day.plan_id}/moves", headers=day.auth("dispatcher"),
                        json={"order_id": day.orders["o3"], "courier_id": day.other_courier})
    finally:
        broker_down.close()
    assert r.status_code == 202, r.text
    assert "unreachable" in r.json()["warning"]
    change_id = r.json()["change_id"]
    _age(engine, change_id, 600)

    # Redis is back: the beat's recovery sends the plan's change job to the real worker.
    sent = recover_changes(
        engine, lambda plan_id: celery_jobs.send_task(APPLY_CHANGES, args=[plan_id]))
    assert day.plan_id in sent

    def settled():
        with Session(engine) as s:
            change = s.get(PlanChange, change_id)
            return change if change.status != "queued" else None

    change = wait_for(settled, timeout=60)
    assert change.status == "applied", change.detail
    with Session(engine) as s:
        assert s.scalars(select(PlanChange.status).where(
            PlanChange.plan_id == day.plan_id)).all() == ["applied"]


def test_the_beats_recovery_task_sends_changes_too(engine, monkeypatch):
    from logistics.jobs import tasks

    day = seed.seed_day(engine, "rcv-beat", DAY + dt.timedelta(days=4))
    _age(engine, _queue_move(engine, day), 600)
    monkeypatch.setattr(tasks, "_engine", engine)
    solves: list[int] = []
    applies: list[int] = []
    monkeypatch.setattr(tasks, "send_solve", solves.append)
    monkeypatch.setattr(tasks, "send_apply", applies.append)
    outcome = tasks.recover_plans_task.run()
    assert day.plan_id in applies
    assert day.plan_id not in solves
    assert outcome["changes"] == applies
    assert tasks.app.conf.beat_schedule["recover-plans"]["schedule"] == 60.0
