"""Every error is the one JSON body ``{"error", "detail"}``: a body that is not JSON
(400), a path that does not exist (404), a method the path does not take (405), and a
failure of the API itself (500: logged with its traceback, answered on the same
connection, telling nothing of the server's files)."""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from stack_helpers import free_port

from api.app import create_app

#: what the failing route raises: a message naming a file of the server
SECRET = "cannot open /srv/douai/logistics/secret_settings.py"


@pytest.fixture(scope="module")
def app(engine, celery_jobs) -> FastAPI:
    """The API with one more route that fails as a bug would."""
    app = create_app(engine=engine, jobs=celery_jobs)

    def broken() -> dict[str, str]:
        raise RuntimeError(SECRET)

    app.add_api_route("/api/broken", broken, methods=["GET"])
    return app


@pytest.fixture(scope="module")
def api(app) -> TestClient:
    return TestClient(app)


def _one_body(r, status: int, error: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error", "detail"}
    assert body["error"] == error
    assert isinstance(body["detail"], str)
    return body


def test_a_body_that_is_not_json_is_400(api, platform):
    for raw in (b"{not json", b'{"date": "2031-01-01",}', b"\xff\xfe"):
        r = api.post("/api/plans", content=raw, headers={
            **platform.dispatcher, "Content-Type": "application/json"})
        body = _one_body(r, 400, "bad_request")
        assert body["detail"].startswith("the body is not valid JSON")
    # A body that is JSON but wrong is still 422, field by field.
    r = api.post("/api/plans", json={"date": "soon"}, headers=platform.dispatcher)
    assert (r.status_code, r.json()["detail"][0]["field"]) == (422, "date")


def test_an_unknown_path_is_404_and_a_wrong_method_405(api):
    for path in ("/api/nothing-here", "/nothing-here", "/static/nothing.js"):
        body = _one_body(api.get(path), 404, "not_found")
        assert path in body["detail"]
    r = api.delete("/api/health")
    body = _one_body(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET"
    assert "DELETE" in body["detail"]
    # Allow names every method of the path, not only those of its first route.
    r = api.request("OPTIONS", "/api/plans")
    _one_body(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET, POST"
    r = api.post("/static/common.js")  # the static files say it for themselves
    _one_body(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET, HEAD"


def test_an_unexpected_failure_is_500_json_logged_with_its_traceback(api, caplog):
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        r = api.get("/api/broken")
    body = _one_body(r, 500, "internal")
    assert SECRET not in r.text
    assert "/srv" not in r.text
    assert ".py" not in r.text
    reference = body["detail"].rsplit(" ", 1)[1]
    (record,) = [rec for rec in caplog.records if reference in rec.getMessage()]
    assert record.exc_info is not None
    assert SECRET in str(record.exc_info[1])
    assert r.headers["x-content-type-options"] == "nosniff"  # the headers of every answer


@pytest.fixture(scope="module")
def served(app) -> Iterator[int]:
    """The same app behind a real uvicorn server in this process; yields its port."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def test_a_500_keeps_the_connection_open(served):
    """A client on a kept-alive connection reads the 500 and goes on on that connection
    (the server does not drop it as it does when an exception reaches it)."""
    conn = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    try:
        conn.request("GET", "/api/broken")
        r = conn.getresponse()
        body = json.loads(r.read())
        assert (r.status, body["error"]) == (500, "internal")
        assert not r.will_close
        sock = conn.sock
        conn.request("GET", "/api/nothing-here")
        again = conn.getresponse()
        assert (again.status, json.loads(again.read())["error"]) == (404, "not_found")
        assert conn.sock is sock  # the same connection
    finally:
        conn.close()
