"""The HTTP API on a real PostGIS: tokens and roles, shops and orders, errors as JSON
with the field named."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from stack_helpers import free_port, serving

from api.app import create_app
from logistics.store.users import create_user


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(engine=engine))


@pytest.fixture(scope="module")
def tokens(client, engine):
    with Session(engine) as s:
        _, dispatcher = create_user(s, "dispatcher")
        _, city = create_user(s, "city")
        s.commit()
    auth = {"Authorization": f"Bearer {dispatcher}"}
    for shop in ("api-a", "api-b"):
        r = client.post("/api/shops", headers=auth, json={
            "shop_id": shop, "name": shop, "lon": 3.08, "lat": 50.37, "opens": "09:00", "closes": "19:00"})
        assert r.status_code == 201, r.text
    with Session(engine) as s:
        _, shop_a = create_user(s, "shop", shop_id="api-a")
        _, shop_b = create_user(s, "shop", shop_id="api-b")
        s.commit()
    return {k: {"Authorization": f"Bearer {v}"} for k, v in
            {"dispatcher": dispatcher, "city": city, "a": shop_a, "b": shop_b}.items()}


def body(order_id: str, **changes):
    base = {"order_id": order_id, "customer_lon": 3.09, "customer_lat": 50.36, "weight_kg": 2,
            "volume_l": 5, "deliver_from": "14:00", "deliver_to": "16:00", "date": "2031-11-26"}
    return {**base, **changes}


def test_no_token_wrong_token_and_wrong_role(client, tokens):
    assert client.post("/api/orders", json=body("x")).status_code == 401
    r = client.post("/api/orders", json=body("x"), headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.json()["error"] == "unauthorized"
    r = client.post("/api/orders", json=body("x"), headers=tokens["city"])
    assert r.status_code == 403
    r = client.post("/api/shops", headers=tokens["a"], json={
        "shop_id": "s", "name": "s", "lon": 3, "lat": 50, "opens": "09:00", "closes": "19:00"})
    assert r.status_code == 403


def test_shop_posts_reads_and_cancels_its_order_but_not_another_shops(client, tokens):
    r = client.post("/api/orders", json=body("api-1"), headers=tokens["a"])
    assert r.status_code == 201, r.text
    assert (r.json()["order_id"], r.json()["shop_ref"]) == ("api-a:api-1", "api-1")
    assert r.json()["shop_id"] == "api-a"
    assert r.json()["status"] == "received"
    assert client.get("/api/orders/api-1", headers=tokens["a"]).json()["deliver_to"] == "16:00"
    assert client.get("/api/orders/api-a:api-1", headers=tokens["a"]).json()["shop_ref"] == "api-1"
    assert client.get("/api/orders/api-1", headers=tokens["b"]).status_code == 404
    assert client.get("/api/orders/api-a:api-1", headers=tokens["b"]).status_code == 404
    assert client.get("/api/orders/api-a:api-1", headers=tokens["dispatcher"]).status_code == 200
    r = client.post("/api/orders", json=body("api-2", shop_id="api-a"), headers=tokens["b"])
    assert r.status_code == 403
    assert client.post("/api/orders/api-a:api-1/cancel", json={"reason": "x"}, headers=tokens["b"]).status_code == 404
    r = client.post("/api/orders/api-1/cancel", json={"reason": "customer away"}, headers=tokens["a"])
    assert r.json()["status"] == "cancelled"
    r = client.post("/api/orders/api-1/cancel", json={"reason": "again"}, headers=tokens["a"])
    assert r.status_code == 200  # already cancelled: a retry changes nothing


def test_idempotency_key_returns_the_same_order(client, tokens):
    h = {**tokens["a"], "Idempotency-Key": "key-1"}
    first = client.post("/api/orders", json=body("api-idem"), headers=h)
    again = client.post("/api/orders", json=body("api-idem"), headers=h)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    clash = client.post("/api/orders", json=body("api-idem", weight_kg=9), headers=h)
    assert clash.status_code == 409
    assert "Idempotency-Key" in clash.json()["detail"]
    dup = client.post("/api/orders", json=body("api-idem"), headers=tokens["a"])
    assert dup.status_code == 409
    assert dup.json()["detail"].startswith("order_id:")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight_kg": "heavy"}, "weight_kg"),
        ({"weight_kg": -1}, "weight_kg"),
        ({"customer_lat": 250}, "customer_lat"),
        ({"deliver_from": "25:99"}, "deliver_from"),
        ({"deliver_from": "17:00"}, "deliver_to"),
        ({"date": "tomorrow"}, "date"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(client, tokens, changes, field):
    r = client.post("/api/orders", json=body("api-bad", **changes), headers=tokens["a"])
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid"
    assert field in [d["field"] for d in r.json()["detail"]]


def test_missing_field_and_unknown_order(client, tokens):
    b = body("api-miss")
    del b["deliver_to"]
    r = client.post("/api/orders", json=b, headers=tokens["a"])
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "deliver_to"
    assert client.get("/api/orders/none", headers=tokens["dispatcher"]).status_code == 404


def test_openapi_is_served(client):
    """The spec lists the endpoints."""
    spec = client.get("/api/openapi.json").json()
    assert "/api/orders" in spec["paths"]


def test_serve_answers_over_http(db_url, tmp_path):
    """`douai-delivery serve` in its own process, on a free port of 127.0.0.1."""
    import sys

    import httpx

    port = free_port()
    cmd = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--database-url", db_url]
    with serving(cmd, log=tmp_path / "serve.log", port=port) as base:
        r = httpx.get(f"{base}/api/orders/x", timeout=2)
        assert r.status_code == 401
        assert r.json()["error"] == "unauthorized"


def test_dispatcher_adds_couriers_and_bad_ones_are_named(client, tokens):
    c = {"courier_id": "api-c1", "mode": "cargo_bike", "capacity_kg": 120, "capacity_l": 400,
         "shift_start": "08:00", "shift_end": "16:00", "start_lon": 3.08, "start_lat": 50.37}
    assert client.post("/api/couriers", json=c, headers=tokens["a"]).status_code == 403
    assert client.post("/api/couriers", json=c, headers=tokens["dispatcher"]).status_code == 201
    assert client.post("/api/couriers", json=c, headers=tokens["dispatcher"]).status_code == 409
    for changes, field in (
        ({"mode": "van"}, "mode"),
        ({"shift_end": "07:00"}, "shift_end"),
        ({"end_lon": 3.1}, "end_lon"),
        ({"capacity_kg": -5}, "capacity_kg"),
    ):
        r = client.post("/api/couriers", json={**c, "courier_id": "api-c2", **changes},
                        headers=tokens["dispatcher"])
        assert r.status_code == 422, (changes, r.text)
        assert field in [d["field"] for d in r.json()["detail"]]


def test_a_201_means_committed_before_the_client_reads(db_url, engine, tmp_path):
    """The response goes out only after the commit: over real HTTP, a client that got
    201 finds the row at once (it did not, 119 times in 200, when the session was
    committed by FastAPI's after-response clean-up)."""
    import sys

    import httpx

    from logistics.store.models import Shop

    with Session(engine) as s:
        _, token = create_user(s, "dispatcher")
        s.commit()
    port = free_port()
    cmd = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--database-url", db_url]
    with serving(cmd, log=tmp_path / "serve.log", port=port) as base, \
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        for i in range(40):
            shop_id = f"commit-{i}"
            r = http.post("/api/shops", json={"shop_id": shop_id, "name": "x", "lon": 3.08, "lat": 50.37,
                                              "opens": "09:00", "closes": "19:00"})
            assert r.status_code == 201
            with Session(engine) as s:
                assert s.get(Shop, shop_id) is not None, f"{shop_id} not committed when 201 came back"


def test_orders_are_listed_by_day_or_span_a_shop_only_its_own(client, tokens):
    for i, day in enumerate(("2031-12-01", "2031-12-01", "2031-12-02")):
        assert client.post("/api/orders", json=body(f"list-a{i}", date=day), headers=tokens["a"]).status_code == 201
    assert client.post("/api/orders", json=body("list-b0", date="2031-12-01"), headers=tokens["b"]).status_code == 201
    r = client.get("/api/orders", params={"date": "2031-12-01"}, headers=tokens["dispatcher"])
    assert r.status_code == 200
    assert [o["order_id"] for o in r.json()["orders"]] == ["api-a:list-a0", "api-a:list-a1", "api-b:list-b0"]
    r = client.get("/api/orders", params={"from": "2031-12-01", "to": "2031-12-02"}, headers=tokens["a"])
    assert [o["shop_ref"] for o in r.json()["orders"]] == ["list-a0", "list-a1", "list-a2"]
    r = client.get("/api/orders", params={"date": "2031-12-01", "status": "delivered"}, headers=tokens["dispatcher"])
    assert r.json()["count"] == 0
    assert client.get("/api/orders", params={"date": "2031-12-01"}, headers=tokens["city"]).status_code == 403
    r = client.get("/api/orders", params={"from": "2031-12-02", "to": "2031-12-01"}, headers=tokens["dispatcher"])
    assert (r.status_code, r.json()["detail"][0]["field"]) == (422, "to")
    r = client.get("/api/orders", headers=tokens["dispatcher"])
    assert (r.status_code, r.json()["detail"][0]["field"]) == (422, "date")
    r = client.get("/api/orders", params={"date": "2031-12-01", "status": "lost"}, headers=tokens["dispatcher"])
    assert r.status_code == 422


def test_a_slot_until_midnight_reads_24_00(client, tokens):
    """The 24:00 rule on the way out: a slot that ends at midnight is stored as the
    day's last second and read back as 24:00, as it was given."""
    r = client.post("/api/orders", json=body("late-slot", deliver_from="20:00", deliver_to="24:00"),
                    headers=tokens["a"])
    assert r.status_code == 201, r.text
    assert (r.json()["deliver_from"], r.json()["deliver_to"]) == ("20:00", "24:00")
    got = client.get("/api/orders/late-slot", headers=tokens["a"]).json()
    assert got["deliver_to"] == "24:00"
