"""The street-network benchmark's rows, on a real extract."""

from __future__ import annotations

import pytest
from shared_data import shared_file

from benchmarks.network import matrix_timings
from routing.network import load_network


@pytest.fixture(scope="module")
def mulhouse():
    return load_network(shared_file("osm", "mulhouse-centre.osm.pbf"))


@pytest.mark.shared
def test_matrix_timings_rows(mulhouse):
    rows = matrix_timings(mulhouse, sizes=(10, 20), modes=("foot", "car"))
    assert [(r["mode"], r["points"]) for r in rows] == [
        ("foot", 10),
        ("foot", 20),
        ("car", 10),
        ("car", 20),
    ]
    assert all(r["seconds"] >= 0 and r["unreachable"] == 0 for r in rows)
