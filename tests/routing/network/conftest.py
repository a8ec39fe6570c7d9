"""Fixtures for the street-network tests: real extracts (skipped when absent), OSM XML."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest
from osm_fixtures import osm_xml  # noqa: F401 - re-exported to the network tests
from shared_data import shared_file

from routing.network import StreetNetwork, load_network


def shared_extract(name: str) -> Path:
    """The path of a real extract in ../shared/osm, or skip the test."""
    return shared_file("osm", name)


_NETWORKS: dict[str, StreetNetwork] = {}


def shared_network(name: str) -> StreetNetwork:
    """A real extract loaded once per test session (or skip)."""
    path = shared_extract(name)
    if name not in _NETWORKS:
        _NETWORKS[name] = load_network(path)
    return _NETWORKS[name]


@pytest.fixture
def mulhouse() -> StreetNetwork:
    """Mulhouse centre (small, French tagging)."""
    return shared_network("mulhouse-centre.osm.pbf")


@pytest.fixture
def paris() -> StreetNetwork:
    """Paris, le Marais (contraflow one-ways, steps, pedestrian ways)."""
    return shared_network("paris-marais.osm.pbf")


@pytest.fixture
def heidelberg() -> StreetNetwork:
    """Heidelberg centre (town-sized)."""
    return shared_network("heidelberg-centre.osm.pbf")


#: a square block of two-way residential streets near Douai (about 70 x 110 m), corners
#: 1 (south-west), 2 (south-east), 3 (north-east), 4 (north-west); 5 is its centre
SQUARE = {1: (3.0800, 50.3700), 2: (3.0810, 50.3700), 3: (3.0810, 50.3710), 4: (3.0800, 50.3710),
          5: (3.0805, 50.3705)}  # fmt: skip
RING = [(101, [1, 2], {"highway": "residential"}), (102, [2, 3], {"highway": "residential"}),
        (103, [3, 4], {"highway": "residential"}), (104, [4, 1], {"highway": "residential"})]  # fmt: skip


@pytest.fixture
def square(tmp_path: Path) -> Callable[..., StreetNetwork]:
    """Load the square block plus a diagonal way 1 -> 5 -> 3 (id 200) with given tags."""

    def make(
        tags: Mapping[str, str],
        node_tags: Mapping[int, Mapping[str, str]] | None = None,
        **settings: object,
    ) -> StreetNetwork:
        path = tmp_path / "square.osm"
        path.write_text(osm_xml(SQUARE, [*RING, (200, [1, 5, 3], dict(tags))], node_tags))
        from routing.network import NetworkSettings

        return load_network(path, settings=NetworkSettings(**settings))  # type: ignore[arg-type]

    return make


def _way_speeds(net: StreetNetwork, mode: str, way_id: int) -> dict[str, float]:
    """{"forward"/"backward": km/h} of a way's edges in a mode's graph."""
    g = net.graph(mode)
    a = g.arrays
    index = next(i for i, w in enumerate(net.data.ways) if w.id == way_id)
    out = {}
    for c, d, s, m in zip(a.edge_chain, a.edge_dir, a.edge_s, a.edge_m, strict=True):
        if a.chain_way[c] == index:
            out["forward" if d > 0 else "backward"] = round(float(m / s * 3.6), 2)
    return out


@pytest.fixture
def way_speeds() -> Callable[[StreetNetwork, str, int], dict[str, float]]:
    """speeds(net, mode, way_id) -> {"forward"/"backward": km/h} of the way's edges."""
    return _way_speeds


@pytest.fixture
def corners() -> dict[int, tuple[float, float]]:
    """The (lon, lat) of the square block's corners 1-4 and centre 5."""
    return dict(SQUARE)


@pytest.fixture
def osm_file(tmp_path: Path) -> Callable[..., Path]:
    """write(nodes, ways, node_tags=None, name="test.osm") -> the path of an OSM XML file."""

    def write(
        nodes: Mapping[int, tuple[float, float]],
        ways: Sequence[tuple[int, Sequence[int], Mapping[str, str]]],
        node_tags: Mapping[int, Mapping[str, str]] | None = None,
        name: str = "test.osm",
    ) -> Path:
        path = tmp_path / name
        path.write_text(osm_xml(nodes, ways, node_tags))
        return path

    return write


@pytest.fixture(scope="session")
def extract_path() -> Callable[[str], Path]:
    """path(name) -> a real extract in ../shared/osm, or skip the test."""
    return shared_extract
