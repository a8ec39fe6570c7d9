"""The Celery tasks, thin wrappers over :mod:`logistics.jobs.plan_jobs` (and
:mod:`logistics.jobs.import_jobs`, the big CSV imports).

``app`` is configured from the environment when this module is imported (the worker
and beat processes); the API sends tasks by name through its own Celery app.
"""

from __future__ import annotations

import logging

from celery.signals import worker_process_init, worker_ready
from sqlalchemy import Engine

from logistics import clock
from logistics.store.db import make_engine, session_scope
from logistics.store.plans import PlanError, request_plan
from logistics.store.retirement import active_fleet
from logistics.store.service_area import record_area
from routing.network import StreetNetwork

from .celery_app import (
    APPLY_CHANGES,
    ERASE_EXPIRED,
    IMPORT_ORDERS,
    PLAN_TOMORROW,
    RECOVER_PLANS,
    SEND_MESSAGES,
    SOLVE_PLAN,
    make_celery,
)
from .import_jobs import recover_imports, run_import
from .message_jobs import send_due
from .network_cache import street_network
from .plan_jobs import recover_changes, recover_plans, solve_plan
from .replan_jobs import apply_changes

log = logging.getLogger(__name__)

app = make_celery()
_engine: Engine | None = None
#: the network sources whose bounds this process recorded as the service area
_recorded: set[str] = set()


def engine() -> Engine:
    """This process's engine, made on first use (after the worker forks)."""
    global _engine
    if _engine is None:
        _engine = make_engine()
    return _engine


def planning_network() -> StreetNetwork:
    """The street network this worker plans on; the first time this process has it,
    its bounds are recorded as the service area, so that the API refuses points the
    worker could never reach (a failure to record is only logged: planning goes on)."""
    net = street_network()
    if net.source not in _recorded:
        try:
            with session_scope(engine()) as s:
                record_area(s, net.source, net.bounds)
            _recorded.add(net.source)
        except Exception as e:  # noqa: BLE001 - the area is a check for the API, not for planning
            log.warning("service area of %s not recorded: %s", net.source, e)
    return net


def send_solve(plan_id: int) -> None:
    app.send_task(SOLVE_PLAN, args=[plan_id])


def send_apply(plan_id: int) -> None:
    app.send_task(APPLY_CHANGES, args=[plan_id])


def send_import(job_id: int) -> None:
    app.send_task(IMPORT_ORDERS, args=[job_id])


@app.task(name=SOLVE_PLAN)
def solve_plan_task(plan_id: int) -> str:
    """Solve one queued plan (safe to run twice)."""
    return solve_plan(engine(), plan_id, planning_network)


@app.task(name=RECOVER_PLANS)
def recover_plans_task() -> dict[str, list[int]]:
    """Send again the plans a dead worker left, queued plans no worker took, the
    changes of plans in force that no worker applied (asked while the broker was
    down), and the CSV import jobs no worker took or finished; returns the ids sent
    again, by job."""
    return {
        "plans": recover_plans(engine(), send_solve),
        "changes": recover_changes(engine(), send_apply),
        "imports": recover_imports(engine(), send_import),
    }


@app.task(name=IMPORT_ORDERS)
def import_orders_task(job_id: int) -> str:
    """Store the orders of a queued CSV import, all or none (safe to run twice)."""
    return run_import(engine(), job_id, send_apply)


@app.task(name=APPLY_CHANGES, bind=True, max_retries=200)
def apply_changes_task(self, plan_id: int) -> str:  # type: ignore[no-untyped-def]
    """Apply the queued changes of a plan (moves, late orders); while another worker
    is on the plan, try again a little later."""
    outcome = apply_changes(engine(), plan_id, planning_network)
    if outcome == "busy":
        raise self.retry(countdown=3)
    app.send_task(SEND_MESSAGES)  # late orders placed: their customers may be told now
    return outcome


@app.task(name=SEND_MESSAGES)
def send_messages_task() -> dict[str, int]:
    """Send the outbox's messages that are due (safe to run twice: each is claimed)."""
    return send_due(engine())


@app.task(name=ERASE_EXPIRED)
def erase_expired_task() -> dict[str, int]:
    """Erase the personal data the retention period no longer covers (beat, nightly)."""
    from logistics.store.retention import erase_expired

    with session_scope(engine()) as s:
        done = erase_expired(s)
    log.info("personal data erased: %s", done.as_dict())
    return done.as_dict()


@app.task(name=PLAN_TOMORROW)
def plan_tomorrow_task() -> int | None:
    """Ask for tomorrow's plan (the beat runs this at ``PLAN_TOMORROW_AT``)."""
    tomorrow = clock.tomorrow()
    try:
        with session_scope(engine()) as s:
            plan, created = request_plan(s, tomorrow, couriers=active_fleet(s))
            plan_id = plan.id
    except PlanError as e:
        log.info("no plan for %s: %s", tomorrow, e)
        return None
    if created:
        send_solve(plan_id)
    return plan_id


@worker_process_init.connect
def _load_network_early(**_: object) -> None:
    """Each pool process loads the street network when it starts, not during the first
    plan, and records its bounds as the service area; a network that cannot be had is
    only logged here (the plan then fails with the reason)."""
    try:
        planning_network()
    except Exception as e:  # noqa: BLE001 - reported again, to the plan, when one runs
        log.warning("street network not loaded at start: %s", e)


@worker_ready.connect
def _recover_on_start(sender: object = None, **_: object) -> None:
    """A worker that starts takes back what a dead one left, without waiting for beat."""
    app.send_task(RECOVER_PLANS)
    app.send_task(SEND_MESSAGES)
