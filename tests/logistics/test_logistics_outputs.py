"""Plan outputs: complete plan.json, RFC 7946 rounds.geojson, a self-contained map.html."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from logistics.outputs import plan_geojson, render_map, write_plan_outputs
from logistics.outputs.html_map import map_data
from logistics.outputs.plan_json import rounded


def decimals(x: float) -> int:
    text = repr(x)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def check_position(p: Any) -> None:
    assert isinstance(p, list)
    assert len(p) == 2
    lon, lat = p
    assert isinstance(lon, float | int)
    assert isinstance(lat, float | int)
    # the test plans are around Douai: lon about 3, lat about 50, so the order is checked
    assert 2.9 < lon < 3.3
    assert 50.2 < lat < 50.5
    assert decimals(lon) <= 6
    assert decimals(lat) <= 6


def check_rfc7946(fc: dict[str, Any]) -> None:
    """The parts of RFC 7946 a FeatureCollection of lines and points must meet."""
    assert fc["type"] == "FeatureCollection"
    assert "crs" not in fc
    assert isinstance(fc["features"], list)
    for f in fc["features"]:
        assert f["type"] == "Feature"
        assert isinstance(f["properties"], dict)
        g = f["geometry"]
        assert set(g) == {"type", "coordinates"}
        if g["type"] == "LineString":
            assert len(g["coordinates"]) >= 2
            for p in g["coordinates"]:
                check_position(p)
        else:
            assert g["type"] == "Point"
            check_position(g["coordinates"])


@pytest.fixture
def outputs(tmp_path: Path, plan: dict[str, Any]) -> dict[str, Path]:
    return write_plan_outputs(plan, tmp_path / "out", "Tournées du mardi <Douai> & co")


def test_writes_three_files(outputs: dict[str, Path]) -> None:
    assert {k: p.name for k, p in outputs.items()} == {
        "plan": "plan.json",
        "geojson": "rounds.geojson",
        "map": "map.html",
    }
    assert all(p.stat().st_size > 0 for p in outputs.values())


def test_plan_json_is_the_complete_plan_rounded(
    outputs: dict[str, Path], plan: dict[str, Any]
) -> None:
    text = outputs["plan"].read_text(encoding="utf-8")
    assert "« test »" in text  # UTF-8, not \u escapes
    back = json.loads(text)
    assert back == rounded(plan)
    assert back["rounds"][0]["geometry"]
    assert back["rounds"][0]["distance_m"] == round(plan["rounds"][0]["distance_m"], 6)
    assert re.search(r"\[3\.\d+, 50\.\d+\]", text)  # positions kept on one line


def test_plan_json_turns_nan_into_null(tmp_path: Path, plan: dict[str, Any]) -> None:
    bad = copy.deepcopy(plan)
    bad["summary"]["co2_avoided_kg"] = float("nan")
    paths = write_plan_outputs(bad, tmp_path, "t")
    assert (
        json.loads(paths["plan"].read_text(encoding="utf-8"))["summary"]["co2_avoided_kg"] is None
    )


def test_geojson_is_rfc7946(outputs: dict[str, Path], plan: dict[str, Any]) -> None:
    fc = json.loads(outputs["geojson"].read_text(encoding="utf-8"))
    check_rfc7946(fc)
    lines = [f for f in fc["features"] if f["geometry"]["type"] == "LineString"]
    stops = [f for f in fc["features"] if f["properties"]["feature"] == "stop"]
    unassigned = [f for f in fc["features"] if f["properties"]["feature"] == "unassigned"]
    assert len(lines) == len(plan["rounds"])
    assert len(stops) == sum(len(r["stops"]) for r in plan["rounds"])
    assert len(unassigned) == sum("lon" in u for u in plan["unassigned"])
    assert len({f["properties"]["colour"] for f in lines}) == len(lines)
    assert set(lines[0]["properties"]) >= {
        "courier_id",
        "mode",
        "distance_m",
        "duration_s",
        "colour",
    }
    assert set(stops[0]["properties"]) >= {
        "courier_id", "seq", "kind", "order_ids", "shop_id",
        "arrival", "departure", "load_kg", "load_l",
    }  # fmt: skip
    first = plan["rounds"][0]
    assert lines[0]["geometry"]["coordinates"][0] == [
        round(first["geometry"][0][0], 6),
        round(first["geometry"][0][1], 6),
    ]
    assert [f["properties"]["seq"] for f in stops[: len(first["stops"])]] == list(
        range(len(first["stops"]))
    )


def test_geojson_falls_back_to_stops_and_skips_empty_rounds(plan: dict[str, Any]) -> None:
    p = copy.deepcopy(plan)
    p["rounds"][0]["geometry"] = []
    p["rounds"][1]["geometry"] = [[3.08, 50.37]]
    p["rounds"][1]["stops"] = p["rounds"][1]["stops"][:1]
    p["rounds"][2]["geometry"] = []
    p["rounds"][2]["stops"] = []
    fc = plan_geojson(p)
    check_rfc7946(fc)
    lines = {
        f["properties"]["courier_id"]: f
        for f in fc["features"]
        if f["geometry"]["type"] == "LineString"
    }
    assert len(lines[p["rounds"][0]["courier_id"]]["geometry"]["coordinates"]) == len(
        p["rounds"][0]["stops"]
    )
    only = p["rounds"][1]["stops"][0]
    only_position = [round(only["lon"], 6), round(only["lat"], 6)]
    assert lines[p["rounds"][1]["courier_id"]]["geometry"]["coordinates"] == [only_position] * 2
    assert p["rounds"][2]["courier_id"] not in lines


def test_empty_plan(tmp_path: Path) -> None:
    paths = write_plan_outputs({"rounds": [], "unassigned": [], "summary": {}}, tmp_path, "vide")
    assert json.loads(paths["geojson"].read_text()) == {"type": "FeatureCollection", "features": []}
    assert "vide" in paths["map"].read_text(encoding="utf-8")


def test_map_is_self_contained_and_escapes_text(
    outputs: dict[str, Path], plan: dict[str, Any]
) -> None:
    page = outputs["map"].read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", page, re.IGNORECASE)
    assert not re.search(r"@import", page)
    assert "Leaflet 1.9.4" in page  # inlined, with its licence header
    assert "openstreetmap.org/copyright" in page  # tile attribution
    # user text only as JSON with < > & escaped, and the title as HTML text
    assert "<script>alert" not in page
    assert "</script><b>" not in page
    assert "<Douai>" not in page
    assert "Tournées du mardi &lt;Douai&gt; &amp; co" in page
    assert page.lower().count("<script") == page.lower().count("</script>") == 3
    data = re.search(
        r'<script type="application/json" id="plan-data">(.*?)</script>', page, re.DOTALL
    )
    assert data is not None
    assert json.loads(data[1]) == json.loads(
        json.dumps(map_data(plan, "Tournées du mardi <Douai> & co"))
    )


def test_map_size_stays_reasonable(plan: dict[str, Any]) -> None:
    page = render_map(plan, "t")
    assert len(page.encode()) < 400_000


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium to render the page")
def test_map_renders_in_a_browser_offline(outputs: dict[str, Path], plan: dict[str, Any]) -> None:
    """Headless Chromium, no network: the routes and legend are drawn from the inlined data."""
    cmd = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--virtual-time-budget=5000",
        "--dump-dom", outputs["map"].resolve().as_uri(),
    ]  # fmt: skip
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    # one white casing and one coloured line per round, drawn as SVG paths
    assert dom.count("<path") >= 2 * len(plan["rounds"])
    for r in plan["rounds"]:
        assert f"{r['courier_id']}</td>" in dom
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in dom  # shown as text, not run
    assert dom.count('class="stop ') >= sum(len(r["stops"]) - 2 for r in plan["rounds"])
