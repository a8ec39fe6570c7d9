"""Order status only moves forward, and every move is an event row.

``received → planned → picked_up → delivered``, or ``failed`` / ``cancelled`` (with a
reason) from any state before ``delivered``. Nothing is overwritten: the order's
``status`` is the last event's, and the events keep the history.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from logistics.errors import DomainError, ErrorKind
from logistics.store.announcements import order_moved
from logistics.store.models import Order, OrderEvent, OrderStatus

S = OrderStatus
#: status -> the statuses it may move to
NEXT: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.RECEIVED: frozenset({S.PLANNED, S.FAILED, S.CANCELLED}),
    S.PLANNED: frozenset({S.PICKED_UP, S.FAILED, S.CANCELLED}),
    S.PICKED_UP: frozenset({S.DELIVERED, S.FAILED}),
    S.DELIVERED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}
#: moves that must say why
NEEDS_REASON = frozenset({S.FAILED, S.CANCELLED})


class StatusError(DomainError):
    """A move the rules forbid (it clashes with the order's status); the problem says
    which and why, in one line."""

    default_kind = ErrorKind.CONFLICT


def move_order(
    session: Session,
    order: Order,
    to: OrderStatus,
    *,
    reason: str | None = None,
    user_id: int | None = None,
    at: dt.datetime | None = None,
) -> OrderEvent | None:
    """Move ``order`` to ``to`` and append the event; None when it is already there
    (a retried request changes nothing). What the move tells the customer and the
    shops' webhooks is queued in the same transaction (:mod:`.announcements`); ``at``
    is when it happened (a courier's tap), now by default."""
    current = OrderStatus(order.status)
    if current == to:
        return None
    if to not in NEXT[current]:
        msg = f"order {order.id} is {current.value}: it cannot become {to.value}"
        raise StatusError("status", msg)
    if to in NEEDS_REASON and not (reason and reason.strip()):
        msg = f"order {order.id}: a reason is needed to mark it {to.value}"
        raise StatusError("status", msg)
    event = OrderEvent(
        order_id=order.id, from_status=current.value, to_status=to.value,
        reason=reason, user_id=user_id,
    )
    order.status = to.value
    order.status_reason = reason
    session.add(event)
    order_moved(session, order, to, reason, at, was=current)
    return event
