"""The whole day through the API and a real worker process: shops post, the dispatcher
plans and publishes, a courier rides the round, a late order is inserted, the city
reads its figures; each role kept out of what is not theirs. The clock is the tests'
(see ``clock_fixtures``): the day is planned the evening before, ridden in the morning,
and a late order that comes in the morning goes in while one that comes in the evening,
after the shops close, is left out with its reason."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from clock_fixtures import EVENING, MORNING
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stack_helpers import free_port, serving, wait_for

from logistics.demo_day import generate_day
from logistics.store.models import Order, OrderEvent

DATE = "2031-05-06"
EVE = "2031-05-05"


@pytest.fixture(scope="module")
def day(town):
    return generate_day(town.graph("cargo_bike").node_coordinates(), seed=21, n_orders=24, n_shops=5)


@pytest.fixture(scope="module")
def tokens(platform, day, worker):
    return platform.post_day(day, DATE, "f-")


@pytest.fixture(scope="module")
def published(platform, tokens, clock):
    clock.on(EVE, EVENING)  # the dispatcher plans and publishes the evening before
    c = platform.client
    plan_id = c.post("/api/plans", headers=platform.dispatcher,
                     json={"date": DATE, "time_limit_s": 3, "couriers": list(tokens["couriers"])}).json()["id"]
    plan = platform.wait_plan(plan_id)
    assert plan["status"] == "solved", plan["error"]
    assert c.post(f"/api/plans/{plan_id}/publish", headers=platform.dispatcher).status_code == 200
    return plan


def test_shop_dispatcher_worker_courier_city(platform, tokens, published, day, clock):
    clock.on(DATE, MORNING)  # the courier rides in the morning; taps carry no time: now
    c = platform.client
    first = published["rounds"][0]
    courier = tokens["couriers"][first["courier_id"]]
    mine = c.get("/api/couriers/me/round", headers=courier, params={"date": DATE})
    assert mine.status_code == 200, mine.text
    mine = mine.json()
    assert mine["plan_id"] == published["id"]
    assert [s["stop_id"] for s in mine["stops"]] == [s["stop_id"] for s in first["stops"]]
    assert mine["geometry"]["geometry"]["type"] == "LineString"

    delivered = []
    for stop in mine["stops"]:
        if stop["kind"] not in ("pickup", "delivery"):
            continue
        assert mine_next(c, courier) == stop["stop_id"]
        r = c.post(f"/api/stops/{stop['stop_id']}/events", headers=courier, json={"type": "arrived"})
        assert r.status_code == 201, r.text
        done = "picked_up" if stop["kind"] == "pickup" else "delivered"
        r = c.post(f"/api/stops/{stop['stop_id']}/events", headers=courier, json={"type": done})
        assert r.status_code == 201, r.text
        if done == "delivered":
            delivered += [o["order_id"] for o in stop["orders"]]
    for order_id in delivered:
        shop_id = next(o.shop_id for o in day.orders if order_id.endswith(":f-" + o.order_id))
        headers = tokens["shops"]["f-" + shop_id] if shop_id else platform.dispatcher
        assert c.get(f"/api/orders/{order_id}", headers=headers).json()["status"] == "delivered"

    r = c.get("/api/metrics/impact", headers=platform.city, params={"from": DATE, "to": DATE})
    assert r.status_code == 200, r.text
    figures = r.json()
    (today,) = [d for d in figures["days"] if d["date"] == DATE]
    assert today["orders_delivered"] == len(delivered)
    assert today["bike_km"] + today["foot_km"] == pytest.approx(first["distance_m"] / 1000, abs=0.01)
    assert today["car_trips_avoided"] >= 1
    text = json.dumps(figures)
    for order_id in delivered:
        assert order_id not in text
    assert first["courier_id"] not in text


def mine_next(c, courier) -> int:
    return c.get("/api/couriers/me/round", headers=courier, params={"date": DATE}).json()["next_stop_id"]


def test_every_role_is_kept_out_of_what_is_not_theirs(platform, tokens, published):
    c = platform.client
    shops = list(tokens["shops"].values())
    rounds = published["rounds"]
    pickup = next(st for r in rounds for st in r["stops"] if st["kind"] == "pickup")
    owner, order_id = tokens["shops"][pickup["shop_id"]], pickup["order_ids"][0]
    stranger = next(t for k, t in tokens["shops"].items() if k != pickup["shop_id"])
    assert c.get(f"/api/orders/{order_id}", headers=owner).status_code == 200
    assert c.get(f"/api/orders/{order_id}", headers=stranger).status_code == 404
    assert c.post(f"/api/orders/{order_id}/cancel", headers=stranger, json={"reason": "x"}).status_code == 404
    # A courier sees only their round; another courier's stop does not exist for them.
    idle = [k for k in tokens["couriers"] if k not in {r["courier_id"] for r in rounds}]
    other = tokens["couriers"][idle[0] if idle else rounds[-1]["courier_id"]]
    stop_id = rounds[0]["stops"][1]["stop_id"]
    if idle or len(rounds) > 1:
        r = c.post(f"/api/stops/{stop_id}/events", headers=other, json={"type": "arrived"})
        assert r.status_code == 404
    for who in (platform.city, shops[0]):
        assert c.get("/api/couriers/me/round", headers=who).status_code == 403
        assert c.post("/api/plans", headers=who, json={"date": DATE}).status_code == 403
        assert c.get(f"/api/plans/{published['id']}", headers=who).status_code == 403
    assert c.get(f"/api/orders/{order_id}", headers=platform.city).status_code == 403
    assert c.get("/api/metrics/impact", headers=shops[0]).status_code == 403
    assert c.get("/api/metrics/impact", headers=other).status_code == 403


def post_late_order(platform, tokens, town, published, order_id: str) -> tuple[dict, str]:
    """A shop posts an order for the day in force; returns the plan once the worker has
    settled the late-order change, and the order's public id."""
    c = platform.client

    def late_changes() -> tuple[dict, list[dict]]:
        plan = c.get(f"/api/plans/{published['id']}", headers=platform.dispatcher).json()
        return plan, [ch for ch in plan["changes"] if ch["kind"] == "late_orders"]

    seen = {ch["change_id"] for ch in late_changes()[1]}
    shop_id = next(iter(tokens["shops"]))
    nodes = town.graph("cargo_bike").node_coordinates()
    body = {"order_id": order_id, "customer_lon": float(nodes[3][0]), "customer_lat": float(nodes[3][1]),
            "weight_kg": 1.5, "volume_l": 3, "deliver_from": "08:00", "deliver_to": "20:00", "date": DATE}
    r = c.post("/api/orders", headers=tokens["shops"][shop_id], json=body)
    assert r.status_code == 201, r.text
    public_id = r.json()["order_id"]
    assert public_id == f"{shop_id}:{order_id}"

    def applied():
        plan, late = late_changes()
        new = [ch for ch in late if ch["change_id"] not in seen]
        return plan if new and new[-1]["status"] != "queued" else None

    return wait_for(applied, timeout=60), public_id


def test_a_late_order_is_inserted_by_the_worker(platform, tokens, published, day, town, clock):
    clock.on(DATE, MORNING)  # the worker reads this clock too: the courier is free from now
    plan, late = post_late_order(platform, tokens, town, published, "f-late-1")
    change = [ch for ch in plan["changes"] if ch["kind"] == "late_orders"][-1]
    assert change["status"] == "applied", change["detail"]
    on = {o for r in plan["rounds"] for s in r["stops"] for o in s["order_ids"]}
    assert late in on
    assert plan["revision"] >= 1
    # Nothing new is planned before the morning's now (the taps of the first test).
    new_arrivals = [s["arrival"] for r in plan["rounds"] for s in r["stops"]
                    if late in s["order_ids"]]
    assert new_arrivals
    assert min(new_arrivals) >= MORNING
    # The stops the first courier finished are still there, unchanged.
    before = published["rounds"][0]
    after = next(r for r in plan["rounds"] if r["courier_id"] == before["courier_id"])
    done = [s for s in before["stops"] if s["kind"] in ("pickup", "delivery")]
    kept = {s["stop_id"]: (s["seq"], s["arrival"]) for s in after["stops"]}
    for s in done:
        assert kept[s["stop_id"]] == (s["seq"], s["arrival"])


def test_a_late_order_in_the_evening_is_left_out_with_its_reason(platform, tokens, published, town, clock):
    # The couriers report every stop still to do by 19:00 ...
    clock.on(DATE, "19:00")
    c = platform.client
    for courier in tokens["couriers"].values():
        mine = c.get("/api/couriers/me/round", headers=courier, params={"date": DATE})
        if mine.status_code == 404:
            continue
        for stop in mine.json()["stops"]:
            if stop["kind"] in ("pickup", "delivery") and stop["status"] == "pending":
                done = "picked_up" if stop["kind"] == "pickup" else "delivered"
                for kind in ("arrived", done):
                    r = c.post(f"/api/stops/{stop['stop_id']}/events", headers=courier, json={"type": kind})
                    assert r.status_code in (200, 201), r.text
    # ... and at 19:40 an order comes in: every shop of the day has closed.
    clock.on(DATE, EVENING)
    plan, late = post_late_order(platform, tokens, town, published, "f-late-2")
    change = [ch for ch in plan["changes"] if ch["kind"] == "late_orders"][-1]
    assert (change["status"], change["reason"]) == ("applied", "late_orders"), change["detail"]
    assert late not in change["facts"]["inserted"]
    assert change["facts"]["left_out"][late]["reason"]  # named with its reason
    assert change["detail"].startswith("0 commande(s) tardive(s) ajoutée(s); hors tournée : ")
    on = {o for r in plan["rounds"] for s in r["stops"] for o in s["order_ids"]}
    assert late not in on
    (left,) = [u for u in plan["unassigned"] if u["order_id"] == late]
    assert left["reason"] in ("shop_closed", "slot_impossible", "no_courier_left")
    assert left["detail"]
    # What was planned in the morning is still planned.
    assert late.replace("f-late-2", "f-late-1") in on


def test_bad_input_names_the_field(platform, tokens, published):
    c = platform.client
    courier = tokens["couriers"][published["rounds"][0]["courier_id"]]
    r = c.post("/api/couriers/me/positions", headers=courier, json={"lon": 3.07, "lat": 95})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "lat"
    r = c.post(f"/api/plans/{published['id']}/moves", headers=platform.dispatcher,
               json={"order_id": "nope", "courier_id": published["rounds"][0]["courier_id"]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "order_id"
    r = c.post("/api/orders/import", headers=next(iter(tokens["shops"].values())),
               content="order_id,shop_id\nx,y\n", params={"date": DATE})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"]


def test_concurrent_order_posts_over_http_lose_nothing(db_url, platform, tokens, worker_env, tmp_path):
    port = free_port()
    cmd = [sys.executable, "-m", "cli.main", "serve", "--port", str(port)]
    with serving(cmd, log=tmp_path / "serve.log", port=port, env=worker_env) as base:
        shop_id, headers = next(iter(tokens["shops"].items()))

        def post(i: int) -> int:
            body = {"order_id": f"f-c{i % 40}", "customer_lon": 3.08, "customer_lat": 50.37,
                    "weight_kg": 1, "volume_l": 1, "deliver_from": "14:00", "deliver_to": "16:00",
                    "date": "2031-05-07"}
            # Each order is sent twice with its key, as a phone retrying would.
            r = httpx.post(f"{base}/api/orders", json=body, timeout=30,
                           headers={**headers, "Idempotency-Key": f"k-{i % 40}"})
            return r.status_code

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(post, range(80)))
        assert sorted(set(codes)) == [200, 201]
        assert codes.count(201) == 40
        with Session(platform.engine) as s:
            assert s.scalar(select(func.count()).select_from(Order).where(Order.shop_ref.like("f-c%"))) == 40
            assert s.scalar(select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id.like(f"{shop_id}:f-c%"))) == 40
