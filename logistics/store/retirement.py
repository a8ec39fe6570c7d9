"""Retired shops and couriers: kept as rows for the history of their orders and rounds,
out of what comes next (a retired shop takes no new order, a retired courier is in no
new plan's fleet).

The plan's fleet is read by the store's planning queries, which take every courier
unless told which: so a plan asked for while some courier is retired names the others
(:func:`active_fleet`), which its settings then show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from logistics import clock
from logistics.store.models import Courier


class Retirable(Protocol):
    """A row that can be retired (a shop, a courier)."""

    retired_at: dt.datetime | None


def retire(row: Retirable) -> dt.datetime:
    """Retire ``row`` now (the platform's clock); retiring it again keeps the first
    time, so that a retried request changes nothing."""
    if row.retired_at is None:
        row.retired_at = clock.now()
    return row.retired_at


def active_fleet(session: Session) -> list[str] | None:
    """The ids of the couriers not retired, when some courier is retired; None when
    none is (every courier works: a plan without a fleet takes them all)."""
    if session.scalar(select(Courier.id).where(Courier.retired_at.is_not(None)).limit(1)) is None:
        return None
    return list(session.scalars(
        select(Courier.id).where(Courier.retired_at.is_(None)).order_by(Courier.id)
    ))


def retired_couriers(session: Session, courier_ids: Iterable[str]) -> list[str]:
    """Which of ``courier_ids`` are retired, sorted."""
    ids = sorted(set(courier_ids))
    if not ids:
        return []
    return list(session.scalars(
        select(Courier.id).where(Courier.id.in_(ids), Courier.retired_at.is_not(None))
        .order_by(Courier.id)
    ))
