"""The dispatcher edits and retires shops and couriers: partial changes checked as a new
one would be, a retired shop takes no new orders (409 naming shop_id), a retired courier
is in no new plan's fleet, and neither is listed unless asked; their rows stay."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.store.models import Courier, Plan, Shop
from logistics.store.users import create_user

DAY = "2031-08-22"
HUB = {"start_lon": 3.0800, "start_lat": 50.3700}


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(engine=engine))


@pytest.fixture(scope="module")
def dispatcher(engine) -> dict[str, str]:
    with Session(engine) as s:
        _, token = create_user(s, "dispatcher")
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def add_shop(client, dispatcher, shop_id: str) -> dict:
    r = client.post("/api/shops", headers=dispatcher, json={
        "shop_id": shop_id, "name": "Librairie", "address": "3 place d'Armes", "lon": 3.079,
        "lat": 50.371, "opens": "09:00", "closes": "19:00"})
    assert r.status_code == 201, r.text
    return r.json()


def add_courier(client, dispatcher, courier_id: str, **changes) -> dict:
    r = client.post("/api/couriers", headers=dispatcher, json={
        "courier_id": courier_id, "mode": "cargo_bike", "capacity_kg": 100, "capacity_l": 300,
        "shift_start": "08:00", "shift_end": "16:00", **HUB, **changes})
    assert r.status_code == 201, r.text
    return r.json()


def test_a_shop_is_changed_in_part(client, dispatcher):
    add_shop(client, dispatcher, "ad-s1")
    r = client.patch("/api/shops/ad-s1", headers=dispatcher, json={"name": "Librairie du Beffroi", "closes": "20:00"})
    assert r.status_code == 200, r.text
    assert r.json() == {"shop_id": "ad-s1", "name": "Librairie du Beffroi", "address": "3 place d'Armes",
                        "lon": 3.079, "lat": 50.371, "opens": "09:00", "closes": "20:00",
                        "default_parcel": "petit_colis", "retired_at": None}
    r = client.patch("/api/shops/ad-s1", headers=dispatcher, json={"address": None})
    assert r.json()["address"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [({"opens": "21:00"}, "closes"), ({"name": ""}, "name"), ({"name": None}, "name"),
     ({"lon": 0, "lat": 0}, "lon"), ({"shop_id": "other"}, "shop_id"), ({"opens": "９:００"}, "opens")],
)
def test_a_shop_changed_is_checked_as_a_new_one(client, dispatcher, change, field):
    add_shop(client, dispatcher, f"ad-chk-{field}-{len(str(change))}")
    r = client.patch(f"/api/shops/ad-chk-{field}-{len(str(change))}", headers=dispatcher, json=change)
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["detail"]]


def test_unknown_shops_and_couriers_are_404(client, dispatcher):
    assert client.patch("/api/shops/none", headers=dispatcher, json={"name": "x"}).status_code == 404
    assert client.delete("/api/shops/none", headers=dispatcher).status_code == 404
    assert client.patch("/api/couriers/none", headers=dispatcher, json={"mode": "foot"}).status_code == 404
    assert client.delete("/api/couriers/none", headers=dispatcher).status_code == 404


def test_a_retired_shop_takes_no_new_orders_but_stays(client, dispatcher, engine):
    add_shop(client, dispatcher, "ad-s2")
    with Session(engine) as s:
        _, token = create_user(s, "shop", shop_id="ad-s2")
        s.commit()
    shop = {"Authorization": f"Bearer {token}"}
    body = {"order_id": "ad-o1", "customer_lon": 3.09, "customer_lat": 50.365, "weight_kg": 1,
            "volume_l": 2, "deliver_from": "14:00", "deliver_to": "16:00", "date": DAY}
    assert client.post("/api/orders", headers={**shop, "Idempotency-Key": "ad-k1"}, json=body).status_code == 201
    r = client.delete("/api/shops/ad-s2", headers=dispatcher)
    assert r.status_code == 200, r.text
    retired_at = r.json()["retired_at"]
    assert retired_at.startswith("2030-06-03T10:")  # the platform's clock
    again = client.delete("/api/shops/ad-s2", headers=dispatcher)
    assert (again.status_code, again.json()["retired_at"]) == (200, retired_at)  # a retry changes nothing
    r = client.post("/api/orders", headers=shop, json={**body, "order_id": "ad-o2"})
    assert r.status_code == 409, r.text
    assert r.json()["detail"].startswith("shop_id:")
    # A retry of the order taken before is still the same order.
    assert client.post("/api/orders", headers={**shop, "Idempotency-Key": "ad-k1"}, json=body).status_code == 200
    csv = ("order_id,shop_id,basket_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,deliver_from,deliver_to\n"
           "ad-o3,ad-s2,,3.09,50.365,1,2,,14:00,16:00\n")
    r = client.post("/api/orders/import", headers=dispatcher, content=csv, params={"date": DAY})
    assert r.status_code == 409, r.text
    assert "retired" in r.json()["detail"]
    assert client.patch("/api/shops/ad-s2", headers=dispatcher, json={"name": "x"}).status_code == 409
    listed = client.get("/api/shops", headers=dispatcher).json()
    assert "ad-s2" not in [s["shop_id"] for s in listed["shops"]]
    assert listed["count"] == len(listed["shops"])
    everyone = client.get("/api/shops", params={"retired": True}, headers=dispatcher).json()
    assert next(s for s in everyone["shops"] if s["shop_id"] == "ad-s2")["retired_at"] == retired_at
    assert client.get("/api/orders/ad-o1", headers=shop).status_code == 200  # history kept
    with Session(engine) as s:
        assert s.get(Shop, "ad-s2") is not None


def test_shops_are_the_dispatchers(client, dispatcher, engine):
    with Session(engine) as s:
        _, token = create_user(s, "city")
        s.commit()
    city = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/shops", headers=city).status_code == 403
    assert client.patch("/api/shops/ad-s1", headers=city, json={"name": "x"}).status_code == 403
    assert client.delete("/api/couriers/ad-c1", headers=city).status_code == 403


def test_a_courier_is_changed_in_part(client, dispatcher):
    add_courier(client, dispatcher, "ad-c1")
    r = client.patch("/api/couriers/ad-c1", headers=dispatcher, json={"capacity_kg": 150, "shift_end": "18:00"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["capacity_kg"], got["capacity_l"], got["shift_start"], got["shift_end"]) == (150, 300, "08:00", "18:00")
    # Added without an end, the courier ends where they start, wherever it moves.
    r = client.patch("/api/couriers/ad-c1", headers=dispatcher, json={"start_lon": 3.085, "start_lat": 50.372})
    assert (r.json()["end_lon"], r.json()["end_lat"]) == (3.085, 50.372)
    r = client.patch("/api/couriers/ad-c1", headers=dispatcher, json={"end_lon": 3.09, "end_lat": 50.365})
    assert (r.json()["end_lon"], r.json()["end_lat"]) == (3.09, 50.365)
    r = client.patch("/api/couriers/ad-c1", headers=dispatcher, json={"end_lon": None, "end_lat": None})
    assert (r.json()["end_lon"], r.json()["end_lat"]) == (3.085, 50.372)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"shift_start": "19:00"}, "shift_end"), ({"capacity_kg": None}, "capacity_kg"),
     ({"capacity_l": 1e9}, "capacity_l"), ({"end_lon": 3.1}, "end_lon"), ({"mode": "van"}, "mode"),
     ({"courier_id": "x"}, "courier_id")],
)
def test_a_courier_changed_is_checked_as_a_new_one(client, dispatcher, change, field):
    add_courier(client, dispatcher, f"ad-cchk-{field}")
    r = client.patch(f"/api/couriers/ad-cchk-{field}", headers=dispatcher, json=change)
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["detail"]]


def test_a_retired_courier_is_in_no_new_plan_nor_in_the_list(client, dispatcher, engine):
    add_courier(client, dispatcher, "ad-rider")
    add_courier(client, dispatcher, "ad-leaver")
    r = client.delete("/api/couriers/ad-leaver", headers=dispatcher)
    assert r.status_code == 200, r.text
    assert r.json()["retired_at"] is not None
    listed = [c["courier_id"] for c in client.get("/api/couriers", headers=dispatcher).json()["couriers"]]
    assert "ad-rider" in listed
    assert "ad-leaver" not in listed
    everyone = client.get("/api/couriers", params={"retired": "true"}, headers=dispatcher).json()["couriers"]
    assert "ad-leaver" in [c["courier_id"] for c in everyone]
    assert client.patch("/api/couriers/ad-leaver", headers=dispatcher, json={"mode": "foot"}).status_code == 409
    # Named, a retired courier is refused; by default the plan's fleet leaves them out.
    r = client.post("/api/plans", headers=dispatcher,
                    json={"date": DAY, "time_limit_s": 1, "couriers": ["ad-rider", "ad-leaver"]})
    assert r.status_code == 409, r.text
    assert r.json()["detail"].startswith("couriers:")
    r = client.post("/api/plans", headers=dispatcher, json={"date": DAY, "time_limit_s": 1})
    assert r.status_code == 202, r.text
    with Session(engine) as s:
        fleet = s.get(Plan, r.json()["id"]).settings["couriers"]
        assert "ad-rider" in fleet
        assert "ad-leaver" not in fleet
        assert s.get(Courier, "ad-leaver") is not None  # the row stays


def test_no_order_moves_to_a_retired_courier(client, dispatcher, engine):
    add_courier(client, dispatcher, "ad-gone")
    assert client.delete("/api/couriers/ad-gone", headers=dispatcher).status_code == 200
    with Session(engine) as s:
        plan = Plan(day=dt.date(2031, 8, 23), status="solved", settings={})
        s.add(plan)
        s.commit()
        plan_id = plan.id
    r = client.post(f"/api/plans/{plan_id}/moves", headers=dispatcher,
                    json={"order_id": "ad-o1", "courier_id": "ad-gone"})
    assert r.status_code == 409, r.text
    assert r.json()["detail"].startswith("courier_id:")
