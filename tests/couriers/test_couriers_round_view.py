"""The courier's round on a real PostGIS: found only in the plan in force, stops in seq
order with what to do, where, when and with what, statuses derived from events and
orders, and the next stop."""

from __future__ import annotations

import datetime as dt

import pytest
from courier_seed import BAKERY, HUB
from sqlalchemy import func
from sqlalchemy.orm import Session

from couriers.round_view import courier_round, next_stop_id, round_view, stop_status
from logistics.store.models import Order, OrderStatus, Plan
from logistics.store.order_status import move_order


def view(engine, courier: str, day: dt.date) -> dict | None:
    with Session(engine) as s:
        rnd = courier_round(s, courier, day)
        return round_view(s, rnd) if rnd is not None else None


def test_the_round_lists_its_stops_in_order_with_what_to_do(engine, seeded):
    v = view(engine, seeded.courier, seeded.day)
    assert v is not None
    assert (v["plan_id"], v["plan_revision"], v["date"]) == (seeded.plan_id, 2, seeded.day.isoformat())
    assert (v["round_id"], v["courier_id"], v["mode"]) == (seeded.round_id, seeded.courier, "cargo_bike")
    assert (v["distance_m"], v["duration_s"]) == (7400, 5400)
    assert v["geometry"]["type"] == "Feature"
    assert v["geometry"]["geometry"]["type"] == "LineString"
    assert v["geometry"]["geometry"]["coordinates"][:2] == [list(HUB), list(BAKERY)]  # lon, lat
    stops = v["stops"]
    assert [s["seq"] for s in stops] == [0, 1, 2, 3, 4, 5]
    assert [s["stop_id"] for s in stops] == list(seeded.stops.values())
    assert [s["kind"] for s in stops] == ["start", "pickup", "pickup", "delivery", "delivery", "end"]
    assert [s["action"] for s in stops] == [None, "pick_up", "pick_up", "hand_over", "hand_over", None]
    assert {s["status"] for s in stops} == {"pending"}
    assert v["next_stop_id"] == seeded.stops["bakery"]

    start, bakery, books, home_1, home_2, end = stops
    assert (bakery["lon"], bakery["lat"]) == BAKERY
    assert bakery["address"] == f"Boulangerie {seeded.prefix}, 12 rue de Bellain, Douai"
    assert books["address"] == f"Librairie {seeded.prefix}"  # the shop has no street address
    assert home_1["address"] == "Mme Martin, 3 place d'Armes, Douai"
    assert home_2["address"] is None
    # pickup: from the later of opening and the last parcel ready, until closing
    assert bakery["window"] == {"from": "10:15", "to": "19:00"}
    assert books["window"] == {"from": "10:00", "to": "24:00"}
    assert home_1["window"] == {"from": "14:00", "to": "16:00"}
    assert start["window"] is None
    assert end["window"] is None
    assert (bakery["eta"], bakery["departure"], bakery["load_kg"], bakery["load_l"]) == ("12:00", "12:05", 3.5, 7.0)
    assert bakery["orders"] == [
        {"order_id": seeded.orders["o1"], "shop_id": seeded.bakery,
         "shop_name": f"Boulangerie {seeded.prefix}", "weight_kg": 2.0, "volume_l": 5.0,
         "status": "planned"},
        {"order_id": seeded.orders["o2"], "shop_id": seeded.bakery,
         "shop_name": f"Boulangerie {seeded.prefix}", "weight_kg": 1.5, "volume_l": 3.0,
         "status": "planned"},
    ]
    assert home_2["orders"][0]["order_id"] == seeded.orders["o3"]
    assert all(s["events"] == [] for s in stops)


def test_a_courier_sees_only_their_own_round(engine, seeded):
    mine = view(engine, seeded.courier, seeded.day)
    theirs = view(engine, seeded.other_courier, seeded.day)
    assert theirs is not None
    assert mine is not None
    assert theirs["round_id"] == seeded.other_round_id
    assert [s["stop_id"] for s in theirs["stops"]] == list(seeded.other_stops.values())
    assert seeded.orders["o4"] not in str(mine)
    assert seeded.orders["o1"] not in str(theirs)
    # no street path stored: a Feature with a null geometry
    assert theirs["geometry"]["geometry"] is None


def test_no_round_without_a_plan_in_force(engine, seeded, unpublished):
    assert view(engine, unpublished.courier, unpublished.day) is None
    assert view(engine, seeded.courier, seeded.day + dt.timedelta(days=400)) is None
    assert view(engine, seeded.other_courier, seeded.day) is not None
    assert view(engine, unpublished.courier, seeded.day) is None  # in force, but not their round
    with Session(engine) as s:
        s.get(Plan, seeded.plan_id).withdrawn_at = func.now()
        s.commit()
    assert view(engine, seeded.courier, seeded.day) is None


def test_cancelled_orders_make_their_stops_skippable(engine, seeded):
    with Session(engine) as s:
        move_order(s, s.get(Order, seeded.orders["o3"]), OrderStatus.CANCELLED, reason="customer away")
        move_order(s, s.get(Order, seeded.orders["o2"]), OrderStatus.CANCELLED, reason="out of stock")
        s.commit()
    v = view(engine, seeded.courier, seeded.day)
    status = {s["stop_id"]: s["status"] for s in v["stops"]}
    assert status[seeded.stops["books"]] == "cancelled"
    assert status[seeded.stops["home_2"]] == "cancelled"
    # one order of two left: the stop stays, its window follows the order left
    assert status[seeded.stops["bakery"]] == "pending"
    bakery = next(s for s in v["stops"] if s["stop_id"] == seeded.stops["bakery"])
    assert bakery["window"] == {"from": "09:30", "to": "19:00"}
    assert [o["status"] for o in bakery["orders"]] == ["planned", "cancelled"]


@pytest.mark.parametrize(
    ("kind", "events", "orders", "started", "expected"),
    [
        ("pickup", [], ["planned"], False, "pending"),
        ("pickup", ["arrived"], ["planned"], True, "arrived"),
        ("pickup", ["arrived", "picked_up"], ["picked_up"], True, "done"),
        ("delivery", ["arrived", "delivered"], ["delivered"], True, "done"),
        ("delivery", ["arrived", "failed"], ["failed"], True, "failed"),
        ("delivery", [], ["cancelled", "failed"], True, "cancelled"),
        ("pickup", ["arrived"], ["cancelled"], True, "cancelled"),
        ("pickup", [], [], False, "pending"),
        ("start", [], [], False, "pending"),
        ("start", [], [], True, "done"),
        ("end", [], [], True, "pending"),
    ],
)
def test_stop_status_is_derived(kind, events, orders, started, expected):
    assert stop_status(kind, events, orders, round_started=started) == expected


def test_next_stop_skips_the_start_and_finished_stops():
    stops = [{"stop_id": i, "kind": k, "status": st} for i, (k, st) in enumerate([
        ("start", "pending"), ("pickup", "done"), ("pickup", "cancelled"), ("delivery", "arrived"),
        ("end", "pending")])]
    assert next_stop_id(stops) == 3
    stops[3]["status"] = "failed"
    assert next_stop_id(stops) == 4
    assert next_stop_id([]) is None
