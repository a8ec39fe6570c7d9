"""Plans (dispatcher): ask the worker for a day's plan, read it, publish it, move orders.

Planning never runs in the request: ``POST /api/plans`` stores a queued plan and sends
its id to the worker; ``GET /api/plans/{id}`` shows how far it got.
"""

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from geoalchemy2.shape import to_shape
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from couriers.round_view import stop_status
from logistics.clock import local_iso
from logistics.jobs.celery_app import APPLY_CHANGES, SOLVE_PLAN
from logistics.store.models import Order, Plan, PlanChange, Round, Stop, StopEvent
from logistics.store.plan_changes import request_move
from logistics.store.plan_documents import document_of
from logistics.store.plans import publish, request_plan

from ..deps import Dispatcher, SessionDep
from ..errors import not_found

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/plans", tags=["plans"])


class PlanRequest(BaseModel):
    """A day to plan, and optional solver settings."""

    date: dt.date
    time_limit_s: float | None = Field(default=None, gt=0, le=600)
    seed: int | None = Field(default=None, ge=0)
    #: who works that day (default: every courier)
    couriers: list[str] | None = Field(default=None, max_length=500)


class MoveRequest(BaseModel):
    """Put an order (and the rest of its basket) on another courier's round."""

    order_id: str = Field(min_length=1)
    courier_id: str = Field(min_length=1)


def send(request: Request, task: str, plan_id: int) -> str | None:
    """Send a task; None when sent, else why not (the plan stays queued and the
    worker's recovery sends it again once the broker is back)."""
    try:
        request.app.state.jobs.send_task(task, args=[plan_id])
    except Exception as e:  # noqa: BLE001 - a broker outage must not lose the stored plan
        log.warning("could not queue %s for plan %s: %s", task, plan_id, e)
        return f"the job queue is unreachable ({type(e).__name__}); the plan is kept and will be sent again"
    return None


def _hm(t: dt.time) -> str:
    return t.strftime("%H:%M:%S")


class _StopFacts:
    """What the stops of one plan need to show how far they got: their events and the
    statuses of their orders, read in two queries for the whole plan (not per stop)."""

    def __init__(self, db: Session, plan: Plan) -> None:
        self.events: dict[int, list[StopEvent]] = {}
        self.order_status: dict[str, str] = {}
        if not plan.rounds:
            return
        for e in db.scalars(
            select(StopEvent).join(Stop, Stop.id == StopEvent.stop_id)
            .join(Round, Round.id == Stop.round_id)
            .where(Round.plan_id == plan.id).order_by(StopEvent.at, StopEvent.id)
        ):
            self.events.setdefault(e.stop_id, []).append(e)
        order_ids = {o for r in plan.rounds for s in r.stops for o in s.order_ids}
        if order_ids:
            self.order_status = {
                order_id: status for order_id, status in db.execute(
                    select(Order.id, Order.status).where(Order.id.in_(order_ids)))
            }

    def stop(self, s: Stop, round_started: bool) -> dict[str, Any]:
        """``status`` (as on the courier's phone) and ``events`` of one stop."""
        events = self.events.get(s.id, [])
        status = stop_status(
            s.kind, (e.type for e in events),
            [self.order_status[o] for o in s.order_ids if o in self.order_status],
            round_started=round_started,
        )
        return {"status": status,
                "events": [{"type": e.type, "at": local_iso(e.at), "reason": e.reason} for e in events]}


def _round_public(r: Round, geometry: bool, facts: _StopFacts) -> dict[str, Any]:
    started = any(s.id in facts.events for s in r.stops)
    stops = [
        {
            "stop_id": s.id, "seq": s.seq, "kind": s.kind, "order_ids": list(s.order_ids),
            "shop_id": s.shop_id, "lon": to_shape(s.location).x, "lat": to_shape(s.location).y,
            "arrival": _hm(s.arrival), "departure": _hm(s.departure),
            "load_kg": s.load_kg, "load_l": s.load_l,
            **facts.stop(s, started),
        }
        for s in r.stops
    ]
    out: dict[str, Any] = {
        "round_id": r.id, "courier_id": r.courier_id, "mode": r.courier.mode,
        "distance_m": r.distance_m, "duration_s": r.duration_s,
        "start": stops[0]["departure"] if stops else None,
        "end": stops[-1]["arrival"] if stops else None,
        "orders": sum(len(s["order_ids"]) for s in stops if s["kind"] == "delivery"),
        "max_load_kg": max((s["load_kg"] for s in stops), default=0.0),
        "max_load_l": max((s["load_l"] for s in stops), default=0.0),
        "stops": stops,
    }
    if geometry:
        line = to_shape(r.geometry) if r.geometry is not None else None
        out["geometry"] = (
            {"type": "LineString", "coordinates": [list(c) for c in line.coords]} if line else None
        )
    return out


def _change_public(c: PlanChange) -> dict[str, Any]:
    return {
        "change_id": c.id, "kind": c.kind, "order_id": c.order_id, "courier_id": c.courier_id,
        "status": c.status, "detail": c.detail,
        "created_at": c.created_at.isoformat() if c.created_at else None,
        "applied_at": c.applied_at.isoformat() if c.applied_at else None,
    }


def plan_public(db: Session, plan: Plan, geometry: bool = True) -> dict[str, Any]:
    """A plan as the dispatcher reads it: status, rounds with stops (each with its
    ``status`` and ``events`` from the couriers), unassigned orders."""
    result = plan.result or {}
    facts = _StopFacts(db, plan)
    changes = db.scalars(
        select(PlanChange).where(PlanChange.plan_id == plan.id).order_by(PlanChange.id)
    ).all()
    return {
        "id": plan.id,
        "date": plan.day.isoformat(),
        "status": plan.status,
        "published": plan.published_at is not None and plan.withdrawn_at is None,
        "published_at": plan.published_at.isoformat() if plan.published_at else None,
        "withdrawn_at": plan.withdrawn_at.isoformat() if plan.withdrawn_at else None,
        "revision": plan.revision,
        "attempts": plan.attempts,
        "error": plan.error,
        "settings": plan.settings,
        "created_at": plan.created_at.isoformat() if plan.created_at else None,
        "started_at": plan.started_at.isoformat() if plan.started_at else None,
        "finished_at": plan.finished_at.isoformat() if plan.finished_at else None,
        "summary": result.get("summary"),
        "rounds": [_round_public(r, geometry, facts) for r in plan.rounds],
        "unassigned": result.get("unassigned", []),
        "couriers_unavailable": result.get("couriers_unavailable", []),
        "changes": [_change_public(c) for c in changes],
    }


def _plan(db: Session, plan_id: int) -> Plan:
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise not_found("plan_id", f"no plan {plan_id}")
    return plan


@router.post("", status_code=202)
def create_plan(body: PlanRequest, request: Request, db: SessionDep, _: Dispatcher) -> JSONResponse:
    """Queue the plan of a day (202), with the couriers who work that day (default all).
    While a plan of that day is queued or running, a second request gets that plan back
    (``duplicate``: true), not a second job."""
    settings = {k: v for k, v in body.model_dump().items()
                if k not in ("date", "couriers") and v is not None}
    plan, created = request_plan(db, body.date, settings=settings, couriers=body.couriers)
    db.commit()
    out: dict[str, Any] = {"id": plan.id, "status": plan.status, "date": plan.day.isoformat(),
                           "duplicate": not created}
    if created:
        warning = send(request, SOLVE_PLAN, plan.id)
        if warning:
            out["warning"] = warning
    return JSONResponse(out, status_code=202)


@router.get("")
def list_plans(
    db: SessionDep, _: Dispatcher,
    date: Annotated[dt.date, Query(description="the day whose plans to list")],
) -> list[dict[str, Any]]:
    """The plans of a day, newest first, without their rounds."""
    plans = db.scalars(select(Plan).where(Plan.day == date).order_by(Plan.id.desc())).all()
    return [
        {k: v for k, v in plan_public(db, p, geometry=False).items() if k not in ("rounds", "unassigned")}
        for p in plans
    ]


@router.get("/{plan_id}")
def get_plan(
    plan_id: int, db: SessionDep, _: Dispatcher,
    geometry: Annotated[bool, Query(description="include each round's street geometry")] = True,
) -> dict[str, Any]:
    """A plan: ``status`` (queued, running, solved, failed), rounds, unassigned orders
    with their reasons, and the changes made to it."""
    return plan_public(db, _plan(db, plan_id), geometry)


@router.get("/{plan_id}/audit")
def get_plan_audit(plan_id: int, db: SessionDep, _: Dispatcher) -> dict[str, Any]:
    """What the plan was solved from and with (inputs, settings, the solver's facts) and
    its whole plan document as it stands, changes included (``result``, the
    ``plan.json`` of the command line)."""
    plan = _plan(db, plan_id)
    document = document_of(plan)
    result = document.model_dump(mode="json") if document is not None else {}
    return {
        "id": plan.id, "date": plan.day.isoformat(), "status": plan.status,
        "settings": plan.settings, "inputs": plan.inputs, "solver": result.get("solver"),
        "network": result.get("network"), "impact": result.get("impact"),
        "revision": plan.revision, "result": result,
    }


@router.post("/{plan_id}/publish")
def publish_plan(plan_id: int, db: SessionDep, _: Dispatcher) -> dict[str, Any]:
    """Hand the plan's rounds to the couriers: it becomes the day's plan in force
    (one not yet under way is withdrawn). Publishing it again changes nothing."""
    plan = _plan(db, plan_id)
    replaced = publish(db, plan)
    db.commit()
    out = plan_public(db, plan, geometry=False)
    out["replaces"] = replaced.id if replaced is not None else None
    return out


@router.post("/{plan_id}/moves", status_code=202)
def move_order(
    plan_id: int, body: MoveRequest, request: Request, db: SessionDep, user: Dispatcher
) -> JSONResponse:
    """Move an order to another courier's round (202): the worker re-times both rounds
    and applies the move, or refuses it with the reason (see the plan's ``changes``)."""
    plan = _plan(db, plan_id)
    change = request_move(db, plan, body.order_id, body.courier_id, user_id=user.id)
    db.commit()
    out = _change_public(change)
    warning = send(request, APPLY_CHANGES, plan.id)
    if warning:
        out["warning"] = warning
    return JSONResponse(out, status_code=202)
