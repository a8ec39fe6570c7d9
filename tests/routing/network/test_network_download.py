"""Download by place name or box: through a local stand-in for Nominatim and Overpass.

The osmnx client code runs for real against an HTTP server on 127.0.0.1 that answers
like Nominatim (a polygon) and Overpass (the ways and nodes of the Mulhouse extract, in
Overpass JSON), so no internet is needed; the second load must come from the cache.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import osmium
import osmnx as ox
import pytest

from logistics.geocoding.geocoder import make_geocoder
from routing.network import NetworkUnavailable, load_network


def overpass_json(path: Path) -> tuple[dict, tuple[float, float, float, float]]:
    """The highway ways of an extract as an Overpass answer, and the box of their nodes.

    Clipped ways keep their longest run of present nodes, as Overpass never answers
    with a way whose nodes are missing.
    """
    nodes: dict[int, dict] = {}
    ways = []
    for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY):
        if obj.is_node() and obj.location.valid():
            nodes[obj.id] = {"type": "node", "id": obj.id, "lat": obj.location.lat,
                             "lon": obj.location.lon, "tags": dict(obj.tags)}  # fmt: skip
        elif obj.is_way() and "highway" in obj.tags:
            runs, run = [], []
            for ref in (n.ref for n in obj.nodes):
                if ref in nodes:
                    run.append(ref)
                else:
                    runs.append(run)
                    run = []
            runs.append(run)
            best = max(runs, key=len)
            if len(best) >= 2:
                ways.append({"type": "way", "id": obj.id, "nodes": best, "tags": dict(obj.tags)})
    used = {r for w in ways for r in w["nodes"]}
    elements = [nodes[i] for i in sorted(used)] + ways
    lons = [nodes[i]["lon"] for i in used]
    lats = [nodes[i]["lat"] for i in used]
    box = (min(lons), min(lats), max(lons), max(lats))
    return {"version": 0.6, "generator": "test", "elements": elements}, box


def nominatim_json(box: tuple[float, float, float, float]) -> list[dict]:
    """A Nominatim search answer: one administrative boundary, the box as a polygon."""
    west, south, east, north = box
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return [{
        "place_id": 1, "osm_type": "relation", "osm_id": 1, "lat": str((south + north) / 2),
        "lon": str((west + east) / 2), "class": "boundary", "type": "administrative",
        "display_name": "Mulhouse centre (test)", "importance": 0.9,
        "boundingbox": [str(south), str(north), str(west), str(east)],
        "geojson": {"type": "Polygon", "coordinates": [ring]},
    }]  # fmt: skip


def addresses_json(box: tuple[float, float, float, float]) -> dict:
    """An Overpass answer to the address query: a numbered node and a numbered building
    (a closed way) inside the box."""
    west, south, east, north = box
    x, y = (west + east) / 2, (south + north) / 2
    d = 0.0001
    corners = [(x + d, y + d), (x + 2 * d, y + d), (x + 2 * d, y + 2 * d), (x + d, y + 2 * d)]
    nodes = [{"type": "node", "id": 9_000_001 + i, "lat": b, "lon": a} for i, (a, b) in enumerate(corners)]
    return {"version": 0.6, "generator": "test", "elements": [
        {"type": "node", "id": 9_000_000, "lat": y, "lon": x, "tags": {
            "addr:housenumber": "7", "addr:street": "Rue du Test", "addr:postcode": "68100",
            "addr:city": "Mulhouse"}},
        *nodes,
        {"type": "way", "id": 9_000_100, "nodes": [n["id"] for n in nodes] + [nodes[0]["id"]], "tags": {
            "building": "yes", "addr:housenumber": "9 bis", "addr:street": "Rue du Test & Fils"}},
    ]}  # fmt: skip


STATUS = (
    "Connected as: 1\nCurrent time: 2024-10-01T00:00:00Z\nAnnounced endpoint: none\n"
    "Rate limit: 2\n2 slots available now.\nCurrently running queries:\n"
)


@pytest.fixture(scope="module")
def osm_server(extract_path) -> Iterator[tuple[str, Counter, tuple[float, float, float, float]]]:
    """(base URL, hits per path, box) of a local Nominatim + Overpass stand-in."""
    answer, box = overpass_json(extract_path("mulhouse-centre.osm.pbf"))
    overpass = json.dumps(answer).encode()
    addresses = json.dumps(addresses_json(box)).encode()
    nominatim = json.dumps(nominatim_json(box)).encode()
    hits: Counter = Counter()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?")[0]
            hits[path] += 1
            if path.endswith("/search"):
                self._send(nominatim, "application/json")
            elif path.endswith("/status"):
                self._send(STATUS.encode(), "text/plain")
            else:
                self.send_error(404)

        def do_POST(self) -> None:  # noqa: N802
            path = self.path.split("?")[0]
            hits[path] += 1
            query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._send(addresses if b"housenumber" in query else overpass, "application/json")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits, box
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_osm(monkeypatch, osm_server):
    """Point osmnx at the local stand-in for this test."""
    base, hits, box = osm_server
    monkeypatch.setattr(ox.settings, "nominatim_url", base + "/")
    monkeypatch.setattr(ox.settings, "overpass_url", base + "/api")
    return hits, box


@pytest.mark.shared
def test_place_is_downloaded_once_then_read_from_the_cache(local_osm, tmp_path, extract_path):
    hits, _ = local_osm
    hits.clear()
    cache_folder = ox.settings.cache_folder
    net = load_network("Mulhouse centre", cache_dir=tmp_path)
    cached = tmp_path / "places" / "mulhouse-centre.osm"
    assert cached.is_file()
    assert (tmp_path / "http").is_dir()
    assert net.source.startswith("OpenStreetMap: 'Mulhouse centre' (downloaded ")
    assert net.source.endswith(f"cached {cached})")
    assert hits["/search"] == 1
    assert hits["/api/interpreter"] == 2  # the streets, then the addresses
    assert ox.settings.cache_folder == cache_folder  # osmnx settings restored
    # The addresses are in the cached file, for the offline geocoder: a node and a building.
    geocoder = make_geocoder("osm", cached, "")
    assert geocoder.resolve("7 rue du Test, 68100 Mulhouse").status == "found"
    building = geocoder.resolve("9 bis rue du Test & Fils")
    assert building.status == "found", building
    assert building.best.lon > geocoder.resolve("7 rue du Test").best.lon
    direct = load_network(extract_path("mulhouse-centre.osm.pbf"))
    for mode in ("cargo_bike", "foot", "car"):
        got, want = net.graph(mode).num_nodes, direct.graph(mode).num_nodes
        assert 0.8 * want <= got <= 1.1 * want, mode
    # the contraflow tags survive the round trip through osmnx and OSM XML
    assert net.graph("cargo_bike").num_edges > 1.2 * net.graph("car").num_edges

    before = sum(hits.values())
    again = load_network("Mulhouse centre", cache_dir=tmp_path)
    assert sum(hits.values()) == before
    assert again.source == net.source
    assert again.graph("foot").num_edges == net.graph("foot").num_edges


@pytest.mark.shared
def test_box_is_downloaded_once(local_osm, tmp_path):
    hits, box = local_osm
    hits.clear()
    net = load_network(box, cache_dir=tmp_path)
    assert hits["/api/interpreter"] == 2
    assert hits["/search"] == 0
    assert net.source.startswith("OpenStreetMap: box (")
    assert net.graph("car").num_nodes > 100
    load_network(box, cache_dir=tmp_path)
    assert hits["/api/interpreter"] == 2


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "https://nominatim.invalid/"])
def test_without_internet_a_place_fails_fast_with_a_hint(monkeypatch, tmp_path, url):
    monkeypatch.setattr(ox.settings, "nominatim_url", url)
    monkeypatch.setattr(ox.settings, "overpass_url", url + "api")
    start = time.perf_counter()
    with pytest.raises(NetworkUnavailable) as info:
        load_network("Douai, France", cache_dir=tmp_path)
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("cannot download 'Douai, France' from OpenStreetMap (no internet?)")
    assert "--osm ../shared/osm/heidelberg-centre.osm.pbf" in message
    assert not (tmp_path / "places").exists()
