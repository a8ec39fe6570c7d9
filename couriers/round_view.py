"""A courier's round for a day, as the phone shows it: the stops in order, what to do at
each, how far each has got and which one comes next.

Nothing here is stored: a stop's status is derived from its events
(:class:`~logistics.store.models.StopEvent`) and the statuses of its orders, so it can
never disagree with them. Clock times are the plan's local times (``HH:MM``); instants
(``at``) are ISO 8601 in the local zone (``DOUAI_TZ``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from logistics import clock
from logistics.clock import hhmm, local_iso
from logistics.returns import to_return
from logistics.settings import get_settings
from logistics.store.models import (
    Courier,
    Order,
    OrderStatus,
    Plan,
    Round,
    Shop,
    Stop,
    StopEvent,
    StopEventType,
)
from logistics.store.plans import in_force as plan_in_force_condition

#: stop statuses, as the phone shows them
PENDING, ARRIVED, DONE, FAILED, CANCELLED = "pending", "arrived", "done", "failed", "cancelled"
#: statuses of a stop that needs nothing more from the courier
FINISHED_STATUSES = frozenset({DONE, FAILED, CANCELLED})
#: what the courier does at a stop of each kind (nothing at the start and the end)
ACTIONS: dict[str, str | None] = {
    "start": None, "pickup": "pick_up", "delivery": "hand_over", "return": "bring_back",
    "end": None,
}
#: events that close a stop: after one of them, the stop takes no other
FINISHING = frozenset({
    StopEventType.PICKED_UP, StopEventType.DELIVERED, StopEventType.FAILED,
    StopEventType.RETURNED,
})
#: order statuses that leave nothing to do for the order at any stop
DROPPED = frozenset({OrderStatus.CANCELLED, OrderStatus.FAILED})


def in_force(day: dt.date) -> Any:
    """The condition "plan in force on ``day``": published and not withdrawn (a unique
    partial index keeps it to one plan per day)."""
    return and_(Plan.day == day, plan_in_force_condition())


def courier_round(session: Session, courier_id: str, day: dt.date) -> Round | None:
    """The courier's round in the plan in force on ``day``, or None (no plan in force,
    or the courier has no round in it)."""
    return session.scalars(
        select(Round).join(Plan, Plan.id == Round.plan_id)
        .where(in_force(day), Round.courier_id == courier_id)
    ).first()


def stop_status(
    kind: str, event_types: Iterable[str], order_statuses: Sequence[str], *, round_started: bool
) -> str:
    """A stop's status from its events and its orders.

    A finishing event wins (``failed`` over the others); a stop whose orders were all
    cancelled or failed elsewhere has nothing left to do, so it shows ``cancelled``
    (skippable) even if the courier arrived; a return stop's orders are failed by
    nature, so it stays to do until brought back. The start is ``done`` once any stop
    of the round has an event; the end takes no events and stays ``pending``.
    """
    types = set(event_types)
    if kind == "start":
        return DONE if round_started else PENDING
    if kind == "end":
        return PENDING
    if StopEventType.FAILED in types:
        return FAILED
    if types & FINISHING:
        return DONE
    if kind != "return" and order_statuses and all(s in DROPPED for s in order_statuses):
        return CANCELLED
    if StopEventType.ARRIVED in types:
        return ARRIVED
    return PENDING


def next_stop_id(stops: Sequence[dict[str, Any]]) -> int | None:
    """The first stop after the start that is not finished (the end once all others
    are), or None for a round without one."""
    for s in stops:
        if s["kind"] != "start" and s["status"] not in FINISHED_STATUSES:
            return int(s["stop_id"])
    return None


#: stop kinds where the courier spends time (not the start and the end)
WORK_KINDS = ("pickup", "delivery", "return")
#: minutes counted at least for each stop still to serve before one (an estimate's floor)
MIN_PER_STOP = 5


def _minutes(hhmm_text: str) -> int:
    h, m = hhmm_text.split(":")[:2]
    return int(h) * 60 + int(m)


def stops_before(stops: Sequence[dict[str, Any]], view: dict[str, Any]) -> int:
    """How many stops of the round (its :func:`round_stops`) still to serve come before ``view``."""
    return sum(1 for s in stops if s["seq"] < view["seq"] and s["kind"] in WORK_KINDS
               and s["status"] not in FINISHED_STATUSES)


def arrival_minutes(rnd: Round, stops: Sequence[dict[str, Any]], view: dict[str, Any]) -> float:
    """When the courier should reach ``view``, in minutes of its day: the planned time
    shifted by how late the last finished stop was, and never before now plus a few
    minutes per stop still before it."""
    late = 0.0
    for s in stops:
        done = [e for e in s["events"] if e["type"] != "arrived"]
        if s["status"] in FINISHED_STATUSES and done and s["departure"]:
            at = dt.datetime.fromisoformat(done[-1]["at"])
            late = max(0.0, at.hour * 60 + at.minute - _minutes(s["departure"]))
    eta = _minutes(view["eta"]) + late
    now = clock.local(clock.now())
    if now.date() == rnd.plan.day:
        eta = max(eta, now.hour * 60 + now.minute + MIN_PER_STOP * stops_before(stops, view))
    return eta


def clock_text(minutes: float) -> str:
    m = max(0, min(24 * 60 - 1, int(round(minutes))))
    return f"{m // 60:02d}:{m % 60:02d}"


def arrival_estimate(rnd: Round, stops: Sequence[dict[str, Any]], view: dict[str, Any]) -> str:
    """:func:`arrival_minutes` as ``HH:MM``."""
    return clock_text(arrival_minutes(rnd, stops, view))


def _window(stop: Stop, orders: Sequence[Order], shop: Shop | None) -> dict[str, str | None] | None:
    """When the stop can be served: a shop's pickup from its opening or the last
    parcel's ``ready_at`` until it closes; a hand-over within the customer's slot (the
    slots' overlap, should a basket's orders ever differ); a return to a shop while it
    is open."""
    if stop.kind == "return":
        return {"from": hhmm(shop.opens), "to": hhmm(shop.closes)} if shop else None
    live = [o for o in orders if o.status not in DROPPED] or list(orders)
    if stop.kind == "pickup":
        starts = [t for t in (shop.opens if shop else None,
                              max((o.ready_at for o in live if o.ready_at), default=None)) if t]
        return {"from": hhmm(max(starts)) if starts else None,
                "to": hhmm(shop.closes) if shop else None}
    if stop.kind == "delivery" and live:
        return {"from": hhmm(max(o.deliver_from for o in live)),
                "to": hhmm(min(o.deliver_to for o in live))}
    return None


def _address(stop: Stop, orders: Sequence[Order], shop: Shop | None) -> str | None:
    """Where to go, in words: the shop (name and street) for a pickup or a return, the
    customer's address for a hand-over."""
    if stop.kind in ("pickup", "return") and shop is not None:
        return f"{shop.name}, {shop.address}" if shop.address else shop.name
    if stop.kind == "delivery":
        seen = list(dict.fromkeys(o.customer_address for o in orders if o.customer_address))
        return " / ".join(seen) or None
    return None


def event_public(event: StopEvent) -> dict[str, Any]:
    """A stop event as the API shows it, with where it was reported."""
    point = to_shape(event.location) if event.location is not None else None
    return {
        "event_id": event.id, "stop_id": event.stop_id, "type": event.type,
        "at": local_iso(event.at), "reason": event.reason,
        "lon": point.x if point else None, "lat": point.y if point else None,
    }


def stop_view(
    stop: Stop,
    events: Sequence[StopEvent],
    orders: Sequence[Order],
    shop: Shop | None,
    *,
    round_started: bool,
) -> dict[str, Any]:
    """One stop as the courier's phone shows it."""
    point = to_shape(stop.location)
    return {
        "stop_id": stop.id,
        "seq": stop.seq,
        "kind": stop.kind,
        "shop_id": stop.shop_id,
        "action": ACTIONS.get(stop.kind),
        "status": stop_status(
            stop.kind, (e.type for e in events), [o.status for o in orders],
            round_started=round_started,
        ),
        "lon": point.x,
        "lat": point.y,
        "address": _address(stop, orders, shop),
        "window": _window(stop, orders, shop),
        "eta": hhmm(stop.arrival),
        "departure": hhmm(stop.departure),
        "load_kg": stop.load_kg,
        "load_l": stop.load_l,
        "orders": [
            {
                "order_id": o.id, "shop_id": o.shop_id,
                "shop_name": o.shop.name if o.shop is not None else None,
                "weight_kg": o.weight_kg, "volume_l": o.volume_l, "status": o.status,
                # the customer at the door: only where the courier meets them
                **({"customer_name": o.customer_name, "customer_phone": o.customer_phone,
                    "delivery_notes": o.delivery_notes} if stop.kind == "delivery" else {}),
            }
            for o in orders
        ],
        "events": [{"type": e.type, "at": local_iso(e.at), "reason": e.reason} for e in events],
    }


def round_stops(session: Session, rnd: Round) -> list[dict[str, Any]]:
    """Every stop of ``rnd`` in ``seq`` order, with its orders, events and status (see
    :func:`parcels_to_return` for what is still on board)."""
    stops = sorted(rnd.stops, key=lambda s: s.seq)
    ids = [s.id for s in stops]
    events: dict[int, list[StopEvent]] = {i: [] for i in ids}
    if ids:
        for e in session.scalars(
            select(StopEvent).where(StopEvent.stop_id.in_(ids)).order_by(StopEvent.id)
        ):
            events[e.stop_id].append(e)
    order_ids = {o for s in stops for o in s.order_ids}
    orders = {
        o.id: o for o in session.scalars(select(Order).where(Order.id.in_(order_ids)))
    } if order_ids else {}
    shop_ids = {s.shop_id for s in stops if s.shop_id}
    shops = {
        s.id: s for s in session.scalars(select(Shop).where(Shop.id.in_(shop_ids)))
    } if shop_ids else {}
    started = any(events.values())
    return [
        stop_view(
            s, events[s.id], [orders[o] for o in s.order_ids if o in orders],
            shops.get(s.shop_id) if s.shop_id else None, round_started=started,
        )
        for s in stops
    ]


def parcels_to_return(stops: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The parcels of a round (its :func:`round_stops`) whose hand-over failed and that
    are still on board, with where they go back (:func:`logistics.returns.to_return`)."""
    views = [_StopSeen(s["stop_id"], s["kind"], [o["order_id"] for o in s["orders"]])
             for s in stops]
    events = {s["stop_id"]: {e["type"] for e in s["events"]} for s in stops}
    failed = {o["order_id"] for s in stops for o in s["orders"] if o["status"] == OrderStatus.FAILED}
    back = to_return(views, events, failed, first=get_settings().return_to)
    return [{"order_id": o, "to": to} for o, to in sorted(back.items())]


@dataclasses.dataclass(frozen=True)
class _StopSeen:
    id: int
    kind: str
    order_ids: list[str]


def _geometry(rnd: Round) -> dict[str, Any]:
    """The round's street path as a GeoJSON Feature (RFC 7946: lon, lat); its geometry
    is null when the plan kept none."""
    geometry = None
    if rnd.geometry is not None:
        line = to_shape(rnd.geometry)
        geometry = {"type": "LineString", "coordinates": [[x, y] for x, y, *_ in line.coords]}
    return {"type": "Feature", "geometry": geometry,
            "properties": {"round_id": rnd.id, "courier_id": rnd.courier_id}}


def round_view(session: Session, rnd: Round) -> dict[str, Any]:
    """The whole round for the courier's phone: plan, path, stops and the next stop."""
    stops = round_stops(session, rnd)
    plan = rnd.plan
    courier = session.get(Courier, rnd.courier_id)
    return {
        "plan_id": plan.id,
        "plan_revision": plan.revision,
        "date": plan.day.isoformat(),
        "round_id": rnd.id,
        "courier_id": rnd.courier_id,
        "mode": courier.mode if courier is not None else None,
        "distance_m": rnd.distance_m,
        "duration_s": rnd.duration_s,
        "geometry": _geometry(rnd),
        "next_stop_id": None if rnd.withdrawn_at is not None else next_stop_id(stops),
        "stops": stops,
        "withdrawn_at": local_iso(rnd.withdrawn_at) if rnd.withdrawn_at is not None else None,
        "to_return": parcels_to_return(stops),
        "proof": {"photo_on_failure": get_settings().proof_photo_on_failure},
    }
