"""The wheel installs on its own: built with ``uv build``, installed with the locked
product dependencies only (no dev or bench group) into a fresh venv, outside the
checkout, its ``douai-delivery`` plans a day and serves the API, and it ships neither the
benchmarks nor a peer solver, an HTTP client library or a browser driver.

Nothing is downloaded: the packages come from uv's cache, which ``scripts/setup`` filled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from stack_helpers import free_port, serving

from logistics.demo_day import generate_day
from logistics.inputs import write_day_inputs

REPO = Path(__file__).resolve().parents[2]


def _uv() -> str:
    found = shutil.which("uv") or (REPO / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.skip("uv is not installed (scripts/setup installs it)")
    return str(found)


def run(*args: str | Path, cwd: Path, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False, **kw)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and the locked product dependencies, nothing else."""
    uv, tmp = _uv(), tmp_path_factory.mktemp("wheel")
    built = run(uv, "build", "--wheel", "--out-dir", tmp / "dist", cwd=REPO)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp / "dist").glob("douai_delivery-*.whl")
    # The locked product dependencies alone (no dev or bench group), from uv's cache
    # (filled by scripts/setup's sync of the same lock): nothing is downloaded.
    env = tmp / "venv"
    synced = run(uv, "sync", "--frozen", "--offline", "--no-default-groups", "--no-install-project",
                 "--python", "python3.11", "--quiet", cwd=REPO,
                 env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(env)})
    assert synced.returncode == 0, synced.stderr
    installed = run(uv, "pip", "install", "--offline", "--no-deps", "--python", env / "bin" / "python",
                    wheel, "--quiet", cwd=tmp)
    assert installed.returncode == 0, installed.stderr
    return env


def test_the_wheel_holds_the_product_packages_only(venv):
    code = ("import importlib.util as u; "
            "print(' '.join(n for n in ('routing', 'logistics', 'couriers', 'api', 'cli', 'benchmarks', "
            "'tests', 'vroom', 'pyvrp', 'httpx', 'playwright') if u.find_spec(n)))")
    out = run(venv / "bin" / "python", "-c", code, cwd=venv)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["routing", "logistics", "couriers", "api", "cli"]


def test_help_plan_and_bench_from_the_wheel(venv, town, town_osm, tmp_path):
    cli = venv / "bin" / "douai-delivery"
    assert run(cli, "--help", cwd=tmp_path).returncode == 0
    day = generate_day(town.graph("cargo_bike").node_coordinates(), seed=3, n_orders=12, n_shops=3)
    files = write_day_inputs(day, tmp_path / "inputs")
    planned = run(cli, "plan", "--shops", files["shops"], "--orders", files["orders"],
                  "--couriers", files["couriers"], "--osm", town_osm, "--out", tmp_path / "out",
                  "--time-limit", "2", cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    assert (tmp_path / "out" / "plan.json").stat().st_size > 0
    bench = run(cli, "bench", tmp_path, "--bks", files["shops"], "--time-limit", "1",
                "--solutions", tmp_path / "s", "--csv", tmp_path / "s.csv", cwd=tmp_path)
    assert bench.returncode == 2
    assert bench.stderr.strip() == ("douai-delivery bench: error: the benchmarks run from a source "
                                    "checkout of the project (its benchmarks/ folder); this "
                                    "installation has the product only")


@pytest.fixture
def served(venv, db_url, tmp_path) -> Iterator[str]:
    port = free_port()
    command = [str(venv / "bin" / "douai-delivery"), "serve", "--port", str(port), "--database-url", db_url]
    with serving(command, log=tmp_path / "serve.log", port=port, cwd=tmp_path) as base:
        yield base


def test_serve_from_the_wheel(served):
    assert httpx.get(f"{served}/api/openapi.json", timeout=10).status_code == 200
    docs = httpx.get(f"{served}/docs", timeout=10)
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert httpx.get(f"{served}/static/vendor/swagger-ui/swagger-ui-bundle.js", timeout=10).status_code == 200
    assert httpx.get(f"{served}/courier", timeout=10).status_code == 200
    assert httpx.get(f"{served}/api/orders/x", timeout=10).status_code == 401
