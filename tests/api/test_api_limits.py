"""Every bad input is a named 422 (or a 404), never a 500: numbers that are not finite
or absurd, (0, 0), NUL characters and texts longer than their columns, path ids beyond
PostgreSQL's integer, dates outside the platform's window (a year back to five years
ahead), times in other digits than ASCII, slots of no length and parcels ready too late.
Each case here was a 500, or a 201 that failed the day's plan later."""

from __future__ import annotations

import json
import math
import re

import pytest
from factories import courier_row, shop_row
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.store.users import create_user

HUB = (3.0800, 50.3700)
DAY = "2031-08-20"
TOO_BIG = 2_147_483_648  # PostgreSQL's integer ends at 2,147,483,647


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(engine=engine))


@pytest.fixture(scope="module")
def auth(engine) -> dict[str, dict[str, str]]:
    with Session(engine) as s:
        s.add(shop_row("lim-shop", (3.0790, 50.3712)))
        s.add(courier_row("lim-courier", HUB))
        s.flush()
        tokens = {
            "dispatcher": create_user(s, "dispatcher")[1],
            "shop": create_user(s, "shop", shop_id="lim-shop")[1],
            "courier": create_user(s, "courier", courier_id="lim-courier")[1],
        }
        s.commit()
    return {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


def order(order_id: str = "lim-o", **changes) -> dict:
    return {"order_id": order_id, "customer_lon": 3.09, "customer_lat": 50.365, "weight_kg": 2,
            "volume_l": 5, "deliver_from": "14:00", "deliver_to": "16:00", "date": DAY, **changes}


def shop(shop_id: str = "lim-s2", **changes) -> dict:
    return {"shop_id": shop_id, "name": "Épicerie", "lon": 3.079, "lat": 50.371,
            "opens": "09:00", "closes": "19:00", **changes}


def courier(courier_id: str = "lim-c2", **changes) -> dict:
    return {"courier_id": courier_id, "mode": "cargo_bike", "capacity_kg": 100, "capacity_l": 300,
            "shift_start": "08:00", "shift_end": "16:00", "start_lon": HUB[0], "start_lat": HUB[1],
            **changes}


def post(client, path: str, body: dict, headers: dict[str, str]):
    """POST ``body`` as JSON as Python writes it: NaN and Infinity as the bare words a
    client may send (httpx refuses to write them)."""
    return client.post(path, content=json.dumps(body),
                       headers={**headers, "Content-Type": "application/json"})


def fields(r) -> list[str]:
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid"
    return [d["field"] for d in r.json()["detail"]]


# --- 1. numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight_kg": 1e308}, "weight_kg"),
        ({"weight_kg": 1000.01}, "weight_kg"),
        ({"weight_kg": math.inf}, "weight_kg"),
        ({"weight_kg": math.nan}, "weight_kg"),
        ({"weight_kg": "inf"}, "weight_kg"),
        ({"volume_l": 10_001}, "volume_l"),
        ({"volume_l": "-Infinity"}, "volume_l"),
        ({"customer_lon": math.nan}, "customer_lon"),
        ({"customer_lat": math.inf}, "customer_lat"),
        ({"customer_lon": 0, "customer_lat": 0}, "customer_lon"),
    ],
)
def test_orders_refuse_numbers_the_planner_cannot_use(client, auth, changes, field):
    r = post(client, "/api/orders", order(**changes), auth["shop"])
    assert field in fields(r)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity_kg": math.inf}, "capacity_kg"),
        ({"capacity_kg": "Infinity"}, "capacity_kg"),
        ({"capacity_l": math.nan}, "capacity_l"),
        ({"capacity_kg": 1e308}, "capacity_kg"),
        ({"start_lon": 0, "start_lat": 0}, "start_lon"),
        ({"end_lon": 0.0, "end_lat": 0.0}, "end_lon"),
        ({"start_lat": -math.inf}, "start_lat"),
    ],
)
def test_couriers_refuse_numbers_the_planner_cannot_use(client, auth, changes, field):
    r = post(client, "/api/couriers", courier(**changes), auth["dispatcher"])
    assert field in fields(r)


def test_the_bounds_themselves_are_taken(client, auth):
    r = client.post("/api/orders", json=order("lim-max", weight_kg=1000, volume_l=10_000),
                    headers=auth["shop"])
    assert r.status_code == 201, r.text
    r = client.post("/api/couriers", json=courier("lim-cmax", capacity_kg=1000, capacity_l=10_000),
                    headers=auth["dispatcher"])
    assert r.status_code == 201, r.text
    assert r.json()["capacity_kg"] == 1000


def test_other_points_refuse_null_island(client, auth):
    assert "lon" in fields(client.post("/api/shops", json=shop(lon=0, lat=0), headers=auth["dispatcher"]))
    r = client.post("/api/couriers/me/positions", json={"lon": 0, "lat": 0}, headers=auth["courier"])
    assert fields(r) == ["lon"]
    r = client.post("/api/couriers/me/positions", headers=auth["courier"],
                    json={"positions": [{"lon": 3.08, "lat": 50.37}, {"lon": 0, "lat": 0}]})
    assert fields(r) == ["positions.1"]
    r = client.post("/api/stops/1/events", json={"type": "arrived", "lon": 0, "lat": 0},
                    headers=auth["courier"])
    assert fields(r) == ["lon"]
    r = client.post("/api/plans", json={"date": DAY, "seed": TOO_BIG}, headers=auth["dispatcher"])
    assert fields(r) == ["seed"]
    r = post(client, "/api/plans", {"date": DAY, "time_limit_s": math.nan}, auth["dispatcher"])
    assert fields(r) == ["time_limit_s"]


# --- 2. strings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "who", "body", "field"),
    [
        ("/api/orders", "shop", order("lim\x00nul"), "order_id"),
        ("/api/orders", "shop", order(basket_id="b\x00"), "basket_id"),
        ("/api/orders", "shop", order(customer_address="1 rue\x00"), "customer_address"),
        ("/api/orders", "dispatcher", order(shop_id="lim-shop\x00"), "shop_id"),
        ("/api/orders", "shop", order(basket_id="b" * 65), "basket_id"),
        ("/api/orders", "shop", order("o" * 65), "order_id"),
        ("/api/orders", "shop", order(customer_address="a" * 501), "customer_address"),
        ("/api/shops", "dispatcher", shop(name="Chez\x00Paul"), "name"),
        ("/api/shops", "dispatcher", shop(name="n" * 201), "name"),
        ("/api/shops", "dispatcher", shop("s\x00"), "shop_id"),
        ("/api/shops", "dispatcher", shop(address="\x00"), "address"),
        ("/api/couriers", "dispatcher", courier("c\x00"), "courier_id"),
        ("/api/plans", "dispatcher", {"date": DAY, "couriers": ["lim-courier\x00"]}, "couriers.0"),
        ("/api/orders/lim-x/cancel", "shop", {"reason": "gone\x00"}, "reason"),
        ("/api/stops/1/events", "courier", {"type": "failed", "reason": "dog\x00"}, "reason"),
        ("/api/stops/1/events", "courier", {"type": "failed", "reason": "r" * 1001}, "reason"),
    ],
)
def test_nul_characters_and_long_texts_are_named(client, auth, path, who, body, field):
    r = client.post(path, json=body, headers=auth[who])
    assert field in fields(r)


def test_nul_in_a_path_or_a_header_is_named(client, auth):
    r = client.get("/api/orders/a%00b", headers=auth["shop"])
    assert fields(r) == ["path.order_id"]
    r = client.post("/api/orders/a%00b/cancel", json={"reason": "x"}, headers=auth["shop"])
    assert "path.order_id" in fields(r)
    r = client.get(f"/api/orders/{'o' * 130}", headers=auth["shop"])  # beyond a public id
    assert fields(r) == ["path.order_id"]
    r = client.post("/api/orders", json=order("lim-key"),
                    headers={**auth["shop"], "Idempotency-Key": "k\x00"})
    assert fields(r) == ["Idempotency-Key"]


@pytest.mark.parametrize(
    ("csv", "row", "field"),
    [
        ("lim-i1,lim-shop,,3.09,50.365,2,5,,14:00,16:00\nlim-i\x002,lim-shop,,3.09,50.365,2,5,,14:00,16:00\n",
         3, "order_id"),
        (f"{'o' * 65},lim-shop,,3.09,50.365,2,5,,14:00,16:00\n", 2, "order_id"),
        (f"lim-i3,lim-shop,{'b' * 65},3.09,50.365,2,5,,14:00,16:00\n", 2, "basket_id"),
        ("lim-i4,lim-shop,,3.09,50.365,inf,5,,14:00,16:00\n", 2, "weight_kg"),
        ("lim-i5,lim-shop,,0,0,2,5,,14:00,16:00\n", 2, "customer_lon/customer_lat"),
    ],
)
def test_csv_cells_are_named_with_their_row(client, auth, csv, row, field):
    header = "order_id,shop_id,basket_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,deliver_from,deliver_to\n"
    r = client.post("/api/orders/import", content=header + csv, params={"date": DAY},
                    headers={**auth["shop"], "Content-Type": "text/csv"})
    assert r.status_code == 422, r.text
    (problem,) = r.json()["detail"]
    assert (problem["row"], problem["field"]) == (row, field)


def test_a_long_address_in_a_csv_is_named_with_its_row(client, auth):
    csv = ("order_id,shop_id,basket_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,"
           f"deliver_from,deliver_to,customer_address\nlim-i6,lim-shop,,3.09,50.365,2,5,,14:00,16:00,{'a' * 501}\n")
    r = client.post("/api/orders/import", content=csv, params={"date": DAY}, headers=auth["shop"])
    assert r.status_code == 422, r.text
    assert (r.json()["detail"][0]["row"], r.json()["detail"][0]["field"]) == (2, "customer_address")


# --- 3. path ids ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "who", "body"),
    [
        ("GET", f"/api/plans/{TOO_BIG}", "dispatcher", None),
        ("GET", f"/api/plans/{TOO_BIG}/audit", "dispatcher", None),
        ("POST", f"/api/plans/{TOO_BIG}/publish", "dispatcher", None),
        ("POST", f"/api/plans/{TOO_BIG}/moves", "dispatcher", {"order_id": "x", "courier_id": "y"}),
        ("GET", "/api/plans/0", "dispatcher", None),
        ("POST", f"/api/stops/{TOO_BIG}/events", "courier", {"type": "arrived"}),
        ("POST", "/api/stops/-1/events", "courier", {"type": "arrived"}),
    ],
)
def test_path_ids_beyond_postgresql_integers_are_422(client, auth, method, path, who, body):
    r = client.request(method, path, json=body, headers=auth[who])
    name = "path.stop_id" if "/stops/" in path else "path.plan_id"
    assert fields(r) == [name]


def test_the_largest_integer_is_simply_not_found(client, auth):
    r = client.get("/api/plans/2147483647", headers=auth["dispatcher"])
    assert r.status_code == 404, r.text


# --- 4. dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "who", "params", "body", "field"),
    [
        ("GET", "/api/couriers/positions", "dispatcher", {"date": "9999-12-31"}, None, "date"),
        ("GET", "/api/couriers/positions", "dispatcher", {"date": "0001-01-01"}, None, "date"),
        ("GET", "/api/couriers/me/round", "courier", {"date": "9999-12-31"}, None, "date"),
        ("GET", "/api/plans", "dispatcher", {"date": "0001-01-01"}, None, "date"),
        ("POST", "/api/plans", "dispatcher", None, {"date": "9999-12-31"}, "date"),
        ("POST", "/api/plans", "dispatcher", None, {"date": "0001-01-01"}, "date"),
        ("POST", "/api/orders", "shop", None, order(date="9999-12-31"), "date"),
        ("POST", "/api/orders", "shop", None, order(date="2029-06-01"), "date"),
        ("GET", "/api/orders", "shop", {"date": "9999-12-31"}, None, "date"),
        ("GET", "/api/orders", "shop", {"from": "0001-01-01", "to": DAY}, None, "from"),
        ("POST", "/api/orders/import", "shop", {"date": "9999-12-31"}, None, "date"),
        ("GET", "/api/metrics/impact", "dispatcher", {"from": "0001-01-01", "to": "0001-01-05"}, None, "from"),
        ("GET", "/api/metrics/impact", "dispatcher", {"to": "9999-12-31"}, None, "to"),
        ("POST", "/api/stops/1/events", "courier", None, {"type": "arrived", "at": "0001-01-01T10:00:00"}, "at"),
        ("POST", "/api/stops/1/events", "courier", None,
         {"type": "arrived", "at": "9999-12-31T23:59:59+00:00"}, "at"),
        ("POST", "/api/couriers/me/positions", "courier", None,
         {"lon": 3.08, "lat": 50.37, "at": "9999-12-31T10:00:00"}, "at"),
        ("POST", "/api/couriers/me/positions", "courier", None,
         {"positions": [{"lon": 3.08, "lat": 50.37, "at": "0001-01-01T00:00:00+00:00"}]}, "positions.0.at"),
    ],
)
def test_dates_outside_the_window_are_named(client, auth, method, path, who, params, body, field):
    kwargs = {"content": "x"} if path.endswith("/import") else {"json": body}
    r = client.request(method, path, params=params, headers=auth[who], **kwargs)
    assert field in fields(r)
    assert re.search("outside the days the platform (takes|keeps)", r.json()["detail"][0]["problem"])


def test_a_date_a_year_back_is_taken(client, auth):
    """Today is 2030-06-03 (the tests' clock): 2029-06-02 is the first day taken."""
    r = client.post("/api/orders", json=order("lim-back", date="2029-06-02"), headers=auth["shop"])
    assert r.status_code == 201, r.text
    r = client.get("/api/couriers/positions", params={"date": "2035-06-03"}, headers=auth["dispatcher"])
    assert r.status_code == 200, r.text


def test_reads_reach_years_of_history(client, auth):
    """A year back is the bound for what is written; what is read (the city's figures,
    listings) reaches 20 years back, from 1 January: the city compares years."""
    r = client.get("/api/metrics/impact", params={"from": "2010-01-01", "to": "2010-03-31"},
                   headers=auth["dispatcher"])
    assert r.status_code == 200, r.text
    for path, params in (("/api/orders", {"date": "2015-05-05"}), ("/api/plans", {"date": "2015-05-05"}),
                         ("/api/couriers/positions", {"date": "2015-05-05"})):
        who = "shop" if path == "/api/orders" else "dispatcher"
        assert client.get(path, params=params, headers=auth[who]).status_code == 200, path
    r = client.get("/api/metrics/impact", params={"from": "2009-12-31", "to": "2010-01-05"},
                   headers=auth["dispatcher"])
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "from"
    r = client.post("/api/orders", json=order("lim-old", date="2015-05-05"), headers=auth["shop"])
    assert "date" in fields(r)  # writing there is still refused


# --- 5. times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deliver_from": "１０:００"}, "deliver_from"),
        ({"ready_at": "０９:００"}, "ready_at"),
        ({"ready_at": "16:30"}, "ready_at"),
        ({"deliver_from": "16:00"}, "deliver_to"),
    ],
)
def test_times_are_ascii_slots_last_and_parcels_are_ready_in_time(client, auth, changes, field):
    r = client.post("/api/orders", json=order(**changes), headers=auth["shop"])
    assert fields(r) == [field]


def test_full_width_digits_are_no_shift_either(client, auth):
    r = client.post("/api/couriers", json=courier(shift_start="０８:００"), headers=auth["dispatcher"])
    assert fields(r) == ["shift_start"]


def test_ready_at_the_end_of_the_slot_is_taken(client, auth):
    r = client.post("/api/orders", json=order("lim-ready", ready_at="16:00"), headers=auth["shop"])
    assert r.status_code == 201, r.text
