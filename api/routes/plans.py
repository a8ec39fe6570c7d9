"""Plans (dispatcher): ask the worker for a day's plan, read it, publish it, move orders.

Planning never runs in the request: ``POST /api/plans`` stores a queued plan and sends
its id to the worker; ``GET /api/plans/{id}`` shows how far it got.
"""

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from couriers.round_view import FINISHED_STATUSES, stop_status
from logistics import clock, limits
from logistics.clock import local_iso, seconds_of_day
from logistics.jobs.celery_app import APPLY_CHANGES, SOLVE_PLAN
from logistics.plan_document import PlanStop, PlanSummary, UnassignedOrder, UnavailableCourier
from logistics.store.models import Order, Plan, PlanChange, PlanStatus, Round, Stop, StopEvent
from logistics.store.plan_changes import request_absence, request_move
from logistics.store.plan_documents import document_of, plan_round
from logistics.store.plans import publish, request_plan, withdraw
from logistics.store.retirement import active_fleet, retired_couriers
from logistics.timeofday import parse_clock

from ..deps import Dispatcher, SessionDep, one_snapshot
from ..errors import conflict, not_found
from ..schemas import (
    AbsenceRequest,
    ChangePublic,
    ChangeQueued,
    LineString,
    MoveRequest,
    NotSolved,
    PlanAudit,
    PlanOverview,
    PlanPublic,
    PlanPublished,
    PlanQueued,
    PlanRequest,
    RoundPublic,
    RowId,
    StopPublic,
    error_responses,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/plans", tags=["plans"])

#: the refusals of a route on one plan: no such plan, a bad token or id
_ON_A_PLAN = (401, 403, 404, 422)
_NO_PLAN = {404: "No plan of that id."}


def send(request: Request, task: str, plan_id: int) -> str | None:
    """Send a task; None when sent, else why not (the plan stays queued and the
    worker's recovery sends it again once the broker is back)."""
    try:
        request.app.state.jobs.send_task(task, args=[plan_id])
    except Exception as e:  # noqa: BLE001 - a broker outage must not lose the stored plan
        log.warning("could not queue %s for plan %s: %s", task, plan_id, e)
        return f"the job queue is unreachable ({type(e).__name__}); the plan is kept and will be sent again"
    return None


class _StopFacts:
    """What the stops of one plan need to show how far they got: their events and the
    statuses of their orders, read in two queries for the whole plan (not per stop)."""

    def __init__(self, db: Session, plan: Plan) -> None:
        self.events: dict[int, list[StopEvent]] = {}
        self.order_status: dict[str, str] = {}
        self.slot_end: dict[str, int] = {}
        #: where "now" falls on the plan's day (None: another day, nothing is late)
        at = clock.seconds_into(plan.day, clock.now())
        self.now_s = at if 0 <= at < clock.DAY else None
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
            rows = db.execute(
                select(Order.id, Order.status, Order.deliver_to).where(Order.id.in_(order_ids))
            ).all()
            self.order_status = {order_id: status for order_id, status, _ in rows}
            self.slot_end = {order_id: seconds_of_day(end) for order_id, _, end in rows}

    def expected(self, r: Round) -> dict[int, int]:
        """When each stop of ``r`` still to do should now be reached: its planned arrival
        plus the round's delay at its last event, and not before now."""
        if self.now_s is None:
            return {}
        delay, last = 0, -1
        for i, row in enumerate(r.stops):
            events = self.events.get(row.id, [])
            if not events:
                continue
            last = i
            e = events[-1]
            planned = seconds_of_day(row.arrival if e.type == "arrived" else row.departure)
            delay = clock.seconds_into(r.plan.day, e.at) - planned
        return {
            row.id: max(seconds_of_day(row.arrival) + max(delay, 0), self.now_s)
            for row in r.stops[last + 1:] if row.kind in ("pickup", "delivery", "return")
        }

    def stop(
        self, row: Stop, stop: PlanStop, round_started: bool, expected: int | None = None
    ) -> StopPublic:
        """The plan's ``stop`` (stored as ``row``) with its ``status`` (as on the
        courier's phone), ``events``, and when it is expected (``late`` past its slot)."""
        events = self.events.get(row.id, [])
        status = stop_status(
            row.kind, (e.type for e in events),
            [self.order_status[o] for o in row.order_ids if o in self.order_status],
            round_started=round_started,
        )
        if status in FINISHED_STATUSES:
            expected = None
        ends = [self.slot_end[o] for o in row.order_ids if o in self.slot_end]
        late = row.kind == "delivery" and expected is not None and bool(ends) and expected > min(ends)
        return StopPublic.model_validate({
            **stop.model_dump(), "stop_id": row.id, "seq": row.seq, "status": status,
            "events": [{"type": e.type, "at": local_iso(e.at), "reason": e.reason} for e in events],
            "expected_arrival": expected, "late": late,
        })


def _round_public(r: Round, geometry: bool, facts: _StopFacts) -> RoundPublic:
    """A round of the plan; its street path only when asked (else the key is left out)."""
    started = any(s.id in facts.events for s in r.stops)
    planned = plan_round(r, geometry=False)
    expected = {} if r.withdrawn_at is not None else facts.expected(r)
    stops = [facts.stop(row, stop, started, expected.get(row.id))
             for row, stop in zip(r.stops, planned.stops, strict=True)]
    path: dict[str, LineString | None] = {}
    if geometry:
        line = to_shape(r.geometry) if r.geometry is not None else None
        path["geometry"] = LineString(coordinates=[list(c) for c in line.coords]) if line else None
    return RoundPublic.model_validate({
        **planned.model_dump(exclude={"stops", "geometry"}),
        "round_id": r.id, "stops": stops,
        "withdrawn_at": local_iso(r.withdrawn_at) if r.withdrawn_at is not None else None,
        "max_load_kg": max((s.load_kg for s in stops), default=0.0),
        "max_load_l": max((s.load_l for s in stops), default=0.0),
        **path,
    })


def _change_public(c: PlanChange) -> dict[str, object]:
    return {
        "change_id": c.id, "kind": c.kind, "order_id": c.order_id, "courier_id": c.courier_id,
        "status": c.status, "reason": c.reason, "facts": c.facts, "detail": c.detail,
        "created_at": c.created_at.isoformat() if c.created_at else None,
        "applied_at": c.applied_at.isoformat() if c.applied_at else None,
    }


def _queued(db: Session, request: Request, plan: Plan, change: PlanChange) -> ChangeQueued:
    """Commit a change asked of ``plan`` and send the worker to it."""
    db.commit()
    warning = send(request, APPLY_CHANGES, plan.id)
    return ChangeQueued.model_validate({**_change_public(change), "warning": warning})


def _overview(db: Session, plan: Plan) -> dict[str, object]:
    """What :class:`PlanOverview` shows of a plan."""
    result = plan.result or {}
    changes = db.scalars(
        select(PlanChange).where(PlanChange.plan_id == plan.id).order_by(PlanChange.id)
    ).all()
    summary = result.get("summary")
    return {
        "id": plan.id,
        "date": plan.day,
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
        "summary": PlanSummary.model_validate(summary) if summary is not None else None,
        "couriers_unavailable": [
            UnavailableCourier.model_validate(c) for c in result.get("couriers_unavailable", [])
        ],
        "changes": [ChangePublic.model_validate(_change_public(c)) for c in changes],
    }


def plan_public(db: Session, plan: Plan, geometry: bool = True) -> PlanPublic:
    """A plan as the dispatcher reads it: status, rounds with stops (each with its
    ``status`` and ``events`` from the couriers), unassigned orders."""
    facts = _StopFacts(db, plan)
    return PlanPublic.model_validate({
        **_overview(db, plan),
        "rounds": [_round_public(r, geometry, facts) for r in plan.rounds],
        "unassigned": [
            UnassignedOrder.model_validate(u) for u in (plan.result or {}).get("unassigned", [])
        ],
    })


def _plan(db: Session, plan_id: int) -> Plan:
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise not_found("plan_id", f"no plan {plan_id}")
    return plan


@router.post(
    "", status_code=202,
    responses=error_responses(401, 403, 409, 422, notes={
        409: "A plan of that day is published: change it with moves instead; or a courier "
             "named is retired (or every courier is).",
        422: "A bad body, or a courier named that does not exist.",
    }),
)
def create_plan(body: PlanRequest, request: Request, db: SessionDep, _: Dispatcher) -> PlanQueued:
    """Queue the plan of a day (202), with the couriers who work that day (default all
    but the retired, then named in its settings). While a plan of that day is queued or
    running, a second request gets that plan back (``duplicate``: true), not a second
    job."""
    settings = {k: v for k, v in body.model_dump().items()
                if k not in ("date", "couriers") and v is not None}
    fleet = body.couriers
    if fleet is not None:
        retired = retired_couriers(db, fleet)
        if retired:
            raise conflict("couriers", f"retired: {', '.join(map(repr, retired))}")
    else:
        fleet = active_fleet(db)
        if fleet == []:
            raise conflict("couriers", "every courier is retired: add one first")
    plan, created = request_plan(db, body.date, settings=settings, couriers=fleet)
    db.commit()
    warning = send(request, SOLVE_PLAN, plan.id) if created else None
    return PlanQueued.model_validate({"id": plan.id, "status": plan.status, "date": plan.day,
                                      "duplicate": not created, "warning": warning})


@router.get("", responses=error_responses(401, 403, 422))
def list_plans(
    db: SessionDep, _: Dispatcher,
    date: Annotated[dt.date, Query(description="the day whose plans to list")],
) -> list[PlanOverview]:
    """The plans of a day, newest first, without their rounds."""
    limits.check_read_day("date", date)
    plans = db.scalars(select(Plan).where(Plan.day == date).order_by(Plan.id.desc())).all()
    return [PlanOverview.model_validate(_overview(db, p)) for p in plans]


@router.get("/{plan_id}", responses=error_responses(*_ON_A_PLAN, notes=_NO_PLAN))
def get_plan(
    plan_id: RowId, db: SessionDep, _: Dispatcher,
    geometry: Annotated[bool, Query(description="include each round's street geometry")] = True,
) -> PlanPublic:
    """A plan: ``status`` (queued, running, solved, failed), rounds, unassigned orders
    with their reasons, and the changes made to it."""
    one_snapshot(db)  # a change shown applied comes with the rounds it made
    return plan_public(db, _plan(db, plan_id), geometry)


@router.get("/{plan_id}/audit", responses=error_responses(*_ON_A_PLAN, notes=_NO_PLAN))
def get_plan_audit(plan_id: RowId, db: SessionDep, _: Dispatcher) -> PlanAudit:
    """What the plan was solved from and with (inputs, settings, the solver's facts) and
    its whole plan document as it stands, changes included (``result``, the
    ``plan.json`` of the command line)."""
    plan = _plan(db, plan_id)
    document = document_of(plan)
    return PlanAudit(
        id=plan.id, date=plan.day, status=PlanStatus(plan.status), settings=plan.settings,
        inputs=plan.inputs,
        solver=document.solver if document else None,
        network=document.network if document else None,
        impact=document.impact if document else None,
        revision=plan.revision, result=document if document is not None else NotSolved(),
    )


@router.post(
    "/{plan_id}/publish",
    responses=error_responses(401, 403, 404, 409, 422, notes={
        **_NO_PLAN,
        409: "The plan is not solved, was withdrawn, or another plan of the day is under way "
             "or was published while this request waited.",
    }),
)
def publish_plan(plan_id: RowId, db: SessionDep, _: Dispatcher) -> PlanPublished:
    """Hand the plan's rounds to the couriers: it becomes the day's plan in force
    (one not yet under way is withdrawn). Publishing it again changes nothing."""
    plan = _plan(db, plan_id)
    replaced = publish(db, plan)
    db.commit()
    out = plan_public(db, plan, geometry=False)
    return PlanPublished.model_validate(
        {**dict(out), "replaces": replaced.id if replaced is not None else None}
    )


@router.post(
    "/{plan_id}/withdraw",
    responses=error_responses(401, 403, 404, 409, 422, notes={
        **_NO_PLAN,
        409: "The plan is not published, or couriers already reported stops on it.",
    }),
)
def withdraw_plan(plan_id: RowId, db: SessionDep, _: Dispatcher) -> PlanOverview:
    """Take a published plan that no courier has started out of force: its rounds leave
    the couriers' phones and the day can be planned again. Withdrawing it twice changes
    nothing."""
    plan = _plan(db, plan_id)
    withdraw(db, plan)
    db.commit()
    return PlanOverview.model_validate(_overview(db, plan))


@router.post(
    "/{plan_id}/moves", status_code=202,
    responses=error_responses(401, 403, 404, 409, 422, notes={
        **_NO_PLAN,
        409: "The plan takes no moves (not solved, or withdrawn), the order can no longer "
             "change courier, it is on that round already, or the courier is retired.",
        422: "A bad body, or an order or courier that is not the plan's.",
    }),
)
def move_order(
    plan_id: RowId, body: MoveRequest, request: Request, db: SessionDep, user: Dispatcher
) -> ChangeQueued:
    """Move an order to another courier's round (202): the worker re-times both rounds
    and applies the move, or refuses it with the reason (see the plan's ``changes``)."""
    plan = _plan(db, plan_id)
    if retired_couriers(db, [body.courier_id]):
        raise conflict("courier_id", f"{body.courier_id!r} is retired")
    change = request_move(db, plan, body.order_id, body.courier_id, user_id=user.id)
    return _queued(db, request, plan, change)


@router.post(
    "/{plan_id}/absences", status_code=202,
    responses=error_responses(401, 403, 404, 409, 422, notes={
        **_NO_PLAN,
        409: "The plan takes no changes (not solved, or withdrawn), the courier has no round "
             "in it, is off it already, or their absence is already queued.",
        422: "A bad body (a time that is not HH:MM), or a courier that does not exist.",
    }),
)
def courier_absent(
    plan_id: RowId, body: AbsenceRequest, request: Request, db: SessionDep, user: Dispatcher
) -> ChangeQueued:
    """A courier is off the day from ``from`` (default: now) (202): the worker gives
    their stops still to do and the parcels not yet on board to the other couriers,
    starting from the plan in force, and lists what nobody can take with the reason
    (see the plan's ``changes``); the courier's phone shows the round withdrawn."""
    plan = _plan(db, plan_id)
    start = parse_clock(body.absent_from) if body.absent_from is not None else None
    change = request_absence(db, plan, body.courier_id, start, user_id=user.id)
    return _queued(db, request, plan, change)
