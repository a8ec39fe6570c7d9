"""Changes asked of a solved plan, queued for the worker: a dispatcher's move of an
order to another courier, and orders that arrived after the plan was published.

Each change is a row (:class:`~logistics.store.models.PlanChange`) the worker marks
``applied`` or ``refused`` with the reason, so every change of a plan is traced.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from logistics.errors import ErrorKind
from logistics.store.models import (
    Courier,
    Order,
    OrderStatus,
    Plan,
    PlanChange,
    PlanStatus,
    Round,
    Stop,
)
from logistics.store.plans import PlanError, plan_in_force

QUEUED = "queued"


def courier_of(session: Session, plan: Plan, order_id: str) -> str | None:
    """The courier whose round in ``plan`` carries ``order_id``, if any."""
    rows = session.execute(
        select(Round.courier_id, Stop.order_ids).join(Stop, Stop.round_id == Round.id)
        .where(Round.plan_id == plan.id, Stop.kind == "delivery")
    ).all()
    for courier_id, order_ids in rows:
        if order_id in order_ids:
            return courier_id
    return None


def _check_changeable(plan: Plan, what: str) -> None:
    """Refuse a change of a plan that is not solved, or was withdrawn."""
    if plan.status != PlanStatus.SOLVED.value or plan.withdrawn_at is not None:
        state = "withdrawn" if plan.withdrawn_at is not None else plan.status
        raise PlanError("plan", f"plan {plan.id} is {state}: only a solved plan takes {what}",
                        code="plan_not_changeable", params={"plan_id": plan.id, "state": state})


def _unknown_courier(courier_id: str) -> PlanError:
    return PlanError("courier_id", f"no courier {courier_id!r}", kind=ErrorKind.INVALID,
                     code="unknown_courier", params={"courier_id": courier_id})


def _queue(session: Session, change: PlanChange) -> PlanChange:
    """Store ``change`` as queued for the worker."""
    change.status = QUEUED
    session.add(change)
    session.flush()
    return change


def request_move(
    session: Session, plan: Plan, order_id: str, courier_id: str, *, user_id: int | None = None
) -> PlanChange:
    """Queue the move of ``order_id`` (with its basket) to ``courier_id``'s round."""
    _check_changeable(plan, "moves")
    order = session.get(Order, order_id)
    if order is None or order.delivery_date != plan.day:
        raise PlanError("order_id", f"no order {order_id!r} on {plan.day}", kind=ErrorKind.INVALID,
                        code="unknown_order", params={"order_id": order_id, "day": plan.day.isoformat()})
    if session.get(Courier, courier_id) is None:
        raise _unknown_courier(courier_id)
    if order.status not in (OrderStatus.RECEIVED.value, OrderStatus.PLANNED.value):
        raise PlanError(
            "order_id", f"order {order_id!r} is {order.status}: it can no longer change courier",
            code="order_closed", params={"order_id": order_id, "status": order.status},
        )
    if courier_of(session, plan, order_id) == courier_id:
        raise PlanError("courier_id", f"order {order_id!r} is already on {courier_id}'s round",
                        code="already_on_round", params={"order_id": order_id, "courier_id": courier_id})
    off = session.scalar(select(Round.id).where(
        Round.plan_id == plan.id, Round.courier_id == courier_id, Round.withdrawn_at.is_not(None)))
    if off is not None:
        raise PlanError("courier_id", f"{courier_id!r} is off plan {plan.id} (absent)",
                        code="courier_off_plan", params={"courier_id": courier_id})
    return _queue(session, PlanChange(
        plan_id=plan.id, kind="move", order_id=order_id, courier_id=courier_id, user_id=user_id,
    ))


def request_absence(
    session: Session, plan: Plan, courier_id: str, absent_from: int | None = None, *,
    user_id: int | None = None,
) -> PlanChange:
    """Queue the absence of ``courier_id`` from ``absent_from`` (seconds since midnight;
    None: from when the worker applies it): their work still to do goes to the others."""
    _check_changeable(plan, "absences")
    if session.get(Courier, courier_id) is None:
        raise _unknown_courier(courier_id)
    rnd = session.scalars(
        select(Round).where(Round.plan_id == plan.id, Round.courier_id == courier_id)
    ).first()
    if rnd is None:
        raise PlanError("courier_id", f"{courier_id!r} has no round in plan {plan.id}",
                        code="courier_not_on_plan", params={"courier_id": courier_id})
    if rnd.withdrawn_at is not None:
        raise PlanError("courier_id", f"{courier_id!r} is already off plan {plan.id}",
                        code="courier_off_plan", params={"courier_id": courier_id})
    pending = session.scalars(select(PlanChange.id).where(
        PlanChange.plan_id == plan.id, PlanChange.kind == "absence",
        PlanChange.courier_id == courier_id, PlanChange.status == QUEUED,
    )).first()
    if pending is not None:
        raise PlanError("courier_id", f"the absence of {courier_id!r} is already queued",
                        code="absence_queued", params={"courier_id": courier_id})
    return _queue(session, PlanChange(
        plan_id=plan.id, kind="absence", courier_id=courier_id, absent_from=absent_from,
        user_id=user_id,
    ))


def note_late_orders(session: Session, day: dt.date) -> int | None:
    """If ``day`` has a plan in force, make sure a late-orders change is queued on it;
    returns that plan's id (None: no plan in force, nothing to do)."""
    plan = plan_in_force(session, day)
    if plan is None:
        return None
    queued = session.scalars(
        select(PlanChange.id).where(
            PlanChange.plan_id == plan.id, PlanChange.kind == "late_orders",
            PlanChange.status == QUEUED,
        )
    ).first()
    if queued is None:
        session.add(PlanChange(plan_id=plan.id, kind="late_orders", status=QUEUED))
        session.flush()
    return plan.id


def plans_with_waiting_changes(session: Session, older_than_s: int) -> list[int]:
    """The plans with a change still ``queued`` ``older_than_s`` seconds after it was
    asked: its job was most likely never sent (the broker was down) or lost."""
    cutoff = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, older_than_s)
    return list(session.scalars(
        select(PlanChange.plan_id)
        .where(PlanChange.status == QUEUED, PlanChange.created_at < cutoff)
        .group_by(PlanChange.plan_id).order_by(PlanChange.plan_id)
    ))
