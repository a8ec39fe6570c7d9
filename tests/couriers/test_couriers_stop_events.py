"""Stop events on a real PostGIS: arrived first, then one finishing event of the stop's
kind; orders move with them (and their events are written); a retry returns the first
event; a copy racing in from another transaction is settled by the UNIQUE constraint; an
event's time falls on its round's day."""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from couriers.round_view import courier_round, round_view
from couriers.stop_events import (
    EventReport,
    StopEventRefusedError,
    StopNotFoundError,
    record_event,
)
from logistics.store.models import (
    Order,
    OrderEvent,
    OrderStatus,
    Plan,
    StopEvent,
    StopEventType,
    User,
)
from logistics.store.order_status import move_order

E = StopEventType
PARIS = ZoneInfo("Europe/Paris")


def noon(seeded) -> dt.datetime:
    """12:01 local on the seeded day (the ``seeded`` fixture sets the clock to 14:00)."""
    return dt.datetime.combine(seeded.day, dt.time(12, 1), PARIS)


def report(kind: StopEventType, **kw) -> EventReport:
    return EventReport(kind, **kw)


def post(engine, seeded, stop: str, kind: StopEventType, *, courier: str | None = None, **kw):
    """Record one event in its own transaction, committed; returns (event type, created)."""
    with Session(engine) as s:
        stop_id = seeded.stops.get(stop) or seeded.other_stops[stop.removeprefix("other_")]
        done = record_event(s, stop_id, courier or seeded.courier, report(kind, **kw))
        s.commit()
        return done.event.type, done.created, done.event.at


def statuses(engine, seeded, *keys: str) -> list[str]:
    with Session(engine) as s:
        return [s.get(Order, seeded.orders[k]).status for k in keys]


def refused(engine, seeded, stop: str, kind: StopEventType, **kw) -> StopEventRefusedError:
    with pytest.raises(StopEventRefusedError) as caught:
        post(engine, seeded, stop, kind, **kw)
    return caught.value


def test_a_pickup_then_a_hand_over_move_the_orders_with_their_events(engine, seeded):
    with Session(engine) as s:
        user_id = s.scalars(select(User.id).where(User.courier_id == seeded.courier)).one()
    assert post(engine, seeded, "bakery", E.ARRIVED, at=noon(seeded))[:2] == ("arrived", True)
    assert statuses(engine, seeded, "o1", "o2") == ["planned", "planned"]
    with Session(engine) as s:
        record_event(s, seeded.stops["bakery"], seeded.courier, report(E.PICKED_UP, lon=3.079, lat=50.371),
                     user_id=user_id)
        s.commit()
    assert statuses(engine, seeded, "o1", "o2") == ["picked_up", "picked_up"]
    post(engine, seeded, "home_1", E.ARRIVED)
    post(engine, seeded, "home_1", E.DELIVERED)
    assert statuses(engine, seeded, "o1", "o2", "o3") == ["delivered", "delivered", "planned"]
    with Session(engine) as s:
        moves = s.execute(
            select(OrderEvent.from_status, OrderEvent.to_status, OrderEvent.user_id)
            .where(OrderEvent.order_id == seeded.orders["o1"]).order_by(OrderEvent.id)
        ).all()
        assert [tuple(m) for m in moves] == [
            (None, "received", None), ("received", "planned", None),
            ("planned", "picked_up", user_id), ("picked_up", "delivered", None),
        ]
        picked = s.scalars(select(StopEvent).where(
            StopEvent.stop_id == seeded.stops["bakery"], StopEvent.type == "picked_up")).one()
        assert picked.location is not None
        assert picked.user_id == user_id
        v = round_view(s, courier_round(s, seeded.courier, seeded.day))
    status = [st["status"] for st in v["stops"]]
    assert status == ["done", "done", "pending", "done", "pending", "pending"]
    assert v["next_stop_id"] == seeded.stops["books"]
    assert [e["type"] for e in v["stops"][1]["events"]] == ["arrived", "picked_up"]


def test_failed_at_a_pickup_fails_its_orders_with_the_reason(engine, seeded):
    post(engine, seeded, "bakery", E.ARRIVED)
    post(engine, seeded, "bakery", E.FAILED, reason="shop closed")
    assert statuses(engine, seeded, "o1", "o2") == ["failed", "failed"]
    with Session(engine) as s:
        o1 = s.get(Order, seeded.orders["o1"])
        assert o1.status_reason == "shop closed"
        assert o1.events[-1].reason == "shop closed"
        v = round_view(s, courier_round(s, seeded.courier, seeded.day))
    by_id = {st["stop_id"]: st["status"] for st in v["stops"]}
    assert by_id[seeded.stops["bakery"]] == "failed"
    # nothing left to hand over at the basket's door: skippable
    assert by_id[seeded.stops["home_1"]] == "cancelled"
    assert v["next_stop_id"] == seeded.stops["books"]


def test_failed_at_a_delivery_fails_the_orders_on_board(engine, seeded):
    post(engine, seeded, "books", E.ARRIVED)
    post(engine, seeded, "books", E.PICKED_UP)
    post(engine, seeded, "home_2", E.ARRIVED)
    post(engine, seeded, "home_2", E.FAILED, reason="nobody home")
    assert statuses(engine, seeded, "o3") == ["failed"]


def test_a_retry_returns_the_first_event_unchanged(engine, seeded):
    first = post(engine, seeded, "bakery", E.ARRIVED, at=noon(seeded))
    again = post(engine, seeded, "bakery", E.ARRIVED, at=noon(seeded) + dt.timedelta(minutes=9))
    assert first == ("arrived", True, noon(seeded))
    assert again == ("arrived", False, noon(seeded))
    post(engine, seeded, "bakery", E.FAILED, reason="closed")
    # the same finishing event again: the first one, not "finished"
    assert post(engine, seeded, "bakery", E.FAILED, reason="other words")[:2] == ("failed", False)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(StopEvent)
                        .where(StopEvent.stop_id == seeded.stops["bakery"])) == 2
        assert s.get(Order, seeded.orders["o1"]).status_reason == "closed"


def test_events_out_of_order_are_refused(engine, seeded):
    cases = [
        ("start", E.ARRIVED, "start: it takes no events"),
        ("end", E.ARRIVED, "end: it takes no events"),
        ("bakery", E.PICKED_UP, "out of order"),
        ("bakery", E.DELIVERED, "belongs to a delivery stop"),
        ("home_1", E.PICKED_UP, "belongs to a pickup stop"),
        ("home_1", E.DELIVERED, "out of order"),
        ("home_1", E.FAILED, "out of order"),
    ]
    for stop, kind, words in cases:
        e = refused(engine, seeded, stop, kind, reason="x")
        assert e.conflict, (stop, kind)
        assert words in e.problem, (stop, kind, e.problem)
    post(engine, seeded, "home_1", E.ARRIVED)
    e = refused(engine, seeded, "home_1", E.DELIVERED)
    assert seeded.orders["o1"] in e.problem
    assert "picked up" in e.problem
    post(engine, seeded, "bakery", E.ARRIVED)
    post(engine, seeded, "bakery", E.PICKED_UP)
    e = refused(engine, seeded, "bakery", E.FAILED, reason="too late")
    assert "finished (picked_up)" in e.problem
    assert statuses(engine, seeded, "o1") == ["picked_up"]


def test_failed_needs_a_reason(engine, seeded):
    post(engine, seeded, "bakery", E.ARRIVED)
    for reason in (None, "  "):
        e = refused(engine, seeded, "bakery", E.FAILED, reason=reason)
        assert (e.field, e.conflict) == ("reason", False)


def test_a_cancelled_order_stays_at_the_shop(engine, seeded):
    with Session(engine) as s:
        move_order(s, s.get(Order, seeded.orders["o2"]), OrderStatus.CANCELLED, reason="changed mind")
        move_order(s, s.get(Order, seeded.orders["o3"]), OrderStatus.CANCELLED, reason="changed mind")
        s.commit()
    post(engine, seeded, "bakery", E.ARRIVED)
    post(engine, seeded, "bakery", E.PICKED_UP)
    assert statuses(engine, seeded, "o1", "o2") == ["picked_up", "cancelled"]
    post(engine, seeded, "books", E.ARRIVED)
    e = refused(engine, seeded, "books", E.PICKED_UP)
    assert f"{seeded.orders['o3']} (cancelled)" in e.problem
    post(engine, seeded, "home_1", E.ARRIVED)
    post(engine, seeded, "home_1", E.DELIVERED)
    assert statuses(engine, seeded, "o1", "o2") == ["delivered", "cancelled"]


def test_an_order_not_yet_planned_is_planned_on_the_way(engine, seeded):
    """Robustness: an order of a published round still ``received`` gets both moves."""
    with Session(engine) as s:
        s.get(Order, seeded.orders["o3"]).status = OrderStatus.RECEIVED.value
        s.commit()
    post(engine, seeded, "books", E.ARRIVED)
    post(engine, seeded, "books", E.PICKED_UP)
    with Session(engine) as s:
        moves = s.scalars(select(OrderEvent.to_status).where(
            OrderEvent.order_id == seeded.orders["o3"]).order_by(OrderEvent.id)).all()
    assert moves[-2:] == ["planned", "picked_up"]


def test_only_the_couriers_own_stops_of_a_plan_in_force(engine, seeded, unpublished):
    with pytest.raises(StopNotFoundError):
        post(engine, seeded, "other_bakery", E.ARRIVED)  # courier 1 on courier 2's stop
    assert post(engine, seeded, "other_bakery", E.ARRIVED, courier=seeded.other_courier)[1]
    with Session(engine) as s, pytest.raises(StopNotFoundError):
        record_event(s, unpublished.stops["bakery"], unpublished.courier, report(E.ARRIVED))
    with Session(engine) as s, pytest.raises(StopNotFoundError):
        record_event(s, 2_000_000_000, seeded.courier, report(E.ARRIVED))
    with Session(engine) as s:
        s.get(Plan, seeded.plan_id).withdrawn_at = func.now()
        s.commit()
    with pytest.raises(StopNotFoundError):
        post(engine, seeded, "home_1", E.ARRIVED)


def test_a_copy_committed_during_the_insert_is_returned_not_doubled(engine, seeded):
    """The UNIQUE (stop, type) backstop: another transaction inserts the same event and
    commits while ours waits on the index; ours returns that event and writes nothing."""
    stop_id = seeded.stops["bakery"]
    other = Session(engine)
    other.add(StopEvent(stop_id=stop_id, type="arrived", at=noon(seeded)))
    other.flush()  # inserted, not committed: invisible to ours, but holds the index entry
    out: dict[str, object] = {}

    def ours() -> None:
        with Session(engine) as s:
            done = record_event(s, stop_id, seeded.courier, report(E.ARRIVED, at=noon(seeded) + dt.timedelta(hours=1)))
            out["created"], out["at"] = done.created, done.event.at
            s.commit()

    thread = threading.Thread(target=ours)
    thread.start()
    time.sleep(0.5)  # ours is now blocked on the unique index
    other.commit()
    other.close()
    thread.join(10)
    assert out == {"created": False, "at": noon(seeded)}
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(StopEvent)
                        .where(StopEvent.stop_id == stop_id)) == 1


def test_an_event_dated_on_another_day_is_refused_naming_at(engine, seeded, clock):
    """A courier who opens another day's round and taps, or a phone whose queue carries a
    time of another day: 422 on ``at``, nothing stored, no order moved."""
    day = seeded.day
    for wrong in (dt.datetime.combine(day - dt.timedelta(days=1), dt.time(19, 40), PARIS),
                  dt.datetime.combine(day - dt.timedelta(days=2), dt.time(9), PARIS),
                  dt.datetime.combine(day, dt.time(0), PARIS) - dt.timedelta(seconds=1)):
        e = refused(engine, seeded, "bakery", E.ARRIVED, at=wrong)
        assert (e.field, e.conflict) == ("at", False)
        assert day.isoformat() in e.problem
        assert wrong.date().isoformat() in e.problem
    # No time given: "now" is the clock's, two days before the round's day.
    clock.on(day - dt.timedelta(days=2), "10:00")
    e = refused(engine, seeded, "bakery", E.ARRIVED)
    assert e.field == "at"
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(StopEvent)
                        .where(StopEvent.stop_id == seeded.stops["bakery"])) == 0
    assert statuses(engine, seeded, "o1", "o2") == ["planned", "planned"]


def test_a_late_round_may_tap_shortly_after_midnight(engine, seeded, clock):
    day, next_day = seeded.day, seeded.day + dt.timedelta(days=1)
    clock.on(next_day, "02:00")
    within = dt.datetime.combine(next_day, dt.time(0, 40), PARIS)
    assert post(engine, seeded, "bakery", E.ARRIVED, at=within)[1:] == (True, within)
    too_late = dt.datetime.combine(next_day, dt.time(1, 5), PARIS)
    e = refused(engine, seeded, "bakery", E.PICKED_UP, at=too_late)
    assert e.field == "at"
    assert day.isoformat() in e.problem


def test_a_time_ahead_of_the_clock_is_recorded_as_now(engine, seeded, clock):
    """A phone whose clock runs fast: the event happened now, not in the future."""
    now = clock.on(seeded.day, "11:00")
    ahead = dt.datetime.combine(seeded.day, dt.time(11, 45), PARIS)
    _, created, at = post(engine, seeded, "bakery", E.ARRIVED, at=ahead)
    assert created
    assert now <= at < now + dt.timedelta(minutes=1)


def test_without_a_time_the_event_is_at_the_clocks_now(engine, seeded, clock):
    now = clock.on(seeded.day, "19:40")
    _, _, at = post(engine, seeded, "bakery", E.ARRIVED)
    assert now <= at < now + dt.timedelta(minutes=1)
    assert at.astimezone(PARIS).date() == seeded.day
