"""Webhooks on a real PostGIS with a local receiver: a shop's hook gets its own orders'
events, the dispatcher's every order's; each delivery is signed (the receiver checks the
HMAC of the raw body), carries an event id kept across retries, is retried with a
growing wait after a 500 and given up after 24 h; the delivery log says so."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json

import courier_seed as seed
import pytest
from fastapi.testclient import TestClient
from message_stubs import http_stub
from sqlalchemy import func, update
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.jobs.message_jobs import send_due
from logistics.store.models import Webhook

_DAYS = itertools.count()


@pytest.fixture(scope="module")
def client(engine, quiet_jobs):
    return TestClient(create_app(engine=engine, jobs=quiet_jobs))


@pytest.fixture
def receiver(env, engine):
    """A local receiver; the hooks a test made are deleted after it (the store is shared:
    a dispatcher's hook would follow every later test's orders)."""
    env(WEBHOOK_ALLOW_PRIVATE_URLS="true", PUBLIC_BASE_URL="https://livraison.example")
    with http_stub(200) as stub:
        yield stub
    with Session(engine) as s:
        s.execute(update(Webhook).where(Webhook.deleted_at.is_(None)).values(deleted_at=func.now()))
        s.commit()


@pytest.fixture
def day(engine, clock):
    n = next(_DAYS)
    seeded = seed.seed_day(engine, f"whk{n}", dt.date(2032, 6, 7) + dt.timedelta(days=n), published=False)
    clock.on(seeded.day, "09:00")
    return seeded


def hook(client, day, who: str, url: str, events: list[str]) -> dict:
    r = client.post("/api/webhooks", json={"url": url, "events": events}, headers=day.auth(who))
    assert r.status_code == 201, r.text
    return r.json()


def checked(delivery: dict, secret: str) -> dict:
    """The body, once its signature is the HMAC-SHA256 of the raw bytes with ``secret``."""
    want = "sha256=" + hmac.new(secret.encode(), delivery["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(delivery["headers"]["x-douai-signature"], want)
    body = json.loads(delivery["body"])
    assert delivery["headers"]["x-douai-event-id"] == body["id"]
    assert int(delivery["headers"]["x-douai-timestamp"]) > 0
    return body


def test_a_shop_s_hook_gets_its_own_orders_signed(client, day, receiver, engine, clock):
    mine = hook(client, day, "shop", f"{receiver.url}/shop", ["order.planned", "order.picked_up", "order.delivered"])
    assert len(mine["secret"]) == 64
    assert mine["shop_id"] == day.bakery
    every = hook(client, day, "dispatcher", f"{receiver.url}/all", ["order.cancelled", "order.planned"])
    assert every["shop_id"] is None
    listed = client.get("/api/webhooks", headers=day.auth("shop")).json()
    assert [h["id"] for h in listed["webhooks"]] == [mine["id"]]
    assert "secret" not in listed["webhooks"][0]
    assert {h["id"] for h in client.get("/api/webhooks", headers=day.auth("dispatcher")).json()["webhooks"]} >= {
        mine["id"], every["id"]}

    assert client.post(f"/api/plans/{day.plan_id}/publish", headers=day.auth("dispatcher")).status_code == 200
    assert send_due(engine)["sent"] == 3 + 4  # the bakery's 3 orders; every order (4) for the dispatcher
    shop_side = [checked(d, mine["secret"]) for d in receiver.received if d["path"] == "/shop"]
    assert sorted(b["data"]["order_id"] for b in shop_side) == sorted(
        day.orders[k] for k in ("o1", "o2", "o4"))
    first = shop_side[0]
    assert first["type"] == "order.planned"
    assert first["data"]["status"] == "planned"
    assert first["data"]["tracking_url"].startswith("https://livraison.example/t/")
    assert first["data"]["slot"]["from"] in ("10:00", "14:00")
    assert {checked(d, every["secret"])["data"]["order_id"] for d in receiver.received if d["path"] == "/all"} == set(
        day.orders.values())

    clock.on(day.day, "12:01")
    for kind in ("arrived", "picked_up"):
        client.post(f"/api/stops/{day.stops['bakery']}/events", json={"type": kind}, headers=day.auth("courier"))
    send_due(engine)
    picked = [checked(d, mine["secret"]) for d in receiver.received[7:]]
    assert sorted((b["type"], b["data"]["order_id"]) for b in picked) == [
        ("order.picked_up", day.orders["o1"]), ("order.picked_up", day.orders["o2"])]


def test_a_failing_receiver_is_tried_again_with_the_same_event_then_given_up(
        client, day, receiver, engine, clock):
    h = hook(client, day, "shop", f"{receiver.url}/flaky", ["order.cancelled"])
    r = client.post(f"/api/orders/{day.orders['o4']}/cancel", json={"reason": "client parti"},
                    headers=day.auth("shop"))
    assert r.status_code == 200, r.text
    receiver.statuses = [500, 500]
    assert send_due(engine) == {"sent": 0, "later": 1, "failed": 0}
    clock.on(day.day, "09:00")  # 30 s later it is not due yet, a minute later it is
    assert send_due(engine)["later"] == 0
    clock.set(clock.now() + dt.timedelta(seconds=31))
    assert send_due(engine) == {"sent": 0, "later": 1, "failed": 0}
    clock.set(clock.now() + dt.timedelta(seconds=61))
    assert send_due(engine) == {"sent": 1, "later": 0, "failed": 0}
    ids = {d["headers"]["x-douai-event-id"] for d in receiver.received if d["path"] == "/flaky"}
    assert len(ids) == 1
    assert len([d for d in receiver.received if d["path"] == "/flaky"]) == 3
    body = checked(receiver.received[-1], h["secret"])
    assert (body["type"], body["data"]["reason"]) == ("order.cancelled", "client parti")
    log = client.get(f"/api/webhooks/{h['id']}/deliveries", headers=day.auth("shop")).json()
    assert [(m["status"], m["attempts"]) for m in log["messages"]] == [("sent", 3)]

    # A receiver down for good: given up 24 h after the event, the log says why.
    receiver.ok_status = 503
    r = client.post(f"/api/orders/{day.orders['o1']}/cancel", json={"reason": "x"}, headers=day.auth("shop"))
    assert r.status_code == 200
    for _ in range(40):
        send_due(engine)
        clock.set(clock.now() + dt.timedelta(hours=1))
    log = client.get(f"/api/webhooks/{h['id']}/deliveries", headers=day.auth("shop")).json()["messages"]
    assert log[0]["status"] == "failed"
    assert "503" in log[0]["last_error"]
    assert 20 <= log[0]["attempts"] <= 30


def test_hooks_are_refused_where_they_cannot_go_and_kept_to_their_owner(client, day, receiver, env):
    for url, problem in (("ftp://example.org/x", "http"), ("http://127.0.0.1:9/x", "local"),
                         ("https://user:pw@example.org/x", "password")):
        env(WEBHOOK_ALLOW_PRIVATE_URLS="false")
        r = client.post("/api/webhooks", json={"url": url, "events": ["order.planned"]}, headers=day.auth("shop"))
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["field"] == "url"
        assert problem in r.json()["detail"][0]["problem"]
    r = client.post("/api/webhooks", json={"url": "https://example.org/x", "events": ["order.eaten"]},
                    headers=day.auth("shop"))
    assert r.status_code == 422
    h = hook(client, day, "dispatcher", "https://example.org/all", ["order.planned"])
    assert client.delete(f"/api/webhooks/{h['id']}", headers=day.auth("shop")).status_code == 404
    assert client.get(f"/api/webhooks/{h['id']}/deliveries", headers=day.auth("shop")).status_code == 404
    assert client.get("/api/webhooks", headers=day.auth("city")).status_code == 403
    assert client.get("/api/webhooks", headers=day.auth("courier")).status_code == 403
    assert client.delete(f"/api/webhooks/{h['id']}", headers=day.auth("dispatcher")).status_code == 200
    assert client.delete(f"/api/webhooks/{h['id']}", headers=day.auth("dispatcher")).status_code == 404
