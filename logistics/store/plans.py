"""A day's plans in the store: asking for one, the inputs it is solved from, writing the
solved rounds in one go, and publishing one plan as the day's plan in force.

A plan moves ``queued → running → solved | failed``. The rounds, their stops and the
orders' ``planned`` events are written in the same transaction that marks the plan
``solved``, so a reader sees a whole plan or none. At most one plan per day is *in
force* (published and not withdrawn): the couriers' rounds come from it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from logistics.clock import seconds_of_day
from logistics.errors import DomainError, ErrorKind
from logistics.inputs import Courier as CourierInput
from logistics.inputs import DayInputs
from logistics.inputs import Order as OrderInput
from logistics.inputs import Shop as ShopInput
from logistics.plan_document import PlanDocument
from logistics.planning import PlanSettings
from logistics.store.announcements import plan_announced
from logistics.store.models import (
    Courier,
    Order,
    OrderStatus,
    Plan,
    PlanStatus,
    Round,
    Shop,
    Stop,
    StopEvent,
)
from logistics.store.order_status import move_order
from logistics.store.plan_documents import keep_document, round_row

#: advisory-lock namespace of "one plan request per day at a time"
_DAY_LOCK = 7_101
#: orders a plan takes: not yet on their way, not cancelled or done
OPEN_STATUSES = (OrderStatus.RECEIVED.value, OrderStatus.PLANNED.value)
#: settings a request may give (the rest are PlanSettings' defaults)
REQUEST_SETTINGS = ("time_limit_s", "seed", "solution_limit", "stop_time_s",
                    "pickup_service_s", "delivery_service_s", "vehicle_cost_s")


class PlanError(DomainError):
    """A plan request or change the store refuses: by default it clashes with the
    stored state (``conflict``); a request wrong in itself is ``invalid``."""

    default_kind = ErrorKind.CONFLICT


def in_force() -> ColumnElement[bool]:
    """The condition "this plan is in force": published and not withdrawn (a unique
    partial index keeps it to one plan per day)."""
    return and_(Plan.published_at.is_not(None), Plan.withdrawn_at.is_(None))


def plan_in_force(session: Session, day: dt.date) -> Plan | None:
    """The published, not withdrawn plan of ``day``."""
    return session.scalars(select(Plan).where(Plan.day == day, in_force())).first()


def plan_settings(settings: dict[str, Any] | None) -> PlanSettings:
    """The solver settings a plan was asked with, over the defaults."""
    given = {k: v for k, v in (settings or {}).items() if k in REQUEST_SETTINGS}
    return dataclasses.replace(PlanSettings(), **given)


def request_plan(
    session: Session, day: dt.date, *, settings: dict[str, Any] | None = None,
    couriers: list[str] | None = None,
) -> tuple[Plan, bool]:
    """A new queued plan of ``day``, or the one already queued or running (False).

    Requests for the same day are serialised by a transaction-level advisory lock, so
    two dispatchers clicking at once get the same plan. A day whose plan is in force is
    refused: change it with moves, and late orders are inserted by re-planning.
    """
    session.execute(select(func.pg_advisory_xact_lock(_DAY_LOCK, day.toordinal())))
    pending = session.scalars(
        select(Plan)
        .where(Plan.day == day, Plan.status.in_([PlanStatus.QUEUED, PlanStatus.RUNNING]))
        .order_by(Plan.id.desc())
    ).first()
    if pending is not None:
        return pending, False
    in_force = plan_in_force(session, day)
    if in_force is not None:
        raise PlanError(
            "date",
            f"plan {in_force.id} of {day} is published: move orders in it "
            f"(POST /api/plans/{in_force.id}/moves); orders that arrive now are inserted "
            "into its rounds",
            code="plan_in_force", params={"plan_id": in_force.id, "day": day.isoformat()},
        )
    try:
        checked = plan_settings(settings)
    except (TypeError, ValueError) as e:
        raise PlanError("settings", str(e), kind=ErrorKind.INVALID) from None
    stored = {k: getattr(checked, k) for k in REQUEST_SETTINGS}
    if couriers is not None:
        known = set(session.scalars(select(Courier.id).where(Courier.id.in_(couriers))))
        unknown = [c for c in couriers if c not in known]
        if unknown:
            raise PlanError("couriers", f"no courier {', '.join(map(repr, unknown))}", kind=ErrorKind.INVALID,
                            code="unknown_courier", params={"courier_id": unknown})
        if not couriers:
            raise PlanError("couriers", "name at least one courier, or leave it out for all",
                            kind=ErrorKind.INVALID, code="no_couriers")
        stored["couriers"] = sorted(set(couriers))
    plan = Plan(day=day, status=PlanStatus.QUEUED.value, settings=stored)
    session.add(plan)
    session.flush()
    return plan, True


def _point(geom: Any) -> tuple[float, float]:
    p = to_shape(geom)
    return float(p.x), float(p.y)


def day_inputs(
    session: Session, day: dt.date, couriers: list[str] | None = None
) -> tuple[DayInputs, dict[str, Any]]:
    """The shops, open orders and couriers of ``day`` as the planner takes them, and
    the same as JSON (the CSV columns) to keep with the plan for audit. ``couriers``
    limits the fleet to those ids (None: every courier)."""
    orders = session.scalars(
        select(Order).where(Order.delivery_date == day, Order.status.in_(OPEN_STATUSES))
        .order_by(Order.created_at, Order.id)
    ).all()
    shop_ids = sorted({o.shop_id for o in orders if o.shop_id is not None})
    shops = session.scalars(select(Shop).where(Shop.id.in_(shop_ids)).order_by(Shop.id)).all()
    fleet = select(Courier).order_by(Courier.id)
    if couriers is not None:
        fleet = fleet.where(Courier.id.in_(couriers))
    else:  # every courier at work: the retired ones are in no new plan
        fleet = fleet.where(Courier.retired_at.is_(None))
    courier_rows = session.scalars(fleet).all()
    shop_in = [
        ShopInput(s.id, s.name, *_point(s.location), seconds_of_day(s.opens), seconds_of_day(s.closes))
        for s in shops
    ]
    order_in = [
        OrderInput(
            o.id, o.shop_id, o.basket_id, *_point(o.customer_location), o.weight_kg,
            o.volume_l, seconds_of_day(o.ready_at), seconds_of_day(o.deliver_from), seconds_of_day(o.deliver_to),
        )
        for o in orders
    ]
    courier_in = [
        CourierInput(
            c.id, c.mode, c.capacity_kg, c.capacity_l, seconds_of_day(c.shift_start),
            seconds_of_day(c.shift_end), *_point(c.start), *_point(c.end),
        )
        for c in courier_rows
    ]
    inputs = DayInputs(tuple(shop_in), tuple(order_in), tuple(courier_in))
    as_json = {
        "shops": [dataclasses.asdict(s) for s in shop_in],
        "orders": [dataclasses.asdict(o) for o in order_in],
        "couriers": [dataclasses.asdict(c) for c in courier_in],
    }
    return inputs, as_json


def mark_planned(session: Session, order_ids: list[str]) -> None:
    """Orders on a round become ``planned`` (one event each; already planned: no-op)."""
    for order in session.scalars(select(Order).where(Order.id.in_(order_ids))):
        if order.status == OrderStatus.RECEIVED.value:
            move_order(session, order, OrderStatus.PLANNED)


def save_solved(
    session: Session, plan: Plan, document: PlanDocument, inputs: dict[str, Any]
) -> None:
    """Write a solved plan whole: rounds, stops, orders ``planned``, status ``solved``.

    The caller holds the plan row locked and commits once, so a reader never sees half.
    """
    plan.rounds.clear()
    session.flush()
    plan.rounds.extend(round_row(r) for r in document.rounds)
    mark_planned(session, sorted(document.placed()))
    keep_document(plan, document)
    plan.inputs = inputs
    plan.status = PlanStatus.SOLVED.value
    plan.error = None
    plan.finished_at = func.now()


def has_events(session: Session, plan: Plan) -> bool:
    """Whether a courier reported anything on a stop of ``plan``."""
    return bool(session.scalar(select(
        exists().where(StopEvent.stop_id == Stop.id, Stop.round_id == Round.id,
                       Round.plan_id == plan.id)
    )))


def publish(session: Session, plan: Plan) -> Plan | None:
    """Make ``plan`` the plan in force of its day; returns the plan it replaces.

    Only a solved plan can be published. A plan already in force stays (a retry is
    harmless). Another plan of the day is withdrawn, unless couriers already work on
    it: then the day is changed by moves, not by swapping every round.

    Publishing is serialised per day: the day's advisory lock, then the plan's row,
    and only then are the plan and the day's plan in force read, fresh (what the
    caller loaded may be stale: a double click's first request may have published it
    meanwhile). A plan of the day put in force while this one waited for the lock is
    not replaced behind the dispatcher's back: that is a conflict, to publish again
    knowingly. So exactly one plan is in force afterwards, whatever runs at once.
    """
    seen = _in_force_id(session, plan.day)
    _lock_day(session, plan)
    if plan.status != PlanStatus.SOLVED.value:
        raise PlanError("status", f"plan {plan.id} is {plan.status}: only a solved plan can be published",
                        code="plan_not_solved", params={"plan_id": plan.id, "state": plan.status})
    if plan.published_at is not None and plan.withdrawn_at is None:
        return None
    if plan.withdrawn_at is not None:
        raise PlanError("status", f"plan {plan.id} was withdrawn; ask for a new plan of {plan.day}",
                        code="plan_withdrawn", params={"plan_id": plan.id, "day": plan.day.isoformat()})
    current = session.scalars(
        select(Plan).where(Plan.day == plan.day, in_force())
        .with_for_update().execution_options(populate_existing=True)
    ).first()
    if current is not None:
        if current.id != seen:
            raise PlanError(
                "plan", f"plan {current.id} of {plan.day} was published while this request "
                "waited: publish again to replace it", code="plan_published_meanwhile",
                params={"plan_id": current.id, "day": plan.day.isoformat()},
            )
        if has_events(session, current):
            raise PlanError(
                "plan", f"plan {current.id} of {plan.day} is under way (couriers reported "
                "stops): change it with moves instead", code="plan_under_way",
                params={"plan_id": current.id},
            )
        current.withdrawn_at = func.now()
        session.flush()
    plan.published_at = func.now()
    session.flush()
    announce_plan(session, plan)
    return current


def announce_plan(session: Session, plan: Plan) -> None:
    """The orders handed over in ``plan`` (in force): customers and webhooks are told
    (once per order, whatever calls this again: late orders, re-plans)."""
    ids = sorted({o for r in plan.rounds for s in r.stops if s.kind == "delivery" for o in s.order_ids})
    plan_announced(session, ids, plan.day)


def withdraw(session: Session, plan: Plan) -> None:
    """Take ``plan`` out of force, so that its day can be planned again from scratch.

    Only a plan no courier has started: once a stop is reported, the day is changed
    by moves and absences, which keep what was done. Withdrawing a withdrawn plan
    changes nothing. Serialised with publishing by the day's advisory lock.
    """
    _lock_day(session, plan)
    if plan.withdrawn_at is not None:
        return
    if plan.published_at is None:
        raise PlanError("status", f"plan {plan.id} is not published: there is nothing to withdraw",
                        code="plan_not_published", params={"plan_id": plan.id})
    if has_events(session, plan):
        raise PlanError(
            "plan", f"plan {plan.id} is under way (couriers reported stops): change it with "
            "moves or absences instead", code="plan_under_way", params={"plan_id": plan.id},
        )
    plan.withdrawn_at = func.now()
    session.flush()


def _lock_day(session: Session, plan: Plan) -> None:
    """Take the day's advisory lock, then ``plan``'s row, and read the plan again, fresh."""
    session.execute(select(func.pg_advisory_xact_lock(_DAY_LOCK, plan.day.toordinal())))
    session.refresh(plan, with_for_update=True)


def _in_force_id(session: Session, day: dt.date) -> int | None:
    """The id of the plan in force of ``day`` as this transaction sees it now."""
    return session.scalar(select(Plan.id).where(Plan.day == day, in_force()))
