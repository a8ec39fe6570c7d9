"""Snapping, matrices and route geometry, on small OSM XML files and real extracts."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from routing.network import MODES, ModeGraph, NetworkSettings, Snap, load_network


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def line_length(line: list[tuple[float, float]]) -> float:
    """Metres along a lon/lat line."""
    return sum(haversine(p, q) for p, q in zip(line[:-1], line[1:], strict=True))


def random_points(g: ModeGraph, n: int, seed: int = 0) -> list[tuple[float, float]]:
    """Points scattered around the graph's nodes (a few tens of metres off)."""
    rng = np.random.default_rng(seed)
    nodes = g.node_coordinates()
    pts = nodes[rng.integers(0, len(nodes), n)] + rng.normal(scale=0.0003, size=(n, 2))
    return [(float(x), float(y)) for x, y in pts]


# --- loading ------------------------------------------------------------------------


def test_clipped_way_keeps_its_runs_of_present_nodes(osm_file, corners):
    """Node 99 is missing from the file: way 1-99-2-3-4 keeps 2-3-4 and still loads."""
    path = osm_file(
        corners,
        [
            (10, [1, 99, 2, 3, 4], {"highway": "residential"}),
            (11, [4, 1, 2], {"highway": "residential"}),
        ],
    )
    net = load_network(path)
    runs = {w.id: [net.data.node_ids[r].tolist() for r in w.runs] for w in net.data.ways}
    assert runs == {10: [[2, 3, 4]], 11: [[4, 1, 2]]}
    assert net.graph("foot").num_nodes == 2  # junctions 2 and 4 of the ring 2-3-4-1-2
    assert net.source == "file test.osm"


def test_source_kinds(osm_file, corners, tmp_path):
    path = osm_file(corners, [(10, [1, 2, 3, 4, 1], {"highway": "residential"})], name="ring.osm")
    assert load_network(str(path)).source == "file ring.osm"
    west, south, east, north = load_network(path).bounds
    assert (west, south, east, north) == pytest.approx((3.08, 50.37, 3.081, 50.371))
    with pytest.raises(FileNotFoundError):
        load_network(str(tmp_path / "missing.osm.pbf"))
    with pytest.raises(ValueError, match="bounding box"):
        load_network((3.1, 50.3, 3.0, 50.4))
    with pytest.raises(ValueError, match="unknown mode"):
        load_network(path).graph("horse")


def test_a_file_without_streets_for_a_mode_is_refused(osm_file, corners):
    net = load_network(osm_file(corners, [(10, [1, 2, 3, 4, 1], {"highway": "footway"})]))
    assert net.graph("foot").num_nodes == 1
    with pytest.raises(ValueError, match="no street a car may use"):
        net.graph("car")


def test_settings_are_validated():
    with pytest.raises(ValueError, match="positive"):
        NetworkSettings(foot_kmh=0)


# --- snapping ------------------------------------------------------------------------


def test_snap_onto_an_edge_interior(square, corners):
    g = square({"highway": "residential"}).graph("cargo_bike")
    south_mid = (3.08050, 50.37003)  # 3.3 m north of the middle of the south side
    (snap,) = g.snap([south_mid])
    assert isinstance(snap, Snap)
    assert snap.ok
    assert snap.reason is None
    assert (snap.lon, snap.lat) == pytest.approx((3.0805, 50.37), abs=1e-7)
    assert snap.distance_m == pytest.approx(haversine(south_mid, (3.0805, 50.37)), rel=0.01)
    nodes = {tuple(p) for p in g.node_coordinates().round(7).tolist()}
    assert (round(snap.lon, 7), round(snap.lat, 7)) not in nodes
    assert 0 < snap.offset_m < g.arrays.chain_len[snap.chain]


def test_snap_refuses_points_beyond_the_limit_with_the_reason(square):
    g = square({"highway": "residential"}).graph("cargo_bike")
    far = (3.0805, 50.3755)  # about 500 m north of the block
    near, refused = g.snap([(3.0805, 50.3701), far])
    assert near.ok
    assert not refused.ok
    assert refused.distance_m == pytest.approx(500, abs=10)
    assert (
        refused.reason
        == f"{refused.distance_m:.0f} m from the nearest cargo_bike street (limit 250 m)"
    )
    with pytest.raises(ValueError, match=r"point 1 .* from the nearest cargo_bike street"):
        g.matrix([(3.0805, 50.3701), far])
    wide = square({"highway": "residential"}, max_snap_m=1000.0).graph("cargo_bike")
    assert wide.snap([far])[0].ok


def test_snap_only_onto_the_largest_strongly_connected_part(osm_file, corners):
    """A car-only island (a one-way spur) is not snapped onto: the ring is."""
    nodes = {**corners, 6: (3.0805, 50.3690), 7: (3.0805, 50.3680)}
    path = osm_file(
        nodes,
        [(10, [1, 2, 3, 4, 1], {"highway": "residential"}),
         (11, [2, 6, 7], {"highway": "residential", "oneway": "yes"})],
    )  # fmt: skip
    g = load_network(path).graph("car")
    (snap,) = g.snap([(3.0805, 50.3680)])  # on the spur's end
    assert snap.lat == pytest.approx(50.37)  # moved to the ring's south side
    assert load_network(path).graph("foot").snap([(3.0805, 50.3680)])[0].distance_m < 0.01


# --- matrices ------------------------------------------------------------------------


def test_one_way_and_same_edge_points(square):
    """Points on a one-way diagonal: short along it, round the block against it."""
    net = square({"highway": "residential", "oneway": "yes"})
    near_sw, near_ne = (3.0802, 50.3702), (3.0808, 50.3708)  # on the diagonal 1 -> 5 -> 3
    seconds, metres = net.graph("car").matrix([near_sw, near_ne])
    along = haversine(near_sw, near_ne)
    assert metres[0, 1] == pytest.approx(along, rel=0.01)
    assert metres[1, 0] > 2 * along
    foot_s, foot_m = net.graph("foot").matrix([near_sw, near_ne])
    assert foot_m[1, 0] == pytest.approx(along, rel=0.01)
    assert foot_s[0, 1] == pytest.approx(along / (4.5 / 3.6), rel=0.01)
    assert np.diag(seconds).tolist() == [0.0, 0.0]


def test_connectors_count_at_the_mode_speed(square):
    g = square({"highway": "residential"}).graph("cargo_bike")
    on, off = (3.0805, 50.3700), (3.0805, 50.37009)  # 10 m north of the south side
    seconds, metres = g.matrix([on, off])
    assert metres[0, 1] == pytest.approx(10.0, abs=0.1)
    assert seconds[0, 1] == pytest.approx(metres[0, 1] / (15 / 3.6))
    assert g.matrix([on, on])[0].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert g.matrix([])[0].shape == (0, 0)


@pytest.mark.shared
@pytest.mark.parametrize("mode", MODES)
def test_matrix_agrees_with_networkx(mulhouse, mode):
    """From node to node (no connector), the matrix is networkx's shortest paths."""
    g = mulhouse.graph(mode)
    rng = np.random.default_rng(1)
    picked = rng.choice(g.num_nodes, 25, replace=False)
    coords = g.node_coordinates()[picked]
    seconds, metres = g.matrix([tuple(p) for p in coords.tolist()])
    nxg = g.to_networkx()
    for i, u in enumerate(picked.tolist()):
        times, paths = nx.single_source_dijkstra(nxg, u, weight="seconds")
        for j, v in enumerate(picked.tolist()):
            assert seconds[i, j] == pytest.approx(times[v], rel=1e-6, abs=1e-3)
            length = sum(
                nxg.edges[a, b]["metres"] for a, b in zip(paths[v][:-1], paths[v][1:], strict=True)
            )
            assert metres[i, j] == pytest.approx(length, rel=1e-6, abs=1e-3)


@pytest.mark.shared
@pytest.mark.parametrize("mode", MODES)
def test_matrix_follows_streets_not_straight_lines(heidelberg, mode):
    g = heidelberg.graph(mode)
    points = random_points(g, 150, seed=2)
    snaps = g.snap(points)
    points = [p for p, s in zip(points, snaps, strict=True) if s.ok]
    seconds, metres = g.matrix(points)
    assert np.isfinite(seconds).all(), "the largest strongly connected part reaches everywhere"
    crow = np.array([[haversine(p, q) for q in points] for p in points])
    assert (metres >= crow * 0.999 - 0.01).all()
    assert (metres.sum() / crow.sum()) > 1.1
    fastest = {"cargo_bike": 15, "foot": 4.5, "car": 50}[mode] / 3.6
    assert (seconds >= metres / fastest - 1e-6).all()


# --- route geometry ------------------------------------------------------------------


def test_route_geometry_follows_the_streets(square):
    g = square({"highway": "residential", "oneway": "yes"}).graph("car")
    start, end = (3.0802, 50.37025), (3.0808, 50.37075)  # near the diagonal 1 -> 5 -> 3
    line = g.route_geometry([start, end, start])
    assert line[0] == start
    assert line[-1] == start
    assert end in line
    _, metres = g.matrix([start, end])
    assert line_length(line) == pytest.approx(metres[0, 1] + metres[1, 0], rel=0.01)
    assert (3.081, 50.37) in line or (3.08, 50.371) in line  # back round a corner
    assert g.route_geometry([start]) == [start]
    assert g.route_geometry([]) == []


@pytest.mark.shared
def test_route_geometry_length_matches_the_matrix(heidelberg):
    g = heidelberg.graph("cargo_bike")
    pts = random_points(g, 12, seed=3)
    points = [p for p, s in zip(pts, g.snap(pts), strict=True) if s.ok]
    _, metres = g.matrix(points)
    line = g.route_geometry(points)
    legs = sum(metres[i, i + 1] for i in range(len(points) - 1))
    assert line_length(line) == pytest.approx(legs, rel=0.01)
    west, south, east, north = heidelberg.bounds
    assert all(west - 0.01 < x < east + 0.01 and south - 0.01 < y < north + 0.01 for x, y in line)


# --- real extracts -------------------------------------------------------------------


@pytest.mark.shared
def test_paris_contraflow_ridden_both_ways_by_bike_one_way_by_car(paris, way_speeds):
    contraflow = [
        w.id
        for w in paris.data.ways
        if w.tags.get("oneway") == "yes"
        and (
            w.tags.get("oneway:bicycle") == "no"
            or w.tags.get("cycleway", "").startswith("opposite")
        )
    ]
    assert len(contraflow) > 100
    checked = 0
    for way_id in contraflow:
        car = way_speeds(paris, "car", way_id)
        if not car:
            continue  # off the car graph's strongly connected part
        assert set(car) == {"forward"}
        assert set(way_speeds(paris, "cargo_bike", way_id)) == {"forward", "backward"}
        checked += 1
    assert checked > 50


@pytest.mark.shared
def test_paris_steps_are_walked_not_ridden(paris, way_speeds):
    steps = [w.id for w in paris.data.ways if w.tags.get("highway") == "steps"]
    walked = [s for s in steps if way_speeds(paris, "foot", s)]
    assert len(walked) > 10
    assert all(way_speeds(paris, "foot", s)["forward"] == 2.25 for s in walked)
    assert not any(way_speeds(paris, "cargo_bike", s) for s in steps)


@pytest.mark.shared
def test_clipped_real_extracts_load(paris, heidelberg, mulhouse):
    for net in (paris, heidelberg, mulhouse):
        for mode in MODES:
            g = net.graph(mode)
            assert g.num_nodes > 100
            assert g.num_edges > g.num_nodes
            coords = g.node_coordinates()
            assert coords.shape == (g.num_nodes, 2)
            west, south, east, north = net.bounds
            assert ((coords >= [west, south]) & (coords <= [east, north])).all()
    # honouring contraflow gives the bike more of the Marais than a car
    assert paris.graph("cargo_bike").num_nodes > paris.graph("car").num_nodes
