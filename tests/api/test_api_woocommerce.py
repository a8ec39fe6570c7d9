"""The marketplace's WooCommerce order webhooks on a real PostGIS: signed deliveries
only, the ping answered, one order per shop and a basket across shops, retries harmless,
updates while not planned, cancels; the address geocoded from the extract."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json

import pytest
from fastapi.testclient import TestClient
from geocoding_extracts import write_extract
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.store.models import Order, OrderStatus
from logistics.store.order_status import move_order
from logistics.store.users import create_user

SECRET = "wc-test-secret"
URL = "/api/connectors/woocommerce"

#: an order as WooCommerce's REST API (v3) words it, trimmed to what the platform reads
ORDER = {
    "id": 7311, "status": "processing", "currency": "EUR", "date_created": "2031-11-26T10:02:11",
    "customer_note": "Digicode 4512, 2e étage",
    "billing": {"first_name": "Claire", "last_name": "Dupont", "email": "claire.dupont@example.org",
                "phone": "06 11 22 33 44", "address_1": "12 Rue de Bellain", "city": "Douai", "postcode": "59500"},
    "shipping": {"first_name": "Claire", "last_name": "Dupont", "company": "", "address_1": "12 Rue de Bellain",
                 "address_2": "", "city": "Douai", "state": "", "postcode": "59500", "country": "FR"},
    "meta_data": [{"id": 1, "key": "delivery_date", "value": "2031-11-28"},
                  {"id": 2, "key": "delivery_slot", "value": "14:00-16:00"}],
    "line_items": [
        {"id": 1, "name": "Roman", "quantity": 2, "meta_data": [
            {"id": 3, "key": "shop_id", "value": "wc-books"}, {"id": 4, "key": "weight_kg", "value": "0.5"},
            {"id": 5, "key": "volume_l", "value": "1.5"}]},
        {"id": 2, "name": "Pain de campagne", "quantity": 1, "meta_data": [
            {"id": 6, "key": "shop_id", "value": "wc-bakery"}]},
    ],
}


def sign(raw: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def deliver(client, order: dict, topic: str = "order.created", secret: str = SECRET, signature: str | None = None):
    raw = json.dumps(order).encode()
    headers = {"Content-Type": "application/json", "X-WC-Webhook-Topic": topic,
               "X-WC-Webhook-Resource": "order", "X-WC-Webhook-Event": topic.split(".")[1],
               "X-WC-Webhook-Signature": signature if signature is not None else sign(raw, secret),
               "X-WC-Webhook-ID": "12", "X-WC-Webhook-Delivery-ID": "345"}
    return client.post(URL, content=raw, headers=headers)


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(engine=engine))


@pytest.fixture(scope="module")
def dispatcher(client, engine):
    with Session(engine) as s:
        _, token = create_user(s, "dispatcher")
        s.commit()
    auth = {"Authorization": f"Bearer {token}"}
    for shop, name in (("wc-books", "Librairie"), ("wc-bakery", "Boulangerie"), ("wc-florist", "Fleuriste")):
        r = client.post("/api/shops", headers=auth, json={
            "shop_id": shop, "name": name, "lon": 3.08, "lat": 50.37, "opens": "08:00", "closes": "19:00"})
        assert r.status_code == 201, r.text
        assert r.json()["default_parcel"] == "petit_colis"
    return auth


@pytest.fixture
def wc(env, tmp_path, dispatcher):
    env(OSM_SOURCE=str(write_extract(tmp_path / "a.osm")), GEOCODER="osm", WOOCOMMERCE_WEBHOOK_SECRET=SECRET)
    return dispatcher


def test_the_ping_is_answered_and_unsigned_bodies_store_nothing(client, wc, engine):
    r = client.post(URL, content=b"webhook_id=12", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (r.status_code, r.json()["status"]) == (200, "ignored")
    assert deliver(client, ORDER, signature="").status_code == 401
    assert deliver(client, ORDER, secret="another").status_code == 401
    raw = json.dumps(ORDER).encode()
    tampered = json.dumps({**ORDER, "id": 9999}).encode()
    r = client.post(URL, content=tampered, headers={"X-WC-Webhook-Topic": "order.created",
                                                    "X-WC-Webhook-Signature": sign(raw)})
    assert r.status_code == 401
    with Session(engine) as s:
        assert s.get(Order, "wc-books:wc7311") is None
        assert s.get(Order, "wc-books:wc9999") is None


def test_an_order_of_two_shops_is_one_basket_and_a_retry_changes_nothing(client, wc, engine):
    r = deliver(client, ORDER)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "created", "order_ids": ["wc-bakery:wc7311", "wc-books:wc7311"]}
    books = client.get("/api/orders/wc-books:wc7311", headers=wc).json()
    bread = client.get("/api/orders/wc-bakery:wc7311", headers=wc).json()
    assert books["basket_id"] == bread["basket_id"] == "~dispatch:wc7311"
    assert (books["weight_kg"], books["volume_l"]) == (1.0, 3.0)  # 2 × 0.5 kg, 2 × 1.5 L
    assert (bread["weight_kg"], bread["volume_l"]) == (2.0, 10.0)  # no size: a "petit colis"
    assert (books["customer_lon"], books["customer_lat"]) == (3.0795, 50.3705)
    assert (books["deliver_from"], books["deliver_to"], books["date"]) == ("14:00", "16:00", "2031-11-28")
    assert (books["customer_name"], books["customer_phone"], books["delivery_notes"]) == (
        "Claire Dupont", "06 11 22 33 44", "Digicode 4512, 2e étage")
    again = deliver(client, ORDER)
    assert again.json()["status"] == "unchanged"
    assert deliver(client, ORDER, topic="order.updated").json()["status"] == "unchanged"


def test_an_update_before_planning_is_applied_after_it_is_refused(client, wc, engine):
    order = copy.deepcopy(ORDER)
    order["id"] = 7312
    assert deliver(client, order).json()["status"] == "created"
    order["meta_data"][1]["value"] = "16:00-18:00"
    order["shipping"]["address_1"] = "5 Place d'Armes"
    r = deliver(client, order, topic="order.updated")
    assert r.json()["status"] == "updated", r.text
    got = client.get("/api/orders/wc-books:wc7312", headers=wc).json()
    assert (got["deliver_from"], got["customer_lon"]) == ("16:00", 3.0801)
    with Session(engine) as s:
        move_order(s, s.get(Order, "wc-books:wc7312"), OrderStatus.PLANNED)
        s.commit()
    order["meta_data"][1]["value"] = "09:00-10:00"
    r = deliver(client, order, topic="order.updated")
    assert r.status_code == 409, r.text
    assert client.get("/api/orders/wc-books:wc7312", headers=wc).json()["deliver_from"] == "16:00"
    order["status"] = "cancelled"
    r = deliver(client, order, topic="order.updated")
    assert r.json()["status"] == "cancelled", r.text
    assert client.get("/api/orders/wc-bakery:wc7312", headers=wc).json()["status"] == "cancelled"


@pytest.mark.parametrize(("change", "field"), [
    (lambda o: o["meta_data"].pop(1), "meta_data.delivery_slot"),
    (lambda o: o["meta_data"].__setitem__(0, {"key": "delivery_date", "value": "demain"}), "meta_data.delivery_date"),
    (lambda o: o["shipping"].__setitem__("address_1", "1 rue Inconnue"), "shipping.address_1"),
    (lambda o: o["line_items"][1]["meta_data"].clear(), "line_items[1].meta_data.shop_id"),
    (lambda o: o["line_items"][0]["meta_data"][0].__setitem__("value", "nowhere"), "line_items.meta_data.shop_id"),
])
def test_an_order_the_platform_cannot_take_names_the_field(client, wc, engine, change, field):
    order = copy.deepcopy(ORDER)
    order["id"] = 7400
    change(order)
    r = deliver(client, order)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field
    with Session(engine) as s:
        assert s.get(Order, "wc-bakery:wc7400") is None


def test_a_platform_without_the_secret_has_no_connector(client, wc, env):
    env(WOOCOMMERCE_WEBHOOK_SECRET="")
    r = deliver(client, ORDER)
    assert r.status_code == 404
    assert "WOOCOMMERCE_WEBHOOK_SECRET" in r.json()["detail"]


def test_an_unpaid_order_waits(client, wc, engine):
    order = {**copy.deepcopy(ORDER), "id": 7500, "status": "pending"}
    assert deliver(client, order).json()["status"] == "ignored"
    with Session(engine) as s:
        assert s.get(Order, "wc-books:wc7500") is None


def test_items_without_a_size_count_as_the_shop_s_default_parcel(client, wc, engine):
    r = client.patch("/api/shops/wc-florist", headers=wc, json={"default_parcel": "malle"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "default_parcel"
    r = client.patch("/api/shops/wc-florist", headers=wc, json={"default_parcel": "carton"})
    assert (r.status_code, r.json()["default_parcel"]) == (200, "carton"), r.text
    order = copy.deepcopy(ORDER)
    order["id"] = 7600
    # The florist: one sized pot (3 × 1 kg, 4 L) and a bouquet without a size.
    order["line_items"] = [
        {"id": 1, "name": "Pot", "quantity": 3, "meta_data": [
            {"key": "shop_id", "value": "wc-florist"}, {"key": "weight_kg", "value": 1},
            {"key": "volume_l", "value": 4}]},
        {"id": 2, "name": "Bouquet", "quantity": 2, "meta_data": [{"key": "shop_id", "value": "wc-florist"}]},
        {"id": 3, "name": "Baguette", "quantity": 1, "meta_data": [{"key": "shop_id", "value": "wc-bakery"}]},
    ]
    assert deliver(client, order).json()["status"] == "created"
    flowers = client.get("/api/orders/wc-florist:wc7600", headers=wc).json()
    assert (flowers["weight_kg"], flowers["volume_l"]) == (13.0, 62.0)  # 3 kg + 12 L, then one "carton"
    bread = client.get("/api/orders/wc-bakery:wc7600", headers=wc).json()
    assert (bread["weight_kg"], bread["volume_l"]) == (2.0, 10.0)  # the bakery's default: a "petit colis"


def test_a_shop_s_items_dropped_from_the_order_cancel_its_order(client, wc, engine):
    order = copy.deepcopy(ORDER)
    order["id"] = 7700
    assert deliver(client, order).json()["status"] == "created"
    order["line_items"] = order["line_items"][:1]  # the bread is taken out
    r = deliver(client, order, topic="order.updated")
    assert r.json() == {"status": "updated", "order_ids": ["wc-books:wc7700"]}, r.text
    bread = client.get("/api/orders/wc-bakery:wc7700", headers=wc).json()
    assert bread["status"] == "cancelled"
    assert client.get("/api/orders/wc-books:wc7700", headers=wc).json()["status"] == "received"
    assert deliver(client, order, topic="order.updated").json()["status"] == "unchanged"
    # Once a shop's order is picked up, taking its items out is refused (409), nothing changed.
    order["id"] = 7701
    order["line_items"] = copy.deepcopy(ORDER["line_items"])
    assert deliver(client, order).json()["status"] == "created"
    with Session(engine) as s:
        row = s.get(Order, "wc-bakery:wc7701")
        move_order(s, row, OrderStatus.PLANNED)
        move_order(s, row, OrderStatus.PICKED_UP)
        s.commit()
    order["line_items"] = order["line_items"][:1]
    r = deliver(client, order, topic="order.updated")
    assert r.status_code == 409, r.text
    assert client.get("/api/orders/wc-bakery:wc7701", headers=wc).json()["status"] == "picked_up"
