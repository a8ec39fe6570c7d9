"""The service area: a worker records the bounds of the street network it loads, and the
API refuses an order, shop or courier point outside them (2 km of margin), naming the
field and saying when lon and lat look swapped; with no area recorded, only a point's
own checks apply."""

from __future__ import annotations

import math

import pytest
from factories import shop_row
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.errors import DomainError
from logistics.store.models import ServiceArea
from logistics.store.service_area import area_bounds, check_in_area, record_area
from logistics.store.users import create_user

DAY = "2031-08-21"
SOURCE = "test: the grid town"
LILLE = (3.0573, 50.6292)  # 29 km north of the town


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(engine=engine))


@pytest.fixture(scope="module")
def area(engine, town):
    """The town's bounds recorded as the newest service area (the session's worker
    records the same ones); removed at the end."""
    with Session(engine) as s:
        record_area(s, SOURCE, town.bounds)
        s.add(shop_row("sa-shop", (3.0790, 50.3712)))
        s.commit()
    yield town.bounds
    with Session(engine) as s:
        s.execute(delete(ServiceArea).where(ServiceArea.source == SOURCE))
        s.commit()


@pytest.fixture(scope="module")
def auth(engine, area) -> dict[str, dict[str, str]]:
    with Session(engine) as s:
        tokens = {"dispatcher": create_user(s, "dispatcher")[1],
                  "shop": create_user(s, "shop", shop_id="sa-shop")[1]}
        s.commit()
    return {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


def order(order_id: str, lon: float, lat: float) -> dict:
    return {"order_id": order_id, "customer_lon": lon, "customer_lat": lat, "weight_kg": 1,
            "volume_l": 2, "deliver_from": "14:00", "deliver_to": "16:00", "date": DAY}


def problem(r) -> tuple[str, str]:
    assert r.status_code == 422, r.text
    (only,) = r.json()["detail"]
    return only["field"], only["problem"]


def test_an_order_outside_the_area_is_named(client, auth):
    field, text = problem(client.post("/api/orders", json=order("sa-lille", *LILLE), headers=auth["shop"]))
    assert field == "customer_lat"
    assert "outside the service area" in text
    r = client.post("/api/orders", json=order("sa-lille", *LILLE), headers=auth["shop"])
    assert (r.json()["code"], r.json()["message"]) == (
        "outside_service_area",
        f"Ce point est hors de la zone que couvrent les tournées : ({LILLE[0]:.6f}, {LILLE[1]:.6f}).")


def test_swapped_lon_and_lat_are_said_to_look_swapped(client, auth):
    field, text = problem(client.post("/api/orders", json=order("sa-swap", 50.3650, 3.0900), headers=auth["shop"]))
    assert field == "customer_lon"
    assert "looks like lon and lat are swapped" in text
    r = client.post("/api/orders", json=order("sa-swap", 50.3650, 3.0900), headers=auth["shop"])
    assert r.json()["message"] == ("Le point (50.365000, 3.090000) semble avoir la longitude et la "
                                   "latitude inversées : essayez (3.090000, 50.365000).")


def test_a_door_a_km_past_the_last_street_is_taken(client, auth, area):
    west, south, east, north = area
    km_lon = 1 / (111.32 * math.cos(math.radians(north)))
    r = client.post("/api/orders", json=order("sa-edge", east + km_lon, (south + north) / 2),
                    headers=auth["shop"])
    assert r.status_code == 201, r.text


def test_shops_and_couriers_outside_the_area_are_named(client, auth):
    d = auth["dispatcher"]
    r = client.post("/api/shops", headers=d, json={
        "shop_id": "sa-far", "name": "Far", "lon": LILLE[0], "lat": LILLE[1], "opens": "09:00", "closes": "19:00"})
    assert problem(r)[0] == "lat"
    courier = {"courier_id": "sa-c", "mode": "foot", "capacity_kg": 20, "capacity_l": 50,
               "shift_start": "08:00", "shift_end": "12:00", "start_lon": 3.08, "start_lat": 50.37}
    r = client.post("/api/couriers", headers=d, json={**courier, "end_lon": 2.3522, "end_lat": 48.8566})
    assert problem(r)[0] == "end_lon"
    r = client.post("/api/couriers", headers=d, json={**courier, "start_lon": 50.37, "start_lat": 3.08})
    field, text = problem(r)
    assert field == "start_lon"
    assert "swapped" in text
    assert client.post("/api/couriers", headers=d, json=courier).status_code == 201
    r = client.patch("/api/shops/sa-shop", headers=d, json={"lat": LILLE[1]})
    assert problem(r)[0] == "lat"


def test_a_csv_import_names_the_row_outside_the_area(client, auth):
    csv = ("order_id,shop_id,basket_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,deliver_from,deliver_to\n"
           "sa-i1,sa-shop,,3.09,50.365,1,2,,14:00,16:00\n"
           f"sa-i2,sa-shop,,{LILLE[0]},{LILLE[1]},1,2,,14:00,16:00\n")
    r = client.post("/api/orders/import", content=csv, params={"date": DAY}, headers=auth["shop"])
    assert r.status_code == 422, r.text
    (only,) = r.json()["detail"]
    assert (only["row"], only["field"]) == (3, "customer_lon/customer_lat")
    assert "outside" in only["problem"]


def test_without_a_recorded_area_only_the_points_own_checks_apply(engine):
    with Session(engine) as s:
        s.execute(delete(ServiceArea))  # rolled back at the end: no worker ever ran
        assert area_bounds(s) is None
        check_in_area(s, "lon", "lat", *LILLE)
        s.rollback()


def test_the_newest_recorded_network_wins(engine, town):
    with Session(engine) as s:
        s.execute(delete(ServiceArea))
        record_area(s, "old", (2.0, 48.0, 2.5, 49.0))
        record_area(s, "new", town.bounds)
        check_in_area(s, "lon", "lat", 3.08, 50.37)
        with pytest.raises(DomainError):
            check_in_area(s, "lon", "lat", 2.2, 48.5)
        record_area(s, "old", (2.0, 48.0, 2.5, 49.0))  # loaded again: the newest now
        check_in_area(s, "lon", "lat", 2.2, 48.5)
        assert s.query(ServiceArea).count() == 2  # one row per source
        s.rollback()
