"""A day planned on a real street network keeps every promise made to shops and customers."""

from __future__ import annotations

import pytest
from shared_data import shared_file

from logistics.demo_day import generate_day
from logistics.planning import PlanSettings, plan_day
from logistics.timeofday import parse_clock
from routing.network import load_network


@pytest.fixture(scope="module")
def network():
    return load_network(shared_file("osm", "mulhouse-centre.osm.pbf"))


@pytest.fixture(scope="module")
def day(network):
    return generate_day(network.graph("cargo_bike").node_coordinates(), seed=11, n_orders=60)


@pytest.fixture(scope="module")
def plan(network, day):
    """The plan document in its JSON form, as plan.json holds it."""
    return plan_day(day, network, PlanSettings(time_limit_s=30, solution_limit=60, seed=1)).model_dump(mode="json")


def test_every_delivery_is_in_its_slot_and_every_pickup_in_its_hours(day, plan):
    orders = {o.order_id: o for o in day.orders}
    shops = day.shop_by_id()
    couriers = {c.courier_id: c for c in day.couriers}
    assert plan["rounds"]
    for r in plan["rounds"]:
        courier = couriers[r["courier_id"]]
        stops = r["stops"]
        assert parse_clock(stops[0]["departure"]) >= courier.shift_start
        assert parse_clock(stops[-1]["arrival"]) <= courier.shift_end
        for s in stops:
            assert s["load_kg"] <= courier.capacity_kg + 1e-9
            assert s["load_l"] <= courier.capacity_l + 1e-9
            t = parse_clock(s["arrival"])
            for oid in s["order_ids"]:
                o = orders[oid]
                if s["kind"] == "delivery":
                    assert o.deliver_from <= t <= o.deliver_to, (oid, s["arrival"])
                elif s["kind"] == "pickup":
                    assert t >= o.ready_at
                    if o.shop_id is not None:
                        shop = shops[o.shop_id]
                        assert shop.opens <= t <= shop.closes
                        assert s["shop_id"] == o.shop_id


def test_baskets_are_handed_over_once(day, plan):
    baskets = day.baskets()
    assert baskets, "the demo day should hold baskets"
    unassigned = {u["order_id"] for u in plan["unassigned"]}
    for members in baskets.values():
        planned = {o.order_id for o in members} - unassigned
        if not planned:
            continue
        stops = [
            s for r in plan["rounds"] for s in r["stops"]
            if s["kind"] == "delivery" and planned & set(s["order_ids"])
        ]
        assert len(stops) == 1
        assert planned <= set(stops[0]["order_ids"])


def test_same_inputs_and_solution_limit_give_the_same_plan(network, day, plan):
    again = plan_day(day, network, PlanSettings(time_limit_s=30, solution_limit=60, seed=1)).model_dump(mode="json")
    strip = lambda p: [(r["courier_id"], r["stops"]) for r in p["rounds"]]  # noqa: E731
    assert strip(again) == strip(plan)
    assert again["unassigned"] == plan["unassigned"]


def test_the_plan_keeps_its_settings_and_search_for_audit(plan):
    assert plan["solver"]["settings"]["solution_limit"] == 60
    assert plan["solver"]["stats"]["phases"][0]["name"] == "first"
    assert plan["impact"]["factors"]["car_kg_co2e_per_km"] == 0.2176
