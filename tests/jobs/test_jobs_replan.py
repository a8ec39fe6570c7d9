"""Changing a plan in force (in-process, on the real store): late orders inserted and
orders moved between couriers, without touching the stops couriers did or are doing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from clock_fixtures import EVENING, MORNING
from factories import courier_row
from replan_seed import first_pickup, publish_day, rounds
from sqlalchemy import select
from sqlalchemy.orm import Session

from couriers.stop_events import EventReport, record_event
from logistics.inputs import Order
from logistics.jobs.replan_jobs import apply_changes
from logistics.store.models import Order as OrderRow
from logistics.store.models import (
    OrderStatus,
    Plan,
    PlanChange,
    Round,
    Stop,
    StopEvent,
    StopEventType,
)
from logistics.store.order_status import move_order
from logistics.store.orders import add_order
from logistics.store.plan_changes import note_late_orders, request_move
from logistics.store.plans import PlanError

H = 3600
DAY = dt.date(2031, 3, 10)
TZ = ZoneInfo("Europe/Paris")


def at(hour: float) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(0), TZ) + dt.timedelta(hours=hour)


@pytest.fixture(scope="module")
def nodes(town):
    return town.graph("cargo_bike").node_coordinates()


def oid(prefix: str, i: int) -> str:
    """The public id of order ``i`` of :func:`publish_day` (its shop's namespace)."""
    return f"{prefix}-s{i % 2}:{prefix}-o{i}"


@pytest.fixture(scope="module")
def plan_id(engine, town, nodes) -> int:
    """A published plan of 10 orders from 2 shops; two bikes at the hub, 08:00-19:00."""
    return publish_day(engine, town, nodes, DAY, "rp")


def report(engine, stop_id: int, *types: str, when: dt.datetime) -> None:
    """What the courier API writes: the stop's events and its orders' statuses."""
    with Session(engine) as s:
        stop = s.get(Stop, stop_id)
        for t in types:
            s.add(StopEvent(stop_id=stop_id, type=t, at=when))
            if t == "picked_up":
                for o in stop.order_ids:
                    move_order(s, s.get(OrderRow, o), OrderStatus.PICKED_UP)
        s.commit()


def test_late_order_goes_in_without_moving_what_is_done(engine, town, nodes, plan_id):
    before = rounds(engine, plan_id)
    assert len(before) == 1, "one bike takes all ten orders"
    (courier, stops), = before.items()
    first_pickup = next(st for st in stops if st[2] == "pickup")
    report(engine, first_pickup[0], "arrived", "picked_up", when=at(9.2))
    frozen = stops[: first_pickup[1] + 1]
    with Session(engine) as s:
        late = Order("rp-late", "rp-s0", None, *nodes[5], 1.0, 2.0, 9 * H, 12 * H, 18 * H)
        add_order(s, late, delivery_date=DAY)
        assert note_late_orders(s, DAY) == plan_id
        assert note_late_orders(s, DAY) == plan_id  # one queued change, not two
        s.commit()
        assert len(s.scalars(select(PlanChange).where(PlanChange.plan_id == plan_id)).all()) == 1

    assert apply_changes(engine, plan_id, lambda: town, now=at(9.5)) == "done"

    after = rounds(engine, plan_id)
    with Session(engine) as s:
        change = s.scalars(select(PlanChange).where(PlanChange.plan_id == plan_id)).one()
        assert change.status == "applied", change.detail
        assert "rp-late" in change.detail
        plan = s.get(Plan, plan_id)
        assert plan.revision == 1
        assert s.get(OrderRow, "rp-s0:rp-late").status == "planned"
    # The stops done stay as they were: same rows, same order, same times.
    assert after[courier][: len(frozen)] == frozen
    on = {o: c for c, sts in after.items() for st in sts if st[2] == "delivery" for o in st[3]}
    assert "rp-s0:rp-late" in on
    # Orders already on a round stay with their courier; picked-up ones are not collected again.
    assert all(on[oid("rp", i)] == courier for i in range(10))
    picked = set(first_pickup[3])
    later_pickups = {o for st in after[courier][len(frozen):] if st[2] == "pickup" for o in st[3]}
    assert not picked & later_pickups
    # Nothing is planned before the courier is free again.
    assert all(st[4] >= dt.time(9, 12) for st in after[courier][len(frozen):])


def test_move_to_another_courier_is_applied_and_retimed(engine, town, plan_id):
    before = rounds(engine, plan_id)
    (courier, stops), = before.items()
    other = "rp-c1" if courier == "rp-c0" else "rp-c0"
    pending = [st for st in stops if st[2] == "delivery" and st[0] not in _frozen_ids(engine, plan_id)]
    target = next(o for st in pending for o in st[3] if not o.endswith(":rp-late"))
    with Session(engine) as s:
        request_move(s, s.get(Plan, plan_id), target, other)
        s.commit()
    assert apply_changes(engine, plan_id, lambda: town, now=at(9.6)) == "done"
    after = rounds(engine, plan_id)
    with Session(engine) as s:
        change = s.scalars(select(PlanChange).where(PlanChange.kind == "move", PlanChange.plan_id == plan_id)).one()
        assert (change.status, change.reason) == ("applied", "moved"), change.detail
        assert change.detail.startswith(f"Commande {target} confiée à {other}, arrivée prévue à ")
    assert other in after
    assert target in {o for st in after[other] if st[2] == "delivery" for o in st[3]}
    assert target not in {o for st in after[courier] for o in st[3]}
    # Its pick-up went with it, before its drop; times run forward.
    kinds = [(st[2], st[3]) for st in after[other]]
    pick = next(i for i, (k, ids) in enumerate(kinds) if k == "pickup" and target in ids)
    drop = next(i for i, (k, ids) in enumerate(kinds) if k == "delivery" and target in ids)
    assert pick < drop
    arrivals = [st[4] for st in after[other]]
    assert arrivals == sorted(arrivals)
    # The re-timed rounds' stops have their legs again, adding up to the new distances.
    with Session(engine) as s:
        for row in s.get(Plan, plan_id).rounds:
            assert [st.leg_m is None for st in row.stops] == [True] + [False] * (len(row.stops) - 1)
            assert sum(st.leg_m for st in row.stops[1:]) == row.distance_m


def _frozen_ids(engine, plan_id) -> set[int]:
    with Session(engine) as s:
        return set(s.scalars(select(StopEvent.stop_id).join(Stop).join(Round).where(Round.plan_id == plan_id)))


def test_moves_that_cannot_be_are_refused_with_the_reason(engine, town, plan_id):
    with Session(engine) as s:
        plan = s.get(Plan, plan_id)
        picked = s.scalars(select(OrderRow).where(OrderRow.status == "picked_up", OrderRow.id.like("rp-s_:rp-%"))).first()
        with pytest.raises(PlanError, match="picked_up") as e:
            request_move(s, plan, picked.id, "rp-c1")
        assert e.value.field == "order_id"
        with pytest.raises(PlanError, match="no courier") as e:
            request_move(s, plan, oid("rp", 1), "nobody")
        assert (e.value.field, e.value.conflict) == ("courier_id", False)
        with pytest.raises(PlanError, match="no order"):
            request_move(s, plan, "nope", "rp-c1")
        # A courier who cannot carry the order: the worker refuses the move, with the reason.
        s.add(courier_row("rp-walker", (3.08, 50.37), mode="foot", capacity_kg=1, capacity_l=50,
                          shift=("08:00", "19:00")))
        s.flush()
        mover = next(o for o in (oid("rp", i) for i in range(10)) if s.get(OrderRow, o).status == "planned")
        request_move(s, plan, mover, "rp-walker")
        s.commit()
    on = rounds(engine, plan_id)
    assert apply_changes(engine, plan_id, lambda: town, now=at(9.8)) == "done"
    with Session(engine) as s:
        change = s.scalars(select(PlanChange).where(PlanChange.courier_id == "rp-walker")).one()
        assert (change.status, change.reason) == ("refused", "order_not_placed")
        assert change.facts["order_reason"] == "too_heavy"
        assert change.facts["order_facts"]["weight"] == 2000
        assert change.detail.startswith(f"rp-walker ne peut pas prendre la commande {mover} : trop lourde (2 kg")
        assert s.get(Plan, plan_id).revision == 2  # the two changes before, not this one
    assert rounds(engine, plan_id) == on


#: days and hours of the clock-dependent re-plans: a plain day at a morning and an evening
#: hour, and the two days the clocks change in Europe/Paris (23 and 25 hours long)
CLOCK_CASES = [
    (dt.date(2031, 3, 11), MORNING), (dt.date(2031, 3, 12), EVENING),
    (dt.date(2031, 3, 30), MORNING), (dt.date(2033, 3, 27), EVENING),
    (dt.date(2031, 10, 26), MORNING), (dt.date(2033, 10, 30), EVENING),
]


@pytest.mark.parametrize(("day", "hour"), CLOCK_CASES, ids=[f"{d}-{h}" for d, h in CLOCK_CASES])
def test_a_move_at_the_clocks_hour_plans_nothing_before_now(engine, town, nodes, clock, day, hour):
    """The worker reads the clock (no ``now`` given): after the move, every stop still to
    do is at or after the clock's local wall time, on a plain day and on the days the
    clocks change (where hours since midnight and wall time differ by one)."""
    tag = f"ck{day:%m%d}{hour[:2]}"
    pid = publish_day(engine, town, nodes, day, tag, opens=7, closes=23)
    courier, pickup = first_pickup(engine, pid)
    h, m = (int(x) for x in hour.split(":"))
    tapped = dt.datetime.combine(day, dt.time(h, m), TZ) - dt.timedelta(minutes=5)
    report(engine, pickup[0], "arrived", "picked_up", when=tapped)
    clock.on(day, hour)
    other = f"{tag}-c1" if courier == f"{tag}-c0" else f"{tag}-c0"
    frozen = _frozen_ids(engine, pid)
    with Session(engine) as s:
        target = next(o for st in rounds(engine, pid)[courier] if st[2] == "delivery"
                      and st[0] not in frozen for o in st[3] if o not in pickup[3])
        request_move(s, s.get(Plan, pid), target, other)
        s.commit()
    assert apply_changes(engine, pid, lambda: town) == "done"
    with Session(engine) as s:
        change = s.scalars(select(PlanChange).where(PlanChange.plan_id == pid)).one()
        assert change.status == "applied", change.detail
    after = rounds(engine, pid)
    still_to_do = [st for sts in after.values() for st in sts if st[0] not in frozen and st[2] != "start"]
    assert still_to_do
    now_wall = dt.time(h, m)
    assert all(st[4] >= now_wall for st in still_to_do), [(st[2], st[4]) for st in still_to_do]
    assert target in {o for st in after[other] if st[2] == "delivery" for o in st[3]}


def test_an_event_of_another_day_is_not_read_as_a_time_of_this_one(engine, town, nodes, clock):
    """An event stored with an instant of the evening before (written straight to the
    store, as before the API checked event days) does not make the courier busy until
    that evening's hour today: the late order still goes in at the morning's now."""
    day = dt.date(2031, 3, 13)
    pid = publish_day(engine, town, nodes, day, "ck-eve")
    courier, pickup = first_pickup(engine, pid)
    report(engine, pickup[0], "arrived", "picked_up",
           when=dt.datetime.combine(day - dt.timedelta(days=1), dt.time(19, 40), TZ))
    clock.on(day, MORNING)
    with Session(engine) as s:
        add_order(s, Order("ck-eve-late", "ck-eve-s0", None, *nodes[5], 1.0, 2.0, 9 * H, 12 * H, 18 * H),
                  delivery_date=day)
        assert note_late_orders(s, day) == pid
        s.commit()
    assert apply_changes(engine, pid, lambda: town) == "done"
    with Session(engine) as s:
        change = s.scalars(select(PlanChange).where(PlanChange.plan_id == pid)).one()
        assert change.status == "applied", change.detail
        assert s.get(OrderRow, "ck-eve-s0:ck-eve-late").status == "planned", change.detail
    after = rounds(engine, pid)
    arrivals = [st[4] for sts in after.values() for st in sts if "ck-eve-s0:ck-eve-late" in st[3]]
    assert arrivals
    assert all(dt.time(8, 30) <= a < dt.time(19) for a in arrivals)


def test_a_change_on_a_day_that_is_over_is_refused(engine, town, nodes, clock):
    day = dt.date(2031, 3, 14)
    pid = publish_day(engine, town, nodes, day, "ck-over")
    clock.on(day + dt.timedelta(days=1), "00:10")
    with Session(engine) as s:
        request_move(s, s.get(Plan, pid), oid("ck-over", 1), "ck-over-c1")
        s.commit()
    assert apply_changes(engine, pid, lambda: town) == "done"
    with Session(engine) as s:
        change = s.scalars(select(PlanChange).where(PlanChange.plan_id == pid)).one()
        assert (change.status, change.reason) == ("refused", "day_over")
        assert change.detail == f"La journée du {day} est terminée : rien n'a été changé."


def test_a_parcel_not_ready_is_collected_again_later(engine, town, nodes, clock):
    """"Colis pas prêt" at a shop: the orders stay open, ready 30 min later (the
    default), and the worker puts a new pick-up for them on the round, after that."""
    day = dt.date(2031, 3, 17)
    pid = publish_day(engine, town, nodes, day, "nr")
    courier, pickup = first_pickup(engine, pid)
    clock.on(day, "09:00")
    with Session(engine) as s:
        for kind, reason in (("arrived", None), ("failed", "Colis pas prêt")):
            done = record_event(s, pickup[0], courier, EventReport(StopEventType(kind), reason))
        assert done.replan == pid
        s.commit()
    with Session(engine) as s:
        for o in pickup[3]:
            row = s.get(OrderRow, o)
            assert row.status == "planned", row.status
            assert row.ready_at == dt.time(9, 30)
        queued = s.scalars(select(PlanChange).where(PlanChange.plan_id == pid)).one()
        assert (queued.kind, queued.status) == ("late_orders", "queued")
    assert apply_changes(engine, pid, lambda: town) == "done"
    with Session(engine) as s:
        change = s.scalars(select(PlanChange).where(PlanChange.plan_id == pid)).one()
        assert (change.status, change.reason) == ("applied", "late_orders"), change.detail
        assert sorted(change.facts["inserted"]) == sorted(pickup[3]), change.detail
    after = rounds(engine, pid)[courier]
    failed_at = next(i for i, st in enumerate(after) if st[0] == pickup[0])
    again = [st for st in after[failed_at + 1:] if st[2] == "pickup" and set(st[3]) & set(pickup[3])]
    assert again, "a new pick-up of the parcels"
    assert all(st[4] >= dt.time(9, 30) for st in again)
    drops = [i for i, st in enumerate(after) if st[2] == "delivery" and set(st[3]) & set(pickup[3])]
    assert min(drops) > after.index(again[0])


def test_a_pickup_failed_for_another_reason_fails_its_orders(engine, town, nodes, clock):
    day = dt.date(2031, 3, 18)
    pid = publish_day(engine, town, nodes, day, "nf")
    courier, pickup = first_pickup(engine, pid)
    clock.on(day, "09:00")
    with Session(engine) as s:
        for kind, reason in (("arrived", None), ("failed", "Commerce fermé")):
            done = record_event(s, pickup[0], courier, EventReport(StopEventType(kind), reason))
        assert done.replan is None
        s.commit()
    with Session(engine) as s:
        assert {s.get(OrderRow, o).status for o in pickup[3]} == {"failed"}
        assert s.scalars(select(PlanChange).where(PlanChange.plan_id == pid)).first() is None
