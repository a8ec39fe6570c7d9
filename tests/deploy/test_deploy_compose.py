"""docker-compose.yml, the Dockerfile and the proxy's Caddyfile, checked without Docker:
every service is there, runs a command the image really has, and gets the settings it
reads; the database has no default password; only the TLS proxy is published, and the
API believes forwarded headers from that proxy alone."""

from __future__ import annotations

import ipaddress
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from cli.main import build_parser

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def _default(value: str) -> str:
    """A compose value with each ``${VAR:-default}`` replaced by its default."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_the_stack_has_postgis_redis_api_worker_beat_and_a_proxy(compose):
    services = compose["services"]
    assert {"db", "redis", "migrate", "api", "worker", "beat", "proxy"} <= set(services)
    assert services["db"]["image"].startswith("postgis/postgis:15")
    assert services["redis"]["image"].startswith("redis:")
    assert services["proxy"]["image"] == "caddy:2"
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
    assert env["DATABASE_URL"].startswith("postgresql://douai:${POSTGRES_PASSWORD:?")
    assert env["REDIS_URL"].startswith("redis://redis:")
    depends = service["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    if name != "migrate":
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


def test_the_database_password_comes_from_the_environment_only(compose):
    text = (REPO / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD:-" not in text  # no default: compose stops when it is unset
    required = "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    assert compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"] == required
    for name in ("migrate", "api", "worker", "beat"):
        url = compose["services"][name]["environment"]["DATABASE_URL"]
        assert url == f"postgresql://douai:{required}@db:5432/douai"


def test_only_the_tls_proxy_is_published_and_the_api_trusts_it_alone(compose):
    services = compose["services"]
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"proxy"}
    ports = [_default(str(p)) for p in services["proxy"]["ports"]]
    assert {"80:80", "443:443"} <= set(ports)
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    proxy_at = _default(services["proxy"]["networks"]["default"]["ipv4_address"])
    subnet = _default(compose["networks"]["default"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy_at) in ipaddress.ip_network(subnet)
    assert _default(services["api"]["environment"]["TRUSTED_PROXIES"]) == proxy_at
    for name in ("migrate", "worker", "beat"):  # they serve no HTTP: nothing to trust
        assert "TRUSTED_PROXIES" not in services[name]["environment"]


def test_the_caddyfile_proxies_to_the_api_with_the_scheme():
    caddyfile = (REPO / "deploy" / "Caddyfile").read_text()
    lines = [line.split("#")[0].strip() for line in caddyfile.splitlines()]
    assert "{$SITE_ADDRESS:localhost} {" in lines
    assert "reverse_proxy api:8000 {" in lines
    assert "header_up X-Forwarded-Proto {scheme}" in lines
    assert caddyfile.count("{") == caddyfile.count("}")


def test_the_image_holds_every_package():
    dockerfile = (REPO / "Dockerfile").read_text()
    shipped = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert {"logistics", "routing", "couriers", "api", "cli"} <= set(shipped)
    for package in shipped:  # the image holds what the wheel ships, and no more
        assert f"COPY {package} {package}" in dockerfile
    assert "COPY benchmarks" not in dockerfile
    assert "uv sync --frozen" in dockerfile
    assert 'ENTRYPOINT ["douai-delivery"]' in dockerfile
