"""``douai-delivery`` end to end, as a user runs it: real console script, real extract."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import shared_file

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "douai-delivery"
HMS = re.compile(r"^\d{2}:\d{2}:\d{2}$")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [str(SCRIPT), *map(str, args)], cwd=cwd, capture_output=True, text=True,
        env=full_env, timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def mulhouse() -> Path:
    return shared_file("osm", "mulhouse-centre.osm.pbf")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, mulhouse: Path):
    """One generated day on Mulhouse, planned by ``demo``; its inputs serve ``plan`` too."""
    out = tmp_path_factory.mktemp("demo")
    result = run(
        "demo", "--osm", mulhouse, "--out", out, "--orders-count", "80",
        "--time-limit", "8", cwd=out,
    )
    assert result.returncode == 0, result.stderr
    return out, result


def test_demo_writes_the_three_outputs(demo_run):
    out, result = demo_run
    assert "network: file mulhouse-centre.osm.pbf" in result.stdout
    for name in ("plan.json", "rounds.geojson", "map.html"):
        assert (out / name).stat().st_size > 0
    assert "Traceback" not in result.stderr


def test_plan_json_keeps_the_contract(demo_run):
    out, _ = demo_run
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["network"]["source"] == "file mulhouse-centre.osm.pbf"
    summary = plan["summary"]
    for key in ("orders", "planned", "couriers_used", "bike_km", "foot_km", "car_km_avoided", "co2_avoided_kg"):
        assert key in summary
    with (out / "inputs" / "orders.csv").open(encoding="utf-8") as f:
        order_ids = [r["order_id"] for r in csv.DictReader(f)]
    delivered = [o for r in plan["rounds"] for s in r["stops"] if s["kind"] == "delivery" for o in s["order_ids"]]
    unassigned = [u["order_id"] for u in plan["unassigned"]]
    # Every order exactly once: delivered or unassigned with a reason.
    assert sorted(delivered + unassigned) == sorted(order_ids)
    assert all(u["reason"] for u in plan["unassigned"])
    assert summary["planned"] == len(delivered) > 0
    assert summary["couriers_used"] == len(plan["rounds"])
    for r in plan["rounds"]:
        assert {"courier_id", "mode", "distance_m", "duration_s", "stops"} <= set(r)
        kinds = [s["kind"] for s in r["stops"]]
        assert kinds[0] == "start"
        assert kinds[-1] == "end"
        picked: set[str] = set()
        for s in r["stops"]:
            assert {"kind", "order_ids", "shop_id", "lon", "lat", "arrival", "departure", "load_kg", "load_l"} <= set(s)
            assert HMS.match(s["arrival"])
            assert HMS.match(s["departure"])
            assert s["arrival"] <= s["departure"]
            if s["kind"] == "pickup":
                picked.update(s["order_ids"])
            if s["kind"] == "delivery":
                assert set(s["order_ids"]) <= picked, "delivered before picked up"
            assert s["load_kg"] >= 0
        assert r["stops"][-1]["load_kg"] == 0
    assert summary["car_km_avoided"] > 0
    assert summary["co2_avoided_kg"] == pytest.approx(summary["car_km_avoided"] * 0.2176, rel=1e-3)
    assert "0.2176" in json.dumps(plan["impact"]["factors"])


def test_geojson_lines_follow_the_streets(demo_run):
    out, _ = demo_run
    fc = json.loads((out / "rounds.geojson").read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    lines = [f for f in fc["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in fc["features"] if f["geometry"]["type"] == "Point"]
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert len(lines) == len(plan["rounds"])
    for line, r in zip(lines, plan["rounds"], strict=True):
        coords = line["geometry"]["coordinates"]
        # Following streets means many more vertices than stops.
        assert len(coords) > len(r["stops"])
        lon, lat = coords[0]
        assert 7.3 < lon < 7.4
        assert 47.7 < lat < 47.8  # [lon, lat] order
    assert len(points) == sum(len(r["stops"]) for r in plan["rounds"])


def test_plan_command_on_the_generated_inputs(demo_run, mulhouse, tmp_path):
    src, _ = demo_run
    inputs = src / "inputs"
    result = run(
        "plan", "--shops", inputs / "shops.csv", "--orders", inputs / "orders.csv",
        "--couriers", inputs / "couriers.csv", "--osm", mulhouse, "--out", tmp_path / "p",
        "--time-limit", "5", cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "planned" in result.stdout
    assert (tmp_path / "p" / "map.html").is_file()


def _write_inputs(folder: Path, shops: str, orders: str, couriers: str) -> list[Path]:
    paths = []
    for name, text in (("shops.csv", shops), ("orders.csv", orders), ("couriers.csv", couriers)):
        p = folder / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


SHOPS = "shop_id,name,lon,lat,opens,closes\nS1,Boulangerie,7.3355,47.7500,08:00,19:00\nS2,Librairie,7.3370,47.7510,09:00,19:00\n"
ORDERS = (
    "order_id,shop_id,basket_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,deliver_from,deliver_to\n"
    "O1,S1,,7.3330,47.7490,2.5,10,09:00,10:00,12:00\n"
    "O2,S2,B1,7.3390,47.7480,1,4,09:00,14:00,16:00\n"
    "O3,S1,B1,7.3390,47.7480,3,8,09:00,14:00,16:00\n"
    "O4,,,7.3320,47.7520,4,20,08:00,10:00,12:00\n"
)
COURIERS = (
    "courier_id,mode,capacity_kg,capacity_l,shift_start,shift_end,start_lon,start_lat,end_lon,end_lat\n"
    "C1,cargo_bike,100,300,08:30,17:00,7.3350,47.7510,7.3350,47.7510\n"
    "C2,foot,25,60,08:30,13:00,7.3350,47.7510,7.3350,47.7510\n"
)


def test_hand_made_day_with_a_basket_and_a_far_customer(tmp_path, mulhouse):
    far = "O5,S1,,7.5000,47.9000,1,1,09:00,10:00,12:00\n"  # about 20 km away
    shops, orders, couriers = _write_inputs(tmp_path, SHOPS, ORDERS + far, COURIERS)
    result = run(
        "plan", "--shops", shops, "--orders", orders, "--couriers", couriers,
        "--osm", mulhouse, "--out", tmp_path / "out", "--time-limit", "3", cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert [(u["order_id"], u["reason"]) for u in plan["unassigned"]] == [("O5", "off_network")]
    assert "km" in plan["unassigned"][0]["detail"] or " m " in plan["unassigned"][0]["detail"]
    drops = [s for r in plan["rounds"] for s in r["stops"] if s["kind"] == "delivery"]
    basket = [s for s in drops if "O2" in s["order_ids"]]
    assert len(basket) == 1
    assert sorted(basket[0]["order_ids"]) == ["O2", "O3"]


BAD_INPUTS = {
    "missing column": ("orders", ORDERS.replace("weight_kg,", ""), "orders.csv", "weight_kg"),
    "unknown shop": ("orders", ORDERS.replace("O1,S1", "O1,S9"), "orders.csv row 2", "shop_id"),
    "duplicate id": ("orders", ORDERS.replace("O2,S2", "O1,S2"), "orders.csv row 3", "order_id"),
    "text in a number": ("orders", ORDERS.replace("2.5,10", "heavy,10"), "orders.csv row 2", "weight_kg"),
    "swapped lon/lat": ("shops", SHOPS.replace("7.3355,47.7500", "47.7500,7.3355"), "shops.csv row 2", "swapped"),
    "shift ends before it starts": ("couriers", COURIERS.replace("08:30,17:00", "17:00,08:30"), "couriers.csv row 2", "shift_end"),
    "slot ends before it begins": ("orders", ORDERS.replace("10:00,12:00\nO2", "12:00,10:00\nO2"), "orders.csv row 2", "deliver_to"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_code_2(case, tmp_path, mulhouse):
    which, text, where, what = BAD_INPUTS[case]
    files = {"shops": SHOPS, "orders": ORDERS, "couriers": COURIERS, which: text}
    shops, orders, couriers = _write_inputs(tmp_path, files["shops"], files["orders"], files["couriers"])
    result = run(
        "plan", "--shops", shops, "--orders", orders, "--couriers", couriers,
        "--osm", mulhouse, "--out", tmp_path / "out", cwd=tmp_path,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert where in lines[0]
    assert what in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "plan.json").exists()


def test_without_internet_the_default_network_stops_at_once_with_a_hint(tmp_path):
    shops, orders, couriers = _write_inputs(tmp_path, SHOPS, ORDERS, COURIERS)
    # A closed local port as proxy: no request can leave, whatever the machine.
    offline = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    result = run(
        "plan", "--shops", shops, "--orders", orders, "--couriers", couriers,
        "--out", tmp_path / "out", "--cache-dir", tmp_path / "cache", cwd=tmp_path, env=offline,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Douai" in lines[0]
    assert "--osm" in lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--shops", "nope.csv"],
        ["demo", "--osm", "missing.osm.pbf", "--out", "x"],
        ["plan", "--shops", "a", "--orders", "b", "--couriers", "c", "--osm", "x.pbf", "--out", "o", "--time-limit", "abc"],
        ["bench", "nowhere", "--bks", "b.csv", "--time-limit", "1", "--solutions", "s", "--csv", "c.csv"],
    ],
)
def test_usage_errors_are_one_line(args, tmp_path):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_bench_refuses_an_unknown_solver_option(tmp_path):
    (tmp_path / "b.csv").write_text("instance,vehicles,distance\n", encoding="utf-8")
    for option in ("nope=1", "first_solution=NOPE", "time_limit_s"):
        result = run(
            "bench", ".", "--bks", "b.csv", "--time-limit", "1", "--solutions", "s",
            "--csv", "c.csv", "--solver-option", option, cwd=tmp_path,
        )
        assert result.returncode == 2, option
        assert "--solver-option" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_plan_places_orders_given_by_their_address_and_leaves_out_the_unknown(tmp_path):
    """``plan --osm`` on an extract with addresses: rows with only ``customer_address``
    are placed from the extract's own addresses (the default offline source, nothing
    asked of the internet); an address it does not hold is left out, not the day."""
    from logistics.geocoding.osm_index import AddressIndex

    extract = shared_file("osm", "heidelberg-centre.osm.pbf")
    homes = AddressIndex.from_osm(extract).addresses
    a, b = homes[4], homes[40]
    shops = f"shop_id,name,lon,lat,opens,closes\nS1,Buchladen,{b.lon},{b.lat},08:00,19:00\n"
    orders = (
        "order_id,shop_id,basket_id,customer_address,weight_kg,volume_l,ready_at,deliver_from,deliver_to\n"
        f'O1,S1,,"{a.street} {a.number}",2,5,08:00,10:00,17:00\n'
        f'O2,S1,,"{b.label().lower()}",2,5,08:00,10:00,17:00\n'
        "O3,S1,,Nirgendwostraße 99,2,5,08:00,10:00,17:00\n"
    )
    couriers = f"courier_id,mode,capacity_kg,capacity_l,shift_start,shift_end,start_lon,start_lat,end_lon,end_lat\n" \
               f"K1,cargo_bike,80,200,08:00,18:00,{b.lon},{b.lat},{b.lon},{b.lat}\n"
    paths = _write_inputs(tmp_path, shops, orders, couriers)
    env = {k: v for k, v in os.environ.items() if k not in ("GEOCODER", "OSM_SOURCE")}
    result = run("plan", "--shops", paths[0], "--orders", paths[1], "--couriers", paths[2], "--osm", extract,
                 "--out", tmp_path / "p", "--time-limit", "2", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    plan = json.loads((tmp_path / "p" / "plan.json").read_text())
    left = {u["order_id"]: u for u in plan["unassigned"]}
    assert set(left) == {"O3"}
    assert left["O3"]["reason"] == "address_unknown"
    assert "Nirgendwostraße 99" in left["O3"]["detail"] or left["O3"]["detail"].startswith("adresse introuvable")
    drops = {o: (s["lon"], s["lat"]) for r in plan["rounds"] for s in r["stops"] if s["kind"] == "delivery"
             for o in s["order_ids"]}
    assert drops["O1"] == pytest.approx((a.lon, a.lat), abs=1e-6)
    assert drops["O2"] == pytest.approx((b.lon, b.lat), abs=1e-6)
