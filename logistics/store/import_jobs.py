"""CSV imports of orders: stored in their request when small, else kept as a job that a
worker runs (:mod:`logistics.jobs.import_jobs`).

Both ways run the same all-or-none import (:func:`~logistics.store.orders.import_orders`);
a job keeps the posted file until it is finished, then only the outcome: the orders'
ids, or the first bad row with its field and problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from logistics.errors import DomainError
from logistics.inputs import InputError
from logistics.refusal_wording import worded
from logistics.store.models import ImportJob, ImportStatus, Order
from logistics.store.orders import import_orders

#: the name a posted file's rows are given in refusals (never a server path)
CSV_NAME = "orders.csv"


def count_rows(data: bytes) -> int:
    """The data rows of a posted CSV as the import reads them: the rows after the
    header that are not blank. A file that is not UTF-8 CSV counts what could be read
    (its import then says what is wrong, and where)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        text = data[: e.start].decode("utf-8-sig")
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    delimiter = ";" if ";" in first and "," not in first else ","
    count = 0
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if any(c.strip() for c in cells):
                count += 1
    except csv.Error:
        pass
    return max(count - 1, 0)


def import_csv_bytes(
    session: Session, data: bytes, *, delivery_date: dt.date | None, shop_id: str | None,
    user_id: int | None,
) -> list[Order]:
    """:func:`~logistics.store.orders.import_orders` on a posted file's bytes; a bad
    row is named as a row of ``orders.csv``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / CSV_NAME
        path.write_bytes(data)
        try:
            return import_orders(session, path, delivery_date=delivery_date, shop_id=shop_id,
                                 user_id=user_id)
        except InputError as e:
            # Its file is the temporary copy: a path of the server, nothing of the caller's.
            raise InputError(CSV_NAME, e.row, e.field, e.problem, e.code, **e.params) from None


def queue_import(
    session: Session, data: bytes, rows: int, *, delivery_date: dt.date, shop_id: str | None,
    user_id: int,
) -> ImportJob:
    """A new queued job for the file ``data`` of ``rows`` data rows (flushed: it has
    its id)."""
    job = ImportJob(user_id=user_id, shop_id=shop_id, delivery_date=delivery_date,
                    status=ImportStatus.QUEUED.value, csv=data, rows=rows)
    session.add(job)
    session.flush()
    return job


def readable_import(session: Session, job_id: int, *, shop_id: str | None) -> ImportJob | None:
    """The job, if its reader may see it: a shop (``shop_id``) only its own, the
    dispatcher (None) any; None otherwise, as for a job that does not exist."""
    job = session.get(ImportJob, job_id)
    if job is None or (shop_id is not None and job.shop_id != shop_id):
        return None
    return job


def imported(rows: list[Order]) -> dict[str, Any]:
    """What a finished import stored: its count and the orders' ids in file order."""
    return {"imported": len(rows), "order_ids": [r.id for r in rows],
            "shop_refs": [r.shop_ref for r in rows]}


def refusal(e: DomainError) -> dict[str, Any]:
    """Why an import was refused, as a job keeps it: the kind (``invalid``,
    ``conflict``), the field (``body`` for the whole file or row), the problem and the
    file row (None when the file as a whole is wrong); with its code, the figures and the
    French sentence the shop's page shows."""
    if isinstance(e, InputError):
        return {"error": e.kind.value, **e.as_problem()}
    return {"error": e.kind.value, "field": e.field or "body", "problem": e.problem,
            "row": e.extra.get("row"), **worded(e.code, e.params)}
