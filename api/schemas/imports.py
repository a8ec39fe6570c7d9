"""CSV imports run by the worker: the job queued, and the job as its poller reads it."""

import datetime as dt

from pydantic import BaseModel

from logistics.clock import local_iso
from logistics.store.models import ImportJob, ImportStatus

from .common import Instant
from .errors import Worded


class ImportQueued(BaseModel):
    """A CSV import too big for its request, queued for the worker: read its status at
    ``status_url`` (also the ``Location`` header); ``warning`` when the job queue could
    not be reached (the job is kept and sent again)."""

    job_id: int
    status: ImportStatus
    status_url: str
    warning: str | None = None


class ImportProblem(Worded):
    """Why an import job stored nothing: the kind of refusal (``invalid``: the file is
    wrong in itself; ``conflict``: it clashes with what is stored), the field
    (``body``: the whole file or row), the problem, and the file row (None: the whole
    file); with its code, figures and French sentence when it has them."""

    error: str
    field: str
    problem: str
    row: int | None


class ImportJobPublic(BaseModel):
    """An import job: its status (``queued``, ``running``, ``done``, ``failed``); once
    done, what the import stored (as the 201 of a small import says), once failed,
    why (nothing of the file is stored)."""

    job_id: int
    status: ImportStatus
    date: dt.date
    rows: int
    created_at: Instant | None
    started_at: Instant | None
    finished_at: Instant | None
    imported: int | None = None
    order_ids: list[str] | None = None
    shop_refs: list[str] | None = None
    error: ImportProblem | None = None


def import_job_public(job: ImportJob) -> ImportJobPublic:
    """An import job as the API shows it."""
    result = job.result or {}
    done = job.status == ImportStatus.DONE
    failed = job.status == ImportStatus.FAILED
    return ImportJobPublic(
        job_id=job.id,
        status=ImportStatus(job.status),
        date=job.delivery_date,
        rows=job.rows,
        created_at=local_iso(job.created_at) if job.created_at else None,
        started_at=local_iso(job.started_at) if job.started_at else None,
        finished_at=local_iso(job.finished_at) if job.finished_at else None,
        imported=result.get("imported") if done else None,
        order_ids=result.get("order_ids") if done else None,
        shop_refs=result.get("shop_refs") if done else None,
        error=ImportProblem.model_validate(result) if failed and result else None,
    )
