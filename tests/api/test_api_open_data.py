"""The city's open data on a real PostGIS: ``GET /api/metrics/open-data`` (a month per
500 m cell, CSV or GeoJSON) and ``GET /api/metrics/passages`` (street segments by
cargo-bike passages). No cell under the threshold, no point finer than a cell, no
segment ridden fewer times than the threshold, nor a door; licence and method in the
files; city and dispatcher only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from factories import courier_row, order_row, plan_document_json, round_row, shop_row, stop_row
from fastapi.testclient import TestClient
from pyproj import Transformer
from sqlalchemy.orm import Session

from api.app import create_app
from logistics import ids
from logistics.open_data import CELL_M
from logistics.store.impact_metrics import daily_impact
from logistics.store.models import Plan, StopEvent
from logistics.store.open_data import month_cells
from logistics.store.users import create_user

D1, D2, D3 = dt.date(2034, 4, 3), dt.date(2034, 4, 4), dt.date(2034, 4, 5)
AT = dt.datetime(2034, 4, 1, 6, tzinfo=dt.UTC)
MONTH = {"month": "2034-04"}
TO_GRID = Transformer.from_crs(4326, 3035, always_xy=True)
TO_WGS84 = Transformer.from_crs(3035, 4326, always_xy=True)
_x, _y = TO_GRID.transform(3.08, 50.37)
BX, BY = int(_x // CELL_M) // 2 * 2, int(_y // CELL_M) // 2 * 2  # an even cell: its 1 km cell starts there


def _centre(dx: int, dy: int, ox: float = 250, oy: float = 250) -> tuple[float, float]:
    lon, lat = TO_WGS84.transform((BX + dx) * CELL_M + ox, (BY + dy) * CELL_M + oy)
    return round(lon, 6), round(lat, 6)


HOME_A, HOME_B1, HOME_B2, HOME_C = _centre(0, 0), _centre(2, 0), _centre(3, 0), _centre(6, 6)
DEPOT = _centre(1, 3)
#: the street every round rides from the depot, and one only one round takes
STREET = [_centre(1, 3, 260, 250), _centre(1, 3, 300, 100), _centre(1, 2, 300, 400),
          _centre(1, 2, 300, 100), _centre(1, 1, 300, 300), _centre(1, 1, 150, 100)]
DETOUR = [_centre(0, 2, 400, 300), _centre(0, 2, 100, 300), _centre(0, 3, 100, 100)]


def _oid(ref: str) -> str:
    return ids.order_id("od-shop", ref)


def _round(courier_id: str, home: tuple[float, float], refs: list[str], detour: bool = False):
    """Start at the depot, one hand-over at ``home``, back: out and back along the
    street, each end joining its door through the point where it meets the street."""
    door = (round(home[0] + 0.00005, 6), home[1])
    out = [DEPOT, *STREET, *(DETOUR if detour else []), door, home]
    stops = [stop_row(0, "start", DEPOT), stop_row(1, "delivery", home, order_ids=[_oid(r) for r in refs]),
             stop_row(2, "end", DEPOT)]
    return round_row(courier_id, stops, distance_m=6000, geometry=[*out, *reversed(out[:-1])])


@pytest.fixture(scope="module")
def client(engine, celery_jobs):
    return TestClient(create_app(engine=engine, jobs=celery_jobs))


@pytest.fixture(scope="module")
def seeded(engine) -> dict[str, list]:
    """April 2034. Cell A: 6 deliveries (2 on foot) and one failed; cells B1 and B2 of
    one 1 km cell: 3 and 2; cell C: 1. A delivery on a day whose plan was withdrawn does
    not count. Five cargo-bike rounds ride the same street out and back; one takes a
    detour of its own."""
    orders = {"a1": (D1, HOME_A), "a2": (D1, HOME_A), "a3": (D1, HOME_A), "a4": (D1, HOME_A),
              "a5": (D1, HOME_A), "a6": (D1, HOME_A), "b1a": (D1, HOME_B1), "b1b": (D1, HOME_B1),
              "b1c": (D1, HOME_B1), "b2a": (D2, HOME_B2), "b2b": (D2, HOME_B2), "c1": (D2, HOME_C),
              "af": (D2, HOME_A), "aw": (D3, HOME_A)}
    with Session(engine) as s:
        s.add(shop_row("od-shop", DEPOT, name="Épicerie Secrète", address="3 rue Cachée, Douai"))
        for cid, mode in (("od-bike-1", "cargo_bike"), ("od-bike-2", "cargo_bike"),
                          ("od-bike-3", "cargo_bike"), ("od-foot-1", "foot")):
            s.add(courier_row(cid, DEPOT, mode=mode))
        s.flush()
        for ref, (day, home) in orders.items():
            s.add(order_row(ref, day, home, shop_id="od-shop", address=f"{ref} rue Privée, Douai",
                            status="failed" if ref == "af" else "delivered"))
        s.flush()

        def plan(day, refs, rounds, withdrawn=False):
            return Plan(day=day, status="solved", published_at=AT, withdrawn_at=AT if withdrawn else None,
                        result=plan_document_json(trips=[([_oid(r)], 3.0 if r == "af" else 2.0) for r in refs]),
                        rounds=rounds)

        plans = [
            plan(D1, ["a1", "a2", "a3", "a4", "a5", "a6", "b1a", "b1b", "b1c"], [
                _round("od-bike-1", HOME_A, ["a1", "a2", "a3", "a4"]),
                _round("od-bike-2", HOME_B1, ["b1a", "b1b", "b1c"]),
                _round("od-foot-1", HOME_A, ["a5", "a6"])]),
            plan(D2, ["b2a", "b2b", "c1", "af"], [
                _round("od-bike-1", HOME_B2, ["b2a", "b2b"]),
                _round("od-bike-2", HOME_C, ["c1"], detour=True),
                _round("od-bike-3", HOME_A, ["af"])]),
            plan(D3, ["aw"], [_round("od-bike-1", HOME_A, ["aw"])], withdrawn=True),
        ]
        s.add_all(plans)
        s.flush()
        for p in plans[:2]:
            for r in p.rounds:
                failed = r.stops[1].order_ids == [_oid("af")]
                for kind in ("arrived", "failed" if failed else "delivered"):
                    s.add(StopEvent(stop_id=r.stops[1].id, type=kind, at=AT))
        made = {
            "city": create_user(s, "city")[1], "dispatcher": create_user(s, "dispatcher")[1],
            "shop": create_user(s, "shop", shop_id="od-shop")[1],
            "courier": create_user(s, "courier", courier_id="od-bike-1")[1],
        }
        s.commit()
    secrets = ["od-shop", "Épicerie Secrète", "rue Cachée", "rue Privée", "od-bike", "od-foot",
               *(_oid(r) for r in orders)]
    return {"tokens": {k: {"Authorization": f"Bearer {v}"} for k, v in made.items()},
            "secrets": secrets}


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    comments = [line for line in text.splitlines() if line.startswith("#")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return comments, list(csv.DictReader(io.StringIO(body)))


def test_the_csv_holds_cells_of_five_or_more_and_groups_the_small_ones(client, seeded):
    r = client.get("/api/metrics/open-data", params=MONTH, headers=seeded["tokens"]["city"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="livraisons_2034-04_carreaux_500m.csv"' in r.headers["content-disposition"]
    comments, rows = _rows(r.text)
    assert any("Licence Ouverte" in c for c in comments)
    assert any(c.startswith("# Méthode : ") and "carreau de 500 m" in c for c in comments)
    assert any(c.startswith("# Colonnes : month = ") for c in comments)
    assert any("1 livraison dans 1 groupe de carreaux" in c for c in comments), comments  # cell C, left out
    assert [(x["cell_id"], x["cell_m"], x["cells"], x["deliveries"]) for x in rows] == [
        (f"CRS3035RES500mN{BY * 500}E{BX * 500}", "500", "1", "6"),
        (f"CRS3035RES1000mN{BY * 500}E{(BX + 2) * 500}", "1000", "2", "5"),
    ]
    a, b = rows
    assert (a["share_on_foot"], a["car_km_avoided"], b["share_on_foot"], b["car_km_avoided"]) == (
        "0.333", "12.0", "0.0", "10.0")  # 2 of 6 on foot; 2 km a trip, the failed one not
    assert float(a["car_km_avoided_net"]) == pytest.approx(12.0 * 0.628, abs=0.001)
    assert all(int(x["deliveries"]) >= 5 for x in rows)
    assert not any(secret in r.text for secret in seeded["secrets"])


def test_the_geojson_has_no_point_finer_than_a_cell(client, seeded):
    r = client.get("/api/metrics/open-data", params={**MONTH, "format": "geojson"},
                   headers=seeded["tokens"]["dispatcher"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    assert doc["type"] == "FeatureCollection"
    assert "Licence Ouverte" in doc["licence"]
    assert "carreau de 500 m" in doc["method"]
    assert doc["grid"] == {"crs": "EPSG:3035", "cell_m": 500}
    assert list(doc["columns"]) == list(doc["features"][0]["properties"])  # each one described
    assert doc["suppressed"] == {"deliveries": 1, "groups": 1}
    assert [f["properties"]["deliveries"] for f in doc["features"]] == [6, 5]
    assert [f["geometry"]["type"] for f in doc["features"]] == ["Polygon", "Polygon"]
    corners = [pt for f in doc["features"] for ring in f["geometry"]["coordinates"] for pt in ring]
    for lon, lat in corners:  # every vertex is a corner of the 500 m grid
        x, y = TO_GRID.transform(lon, lat)
        assert abs(x / CELL_M - round(x / CELL_M)) < 0.002
        assert abs(y / CELL_M - round(y / CELL_M)) < 0.002
    # the two small cells B1, B2 side by side: their union, a 1000 x 500 m rectangle
    xs = {round(TO_GRID.transform(*p)[0]) for p in doc["features"][1]["geometry"]["coordinates"][0]}
    assert max(xs) - min(xs) == pytest.approx(1000, abs=1)
    assert not any(secret in r.text for secret in seeded["secrets"])


def test_the_cells_add_up_to_the_kilometres_ridden(engine, seeded):
    with Session(engine) as s:
        srid, cells = month_cells(s, D1, dt.date(2034, 4, 30))
        ridden = sum(d.figures.bike_km for d in daily_impact(s, D1, dt.date(2034, 4, 30)))
    assert srid == 3035
    assert ridden == pytest.approx(5 * 6.0)  # five bike rounds ended, 6 km each
    assert sum(c.bike_km for c in cells.values()) == pytest.approx(ridden, abs=0.01)
    assert sum(c.deliveries for c in cells.values()) == 12


def test_the_passages_map_shows_the_common_street_and_neither_detour_nor_door(client, seeded):
    r = client.get("/api/metrics/passages", params={"from": "2034-04-01", "to": "2034-04-30"},
                   headers=seeded["tokens"]["city"])
    assert r.status_code == 200, r.text
    doc = r.json()
    assert "ODbL" in doc["licence"]
    assert doc["min_passages"] == 5
    assert [f["properties"]["passages"] for f in doc["features"]] == [10]  # 5 rounds, out and back
    coords = {tuple(p) for f in doc["features"] for line in f["geometry"]["coordinates"] for p in line}
    assert set(STREET[1:]) <= coords  # the street past the depot's own door
    assert not coords & {DEPOT, HOME_A, HOME_B1, HOME_B2, HOME_C, *DETOUR}
    assert not any(secret in r.text for secret in seeded["secrets"])


def test_only_the_city_and_the_dispatcher_and_bad_input_named(client, seeded):
    tokens = seeded["tokens"]
    for path in ("/api/metrics/open-data", "/api/metrics/passages"):
        assert client.get(path).status_code == 401
        for role in ("shop", "courier"):
            assert client.get(path, headers=tokens[role]).status_code == 403
    for params, field in (({"month": "2034-13"}, "month"), ({"month": "avril"}, "month"),
                          ({"month": "1999-01"}, "month"), ({**MONTH, "format": "xlsx"}, "format")):
        r = client.get("/api/metrics/open-data", params=params, headers=tokens["city"])
        assert r.status_code == 422, (params, r.text)
        assert r.json()["detail"][0]["field"] == field
    r = client.get("/api/metrics/passages", params={"from": "2034-04-30", "to": "2034-04-01"},
                   headers=tokens["city"])
    assert (r.status_code, r.json()["detail"][0]["field"]) == (422, "to")
