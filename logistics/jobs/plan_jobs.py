"""What a worker does with a plan, free of Celery so that it can be called and tested
directly: solve a queued plan, and take back plans whose worker died.

A plan is solved under a PostgreSQL *session* advisory lock held on its own
connection. The lock says "a live worker has this plan": it is released when the
worker finishes, and also when its process dies, since the connection dies with it.
So a second delivery of the same task (``acks_late``) finds the lock taken and does
nothing, and :func:`recover_plans` can tell a plan whose worker died (``running``, lock
free) from one still being solved. The result is written in one transaction, so a plan
is never half-written. Changes to a plan in force (moves, late orders) are taken back the
same way by :func:`recover_changes`: a change asked while the broker was down stays
``queued`` until its plan's job is sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from logistics.planning import plan_day
from logistics.store.db import session_scope
from logistics.store.models import Plan, PlanStatus
from logistics.store.plan_changes import plans_with_waiting_changes
from logistics.store.plans import day_inputs, plan_settings, save_solved
from routing.network import StreetNetwork

log = logging.getLogger(__name__)

#: advisory-lock namespace of "a worker is solving or changing this plan"
PLAN_LOCK = 7_102
#: a plan whose worker died this many times is failed, not retried again
MAX_ATTEMPTS = 3
#: a queued plan with no worker on it after this long is sent again (its message lost)
REQUEUE_AFTER_S = 120
#: a change still queued this long after it was asked is sent again: longer than a few
#: re-plans of one plan back to back (each at most ``REPLAN_TIME_LIMIT_S`` of search)
CHANGES_REQUEUE_AFTER_S = 45

NetworkLoader = Callable[[], StreetNetwork]


@contextmanager
def plan_lock(engine: Engine, plan_id: int) -> Iterator[bool]:
    """Try to take the plan's lock; yields whether it was taken (and holds it)."""
    conn = engine.connect()
    taken = False
    try:
        taken = bool(conn.scalar(select(func.pg_try_advisory_lock(PLAN_LOCK, plan_id))))
        conn.commit()
        yield taken
    finally:
        try:
            if taken:
                conn.scalar(select(func.pg_advisory_unlock(PLAN_LOCK, plan_id)))
                conn.commit()
        finally:
            conn.close()


def solve_plan(engine: Engine, plan_id: int, network: NetworkLoader) -> str:
    """Solve plan ``plan_id`` if it still needs it; returns what became of it.

    ``busy``: another worker has it. ``missing``: no such plan. ``solved`` / ``failed``:
    done now or before (a repeated task changes nothing). A problem with the inputs or
    the street network fails the plan with the reason; a database outage raises, and
    the plan is taken back later by :func:`recover_plans`.
    """
    with plan_lock(engine, plan_id) as mine:
        if not mine:
            return "busy"
        with session_scope(engine) as s:
            plan = s.get(Plan, plan_id, with_for_update=True)
            if plan is None:
                return "missing"
            if plan.status in (PlanStatus.SOLVED, PlanStatus.FAILED):
                return plan.status
            plan.status = PlanStatus.RUNNING.value
            plan.attempts += 1
            plan.started_at = func.now()
            plan.error = None
            day, settings = plan.day, plan_settings(plan.settings)
            fleet = (plan.settings or {}).get("couriers")
        try:
            with session_scope(engine) as s:
                inputs, inputs_json = day_inputs(s, day, fleet)
            result = plan_day(inputs, network(), settings)
        except OperationalError:
            raise
        except Exception as e:  # noqa: BLE001 - any other failure is the plan's, with its reason
            log.exception("plan %s failed", plan_id)
            _fail(engine, plan_id, f"{type(e).__name__}: {e}")
            return PlanStatus.FAILED.value
        with session_scope(engine) as s:
            plan = s.get(Plan, plan_id, with_for_update=True)
            assert plan is not None
            save_solved(s, plan, result, inputs_json)
        log.info("plan %s solved: %s", plan_id, result.summary)
        return PlanStatus.SOLVED.value


def _fail(engine: Engine, plan_id: int, why: str) -> None:
    with session_scope(engine) as s:
        plan = s.get(Plan, plan_id, with_for_update=True)
        if plan is not None:
            plan.status = PlanStatus.FAILED.value
            plan.error = why[:2000]
            plan.finished_at = func.now()


def recover_plans(
    engine: Engine, send: Callable[[int], object], *, requeue_after_s: int = REQUEUE_AFTER_S
) -> list[int]:
    """Send again the plans a dead worker left ``running`` and the queued plans no
    worker took; returns their ids. A plan whose worker died ``MAX_ATTEMPTS`` times is
    failed instead, so a plan that kills its worker does not loop forever."""
    with session_scope(engine) as s:
        running = list(s.scalars(select(Plan.id).where(Plan.status == PlanStatus.RUNNING)))
        stale = list(s.scalars(select(Plan.id).where(
            Plan.status == PlanStatus.QUEUED,
            Plan.created_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, requeue_after_s),
        )))
    again: list[int] = []
    for plan_id in running:
        with plan_lock(engine, plan_id) as orphaned:
            if not orphaned:
                continue  # a live worker holds it
            with session_scope(engine) as s:
                plan = s.get(Plan, plan_id, with_for_update=True)
                if plan is None or plan.status != PlanStatus.RUNNING:
                    continue
                if plan.attempts >= MAX_ATTEMPTS:
                    plan.status = PlanStatus.FAILED.value
                    plan.error = f"its worker stopped {plan.attempts} times while solving it"
                    plan.finished_at = func.now()
                    continue
                plan.status = PlanStatus.QUEUED.value
                log.warning("plan %s: its worker died; queued again", plan_id)
        again.append(plan_id)
    for plan_id in [*again, *stale]:
        send(plan_id)
    return [*again, *stale]


def recover_changes(
    engine: Engine, send: Callable[[int], object], *,
    requeue_after_s: int = CHANGES_REQUEUE_AFTER_S,
) -> list[int]:
    """Send again the change job of every plan whose changes have waited
    ``requeue_after_s`` seconds, unless a live worker is on that plan now (it applies
    every queued change of the plan before it lets go); returns the plans' ids.

    Sending twice is harmless: a second job finds the changes applied and does nothing.
    """
    with session_scope(engine) as s:
        waiting = plans_with_waiting_changes(s, requeue_after_s)
    again: list[int] = []
    for plan_id in waiting:
        with plan_lock(engine, plan_id) as free:
            if not free:
                continue  # a worker is applying this plan's changes now
        log.warning("plan %s: changes waiting for %s s or more; sent again", plan_id, requeue_after_s)
        send(plan_id)
        again.append(plan_id)
    return again
