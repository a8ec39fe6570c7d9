"""docker-compose.yml and the Dockerfile, checked without Docker: every service is there,
runs a command the image really has, and gets the settings it reads."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from cli.main import build_parser

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_the_stack_has_postgis_redis_api_worker_and_beat(compose):
    services = compose["services"]
    assert {"db", "redis", "migrate", "api", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgis/postgis:15")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("db", "redis"):
        assert "healthcheck" in services[name]


@pytest.mark.parametrize("name", ["migrate", "api", "worker", "beat"])
def test_each_app_service_runs_a_real_command_with_its_settings(compose, name):
    service = compose["services"][name]
    command = [str(x).replace("${WORKER_CONCURRENCY:-1}", "1") for x in service["command"]]
    build_parser().parse_args(command)  # exits (SystemExit) on an unknown command or option
    env = service["environment"]
    assert {"DATABASE_URL", "REDIS_URL", "OSM_SOURCE"} <= set(env)
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    depends = service["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    if name != "migrate":
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


def test_the_api_is_published_and_the_image_holds_every_package(compose):
    assert any(str(p).endswith(":8000") for p in compose["services"]["api"]["ports"])
    dockerfile = (REPO / "Dockerfile").read_text()
    shipped = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert {"logistics", "routing", "couriers", "api", "cli"} <= set(shipped)
    for package in shipped:  # the image holds what the wheel ships, and no more
        assert f"COPY {package} {package}" in dockerfile
    assert "COPY benchmarks" not in dockerfile
    assert "uv sync --frozen" in dockerfile
    assert 'ENTRYPOINT ["douai-delivery"]' in dockerfile
