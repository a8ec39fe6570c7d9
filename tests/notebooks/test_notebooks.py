"""The notebooks run in the test suite (executed with nbclient, not only parsed): the
network and isochrones one on a town the tests write and on the Mulhouse extract, the
city's figures one against a real API on a seeded month. The executed copies are kept
under ``out/notebooks/`` (git-ignored) for people to read."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import httpx
import nbformat
import pytest
from impact_seed import seed_period
from nbclient import NotebookClient
from osm_fixtures import grid_town
from shared_data import shared_file

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
OUT = REPO / "out" / "notebooks"
#: the city notebook's month (the database is shared by the session)
MONTH = (dt.date(2033, 1, 1), dt.date(2033, 1, 31))


def execute(name: str, env: dict[str, str], save_as: str) -> nbformat.NotebookNode:
    """Run every cell of ``notebooks/<name>`` in a fresh ``python3`` kernel started in
    ``notebooks/`` with ``env`` added; save the executed copy (even a failed one) as
    ``out/notebooks/<save_as>``. A cell that raises fails the test with its traceback."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    try:
        client.execute(env={**os.environ, "DOUAI_NOTEBOOK_OUT": str(OUT), **env})
    finally:
        OUT.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, OUT / save_as)
    return nb


def outputs(nb: nbformat.NotebookNode, kind: str) -> list:
    """The outputs of the code cells whose type is ``kind`` (stream, display_data...)."""
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == kind]


def text(nb: nbformat.NotebookNode) -> str:
    return "\n".join(o.get("text", "") for o in outputs(nb, "stream"))


def figures(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for o in outputs(nb, "display_data"))


def test_the_notebooks_are_committed_without_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in nb.cells if c.cell_type == "code"), path.name


def test_network_isochrones_on_a_town_of_the_tests(tmp_path):
    town = grid_town(tmp_path / "grid-town.osm")
    nb = execute("network_isochrones.ipynb", {"DOUAI_OSM": str(town)},
                 "network_isochrones-grid-town.ipynb")
    assert "source: " in text(nb)
    assert "grid-town.osm" in text(nb)
    assert figures(nb) == 2  # the mode graphs, the isochrones
    assert (OUT / "grid-town-isochrones.png").is_file()


def test_network_isochrones_on_mulhouse():
    extract = shared_file("osm", "mulhouse-centre.osm.pbf")
    nb = execute("network_isochrones.ipynb", {"DOUAI_OSM": str(extract)},
                 "network_isochrones-mulhouse.ipynb")
    assert figures(nb) == 2
    assert (OUT / "mulhouse-centre-mode-graphs.png").is_file()


@pytest.fixture(scope="module")
def month(engine):
    return seed_period(engine, "nbcity", *MONTH, seed=2033)


def test_city_figures_against_the_api(api_server, platform, month):
    first, last = (d.isoformat() for d in MONTH)
    dispatcher = platform.token("dispatcher")
    # the seed is what the rules say it is, and not trivial: then the notebook's agreement means something
    city = httpx.get(f"{api_server}/api/metrics/impact", params={"from": first, "to": last},
                     headers={"Authorization": f"Bearer {platform.token('city')}"}).json()
    for name, value in month.totals().items():
        assert city["totals"][name] == pytest.approx(value, abs=1e-3), name
    assert city["totals"]["orders_failed"] > 0
    assert city["totals"]["foot_km"] > 0
    assert len(city["weeks"]) == 6  # 1 and 2 January 2033 are in the ISO week 2032-W53

    nb = execute("city_figures.ipynb", {"DOUAI_API_URL": api_server, "DOUAI_TOKEN": dispatcher,
                                        "DOUAI_FROM": first, "DOUAI_TO": last},
                 "city_figures-2033-01.ipynb")
    out = text(nb)
    assert "2033-01-01 to 2033-01-31: the recomputed figures equal the city's" in out
    assert figures(nb) == 1
    # only aggregates in what people read: no order, courier, shop, name or address
    shown = nbformat.writes(nb)
    for secret in month.secrets:
        assert secret not in shown, secret


def test_city_figures_needs_a_dispatcher_token(api_server, platform):
    """A city token cannot read orders and plans: the notebook stops at the first call, saying why."""
    from nbclient.exceptions import CellExecutionError

    with pytest.raises(CellExecutionError, match="403"):
        execute("city_figures.ipynb", {"DOUAI_API_URL": api_server, "DOUAI_TOKEN": platform.token("city"),
                                       "DOUAI_FROM": "2033-01-01", "DOUAI_TO": "2033-01-31"},
                "city_figures-city-token.ipynb")
