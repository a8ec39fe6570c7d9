"""Shops see only their own: order and basket ids live in each shop's namespace, so a
shop can neither learn, block, reach nor join another party's order or basket, and no
answer it gets (a 201, a 404, a 409, a 422) carries another party's id, customer point
or slot. Over the HTTP API on a real PostGIS."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.store.users import create_user

DAY = "2031-12-02"
# Shop A's customer: a point and a slot that shop B must never read anywhere.
SECRET_LON, SECRET_LAT = 3.0876543, 50.3654321


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(engine=engine))


@pytest.fixture(scope="module")
def tokens(client, engine):
    with Session(engine) as s:
        _, dispatcher = create_user(s, "dispatcher")
        s.commit()
    auth = {"Authorization": f"Bearer {dispatcher}"}
    for shop in ("sc-a", "sc-b"):
        r = client.post("/api/shops", headers=auth, json={
            "shop_id": shop, "name": shop, "lon": 3.08, "lat": 50.37, "opens": "08:00", "closes": "19:00"})
        assert r.status_code == 201, r.text
    with Session(engine) as s:
        _, a = create_user(s, "shop", shop_id="sc-a")
        _, b = create_user(s, "shop", shop_id="sc-b")
        s.commit()
    return {k: {"Authorization": f"Bearer {v}"} for k, v in
            {"dispatcher": dispatcher, "a": a, "b": b}.items()}


def order(order_id: str, **changes) -> dict:
    base = {"order_id": order_id, "customer_lon": 3.09, "customer_lat": 50.36, "weight_kg": 2,
            "volume_l": 5, "deliver_from": "14:00", "deliver_to": "16:00", "date": DAY}
    return {**base, **changes}


@pytest.fixture(scope="module")
def shop_a_day(client, tokens):
    """Shop A's order O1 in its basket B001, to its customer at the secret point, 10-11."""
    r = client.post("/api/orders", headers=tokens["a"], json=order(
        "O1", basket_id="B001", customer_lon=SECRET_LON, customer_lat=SECRET_LAT,
        deliver_from="10:00", deliver_to="11:00"))
    assert r.status_code == 201, r.text
    assert (r.json()["order_id"], r.json()["basket_id"]) == ("sc-a:O1", "sc-a:B001")
    return r.json()


def _leaks(text: str) -> list[str]:
    """What of shop A's order a text shows."""
    return [s for s in ("sc-a", str(SECRET_LON)[:7], str(SECRET_LAT)[:7], "10:00", "11:00") if s in text]


def test_two_shops_use_the_same_order_and_basket_ids(client, tokens, shop_a_day):
    # B's basket "B001" elsewhere and at another time: B's own basket, not A's.
    r = client.post("/api/orders", headers=tokens["b"], json=order("O1", basket_id="B001"))
    assert r.status_code == 201, r.text
    assert (r.json()["order_id"], r.json()["shop_ref"], r.json()["basket_id"]) == ("sc-b:O1", "O1", "sc-b:B001")
    assert _leaks(r.text) == []
    # Each reads its own O1, by its own reference or by the public id.
    for who, public in (("a", "sc-a:O1"), ("b", "sc-b:O1")):
        for name in ("O1", public):
            r = client.get(f"/api/orders/{name}", headers=tokens[who])
            assert (r.status_code, r.json()["order_id"]) == (200, public)
    # The dispatcher names them by their public ids; a bare reference names none.
    assert client.get("/api/orders/sc-b:O1", headers=tokens["dispatcher"]).json()["shop_id"] == "sc-b"
    assert client.get("/api/orders/O1", headers=tokens["dispatcher"]).status_code == 404


def test_a_shop_sent_its_id_twice_is_told_in_its_own_terms(client, tokens, shop_a_day):
    r = client.post("/api/orders", headers=tokens["b"], json=order("twice"))
    assert r.status_code == 201, r.text
    r = client.post("/api/orders", headers=tokens["b"], json=order("twice"))
    assert r.status_code == 409
    assert r.json()["detail"].startswith("order_id: ")
    assert _leaks(r.text) == []


def test_another_shops_order_is_a_404_like_one_that_does_not_exist(client, tokens, shop_a_day):
    for path in ("/api/orders/{}",):
        there = client.get(path.format("sc-a:O1"), headers=tokens["b"])
        nowhere = client.get(path.format("sc-a:O999"), headers=tokens["b"])
        assert there.status_code == nowhere.status_code == 404
        assert there.json() == json.loads(nowhere.text.replace("O999", "O1"))
    cancel = client.post("/api/orders/sc-a:O1/cancel", headers=tokens["b"], json={"reason": "x"})
    assert cancel.status_code == 404
    assert client.get("/api/orders/sc-a:O1", headers=tokens["a"]).json()["status"] == "received"
    # B's listing holds B's orders only.
    listed = client.get("/api/orders", headers=tokens["b"], params={"date": DAY}).json()
    assert {o["shop_id"] for o in listed["orders"]} == {"sc-b"}
    assert _leaks(json.dumps(listed)) == []


def test_a_shop_cannot_join_a_basket_of_another_party(client, tokens, shop_a_day):
    # B names A's basket by its public id: ids take no ':', so it is refused as an id.
    r = client.post("/api/orders", headers=tokens["b"], json=order("join", basket_id="sc-a:B001"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "basket_id"
    assert _leaks(r.json()["detail"][0]["problem"].replace("sc-a:B001", "")) == []
    # The dispatcher forms a basket across shops in its own namespace ...
    r = client.post("/api/orders", headers=tokens["dispatcher"],
                    json=order("D1", shop_id="sc-a", basket_id="BX", customer_lon=3.091))
    assert (r.status_code, r.json()["basket_id"]) == (201, "~dispatch:BX"), r.text
    r = client.post("/api/orders", headers=tokens["dispatcher"],
                    json=order("D2", shop_id="sc-b", basket_id="BX", customer_lon=3.091))
    assert (r.status_code, r.json()["basket_id"]) == (201, "~dispatch:BX"), r.text
    # ... which a shop's "BX" never joins: it is that shop's own basket.
    r = client.post("/api/orders", headers=tokens["b"], json=order("mine", basket_id="BX"))
    assert (r.status_code, r.json()["basket_id"]) == (201, "sc-b:BX"), r.text
    # A dispatcher's basket refusal names the basket and its own place, no other order.
    r = client.post("/api/orders", headers=tokens["dispatcher"],
                    json=order("D3", shop_id="sc-b", basket_id="BX", customer_lon=3.0935))
    assert r.status_code == 409
    problem = r.json()["detail"]
    assert problem.startswith("basket_id: ")
    assert "D1" not in problem
    assert "D2" not in problem


def test_a_shops_file_holds_only_its_own_orders(client, tokens, shop_a_day):
    rows = ("order_id,shop_id,basket_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,"
            "deliver_from,deliver_to\n")
    # Its own O1 exists: the file is refused, naming the row and the order in A's terms.
    r = client.post("/api/orders/import", headers=tokens["a"], params={"date": DAY},
                    content=rows + "F1,,,3.09,50.36,1,1,,14:00,16:00\nO1,sc-a,,3.09,50.36,1,1,,14:00,16:00\n")
    assert r.status_code == 409, r.text
    assert r.json()["detail"].startswith("order_id: row 3, order 'O1'"), r.text
    assert client.get("/api/orders/F1", headers=tokens["a"]).status_code == 404  # all or none
    # Another shop's id in a shop's file: refused the same whether that shop exists or not.
    answers = []
    for other in ("sc-b", "sc-nowhere"):
        r = client.post("/api/orders/import", headers=tokens["a"], params={"date": DAY},
                        content=rows + f"F2,{other},,3.09,50.36,1,1,,14:00,16:00\n")
        assert r.status_code == 422, r.text
        (problem,) = r.json()["detail"]
        assert (problem["field"], problem["row"]) == ("shop_id", 2)
        answers.append(problem["problem"].replace(other, "X"))
    assert answers[0] == answers[1]
    assert "/tmp" not in r.text  # no server path in an import's error
