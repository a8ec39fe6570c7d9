"""What a customer may see of their delivery, from the public link ``/t/{token}``: the
shops, the status, the slot, an arrival window once the plan is published (narrower as
the courier gets closer), "votre livreur arrive" when their stop is next, then the
hand-over (time, who took the parcel) or the failure (why, what happens next).

Never the courier's name, another customer or the courier's position: only how many
stops come before theirs. A link expires ``TRACKING_DAYS`` after the delivery day, and
with the customer's data (erasure): both read as unknown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from logistics import clock
from logistics.settings import get_settings
from logistics.store.models import Order, OrderStatus, Plan, Round, Stop, StopEvent
from logistics.store.orders import one_drop
from logistics.store.plans import in_force

from .proofs import proof_of_order
from .round_view import arrival_minutes, clock_text, next_stop_id, round_stops, stops_before

#: the arrival window's half-width (minutes): before the round starts, then by stops before theirs
WIDEST_MIN, NARROWEST_MIN, PER_STOP_MIN = 30, 10, 5


def order_of_token(session: Session, token: str) -> Order | None:
    """The order of a tracking token still valid today, else None."""
    if not token or len(token) > 64:
        return None
    order = session.scalars(select(Order).where(Order.tracking_token == token)).first()
    if order is None or order.erased_at is not None:
        return None
    if clock.today() > order.delivery_date + dt.timedelta(days=get_settings().tracking_days):
        return None
    return order


def _delivery_stop(session: Session, order: Order) -> tuple[Round, Stop] | None:
    """The order's hand-over stop in the plan in force of its day."""
    found = session.execute(
        select(Round, Stop).join(Plan, Plan.id == Round.plan_id).join(Stop, Stop.round_id == Round.id)
        .where(Plan.day == order.delivery_date, in_force(), Stop.kind == "delivery",
               Stop.order_ids.op("@>")(func.jsonb_build_array(order.id)))
    ).first()
    return (found[0], found[1]) if found else None


def _progress(session: Session, rnd: Round, stop: Stop) -> dict[str, Any]:
    """Stops before theirs, whether theirs is next, and the arrival window: the estimate
    (:func:`~couriers.round_view.arrival_minutes`) give or take less as fewer stops are left."""
    stops = round_stops(session, rnd)
    mine = next(s for s in stops if s["stop_id"] == stop.id)
    before = stops_before(stops, mine)
    eta = arrival_minutes(rnd, stops, mine)
    started = any(s["events"] for s in stops)
    half = WIDEST_MIN if not started else max(NARROWEST_MIN, min(WIDEST_MIN, NARROWEST_MIN + PER_STOP_MIN * before))
    return {"stops_before": before, "next": next_stop_id(stops) == stop.id,
            "arrival": {"from": clock_text(eta - half), "to": clock_text(eta + half)}}


def _event_at(session: Session, stop_id: int, kind: str) -> dt.datetime | None:
    return session.scalar(select(StopEvent.at).where(StopEvent.stop_id == stop_id, StopEvent.type == kind))


def tracking_view(session: Session, order: Order) -> dict[str, Any]:
    """The customer's view of ``order`` (and of its basket: one drop), as the page and
    ``GET /api/tracking/{token}`` give it."""
    group = one_drop(session, order)
    statuses = [o.status for o in group]
    open_ = [s for s in statuses if s != OrderStatus.CANCELLED]
    if not open_:
        status = "cancelled"
    elif all(s == OrderStatus.DELIVERED for s in open_):
        status = "delivered"
    elif any(s == OrderStatus.FAILED for s in open_):
        status = "failed"
    elif any(s == OrderStatus.PICKED_UP for s in open_):
        status = "picked_up"
    elif any(s == OrderStatus.PLANNED for s in open_):
        status = "planned"
    else:
        status = "received"
    view: dict[str, Any] = {
        "status": status,
        "shops": sorted({o.shop.name for o in group if o.shop_id and o.shop is not None}),
        "date": order.delivery_date.isoformat(),
        "slot": {"from": order.deliver_from.strftime("%H:%M"), "to": order.deliver_to.strftime("%H:%M")},
        "parcels": [{"shop": o.shop.name if o.shop is not None else None, "status": o.status} for o in group],
        "arrival": None, "stops_before": None, "next": False,
        "delivered_at": None, "recipient": None, "failed_reason": None, "next_step": None,
    }
    placed = _delivery_stop(session, order)
    if placed is None:
        return view
    rnd, stop = placed
    if status in ("planned", "picked_up"):
        view.update(_progress(session, rnd, stop))
        if view["next"]:
            view["status"] = "on_the_way"
    elif status == "delivered":
        at = _event_at(session, stop.id, "delivered")
        view["delivered_at"] = clock.local(at).strftime("%H:%M") if at else None
        proof = proof_of_order(session, order)
        view["recipient"] = proof.recipient_name if proof is not None else None
    elif status == "failed":
        failed = [o for o in group if o.status == OrderStatus.FAILED]
        view["failed_reason"] = failed[0].status_reason if failed else None
        picked = any(e.to_status == OrderStatus.PICKED_UP for o in failed for e in o.events)
        view["next_step"] = ("return_to_" + get_settings().return_to) if picked else "shop_will_call"
    return view
