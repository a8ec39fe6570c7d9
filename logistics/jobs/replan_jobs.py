"""Changing a solved plan in the worker: moves asked by the dispatcher and orders that
arrived after publishing, without touching what couriers have done or are doing.

For each round, the stops up to the last one a courier reported on (arrived, picked
up, delivered, failed) are *frozen*: kept as they are, same rows. The rest of the day
is changed from the plan in force, never planned again from scratch: each courier
starts where their last frozen stop is, no earlier than now; parcels already picked up
ride with their courier (loaded at that start); orders on a round stay with their
courier (only their order and times may change); a moved order goes to its new
courier at the best place of that round; late orders go wherever they fit. The search
starts from the rounds in force and pays more for leaving out one of their orders than
for anything else (:func:`routing.solver.solve` with ``start``), so a change never
loses a planned order; a move is refused only for a reason of the moved order itself.
A parcel whose hand-over failed is still on its courier's bike
(:mod:`logistics.returns`): it goes back on a ``return`` stop, to its shop within the
shop's hours (a job delivered at the shop, placed like the others) or, when that cannot
be done or ``RETURN_TO`` is ``hub``, where the round ends (a stop just before the end).
The new stops are written in one transaction, reusing the rows of stops that stay (same
kind and orders), so a courier's phone keeps its stop ids. If a courier reported a
stop while this ran, the work is done again on the new state.

Every outcome is a stable code with its figures (``reason``, ``facts``) and a French
sentence (``detail``, :mod:`logistics.wording`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

import numpy as np
from geoalchemy2.shape import to_shape
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from logistics import clock
from logistics.clock import seconds_of_day
from logistics.impact import CAR_KG_CO2E_PER_KM, courier_km
from logistics.inputs import DayInputs
from logistics.inputs import Order as OrderInput
from logistics.inputs import Shop as ShopInput
from logistics.plan_document import AvoidedTrip, PlanDocument, PlanImpact, PlanStop
from logistics.planning import plan_day
from logistics.returns import Target, to_return
from logistics.settings import get_settings
from logistics.store.db import session_scope
from logistics.store.models import (
    Courier,
    Order,
    OrderStatus,
    Plan,
    PlanChange,
    PlanStatus,
    Round,
    Shop,
    Stop,
    StopEvent,
)
from logistics.store.plan_documents import (
    document_of,
    fill_legs,
    keep_document,
    line_of,
    plan_stop,
    stop_row,
)
from logistics.store.plans import announce_plan, day_inputs, mark_planned, plan_settings
from logistics.wording import change_text
from routing.network import StreetNetwork
from routing.solution import StartRoute

from .plan_jobs import plan_lock

log = logging.getLogger(__name__)

#: seconds a change may search from the plan in force: a move must come back while the
#: dispatcher waits (the search starts from a plan that already serves every order, so
#: this is only time to shorten the rounds)
REPLAN_TIME_LIMIT_S = 2.0
#: how many times the work is redone when couriers report stops meanwhile
MAX_TRIES = 3
#: a late-orders change still queued after MAX_TRIES: the task runs again later
RETRY = "retry"
FINISHING = frozenset({"picked_up", "delivered", "failed"})
OPEN = (OrderStatus.RECEIVED.value, OrderStatus.PLANNED.value, OrderStatus.PICKED_UP.value)


@dataclasses.dataclass
class _RoundState:
    """What a round has done: its frozen stops and where its courier is free again."""

    round_id: int
    courier_id: str
    frozen: list[int]  # stop ids, in order
    at: tuple[float, float] | None  # where the courier is free again (None: not started)
    free_at: int  # seconds since midnight
    on_board: list[str]
    done_orders: set[str]  # handed over, failed, or being handed over: not planned again
    #: orders of a failed pick-up (found not ready, if still open): to collect again
    again: list[str] = dataclasses.field(default_factory=list)
    #: parcels whose hand-over failed, still on board, and where they go back
    back: dict[str, Target] = dataclasses.field(default_factory=dict)


def _now_seconds(day: dt.date, now: dt.datetime) -> int | None:
    """Where ``now`` falls on the plan clock of ``day``: 0 before the day begins, None
    once it is over."""
    at = clock.seconds_into(day, now)
    if at >= clock.DAY:
        return None
    return max(at, 0)


def _round_states(session: Session, plan: Plan, now_s: int) -> dict[str, _RoundState]:
    """Each round's frozen stops and where and when its courier is free again. Event
    times count on the plan's own day (an event after midnight counts past 24:00), so an
    instant of another day is never read as a time of this one."""
    states: dict[str, _RoundState] = {}
    ids = {o for r in plan.rounds for s in r.stops for o in s.order_ids}
    failed = set(session.scalars(select(Order.id).where(
        Order.id.in_(ids), Order.status == OrderStatus.FAILED.value))) if ids else set()
    first = get_settings().return_to
    for r in plan.rounds:
        events: dict[int, dict[str, StopEvent]] = {}
        for e in session.scalars(
            select(StopEvent).join(Stop, Stop.id == StopEvent.stop_id).where(Stop.round_id == r.id)
        ):
            events.setdefault(e.stop_id, {})[e.type] = e
        last = max((i for i, s in enumerate(r.stops) if s.id in events), default=None)
        state = _RoundState(r.id, r.courier_id, [], None, now_s, [], set())
        if last is not None:
            frozen = r.stops[: last + 1]
            state.frozen = [s.id for s in frozen]
            stop = frozen[-1]
            p = to_shape(stop.location)
            state.at = (p.x, p.y)
            done = events[stop.id]
            finished = [e for t, e in done.items() if t in FINISHING]
            if finished:
                ended = max(clock.seconds_into(plan.day, e.at) for e in finished)
            else:  # under way: free once the planned work there is done
                ended = clock.seconds_into(plan.day, done["arrived"].at) + max(
                    0, seconds_of_day(stop.departure) - seconds_of_day(stop.arrival)
                )
            state.free_at = max(now_s, ended)
            # A pick-up that failed loaded nothing: a parcel found not ready stays open
            # and is collected again later (a parcel failed for good is not open).
            failed_stops = {s.id for s in frozen if "failed" in events.get(s.id, {})}
            picked = [o for s in frozen if s.kind == "pickup" and s.id not in failed_stops
                      for o in s.order_ids]
            handed = {o for s in frozen if s.kind == "delivery" for o in s.order_ids}
            state.done_orders = handed
            state.on_board = [o for o in picked if o not in handed]
            state.again = [o for s in frozen if s.kind == "pickup" and s.id in failed_stops
                           for o in s.order_ids]
            state.back = to_return(frozen, events, failed, first=first)
            if stop.kind == "return" and not finished:  # being handed back right now
                state.back = {o: t for o, t in state.back.items() if o not in stop.order_ids}
        states[r.courier_id] = state
    return states


def _frozen_signature(session: Session, plan: Plan, now_s: int) -> dict[str, list[int]]:
    return {c: s.frozen for c, s in _round_states(session, plan, now_s).items()}


@dataclasses.dataclass
class _Draft:
    """A re-planned day, not yet written."""

    result: PlanDocument
    states: dict[str, _RoundState]
    signature: dict[str, list[int]]
    kept: dict[str, str]
    late: list[str]
    #: couriers off the day from now on (an absence being applied, or applied before)
    off: set[str] = dataclasses.field(default_factory=set)
    #: an absence's orders still to do (on its pending stops or on board), before it
    absent_orders: list[str] = dataclasses.field(default_factory=list)
    #: parcels to bring back (order -> courier, where) and those that had no return
    #: stop before this change
    back: dict[str, tuple[str, Target]] = dataclasses.field(default_factory=dict)
    new_back: list[str] = dataclasses.field(default_factory=list)
    #: the weight and volume of each parcel to bring back, and its shop
    back_size: dict[str, tuple[float, float, str | None]] = dataclasses.field(default_factory=dict)

    def placed(self) -> dict[str, str]:
        """The orders the draft plans (order -> courier), parcels brought back aside."""
        return {o: c for o, c in self.result.placed().items() if o not in self.back}


def _draft(
    session: Session, plan: Plan, net: StreetNetwork, now_s: int, change: PlanChange | None
) -> _Draft:
    move = change if change is not None and change.kind == "move" else None
    absence = change if change is not None and change.kind == "absence" else None
    states = _round_states(session, plan, now_s)
    off = {r.courier_id for r in plan.rounds if r.withdrawn_at is not None}
    leaving: dict[str, int] = {}  # courier -> end of their day, for an absence to come
    absent_orders: list[str] = []
    if absence is not None:
        absent = absence.courier_id
        if absence.absent_from is None or absence.absent_from <= now_s:
            off.add(absent)
        else:
            leaving[absent] = absence.absent_from
        st = states.get(absent)
        absent_orders = sorted({
            o for r in plan.rounds if r.courier_id == absent for s in r.stops
            if s.kind == "delivery" and (st is None or s.id not in st.frozen) for o in s.order_ids
        } | set(st.on_board if st else ()))
    fleet = (plan.settings or {}).get("couriers")
    if fleet is not None:  # the day's couriers, those on a round, and a move's target
        fleet = sorted({*fleet, *states, *([move.courier_id] if move is not None else [])} - off)
    inputs, _ = day_inputs(session, plan.day, fleet)
    picked_up = set(session.scalars(select(Order.id).where(
        Order.delivery_date == plan.day, Order.status == OrderStatus.PICKED_UP.value
    )))
    done = {o for s in states.values() for o in s.done_orders}
    on_board = {o: c for c, s in states.items() for o in s.on_board if o not in done}
    kept: dict[str, str] = {}
    for r in plan.rounds:
        if r.courier_id in off or r.courier_id in leaving:
            continue  # their orders go to whoever can take them
        for s in r.stops:
            if s.kind == "delivery" and s.id not in states[r.courier_id].frozen:
                for o in s.order_ids:
                    kept.setdefault(o, r.courier_id)
    # Picked-up orders are open too (day_inputs takes received and planned only).
    extra = picked_up - {o.order_id for o in inputs.orders}
    if extra:
        rows = session.scalars(select(Order).where(Order.id.in_(extra))).all()
        inputs = _with_orders(session, inputs, rows)
    orders = [o for o in inputs.orders if o.order_id not in done]
    if move is not None:
        target = {move.order_id}
        basket = next((o.basket_id for o in orders if o.order_id == move.order_id), None)
        if basket is not None:
            target |= {o.order_id for o in orders if o.basket_id == basket}
        for o in target:
            kept[o] = move.courier_id
    late = [o.order_id for o in orders if o.order_id not in kept and o.order_id not in on_board
            and o.order_id not in absent_orders]
    couriers = []
    for c in inputs.couriers:
        if c.courier_id in off:
            continue
        st = states.get(c.courier_id)
        start = max(c.shift_start, st.free_at if st else now_s)
        end = min(c.shift_end, leaving.get(c.courier_id, c.shift_end))
        if st is not None and st.at is not None:
            c = dataclasses.replace(c, start_lon=st.at[0], start_lat=st.at[1])
        couriers.append(dataclasses.replace(c, shift_start=min(start, end), shift_end=end))
    shops, returns, back, back_size = _returns(session, plan, states, off, inputs.shops)
    for job in returns:
        on_board[job.order_id] = kept[job.order_id] = back[job.order_id][0]
    day = DayInputs(shops, (*orders, *returns), tuple(couriers))
    settings = dataclasses.replace(
        plan_settings(plan.settings),
        time_limit_s=min(REPLAN_TIME_LIMIT_S, plan_settings(plan.settings).time_limit_s),
    )
    result = plan_day(day, net, settings, keep=kept, on_board=on_board,
                      start=_rounds_in_force(plan, states))
    # A return to a shop that cannot be made (closed by then) goes to the hub instead.
    carried = result.placed()
    for o, (courier, where) in back.items():
        if where == "shop" and carried.get(o) != courier:
            back[o] = (courier, "hub")
    pending = {o for r in plan.rounds for st in r.stops if st.kind == "return"
               and st.id not in states[r.courier_id].frozen for o in st.order_ids}
    return _Draft(result, states, {c: s.frozen for c, s in states.items()}, kept, late,
                  off, absent_orders, back, sorted(set(back) - pending), back_size)


def _returns(
    session: Session, plan: Plan, states: dict[str, _RoundState], off: set[str],
    shops: tuple[ShopInput, ...],
) -> tuple[tuple[ShopInput, ...], list[OrderInput], dict[str, tuple[str, Target]],
           dict[str, tuple[float, float, str | None]]]:
    """The parcels to bring back (a courier off the day keeps theirs): those going to
    their shop as jobs delivered at the shop within its hours, the others to the hub;
    with the shops those jobs need, and each parcel's size and shop."""
    back = {o: (c, t) for c, st in states.items() if c not in off for o, t in st.back.items()}
    if not back:
        return shops, [], {}, {}
    rows = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_(back)))}
    known = {s.shop_id: s for s in shops}
    jobs: list[OrderInput] = []
    sizes = {o: (r.weight_kg, r.volume_l, r.shop_id) for o, r in rows.items()}
    for o, (courier, where) in sorted(back.items()):
        row = rows.get(o)
        shop = row.shop if row is not None and where == "shop" else None
        if row is None or shop is None:
            back[o] = (courier, "hub")
            continue
        if shop.id not in known:
            known[shop.id] = _shop_input(shop)
        at = to_shape(shop.location)
        jobs.append(OrderInput(o, shop.id, None, at.x, at.y, row.weight_kg, row.volume_l, 0,
                               seconds_of_day(shop.opens), seconds_of_day(shop.closes)))
    return tuple(known.values()), jobs, back, sizes


def _shop_input(shop: Shop) -> ShopInput:
    p = to_shape(shop.location)
    return ShopInput(shop.id, shop.name, p.x, p.y, seconds_of_day(shop.opens),
                     seconds_of_day(shop.closes))


def _rounds_in_force(plan: Plan, states: dict[str, _RoundState]) -> list[StartRoute]:
    """The stops still to do of every round, as the start of the change's search (a
    return stop as the delivery of its parcels at the shop)."""
    start = []
    for r in plan.rounds:
        frozen = set(states[r.courier_id].frozen) if r.courier_id in states else set()
        visits = tuple(
            ("delivery" if s.kind == "return" else s.kind, o) for s in r.stops
            if s.id not in frozen and s.kind in ("pickup", "delivery", "return")
            for o in s.order_ids
        )
        start.append(StartRoute(r.courier_id, visits))  # type: ignore[arg-type]
    return start


def _with_orders(session: Session, inputs: DayInputs, rows: list[Order]) -> DayInputs:
    known = {s.shop_id for s in inputs.shops}
    shops = list(inputs.shops)
    for row in rows:
        if row.shop_id and row.shop_id not in known and row.shop is not None:
            shops.append(_shop_input(row.shop))
            known.add(row.shop_id)
    more = []
    for o in rows:
        p = to_shape(o.customer_location)
        more.append(OrderInput(o.id, o.shop_id, o.basket_id, p.x, p.y, o.weight_kg, o.volume_l,
                               seconds_of_day(o.ready_at), seconds_of_day(o.deliver_from), seconds_of_day(o.deliver_to)))
    return DayInputs(tuple(shops), (*inputs.orders, *more), inputs.couriers)


def _write(
    session: Session, plan: Plan, draft: _Draft, net: StreetNetwork
) -> None:
    """Replace the non-frozen stops of every round by the draft's; frozen stops stay. The
    round of a courier off the day keeps only those, and is marked withdrawn."""
    new_rounds = {r.courier_id: r for r in draft.result.rounds}
    by_courier = {r.courier_id: r for r in plan.rounds}
    for courier_id in sorted(set(new_rounds) | set(by_courier)):
        row = by_courier.get(courier_id)
        state = draft.states.get(courier_id)
        frozen_ids = state.frozen if state else []
        new = new_rounds.get(courier_id)
        if row is None:
            row = Round(courier_id=courier_id, distance_m=0, duration_s=0, travel_s=0)
            plan.rounds.append(row)
            session.flush()
        frozen = [s for s in row.stops if s.id in frozen_ids]
        pending = [s for s in row.stops if s.id not in frozen_ids]
        wanted = [] if new is None else (new.stops[1:] if frozen else new.stops)
        if courier_id in draft.off:
            # Off the day: the stops done stay (the start, when none was), no more follow.
            wanted = [] if frozen else [plan_stop(s) for s in pending if s.kind == "start"][:1]
            if row.withdrawn_at is None:
                row.withdrawn_at = func.now()
        elif new is None and frozen:
            # Nothing left to do but go back: keep the end stop.
            wanted = [plan_stop(s) for s in pending if s.kind == "end"]
        if courier_id not in draft.off:
            wanted = _with_returns(wanted, {
                o: (where, draft.back_size[o]) for o, (c, where) in draft.back.items()
                if c == courier_id and o in draft.back_size})
        if not frozen and not wanted:
            session.delete(row)
            continue
        reuse: dict[tuple[str, frozenset[str]], list[Stop]] = {}
        for s in pending:
            reuse.setdefault((s.kind, frozenset(s.order_ids)), []).append(s)
        for i, s in enumerate(pending):  # out of the way of the unique (round, seq)
            s.seq = -1 - i
        session.flush()
        kept_rows: list[Stop] = []
        for k, w in enumerate(wanted):
            key = (w.kind, frozenset(w.order_ids))
            old = reuse[key].pop(0) if reuse.get(key) else None
            stop = stop_row(len(frozen) + k, w, old)
            if old is None:
                row.stops.append(stop)
            kept_rows.append(stop)
        for s in pending:
            if s not in kept_rows:
                session.delete(s)
        session.flush()
        session.refresh(row)
        _retime_round(row, net)
    session.flush()


def _with_returns(
    stops: list[PlanStop], back: dict[str, tuple[Target, tuple[float, float, str | None]]]
) -> list[PlanStop]:
    """A round's new stops with its parcels to bring back: the hand-overs the search
    made at a shop become return stops there (one per shop); the parcels going to the
    hub get a return stop just before the end, and ride until then."""
    if not back:
        return stops
    out: list[PlanStop] = []
    for st in stops:
        ours = [o for o in st.order_ids if o in back] if st.kind == "delivery" else []
        if not ours:
            out.append(st)
            continue
        rest = [o for o in st.order_ids if o not in back]
        if rest:
            out.append(st.model_copy(update={"order_ids": rest}))
        by_shop: dict[str | None, list[str]] = {}
        for o in ours:
            by_shop.setdefault(back[o][1][2], []).append(o)
        out += [st.model_copy(update={"kind": "return", "order_ids": ids, "shop_id": shop})
                for shop, ids in by_shop.items()]
    hub = [o for o, (where, _) in back.items() if where == "hub"]
    end = next((i for i, st in enumerate(out) if st.kind == "end"), None)
    if hub and end is not None:
        kg = sum(back[o][1][0] for o in hub)
        litres = sum(back[o][1][1] for o in hub)
        last = out[end]
        riding = [st.model_copy(update={"load_kg": st.load_kg + kg, "load_l": st.load_l + litres})
                  for st in out[:end]]
        arrive = last.model_copy(update={"kind": "return", "order_ids": sorted(hub),
                                         "shop_id": None, "departure": last.arrival})
        out = [*riding, arrive, *out[end:]]
    return out


def _retime_round(row: Round, net: StreetNetwork) -> None:
    """The round's street geometry, distance, travel time and duration over all its stops."""
    pts = [(to_shape(s.location).x, to_shape(s.location).y) for s in row.stops]
    graph = net.graph(row.courier.mode)
    geometry = graph.route_geometry(pts) if len(pts) >= 2 else []
    row.geometry = line_of(geometry)
    if len(pts) >= 2:
        durations, dist = graph.matrix(pts)
        legs = [(durations[i, i + 1], dist[i, i + 1]) for i in range(len(pts) - 1)]
        row.distance_m = int(round(sum(m for _, m in legs if np.isfinite(m))))
        row.travel_s = int(round(sum(t for t, _ in legs if np.isfinite(t))))
    row.duration_s = max(0, seconds_of_day(row.stops[-1].arrival) - seconds_of_day(row.stops[0].departure))
    fill_legs(row.stops, pts, geometry, row.distance_m)


def _merged_impact(plan: Plan, draft: _Draft) -> PlanImpact:
    """The avoided trips after the change: those of frozen deliveries kept, the
    re-planned ones recomputed."""
    new = draft.result
    replanned = {o for r in new.rounds for s in r.stops for o in s.order_ids}
    old = (plan.result or {}).get("impact", {}).get("trips", [])
    trips = [AvoidedTrip.model_validate(t) for t in old if not set(t["order_ids"]) & replanned]
    # A parcel brought back spared no trip (its failed hand-over counted none either).
    trips += [t for t in new.impact.trips if not set(t.order_ids) & set(draft.back)]
    car_km = round(sum(t.car_km for t in trips), 3)
    return new.impact.model_copy(update={
        "trips": trips, "car_trips_avoided": len(trips), "car_km_avoided": car_km,
        "co2_avoided_kg": round(car_km * CAR_KG_CO2E_PER_KM, 3),
        "orders_counted": sum(len(t.order_ids) for t in trips),
    })


def _merged_document(plan: Plan, draft: _Draft) -> PlanDocument:
    """The plan document after the change, over every round in the store (frozen
    parts included): the draft's orders left out, the merged avoided trips, the summary
    recomputed over all rounds."""
    current = document_of(plan, geometry=False)
    assert current is not None
    impact = _merged_impact(plan, draft)
    rounds = current.rounds
    planned = sum(len(r.delivered_order_ids) for r in rounds)
    unassigned = [u for u in draft.result.unassigned if u.order_id not in draft.back]
    km = courier_km((r.mode, r.distance_m) for r in rounds)
    summary = current.summary.model_copy(update={
        "planned": planned, "unassigned": len(unassigned), "couriers_used": len(rounds),
        "orders": planned + len(unassigned), "bike_km": km["bike_km"], "foot_km": km["foot_km"],
        "car_trips_avoided": impact.car_trips_avoided, "car_km_avoided": impact.car_km_avoided,
        "co2_avoided_kg": impact.co2_avoided_kg,
    })
    return current.model_copy(update={
        "summary": summary, "unassigned": unassigned, "impact": impact,
        "couriers_unavailable": draft.result.couriers_unavailable,
        "solver": draft.result.solver, "network": draft.result.network,
    })


def _settle(change: PlanChange, status: str, reason: str, facts: dict[str, object]) -> str:
    """Mark ``change`` applied or refused, with its code, figures and French sentence."""
    change.status = status
    change.reason = reason
    change.facts = facts
    change.detail = change_text(reason, facts)
    change.applied_at = func.now()
    return status


def _arrival(result: PlanDocument, order_id: str) -> int | None:
    for r in result.rounds:
        for st in r.stops:
            if st.kind == "delivery" and order_id in st.order_ids:
                return st.arrival
    return None


def _why(result: PlanDocument, order_id: str) -> dict[str, object]:
    """An order's reason code and figures, as a change's facts hold them."""
    u = result.reason_of(order_id)
    if u is None:  # placed, but with another courier (cannot happen: it is kept to one)
        return {"order_reason": "no_courier_left", "order_facts": {}}
    return {"order_reason": u.reason, "order_facts": dict(u.facts)}


def _round_figures(session: Session, plan: Plan, change: PlanChange) -> dict[str, object]:
    """How full the target's round of a move is: the order's slot and size, the
    hand-overs the round already has in that slot, its fullest load and its capacity."""
    order = session.get(Order, change.order_id)
    courier = session.get(Courier, change.courier_id)
    rnd = next((r for r in plan.rounds if r.courier_id == change.courier_id), None)
    if order is None or courier is None:
        return {}
    start, end = seconds_of_day(order.deliver_from), seconds_of_day(order.deliver_to)
    stops = rnd.stops if rnd is not None else []
    return {
        "window_start": start, "window_end": end,
        "deliveries_in_slot": sum(1 for st in stops if st.kind == "delivery"
                                  and start <= seconds_of_day(st.arrival) <= end),
        "order_kg": order.weight_kg,
        "round_max_kg": max((st.load_kg for st in stops), default=0.0),
        "capacity_kg": courier.capacity_kg,
    }


def _why_absent(draft: _Draft, courier_id: str, order_id: str) -> dict[str, object]:
    """Why an absent courier's order found nobody: a parcel on their bike stays with
    them (it comes back with them); any other, its reason in the draft."""
    st = draft.states.get(courier_id)
    if st is not None and order_id in st.on_board and courier_id in draft.off:
        return {"order_reason": "with_absent_courier", "order_facts": {}}
    return _why(draft.result, order_id)


def _apply_one(
    engine: Engine, plan_id: int, change_id: int, net: StreetNetwork, now: dt.datetime
) -> str:
    for _ in range(MAX_TRIES):
        with session_scope(engine) as s:
            plan = s.get(Plan, plan_id)
            change = s.get(PlanChange, change_id)
            assert plan is not None
            assert change is not None
            if change.status != "queued":
                return change.status
            if plan.status != PlanStatus.SOLVED.value or plan.withdrawn_at is not None:
                return _settle(change, "refused", "plan_not_in_force", {"plan_id": plan.id})
            now_s = _now_seconds(plan.day, now)
            if now_s is None:
                return _settle(change, "refused", "day_over", {"day": plan.day.isoformat()})
            if change.kind == "move":
                order = s.get(Order, change.order_id)
                if order is None or order.status not in (OrderStatus.RECEIVED.value, OrderStatus.PLANNED.value):
                    return _settle(change, "refused", "order_closed", {
                        "order_id": change.order_id, "status": order.status if order else "gone"})
            before = {o for r in plan.rounds for st in r.stops for o in st.order_ids if st.kind == "delivery"}
            if change.kind == "absence":
                rnd = next((r for r in plan.rounds if r.courier_id == change.courier_id), None)
                if rnd is None or rnd.withdrawn_at is not None:
                    return _settle(change, "refused", "courier_not_on_plan",
                                   {"courier_id": change.courier_id})
            draft = _draft(s, plan, net, now_s, change if change.kind != "late_orders" else None)
        placed = draft.placed()
        with session_scope(engine) as s:
            plan = s.get(Plan, plan_id, with_for_update=True)
            change = s.get(PlanChange, change_id, with_for_update=True)
            assert plan is not None
            assert change is not None
            if _frozen_signature(s, plan, now_s) != draft.signature:
                continue  # a courier reported a stop meanwhile: start again from there
            open_before = set(s.scalars(select(Order.id).where(
                Order.id.in_(before), Order.status.in_(OPEN))))
            lost = sorted(o for o in open_before - set(placed)
                          if o not in {x for st in draft.states.values() for x in st.done_orders})
            facts: dict[str, object]
            if change.kind == "move":
                facts = {"order_id": change.order_id, "courier_id": change.courier_id}
                if placed.get(change.order_id) != change.courier_id:
                    why = _why(draft.result, change.order_id)
                    if why["order_reason"] == "no_courier_left":
                        # It suits that courier, but their round has no room or time left
                        # for it: say how full the round is around the order's slot.
                        why = {"order_reason": "round_full",
                               "order_facts": _round_figures(s, plan, change)}
                    return _settle(change, "refused", "order_not_placed", {**facts, **why})
                if lost:
                    # Only a round already late can lose an order: its start holds
                    # every planned order that still fits.
                    return _settle(change, "refused", "orders_lost", {**facts, "orders": lost})
                reason = "moved"
                facts["arrival"] = _arrival(draft.result, change.order_id)
            elif change.kind == "absence":
                lost = [o for o in lost if o not in draft.absent_orders]
                if lost:
                    return _settle(change, "refused", "orders_lost",
                                   {"courier_id": change.courier_id, "orders": lost})
                reason = "absence"
                facts = {
                    "courier_id": change.courier_id,
                    "from": change.absent_from if change.absent_from is not None else now_s,
                    "reassigned": {o: placed[o] for o in draft.absent_orders if o in placed},
                    "left_out": {
                        o: {"reason": w["order_reason"], "facts": w["order_facts"]}
                        for o in draft.absent_orders if o not in placed
                        for w in [_why_absent(draft, change.courier_id, o)]
                    },
                }
            else:
                # Late orders, and parcels found not ready to collect again. What no
                # longer fits (a round running late) is listed, not a reason to refuse.
                again = {o for st in draft.states.values() for o in st.again} & open_before
                wanted = sorted({*draft.late, *again})
                reason = "late_orders"
                facts = {
                    "returns": {o: draft.back[o][1] for o in draft.new_back},
                    "inserted": [o for o in wanted if o in placed],
                    "left_out": {
                        o: {"reason": w["order_reason"], "facts": w["order_facts"]}
                        for o in sorted({*wanted, *lost}) if o not in placed
                        for w in [_why(draft.result, o)]
                    },
                }
            _write(s, plan, draft, net)
            mark_planned(s, sorted(placed))
            s.refresh(plan)
            keep_document(plan, _merged_document(plan, draft))
            plan.revision += 1
            if plan.published_at is not None and plan.withdrawn_at is None:
                announce_plan(s, plan)  # late orders now on a round: their customers are told
            return _settle(change, "applied", reason, facts)
    with session_scope(engine) as s:
        change = s.get(PlanChange, change_id)
        assert change is not None
        if change.kind == "late_orders":
            # Nobody asked for it and nobody would ask again: it stays queued, and the
            # task tries again a little later (couriers rarely tap that fast for long).
            return RETRY
        return _settle(change, "refused", "busy", {"tries": MAX_TRIES})


def apply_changes(
    engine: Engine,
    plan_id: int,
    network: Callable[[], StreetNetwork],
    now: dt.datetime | None = None,
) -> str:
    """Apply every queued change of plan ``plan_id``, oldest first; ``busy`` when another
    worker is on this plan, or when couriers kept reporting stops while late orders and
    returns were being placed (the task is then retried), else ``done``."""
    now = now or clock.now()
    with plan_lock(engine, plan_id) as mine:
        if not mine:
            return "busy"
        while True:
            with session_scope(engine) as s:
                change_id = s.scalars(
                    select(PlanChange.id).where(PlanChange.plan_id == plan_id, PlanChange.status == "queued")
                    .order_by(PlanChange.id)
                ).first()
            if change_id is None:
                return "done"
            outcome = _apply_one(engine, plan_id, change_id, network(), now)
            log.info("plan %s change %s: %s", plan_id, change_id, outcome)
            if outcome == RETRY:
                return "busy"
