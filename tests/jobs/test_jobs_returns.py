"""A parcel whose hand-over failed comes back (in-process worker, real store and
network): a return stop to its shop within the shop's hours, or to the hub when the shop
is closed by then, when its return failed, or when ``RETURN_TO`` is ``hub``; the round
is not over while the parcel is on board, and its return moves no order."""

from __future__ import annotations

import datetime as dt

import pytest
from geoalchemy2.shape import to_shape
from replan_seed import publish_day, rounds
from sqlalchemy import select
from sqlalchemy.orm import Session

from couriers.round_view import courier_round, round_view
from couriers.stop_events import EventReport, StopEventRefusedError, record_event
from logistics.jobs.replan_jobs import apply_changes
from logistics.store.models import Order, PlanChange, Round, Shop, StopEvent, StopEventType
from logistics.store.plan_changes import note_late_orders

E = StopEventType


@pytest.fixture(scope="module")
def nodes(town):
    return town.graph("cargo_bike").node_coordinates()


def _tap(engine, stop_id: int, courier: str, *steps: tuple[str, str | None]):
    with Session(engine) as s:
        done = None
        for kind, reason in steps:
            done = record_event(s, stop_id, courier, EventReport(E(kind), reason))
        s.commit()
        return done


def _fail_a_parcel_on_board(engine, pid: int) -> tuple[str, str, int]:
    """The busiest courier picks up at their first shop and fails the hand-over of the
    first of those parcels: (courier, order, failed stop id)."""
    courier, stops = max(rounds(engine, pid).items(), key=lambda kv: len(kv[1]))
    pickup = next(st for st in stops if st[2] == "pickup")
    _tap(engine, pickup[0], courier, ("arrived", None), ("picked_up", None))
    drop = next(st for st in stops if st[2] == "delivery" and set(st[3]) & set(pickup[3]))
    done = _tap(engine, drop[0], courier, ("arrived", None), ("failed", "Client absent"))
    assert done is not None
    assert done.replan == pid, "a failed parcel on board asks the worker"
    return courier, sorted(set(drop[3]) & set(pickup[3]))[0], drop[0]


def _phone(engine, courier: str, day: dt.date) -> dict:
    with Session(engine) as s:
        return round_view(s, courier_round(s, courier, day))


def _change(engine, pid: int) -> PlanChange:
    with Session(engine) as s:
        change = s.scalars(select(PlanChange).where(PlanChange.plan_id == pid)
                           .order_by(PlanChange.id.desc())).first()
        s.expunge(change)
        return change


def test_a_failed_parcel_goes_back_to_its_shop_and_the_round_is_not_over_before(
        engine, town, nodes, clock):
    day = dt.date(2031, 4, 7)
    pid = publish_day(engine, town, nodes, day, "rt", time_limit_s=1)
    clock.on(day, "10:00")
    courier, order, failed_stop = _fail_a_parcel_on_board(engine, pid)
    planned = {o for sts in rounds(engine, pid).values() for st in sts if st[2] == "delivery" for o in st[3]}
    phone = _phone(engine, courier, day)
    assert phone["to_return"] == [{"order_id": order, "to": "shop"}]

    assert apply_changes(engine, pid, lambda: town) == "done"
    change = _change(engine, pid)
    assert (change.status, change.reason) == ("applied", "late_orders"), change.detail
    assert change.facts["returns"] == {order: "shop"}
    assert f"1 colis en échec à rapporter (au commerce : {order})" in change.detail
    after = rounds(engine, pid)
    mine = after[courier]
    at = [i for i, st in enumerate(mine) if st[2] == "return"]
    assert len(at) == 1, mine
    back = mine[at[0]]
    assert back[3] == (order,)
    assert at[0] > next(i for i, st in enumerate(mine) if st[0] == failed_stop)
    assert dt.time(10, 0) <= back[4] <= dt.time(19, 0), "while the shop is open, not before now"
    assert mine[-1][2] == "end"
    still = {o for sts in after.values() for st in sts if st[2] == "delivery" for o in st[3]}
    assert still == planned, "no order lost, none added"
    with Session(engine) as s:
        row = s.get(Order, order)
        assert row.status == "failed"
        shop_id = row.shop_id
    phone = _phone(engine, courier, day)
    stop = next(st for st in phone["stops"] if st["stop_id"] == back[0])
    assert (stop["kind"], stop["action"], stop["shop_id"], stop["status"]) == (
        "return", "bring_back", shop_id, "pending")
    assert stop["window"] == {"from": "08:00", "to": "19:00"}
    assert stop["address"].startswith("Shop ")

    # A hand-over event belongs to a delivery; the return takes arrived, then returned.
    with pytest.raises(StopEventRefusedError, match="delivered event belongs to a delivery"):
        _tap(engine, back[0], courier, ("arrived", None), ("delivered", None))
    clock.on(day, "12:00")
    _tap(engine, back[0], courier, ("arrived", None), ("returned", None))
    phone = _phone(engine, courier, day)
    assert phone["to_return"] == []
    assert next(st for st in phone["stops"] if st["stop_id"] == back[0])["status"] == "done"
    with Session(engine) as s:
        assert s.get(Order, order).status == "failed", "a parcel brought back stays failed"
    # Later changes keep the return as it was done, and add no other.
    with Session(engine) as s:
        note_late_orders(s, day)
        s.commit()
    assert apply_changes(engine, pid, lambda: town) == "done"
    assert [st[0] for st in rounds(engine, pid)[courier] if st[2] == "return"] == [back[0]]
    assert _change(engine, pid).facts["returns"] == {}


def test_a_shop_closed_by_then_sends_the_parcel_to_the_hub(engine, town, nodes, clock):
    day = dt.date(2031, 4, 8)
    pid = publish_day(engine, town, nodes, day, "rh", time_limit_s=1)
    clock.on(day, "10:00")
    courier, order, _ = _fail_a_parcel_on_board(engine, pid)
    with Session(engine) as s:
        s.get(Shop, s.get(Order, order).shop_id).closes = dt.time(10, 0)
        s.commit()
    assert apply_changes(engine, pid, lambda: town) == "done"
    change = _change(engine, pid)
    assert change.facts["returns"] == {order: "hub"}, change.detail
    assert f"au dépôt : {order}" in change.detail
    _hub_return_just_before_the_end(engine, pid, courier, order)


def _hub_return_just_before_the_end(engine, pid: int, courier: str, order: str) -> int:
    """The round ends with the return of ``order`` at the end's place and time, and the
    parcel rides on every stop still to do before it; the return stop's id."""
    with Session(engine) as s:
        rnd = s.scalars(select(Round).where(Round.plan_id == pid, Round.courier_id == courier)).one()
        stops = list(rnd.stops)
        back, end = stops[-2], stops[-1]
        assert (back.kind, back.order_ids, back.shop_id, end.kind) == ("return", [order], None, "end")
        assert to_shape(back.location).equals(to_shape(end.location))
        assert back.arrival == end.arrival
        reported = set(s.scalars(select(StopEvent.stop_id).where(
            StopEvent.stop_id.in_([st.id for st in stops]))))
        weight = s.get(Order, order).weight_kg
        todo = [st for st in stops[:-2] if st.id not in reported and st.kind != "start"]
        assert all(st.load_kg >= weight for st in todo), [(st.kind, st.load_kg) for st in todo]
        return back.id


def test_with_return_to_hub_the_parcel_rides_to_the_end(engine, town, nodes, clock, env):
    env(RETURN_TO="hub")
    day = dt.date(2031, 4, 9)
    pid = publish_day(engine, town, nodes, day, "rq", time_limit_s=1)
    clock.on(day, "10:00")
    courier, order, _ = _fail_a_parcel_on_board(engine, pid)
    assert _phone(engine, courier, day)["to_return"] == [{"order_id": order, "to": "hub"}]
    assert apply_changes(engine, pid, lambda: town) == "done"
    assert _change(engine, pid).facts["returns"] == {order: "hub"}
    back = _hub_return_just_before_the_end(engine, pid, courier, order)
    # Handed in at the hub: that cannot fail.
    _tap(engine, back, courier, ("arrived", None))
    with pytest.raises(StopEventRefusedError, match="cannot fail"):
        _tap(engine, back, courier, ("failed", "Autre"))
    _tap(engine, back, courier, ("returned", None))
    assert _phone(engine, courier, day)["to_return"] == []


def test_a_return_the_shop_refuses_goes_on_to_the_hub(engine, town, nodes, clock):
    day = dt.date(2031, 4, 10)
    pid = publish_day(engine, town, nodes, day, "rr", time_limit_s=1)
    clock.on(day, "10:00")
    courier, order, _ = _fail_a_parcel_on_board(engine, pid)
    assert apply_changes(engine, pid, lambda: town) == "done"
    back = next(st for st in rounds(engine, pid)[courier] if st[2] == "return")
    clock.on(day, "11:30")
    done = _tap(engine, back[0], courier, ("arrived", None), ("failed", "Commerce fermé"))
    assert done.replan == pid
    assert _phone(engine, courier, day)["to_return"] == [{"order_id": order, "to": "hub"}]
    assert apply_changes(engine, pid, lambda: town) == "done"
    assert _change(engine, pid).facts["returns"] == {order: "hub"}
    _hub_return_just_before_the_end(engine, pid, courier, order)


def test_a_failed_hand_over_of_a_parcel_never_picked_up_adds_no_return(engine, town, nodes, clock):
    day = dt.date(2031, 4, 11)
    pid = publish_day(engine, town, nodes, day, "rn", time_limit_s=1)
    clock.on(day, "10:00")
    courier, stops = max(rounds(engine, pid).items(), key=lambda kv: len(kv[1]))
    drop = next(st for st in stops if st[2] == "delivery")
    done = _tap(engine, drop[0], courier, ("arrived", None), ("failed", "Adresse introuvable"))
    assert done.replan is None
    assert _phone(engine, courier, day)["to_return"] == []
    with Session(engine) as s:
        assert s.scalars(select(PlanChange).where(PlanChange.plan_id == pid)).first() is None


def test_a_return_is_not_dropped_while_couriers_keep_reporting(
        engine, town, nodes, clock, monkeypatch):
    """Stops reported while the worker places the return, again and again: the late-orders
    change stays queued for the task to try again (it is nobody's request to repeat),
    where a dispatcher's move is refused as busy."""
    from logistics.jobs import replan_jobs

    day = dt.date(2031, 4, 14)
    pid = publish_day(engine, town, nodes, day, "rb", time_limit_s=1)
    clock.on(day, "10:00")
    courier, order, _ = _fail_a_parcel_on_board(engine, pid)
    calls = iter(range(1000))
    with monkeypatch.context() as m:
        m.setattr(replan_jobs, "_frozen_signature", lambda *a: {"changed": [next(calls)]})
        assert apply_changes(engine, pid, lambda: town) == "busy"
    assert (_change(engine, pid).status, _change(engine, pid).kind) == ("queued", "late_orders")
    assert apply_changes(engine, pid, lambda: town) == "done"
    assert _change(engine, pid).facts["returns"] == {order: "shop"}
