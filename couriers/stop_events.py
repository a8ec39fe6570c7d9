"""What a courier reports at a stop: arrived, then picked up, handed over or failed.

An event is a fact the phone may send twice (no signal, a retry), so a second copy
returns the first event unchanged; two copies racing each other are settled by the
database's UNIQUE (stop, type), not by a check that both could pass. A new event moves
the stop's orders (``picked_up``, ``delivered``, ``failed``) through
:func:`~logistics.store.order_status.move_order`, in the caller's transaction. A
failed hand-over of a parcel on board asks the worker for a return stop (to its shop or
the hub, :mod:`logistics.returns`); events at a return stop (``arrived``, ``returned``,
``failed`` when the shop is closed) move no order: the order stays failed.

Locks, always in this order: the plan row ``FOR SHARE`` (re-planning takes it ``FOR
UPDATE`` to rewrite pending stops, so a stop cannot change under an event), the stop row
``FOR NO KEY UPDATE`` (events of one stop one after the other), the stop's orders
``FOR UPDATE`` by id (a shop's cancel cannot slip between our check and our move).

An event's time (``at``, the tap's own time when a phone sends its offline queue) must
fall on its round's local day, or within :data:`LATE_ROUND_GRACE` after its midnight
for a round that ran late: a courier who opens another day's round and taps is refused
(422 on ``at``) rather than recorded on the wrong day. A time ahead of the server's
clock (a phone's clock running fast) is recorded as the server's now: nothing happened
in the future, and a re-plan must not take a courier for busy until then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from logistics import clock
from logistics.errors import DomainError, ErrorKind
from logistics.settings import get_settings
from logistics.store.addresses import move_customer
from logistics.store.announcements import tell_customer
from logistics.store.models import (
    Order,
    OrderStatus,
    Plan,
    Round,
    Stop,
    StopEvent,
    StopEventType,
)
from logistics.store.order_status import StatusError, move_order
from logistics.store.plan_changes import note_late_orders

from .round_view import DROPPED, FINISHING, arrival_estimate, next_stop_id, round_stops

E = StopEventType
S = OrderStatus
#: how long after midnight a late round's events still belong to its day
LATE_ROUND_GRACE = dt.timedelta(hours=1)
#: the stop kinds that take each event type
KIND_OF: dict[StopEventType, tuple[str, ...]] = {
    E.ARRIVED: ("pickup", "delivery", "return"),
    E.PICKED_UP: ("pickup",),
    E.DELIVERED: ("delivery",),
    E.FAILED: ("pickup", "delivery", "return"),
    E.RETURNED: ("return",),
}


class StopNotFoundError(DomainError):
    """No such stop in the caller's round of a plan in force (whether it exists or not:
    a courier learns nothing of another courier's round)."""

    default_kind = ErrorKind.NOT_FOUND


class StopEventRefusedError(DomainError):
    """An event the rules refuse: by default it clashes with what is stored
    (``conflict``); an event wrong in itself is ``invalid``."""

    default_kind = ErrorKind.CONFLICT


@dataclasses.dataclass(frozen=True)
class EventReport:
    """What the phone sends: the event type, why (for ``failed``), when and where."""

    type: StopEventType
    reason: str | None = None
    at: dt.datetime | None = None
    lon: float | None = None
    lat: float | None = None


@dataclasses.dataclass(frozen=True)
class Recorded:
    """The stored event, whether this call created it (False: a retry), its round, and
    the plan whose changes the worker must now apply (parcels found not ready, a
    parcel on board to bring back)."""

    event: StopEvent
    created: bool
    round: Round
    replan: int | None = None


def _refuse(problem: str, code: str, **params: object) -> StopEventRefusedError:
    return StopEventRefusedError("type", problem, code=code, params=params)


def event_time(day: dt.date, at: dt.datetime | None) -> dt.datetime:
    """The instant an event of a round of ``day`` is recorded at: ``at`` in the local
    zone (now when None; never later than now), refused unless it falls on ``day`` or
    within :data:`LATE_ROUND_GRACE` after it ends."""
    now = clock.now()
    when = min(clock.local(at), now)
    start, end = clock.day_bounds(day)
    if start <= when < end + LATE_ROUND_GRACE:
        return when
    said = "now" if at is None else "the time given"
    raise StopEventRefusedError(
        "at",
        f"{said} ({when.isoformat(timespec='minutes')}) is on {clock.local_day(when).isoformat()}, "
        f"not on the round's day {day.isoformat()}: an event is recorded on the day of its round",
        kind=ErrorKind.INVALID, code="event_other_day", params={
            "at": when.strftime("%H:%M"), "at_day": clock.local_day(when).isoformat(),
            "day": day.isoformat()},
    )


def _own_stop(session: Session, stop_id: int, courier_id: str) -> tuple[Stop, Round]:
    """The stop, locked, if it is on the courier's round of a plan in force."""
    missing = StopNotFoundError("stop_id", f"no stop {stop_id} on your round",
                                code="stop_not_on_round", params={"stop_id": stop_id})
    plan_id = session.scalar(
        select(Round.plan_id).join(Stop, Stop.round_id == Round.id).where(Stop.id == stop_id)
    )
    if plan_id is None:
        raise missing
    plan = session.scalars(
        select(Plan).where(Plan.id == plan_id).with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).first()
    if plan is None or plan.published_at is None or plan.withdrawn_at is not None:
        raise missing
    # Read again under the plan's lock: re-planning may have rewritten it meanwhile.
    row = session.execute(
        select(Stop, Round).join(Round, Round.id == Stop.round_id).where(Stop.id == stop_id)
        .with_for_update(of=Stop, key_share=True).execution_options(populate_existing=True)
    ).first()
    if row is None or row.Round.plan_id != plan.id or row.Round.courier_id != courier_id:
        raise missing
    return row.Stop, row.Round


def _check_sequence(stop: Stop, kind: StopEventType, events: dict[str, StopEvent]) -> None:
    """The rules on the sequence of events at one stop (the event is not a retry)."""
    if stop.kind in ("start", "end"):
        raise _refuse(f"stop {stop.id} is the round's {stop.kind}: it takes no events",
                      "stop_takes_no_event", stop_id=stop.id, kind=stop.kind)
    if stop.kind not in KIND_OF[kind]:
        raise _refuse(
            f"a {kind.value} event belongs to a {KIND_OF[kind][0]} stop; "
            f"stop {stop.id} is a {stop.kind}",
            "event_not_for_stop", stop_id=stop.id, kind=stop.kind, event=kind.value,
        )
    done = [t for t in events if t in FINISHING]
    if done:
        raise _refuse(
            f"stop {stop.id} is finished ({done[0]}): it takes no {kind.value} event",
            "stop_finished", stop_id=stop.id, done=done[0],
        )
    if kind == E.FAILED and stop.kind == "return" and stop.shop_id is None:
        raise _refuse(
            f"stop {stop.id} brings parcels back to the hub: it cannot fail, hand them in "
            "there (returned)", "hub_return_cannot_fail", stop_id=stop.id,
        )
    if kind != E.ARRIVED and E.ARRIVED not in events:
        raise _refuse(
            f"out of order: stop {stop.id} has no arrived event yet; send arrived "
            f"before {kind.value}", "arrive_first", stop_id=stop.id, event=kind.value,
        )


def _moves(
    stop: Stop, kind: StopEventType, orders: list[Order]
) -> list[tuple[Order, tuple[OrderStatus, ...]]]:
    """The status moves an event makes, checked before anything is written; refuses an
    event that would move an order the rules forbid, naming the order."""
    if kind == E.ARRIVED or stop.kind == "return":
        return []  # a parcel brought back stays failed
    moves: list[tuple[Order, tuple[OrderStatus, ...]]] = []
    if kind == E.PICKED_UP:
        for o in orders:
            if o.status in DROPPED:
                continue  # cancelled (or failed) meanwhile: it stays at the shop
            if o.status == S.RECEIVED:
                moves.append((o, (S.PLANNED, S.PICKED_UP)))
            elif o.status == S.PLANNED:
                moves.append((o, (S.PICKED_UP,)))
            elif o.status != S.PICKED_UP:
                raise _refuse(f"order {o.id} is {o.status}: it cannot be picked up",
                              "order_not_pickable", order_id=o.id, status=o.status)
        if orders and all(o.status in DROPPED for o in orders):
            named = ", ".join(f"{o.id} ({o.status})" for o in orders)
            raise _refuse(f"nothing to pick up at stop {stop.id}: order {named}",
                          "nothing_left_at_stop", stop_id=stop.id, orders=[o.id for o in orders])
    elif kind == E.DELIVERED:
        for o in orders:
            if o.status in DROPPED or o.status == S.DELIVERED:
                continue
            if o.status != S.PICKED_UP:
                raise _refuse(
                    f"order {o.id} is {o.status}: it must be picked up before it is handed over",
                    "order_not_on_board", order_id=o.id, status=o.status,
                )
            moves.append((o, (S.DELIVERED,)))
        if orders and all(o.status in DROPPED for o in orders):
            named = ", ".join(f"{o.id} ({o.status})" for o in orders)
            raise _refuse(f"nothing to hand over at stop {stop.id}: order {named}",
                          "nothing_left_at_stop", stop_id=stop.id, orders=[o.id for o in orders])
    else:  # failed: what was still to do at this stop fails with it
        todo = (S.RECEIVED, S.PLANNED) if stop.kind == "pickup" else (
            S.RECEIVED, S.PLANNED, S.PICKED_UP)
        moves = [(o, (S.FAILED,)) for o in orders if o.status in todo]
    return moves


#: the reasons of a failed pick-up that mean "come back later": the code, and the words
#: the courier's page sends
NOT_READY = frozenset({"not_ready", "Colis pas prêt"})


def not_ready(stop: Stop, kind: StopEventType, reason: str | None) -> bool:
    """Whether the event is a pick-up whose parcels were not ready: they stay open."""
    return kind == E.FAILED and stop.kind == "pickup" and (reason or "").strip() in NOT_READY


def _later(orders: list[Order], at: dt.datetime, day: dt.date, delay_min: int) -> None:
    """The parcels found not ready are ready ``delay_min`` after ``at`` (never earlier
    than they were said to be), at most at the end of the day."""
    ready = min(clock.seconds_into(day, at) + 60 * delay_min, 24 * 3600 - 60)
    for o in orders:
        if o.status in (S.RECEIVED, S.PLANNED):
            later = dt.time(ready // 3600, ready % 3600 // 60)
            o.ready_at = max(o.ready_at, later) if o.ready_at is not None else later


def address_elsewhere(session: Session, stop_id: int, courier_id: str, lon: float, lat: float) -> Stop:
    """The courier at a hand-over says the address is elsewhere, at their position: the
    stop's open orders move there, and their address is corrected for later orders."""
    stop, _ = _own_stop(session, stop_id, courier_id)
    if stop.kind != "delivery":
        raise _refuse(f"stop {stop.id} is a {stop.kind}: only a hand-over's address can be elsewhere",
                      "event_not_for_stop", stop_id=stop.id, kind=stop.kind, event="arrived")
    orders = session.scalars(select(Order).where(Order.id.in_(stop.order_ids)).with_for_update())
    for order in orders:
        if order.status in (S.RECEIVED, S.PLANNED, S.PICKED_UP):
            move_customer(session, order, lon, lat)
    return stop


def _existing(session: Session, stop_id: int, kind: StopEventType) -> StopEvent | None:
    return session.scalars(
        select(StopEvent).where(StopEvent.stop_id == stop_id, StopEvent.type == kind.value)
    ).first()


def record_event(
    session: Session, stop_id: int, courier_id: str, report: EventReport, *,
    user_id: int | None = None,
) -> Recorded:
    """Store one event of the courier's stop and move its orders; a retry of an event
    already stored returns the stored one (``created=False``) and changes nothing.

    Raises :class:`StopNotFoundError` when the stop is not on the courier's round of a
    plan in force, :class:`StopEventRefusedError` when the rules refuse the event.
    Flushes only: the caller commits (or rolls back everything on an error).
    """
    kind = StopEventType(report.type)
    stop, rnd = _own_stop(session, stop_id, courier_id)
    events = {
        e.type: e for e in session.scalars(select(StopEvent).where(StopEvent.stop_id == stop.id))
    }
    if kind.value in events:
        return Recorded(events[kind.value], False, rnd)
    if kind == E.FAILED and not (report.reason and report.reason.strip()):
        raise StopEventRefusedError("reason", "a failed event needs a reason", kind=ErrorKind.INVALID,
                                    code="reason_needed")
    at = event_time(rnd.plan.day, report.at)
    _check_sequence(stop, kind, events)
    orders = list(session.scalars(
        select(Order).where(Order.id.in_(stop.order_ids)).order_by(Order.id)
        .with_for_update().execution_options(populate_existing=True)
    )) if stop.order_ids else []
    later = not_ready(stop, kind, report.reason)
    moves = [] if later else _moves(stop, kind, orders)
    # A parcel on board that failed (or whose return failed) needs a return stop.
    back = kind == E.FAILED and (
        stop.kind == "return" or any(o.status == S.PICKED_UP for o, _ in moves))
    has_point = report.lon is not None and report.lat is not None
    event = StopEvent(
        stop_id=stop.id, type=kind.value, reason=report.reason, at=at,
        location=from_shape(Point(report.lon, report.lat), 4326) if has_point else None,
        user_id=user_id,
    )
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:
        # The same event from another request was committed between our look and our
        # insert: the first one stands, and its moves were made by that request.
        first = _existing(session, stop.id, kind)
        if first is None:
            raise
        return Recorded(first, False, rnd)
    if later:
        # Not ready: the orders stay open and wait a while; the worker inserts them
        # again like late orders (or says why it cannot).
        _later(orders, at, rnd.plan.day, get_settings().not_ready_delay_min)
    if later or back:
        note_late_orders(session, rnd.plan.day)
    reason = report.reason if kind == E.FAILED else None
    for order, steps in moves:
        for to in steps:
            try:
                move_order(session, order, to, reason=reason if to == S.FAILED else None,
                           user_id=user_id, at=at)
            except StatusError as e:
                raise StopEventRefusedError("type", e.problem, code=e.code, params=e.params) from None
    session.flush()
    if kind in FINISHING:
        announce_next(session, rnd)
    return Recorded(event, True, rnd, rnd.plan_id if later or back else None)


def announce_next(session: Session, rnd: Round) -> None:
    """The round's next stop is a hand-over: its customer is told the courier is on the
    way (once: the outbox's key), with the planned arrival shifted by the delay so far."""
    stops = round_stops(session, rnd)
    next_id = next_stop_id(stops)
    view = next((s for s in stops if s["stop_id"] == next_id), None)
    if view is None or view["kind"] != "delivery":
        return
    orders = [session.get(Order, o["order_id"]) for o in view["orders"]]
    live = [o for o in orders if o is not None and o.status == S.PICKED_UP]
    if live:
        tell_customer(session, live[0], "on_the_way", eta=arrival_estimate(rnd, stops, view))
