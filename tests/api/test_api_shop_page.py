"""What the shop's page reads and does beyond orders: its shop with the slots and parcel
presets, "Colis prêt" / "Pas prêt, prêt à HH:MM", and a parcel's label with its QR code."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.store.users import create_user

DAY = "2031-11-28"


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(engine=engine))


@pytest.fixture(scope="module")
def tokens(client, engine):
    with Session(engine) as s:
        _, dispatcher = create_user(s, "dispatcher")
        s.commit()
    auth = {"Authorization": f"Bearer {dispatcher}"}
    for shop in ("sp-a", "sp-b"):
        r = client.post("/api/shops", headers=auth, json={
            "shop_id": shop, "name": f"Fleuriste {shop}", "address": "3 rue de la Mairie, Douai",
            "lon": 3.08, "lat": 50.37, "opens": "09:00", "closes": "19:00"})
        assert r.status_code == 201, r.text
    with Session(engine) as s:
        _, a = create_user(s, "shop", shop_id="sp-a")
        _, b = create_user(s, "shop", shop_id="sp-b")
        s.commit()
    return {"dispatcher": auth, "a": {"Authorization": f"Bearer {a}"}, "b": {"Authorization": f"Bearer {b}"}}


def order(client, tokens, ref: str) -> dict:
    r = client.post("/api/orders", headers=tokens["a"], json={
        "order_id": ref, "customer_lon": 3.09, "customer_lat": 50.36, "customer_address": "8 rue Bellegambe, Douai",
        "customer_name": "M. Petit", "weight_kg": 2, "volume_l": 10, "deliver_from": "14:00",
        "deliver_to": "16:00", "date": DAY})
    assert r.status_code == 201, r.text
    return r.json()


def test_the_shop_reads_its_shop_slots_and_parcels(client, tokens):
    r = client.get("/api/shops/me", headers=tokens["a"])
    assert r.status_code == 200, r.text
    me = r.json()
    assert (me["shop_id"], me["name"], me["opens"], me["closes"]) == ("sp-a", "Fleuriste sp-a", "09:00", "19:00")
    assert me["slots"][0] == {"from": "10:00", "to": "12:00"}
    assert [p["label"] for p in me["parcels"]] == ["Petit colis", "Sac", "Carton"]
    assert me["default_parcel"] == "petit_colis"
    assert client.get("/api/shops/me", headers=tokens["dispatcher"]).status_code == 403


def test_ready_now_or_later(client, tokens, clock):
    o = order(client, tokens, "sp-1")
    clock.on(DAY, "11:20")
    r = client.post(f"/api/orders/{o['order_id']}/ready", headers=tokens["a"], json={})
    assert r.status_code == 200, r.text
    assert r.json()["ready_at"] == "11:20"
    r = client.post(f"/api/orders/{o['order_id']}/ready", headers=tokens["a"], json={"at": "13:45"})
    assert r.json()["ready_at"] == "13:45"
    r = client.post(f"/api/orders/{o['order_id']}/ready", headers=tokens["a"], json={"at": "17:00"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "at"
    assert (r.json()["code"], r.json()["params"]) == ("ready_after_slot", {"ready": "17:00", "slot_end": o["deliver_to"]})
    assert r.json()["message"].startswith("Prêt à 17:00, c'est après la fin du créneau")
    r = client.post(f"/api/orders/{o['order_id']}/ready", headers=tokens["a"], json={"at": "9h"})
    assert r.status_code == 422
    assert client.post(f"/api/orders/{o['order_id']}/ready", headers=tokens["b"], json={}).status_code == 404
    assert client.post(f"/api/orders/{o['order_id']}/cancel", headers=tokens["a"],
                       json={"reason": "x"}).status_code == 200
    r = client.post(f"/api/orders/{o['order_id']}/ready", headers=tokens["a"], json={})
    assert (r.status_code, r.json()["code"]) == (409, "ready_closed")
    assert r.json()["message"] == f"La commande {o['order_id']} est annulée : l'heure où elle est prête ne compte plus."


def test_a_label_with_its_qr_code(client, tokens):
    o = order(client, tokens, "sp-2")
    r = client.get(f"/api/orders/{o['order_id']}/label", headers=tokens["a"])
    assert r.status_code == 200, r.text
    label = r.json()
    assert (label["order_id"], label["shop_ref"], label["customer_name"], label["slot"], label["date"]) == (
        "sp-a:sp-2", "sp-2", "M. Petit", "14:00–16:00", DAY)
    assert label["address"] == "8 rue Bellegambe, Douai"
    assert label["qr_svg"].startswith("<svg")
    assert "Commande sp-a:sp-2" in label["qr_svg"]
    assert client.get(f"/api/orders/{o['order_id']}/label", headers=tokens["b"]).status_code == 404
