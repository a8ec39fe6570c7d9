"""What a worker does with a queued CSV import, free of Celery so that it can be called
and tested directly: run it, and send again the jobs no worker took.

A job is taken in two steps: it is marked ``running`` (committed, so that its poller
sees it), then imported in one transaction that holds the job's row lock
(``FOR UPDATE SKIP LOCKED``) from start to end and marks it ``done`` or ``failed`` with
the orders. So the orders and the outcome are written together or not at all, a second
delivery of the same task (``acks_late``) finds the row locked or the job finished and
does nothing, and :func:`recover_imports` tells a job a live worker holds (locked) from
one whose worker died (``running``, unlocked) or whose message was lost (``queued``).
Once finished, the job keeps its outcome only: the file, which holds customers'
addresses, is deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from logistics.errors import DomainError
from logistics.store.db import session_scope
from logistics.store.import_jobs import import_csv_bytes, imported, refusal
from logistics.store.models import ImportJob, ImportStatus
from logistics.store.plan_changes import note_late_orders

log = logging.getLogger(__name__)

#: a job queued (or left running by a dead worker) this long is sent again
REQUEUE_AFTER_S = 120
#: a job taken this many times without finishing (its worker died each time) is failed
MAX_ATTEMPTS = 3
FINISHED = (ImportStatus.DONE.value, ImportStatus.FAILED.value)


def _take(session: Session, job_id: int) -> ImportJob | None:
    """The job's row, locked until the transaction ends; None if another transaction
    holds it (or there is no such job)."""
    query = select(ImportJob).where(ImportJob.id == job_id).with_for_update(skip_locked=True)
    return session.scalars(query).first()


def run_import(engine: Engine, job_id: int, send_apply: Callable[[int], object]) -> str:
    """Run import job ``job_id`` if it still needs it; returns what became of it.

    ``busy``: another worker has it. ``missing``: no such job. ``done`` / ``failed``:
    finished now or before (a repeated task changes nothing). A refusal of the file
    (a bad row, a clash with a stored order) fails the job with the row, field and
    problem; a database outage raises, and the job is sent again later by
    :func:`recover_imports`. Orders for a day whose plan is in force are noted as late
    orders, and ``send_apply(plan_id)`` sends that plan's change job after the commit.
    """
    with session_scope(engine) as s:
        job = _take(s, job_id)
        if job is None:
            return "missing" if s.get(ImportJob, job_id) is None else "busy"
        if job.status in FINISHED:
            return job.status
        if job.attempts >= MAX_ATTEMPTS:
            # Each worker that took it died (a file that kills the worker, say): stop.
            job.status, job.csv, job.finished_at = ImportStatus.FAILED.value, None, func.now()
            job.result = {"error": "internal", "field": "body", "row": None,
                          "problem": f"the worker stopped {job.attempts} times on this file; "
                                     "it was not imported (split it, or send it again)"}
            log.error("import job %s failed: its worker died %s times", job_id, job.attempts)
            return job.status
        job.status = ImportStatus.RUNNING.value
        job.started_at = func.now()
        job.attempts += 1
    plan_id: int | None = None
    with session_scope(engine) as s:
        job = _take(s, job_id)
        if job is None:
            return "busy"
        if job.status in FINISHED:
            return job.status
        data, day, shop_id, user_id = job.csv or b"", job.delivery_date, job.shop_id, job.user_id
        outcome: dict[str, Any]
        failed = True
        try:
            with s.begin_nested():
                rows = import_csv_bytes(s, data, delivery_date=day, shop_id=shop_id, user_id=user_id)
            outcome, failed = imported(rows), False
            plan_id = note_late_orders(s, day) if rows else None
        except DomainError as e:
            outcome = refusal(e)
        except OperationalError:
            raise
        except Exception:  # noqa: BLE001 - the job's failure; the traceback goes to the log only
            log.exception("import job %s failed", job_id)
            outcome = {"error": "internal", "field": "body", "row": None,
                       "problem": "the import failed unexpectedly; the failure is logged"}
        # A refused order empties the session (import_orders): read the row again.
        job = s.get(ImportJob, job_id)
        assert job is not None
        job.status = (ImportStatus.FAILED if failed else ImportStatus.DONE).value
        job.result = outcome
        job.csv = None
        job.finished_at = func.now()
        status = job.status
    log.info("import job %s %s: %s", job_id, status,
             outcome.get("problem") or f"{outcome['imported']} orders")
    if plan_id is not None:
        try:
            send_apply(plan_id)
        except Exception as e:  # noqa: BLE001 - the change stays queued; recovery sends it
            log.warning("could not queue the late orders of plan %s: %s", plan_id, e)
    return status


def recover_imports(
    engine: Engine, send: Callable[[int], object], *, requeue_after_s: int = REQUEUE_AFTER_S
) -> list[int]:
    """Send again the jobs queued ``requeue_after_s`` seconds ago that no worker took,
    and those left ``running`` that long by a worker that died (a live worker holds
    its job's row: those are skipped); returns their ids. Sending twice is harmless."""
    cutoff = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, requeue_after_s)
    with session_scope(engine) as s:
        stale = list(s.scalars(
            select(ImportJob.id).where(or_(
                and_(ImportJob.status == ImportStatus.QUEUED, ImportJob.created_at < cutoff),
                and_(ImportJob.status == ImportStatus.RUNNING, ImportJob.started_at < cutoff),
            )).order_by(ImportJob.id).with_for_update(skip_locked=True)
        ))
    for job_id in stale:
        log.warning("import job %s: no worker took it in %s s; sent again", job_id, requeue_after_s)
        send(job_id)
    return stale
