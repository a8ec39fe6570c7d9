"""Security headers on every answer (pages, files, JSON, errors), the /docs page's own
policy with a nonce, HSTS over HTTPS only, and the rate limits on token guesses and on
the anonymous health check, per client address (``X-Forwarded-For`` believed from a
trusted proxy only)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from api.ratelimit import TokenBuckets
from api.security import PAGE_POLICY
from logistics.store.users import create_user

BAD = {"Authorization": "Bearer not-a-token"}


def _client(engine, jobs, ip: str = "203.0.113.7", **kwargs) -> TestClient:
    return TestClient(create_app(engine=engine, jobs=jobs), client=(ip, 40000), **kwargs)


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


@pytest.fixture(scope="module")
def dispatcher(engine) -> dict[str, str]:
    with Session(engine) as s:
        _, token = create_user(s, "dispatcher")
        s.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/", "/courier", "/dispatch", "/city", "/static/common.js",
                                  "/courier-sw.js", "/api/openapi.json", "/api/orders/x",
                                  "/api/nothing", "/static/vendor/leaflet/leaflet.js"])
def test_every_answer_carries_the_security_headers(client, path):
    r = client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin"  # the origin only: OSM's tiles want one
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["content-security-policy"] == PAGE_POLICY
    assert "strict-transport-security" not in r.headers  # plain HTTP


def test_the_pages_policy_runs_only_their_own_scripts():
    policy = _directives(PAGE_POLICY)
    assert policy["default-src"] == ["'self'"]
    assert "script-src" not in policy  # scripts: default-src, this site only; no inline, no eval
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


def test_docs_allow_their_own_inline_script_by_nonce_only(client):
    pages = [client.get("/docs"), client.get("/docs/oauth2-redirect")]
    nonces = []
    for r in pages:
        policy = _directives(r.headers["content-security-policy"])
        (nonce,) = [s for s in policy["script-src"] if s.startswith("'nonce-")]
        nonce = nonce.removeprefix("'nonce-").removesuffix("'")
        assert "'unsafe-inline'" not in policy["script-src"]
        assert policy["frame-ancestors"] == ["'none'"]
        scripts = re.findall(r"<script[^>]*>", r.text)
        assert scripts
        assert all(f'nonce="{nonce}"' in s for s in scripts)
        nonces.append(nonce)
    assert len(set(nonces)) == 2  # a new nonce on every answer


def test_hsts_only_over_https(engine, celery_jobs, env):
    r = _client(engine, celery_jobs, base_url="https://testserver").get("/api/openapi.json")
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    # A client cannot ask for it: X-Forwarded-Proto counts from a trusted proxy only.
    forwarded = {"X-Forwarded-Proto": "https"}
    r = _client(engine, celery_jobs).get("/api/openapi.json", headers=forwarded)
    assert "strict-transport-security" not in r.headers
    env(TRUSTED_PROXIES="10.0.0.0/8")
    r = _client(engine, celery_jobs, ip="10.1.2.3").get("/api/openapi.json", headers=forwarded)
    assert r.headers["strict-transport-security"] == "max-age=31536000"


def test_failed_authentications_are_limited_per_address(engine, celery_jobs, env, dispatcher):
    env(AUTH_FAILURES_PER_MINUTE="3")
    app = create_app(engine=engine, jobs=celery_jobs)
    guesser = TestClient(app, client=("198.51.100.1", 1))
    for _ in range(3):
        assert guesser.get("/api/orders/x", headers=BAD).status_code == 401
    r = guesser.get("/api/orders/x", headers=BAD)
    assert r.status_code == 429
    assert set(r.json()) == {"error", "detail"}
    assert r.json()["error"] == "too_many_requests"
    assert 1 <= int(r.headers["retry-after"]) <= 20
    assert r.headers["x-content-type-options"] == "nosniff"
    # Once over the limit, not even a right token is looked at: a guess cannot hit.
    assert guesser.get("/api/plans", params={"date": "2031-01-01"}, headers=dispatcher).status_code == 429
    # The pages and the OpenAPI document stay open; another address is not concerned.
    assert guesser.get("/courier").status_code == 200
    assert guesser.get("/api/openapi.json").status_code == 200
    other = TestClient(app, client=("198.51.100.2", 1))
    assert other.get("/api/plans", params={"date": "2031-01-01"}, headers=dispatcher).status_code == 200
    assert other.get("/api/orders/x", headers=BAD).status_code == 401


def test_x_forwarded_for_counts_from_a_trusted_proxy_only(engine, celery_jobs, env):
    env(AUTH_FAILURES_PER_MINUTE="2", TRUSTED_PROXIES="10.0.0.1")
    app = create_app(engine=engine, jobs=celery_jobs)
    direct = TestClient(app, client=("198.51.100.9", 1))
    for n in range(2):  # a new made-up address each time changes nothing
        assert direct.get("/api/orders/x", headers={**BAD, "X-Forwarded-For": f"192.0.2.{n}"}).status_code == 401
    assert direct.get("/api/orders/x", headers={**BAD, "X-Forwarded-For": "192.0.2.99"}).status_code == 429
    proxy = TestClient(app, client=("10.0.0.1", 1))
    # Behind the proxy, each client is its own (the address the proxy appended).
    for who in ("192.0.2.1", "192.0.2.2"):
        for _ in range(2):
            r = proxy.get("/api/orders/x", headers={**BAD, "X-Forwarded-For": f"6.6.6.6, {who}"})
            assert r.status_code == 401
        r = proxy.get("/api/orders/x", headers={**BAD, "X-Forwarded-For": f"7.7.7.7, {who}"})
        assert r.status_code == 429


def test_anonymous_health_checks_are_limited(engine, celery_jobs, env):
    env(HEALTH_CHECKS_PER_MINUTE="2")
    client = _client(engine, celery_jobs)
    assert [client.get("/api/health").status_code in (200, 503) for _ in range(2)] == [True, True]
    r = client.get("/api/health")
    assert (r.status_code, r.json()["error"]) == (429, "too_many_requests")
    assert "retry-after" in r.headers


def test_a_bucket_refills_at_its_rate():
    now = [0.0]
    buckets = TokenBuckets(20, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(20)] == [0.0] * 20
    assert buckets.take("a") == pytest.approx(3.0)  # 20 a minute: one every 3 s
    assert buckets.take("b") == 0.0
    now[0] += 3.0
    assert buckets.take("a") == 0.0
    assert buckets.wait_s("a") == pytest.approx(3.0)
    now[0] += 600
    assert buckets.wait_s("a") == 0.0
    assert [buckets.take("a") for _ in range(21)].count(0.0) == 20  # never more than a minute's
