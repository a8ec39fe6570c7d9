"""Orders by postal address over the API, on a real PostGIS: the offline index of the
network's extract, BAN (a local stand-in in its format) before it, each answer kept so
that an address is asked once; unknown and ambiguous addresses refused with candidates,
naming ``customer_address``; candidates for a form's autocomplete."""

from __future__ import annotations

import pytest
from ban_stub import ban_stub, feature
from fastapi.testclient import TestClient
from geocoding_extracts import write_extract
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.store.models import GeocodedAddress, ServiceArea
from logistics.store.service_area import record_area
from logistics.store.users import create_user

DAY = "2031-11-27"


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(engine=engine))


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return write_extract(tmp_path_factory.mktemp("geo") / "douai-addresses.osm")


@pytest.fixture(scope="module")
def tokens(client, engine):
    with Session(engine) as s:
        _, dispatcher = create_user(s, "dispatcher")
        s.commit()
    auth = {"Authorization": f"Bearer {dispatcher}"}
    r = client.post("/api/shops", headers=auth, json={
        "shop_id": "geo-a", "name": "Librairie", "lon": 3.08, "lat": 50.37, "opens": "09:00", "closes": "19:00"})
    assert r.status_code == 201, r.text
    with Session(engine) as s:
        _, shop = create_user(s, "shop", shop_id="geo-a")
        s.commit()
    return {"dispatcher": auth, "shop": {"Authorization": f"Bearer {shop}"}}


def body(order_id: str, address: str, **more) -> dict:
    return {"order_id": order_id, "customer_address": address, "weight_kg": 2, "volume_l": 5,
            "deliver_from": "14:00", "deliver_to": "16:00", "date": DAY, **more}


def test_an_order_by_address_only_is_placed_from_the_extract(client, tokens, extract, env):
    env(OSM_SOURCE=str(extract), GEOCODER=None)  # a file: the offline index by default
    r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-1", "12 r. de Bellain, Douai"))
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["customer_lon"], out["customer_lat"]) == (3.0795, 50.3705)
    assert out["customer_address"] == "12 r. de Bellain, Douai"  # as the shop wrote it
    assert (out["address_label"], out["address_score"]) == ("12 Rue de Bellain, 59500 Douai", 1.0)
    again = client.get("/api/orders/geo-1", headers=tokens["shop"]).json()
    assert again["address_label"] == "12 Rue de Bellain, 59500 Douai"
    # A typo in the street still places it; the point given wins over any address.
    r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-2", "14 rue de Belain 59500 Douai"))
    assert r.status_code == 201, r.text
    assert r.json()["address_label"] == "14 Rue de Bellain, 59500 Douai"
    r = client.post("/api/orders", headers=tokens["shop"],
                    json=body("geo-3", "14 rue de Bellain", customer_lon=3.09, customer_lat=50.36))
    assert r.status_code == 201, r.text
    assert (r.json()["customer_lon"], r.json()["address_label"]) == (3.09, None)


def test_an_unknown_or_ambiguous_address_is_refused_with_candidates(client, tokens, extract, env):
    env(OSM_SOURCE=str(extract), GEOCODER="osm")
    r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-u", "1 rue Inconnue, 59500 Douai"))
    assert r.status_code == 422, r.text
    (problem,) = r.json()["detail"]
    assert problem["field"] == "customer_address"
    assert problem["candidates"] == []
    assert r.json()["code"] == "address_unknown"
    # The street is known, not the number: the nearest ones are offered.
    r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-n", "80 rue de Bellain, Douai"))
    assert r.status_code == 422, r.text
    (problem,) = r.json()["detail"]
    assert problem["field"] == "customer_address"
    labels = [c["label"] for c in problem["candidates"]]
    assert labels[0] == "14 Rue de Bellain, 59500 Douai"
    assert all(set(c) == {"label", "score", "lon", "lat", "source"} for c in problem["candidates"])
    assert r.json()["code"] == "address_ambiguous"
    assert client.get("/api/orders/geo-n", headers=tokens["shop"]).status_code == 404
    r = client.post("/api/orders", headers=tokens["shop"], json={
        **body("geo-x", "x"), "customer_address": None})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "customer_address"
    r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-y", "5 pl d'Armes", customer_lon=3.08))
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "customer_lat"


def test_ban_first_then_the_extract_each_address_asked_once(client, tokens, extract, env, engine):
    known = {"mairie douai": [feature("9 Rue de la Mairie 59500 Douai", 0.96, 3.0811, 50.3711)]}
    with ban_stub(known) as ban:
        env(OSM_SOURCE=str(extract), GEOCODER="ban,osm", GEOCODER_BAN_URL=ban.url)
        r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-b1", "9 rue de la Mairie, Douai"))
        assert r.status_code == 201, r.text
        assert r.json()["address_label"] == "9 Rue de la Mairie 59500 Douai"
        assert ban.asked == ["/geocodage/search?limit=5&q=9 rue de la Mairie, Douai"]
        # The same address, written otherwise: the kept answer, BAN not asked again.
        r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-b2", "9 RUE DE LA MAIRIE, DOUAI"))
        assert r.status_code == 201, r.text
        assert len(ban.asked) == 1
        # BAN knows nothing of it: the extract answers.
        r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-b3", "5 place d'Armes, Douai"))
        assert r.status_code == 201, r.text
        assert r.json()["address_label"] == "5 Place d'Armes, 59500 Douai"
        # BAN down: the extract still answers; with BAN alone, a 503 and nothing stored.
        ban.down = True
        r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-b4", "3 bis rue Saint-Jacques"))
        assert r.status_code == 201, r.text
        env(GEOCODER="ban")
        r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-b5", "7 rue des Wetz, Douai"))
        assert r.status_code == 503, r.text
        assert client.get("/api/orders/geo-b5", headers=tokens["shop"]).status_code == 404
    with Session(engine) as s:
        kept = {row.query: (row.source, row.label) for row in s.scalars(select(GeocodedAddress))}
    assert kept["9 rue de la mairie douai"] == ("ban", "9 Rue de la Mairie 59500 Douai")
    assert kept["5 place d armes douai"][0] == "osm"


def test_candidates_for_a_form(client, tokens, extract, env):
    env(OSM_SOURCE=str(extract), GEOCODER="osm")
    r = client.get("/api/addresses", params={"q": "12 rue de Bellain"}, headers=tokens["shop"])
    assert r.status_code == 200, r.text
    assert r.json()["candidates"][0]["label"] == "12 Rue de Bellain, 59500 Douai"
    r = client.get("/api/addresses", params={"q": "rue de bellain", "limit": 1}, headers=tokens["dispatcher"])
    assert len(r.json()["candidates"]) == 1
    assert client.get("/api/addresses", params={"q": "12"}, headers=tokens["shop"]).status_code == 422
    assert client.get("/api/addresses", params={"q": "12 rue"}).status_code == 401


IMPORT = ("order_id,customer_address,weight_kg,volume_l,deliver_from,deliver_to\n"
          'geo-i1,"12 rue de Bellain, Douai",2,5,14:00,16:00\n'
          'geo-i2,"5 pl. d\'Armes 59500 Douai",2,5,14:00,16:00\n')


def test_a_csv_of_addresses_is_imported_all_or_none(client, tokens, extract, env):
    env(OSM_SOURCE=str(extract), GEOCODER="osm")
    bad = IMPORT + 'geo-i3,"1 rue Inconnue, Douai",2,5,14:00,16:00\n'
    r = client.post("/api/orders/import", headers=tokens["shop"], content=bad, params={"date": DAY})
    assert r.status_code == 422, r.text
    (problem,) = r.json()["detail"]
    assert (problem["field"], problem["row"]) == ("customer_address", 4)
    assert "no such address" in problem["problem"]
    assert client.get("/api/orders/geo-i1", headers=tokens["shop"]).status_code == 404, "none stored"
    r = client.post("/api/orders/import", headers=tokens["shop"], content=IMPORT, params={"date": DAY})
    assert r.status_code == 201, r.text
    one = client.get("/api/orders/geo-i1", headers=tokens["shop"]).json()
    assert (one["customer_lon"], one["customer_lat"], one["address_label"]) == (
        3.0795, 50.3705, "12 Rue de Bellain, 59500 Douai")
    assert client.get("/api/orders/geo-i2", headers=tokens["shop"]).json()["address_label"] == (
        "5 Place d'Armes, 59500 Douai")


def test_the_customer_s_details_are_kept_and_checked(client, tokens, extract, env):
    env(OSM_SOURCE=str(extract), GEOCODER="osm")
    who = {"customer_name": "Jean Martin", "customer_phone": "06 12 34 56 78",
           "customer_email": "jean.martin@example.org", "delivery_notes": "Sonner chez Martin, 2e"}
    r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-c1", "14 rue de Bellain", **who))
    assert r.status_code == 201, r.text
    assert {k: r.json()[k] for k in who} == who
    for field, value in (("customer_phone", "appelez-moi"), ("customer_email", "jean@"),
                         ("delivery_notes", "x" * 501), ("customer_name", "a\x00b")):
        r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-c2", "14 rue de Bellain",
                                                                          **{field: value}))
        assert r.status_code == 422, (field, r.text)
        assert r.json()["detail"][0]["field"] == field, r.text
    csv = ("order_id,customer_address,customer_name,customer_phone,delivery_notes,weight_kg,volume_l,"
           "deliver_from,deliver_to\n"
           'geo-c3,"12 rue de Bellain, Douai",Mme Roux,+33612345678,"Digicode 12A",2,5,14:00,16:00\n')
    r = client.post("/api/orders/import", headers=tokens["shop"], content=csv, params={"date": DAY})
    assert r.status_code == 201, r.text
    got = client.get("/api/orders/geo-c3", headers=tokens["shop"]).json()
    assert (got["customer_name"], got["customer_phone"], got["delivery_notes"]) == (
        "Mme Roux", "+33612345678", "Digicode 12A")
    bad = csv.replace("geo-c3", "geo-c4").replace("+33612345678", "nope")
    r = client.post("/api/orders/import", headers=tokens["shop"], content=bad, params={"date": DAY})
    assert r.status_code == 422, r.text
    assert (r.json()["detail"][0]["field"], r.json()["detail"][0]["row"]) == ("customer_phone", 2)


def test_a_point_without_an_address_gets_the_nearest_one(client, tokens, extract, env):
    env(OSM_SOURCE=str(extract), GEOCODER="osm")
    r = client.post("/api/orders", headers=tokens["shop"], json={
        **body("geo-r1", ""), "customer_address": None, "customer_lon": 3.07953, "customer_lat": 50.37051})
    assert r.status_code == 201, r.text
    assert r.json()["customer_address"] == "12 Rue de Bellain, 59500 Douai"
    assert r.json()["address_label"] == "12 Rue de Bellain, 59500 Douai"
    # Nowhere near an address: no address rather than a wrong one.
    r = client.post("/api/orders", headers=tokens["shop"], json={
        **body("geo-r2", ""), "customer_address": None, "customer_lon": 3.0600, "customer_lat": 50.3500})
    assert r.status_code == 201, r.text
    assert r.json()["customer_address"] is None


@pytest.fixture
def no_recorded_area(engine):
    """No network's bounds recorded for the test (a worker of another module may have
    recorded its town's, which would refuse the point first): put back afterwards,
    oldest first, so the newest stays the newest."""
    with Session(engine) as s:
        kept = [(a.source, (a.west, a.south, a.east, a.north))
                for a in s.scalars(select(ServiceArea).order_by(ServiceArea.recorded_at))]
        s.execute(delete(ServiceArea))
        s.commit()
    yield
    with Session(engine) as s:
        for source, bounds in kept:
            record_area(s, source, bounds)
        s.commit()


def test_a_customer_outside_the_delivery_area_is_refused(client, tokens, extract, env, tmp_path,
                                                         no_recorded_area):
    """``DELIVERY_AREA``: Douai's commune (the file shipped in data/areas) takes an address
    in Douai, refuses a point outside it by the field given (the address, or the point),
    over the API and in an import; a file that is no polygon is one line naming the setting."""
    from pathlib import Path

    douai = Path(__file__).resolve().parents[2] / "data" / "areas" / "douai.geojson"
    env(OSM_SOURCE=str(extract), GEOCODER="osm", DELIVERY_AREA=str(douai))
    r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-a1", "12 rue de Bellain, Douai"))
    assert r.status_code == 201, r.text
    r = client.post("/api/orders", headers=tokens["shop"], json={
        **body("geo-a2", ""), "customer_address": None, "customer_lon": 3.02, "customer_lat": 50.30})
    assert r.status_code == 422, r.text
    assert (r.json()["detail"][0]["field"], r.json()["code"]) == ("customer_lon", "outside_area")
    assert r.json()["message"] == "Hors de la zone de livraison : (3.020000, 50.300000)."
    csv = ("order_id,customer_lon,customer_lat,weight_kg,volume_l,deliver_from,deliver_to\n"
           "geo-a3,3.0795,50.3705,2,5,14:00,16:00\ngeo-a4,3.02,50.30,2,5,14:00,16:00\n")
    r = client.post("/api/orders/import", headers=tokens["shop"], content=csv, params={"date": DAY})
    assert r.status_code == 422, r.text
    assert (r.json()["detail"][0]["field"], r.json()["detail"][0]["row"]) == ("customer_lon/customer_lat", 3)
    assert client.get("/api/orders/geo-a3", headers=tokens["shop"]).status_code == 404
    bad = tmp_path / "area.geojson"
    bad.write_text('{"type": "Point", "coordinates": [3, 50]}')
    from logistics.delivery_area import outside_area
    from logistics.settings import SettingsError
    env(DELIVERY_AREA=str(bad))
    with pytest.raises(SettingsError, match="^DELIVERY_AREA: .* is not a GeoJSON polygon"):
        outside_area(3.0, 50.0)


def test_a_dragged_pin_moves_the_order_and_corrects_the_address(client, tokens, extract, env):
    env(OSM_SOURCE=str(extract), GEOCODER="osm")
    r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-p1", "5 place d'Armes, Douai"))
    assert r.status_code == 201, r.text
    moved = client.patch("/api/orders/geo-a:geo-p1/location", headers=tokens["dispatcher"],
                         json={"lon": 3.0805, "lat": 50.3703})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["customer_lon"], moved.json()["customer_lat"]) == (3.0805, 50.3703)
    # The next order to that address lands where the dispatcher put the pin.
    r = client.post("/api/orders", headers=tokens["shop"], json=body("geo-p2", "5 PLACE D'ARMES, DOUAI"))
    assert (r.json()["customer_lon"], r.json()["customer_lat"]) == (3.0805, 50.3703)
    assert client.patch("/api/orders/geo-a:geo-p1/location", headers=tokens["shop"],
                        json={"lon": 3.08, "lat": 50.37}).status_code == 403
    bad = client.patch("/api/orders/geo-a:geo-p1/location", headers=tokens["dispatcher"], json={"lon": 0, "lat": 0})
    assert bad.status_code == 422
    assert client.post("/api/orders/geo-a:geo-p1/cancel", headers=tokens["dispatcher"],
                       json={"reason": "test"}).status_code == 200
    closed = client.patch("/api/orders/geo-a:geo-p1/location", headers=tokens["dispatcher"],
                          json={"lon": 3.08, "lat": 50.37})
    assert closed.status_code == 409, closed.text
