"""Customers told by e-mail (a local SMTP server) and SMS (a local server speaking
Brevo's API): at publishing with the link, when their stop is next, delivered, failed;
each message once (retried requests, the sender run twice), retried with a growing wait
while the server is away, nothing after the customer opted out or without a contact.
The sender is the worker's own code (:func:`logistics.jobs.message_jobs.send_due`)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import courier_seed as seed
import pytest
from fastapi.testclient import TestClient
from message_stubs import http_stub, smtp_stub
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.jobs.message_jobs import send_due
from logistics.store.models import Message, Order

_DAYS = itertools.count()
BASE = "https://livraison.example"


@pytest.fixture(scope="module")
def client(engine, quiet_jobs):
    return TestClient(create_app(engine=engine, jobs=quiet_jobs))


@pytest.fixture
def servers(env):
    with smtp_stub() as smtp, http_stub(201, {"reference": "ref-1", "messageId": 1}) as sms:
        env(SMTP_URL=smtp.url, NOTIFY_FROM="Livraison Douai <livraison@douai.example>",
            SMS_PROVIDER="brevo", SMS_API_KEY="brevo-key", SMS_SENDER="DouaiLivr",
            SMS_API_URL=f"{sms.url}/v3/transactionalSMS/sms", PUBLIC_BASE_URL=BASE)
        yield smtp, sms


@pytest.fixture
def day(engine, clock, servers):
    """A seeded day, not yet published; o1 and o2 (a basket) for a customer with an
    e-mail and a phone, o3 with an e-mail only, o4 with neither."""
    n = next(_DAYS)
    seeded = seed.seed_day(engine, f"ntf{n}", dt.date(2032, 5, 3) + dt.timedelta(days=n), published=False)
    with Session(engine) as s:
        s.execute(update(Order).where(Order.id.in_([seeded.orders["o1"], seeded.orders["o2"]])).values(
            customer_email=f"martin.{n}@example.org", customer_phone="06 12 34 56 78"))
        s.execute(update(Order).where(Order.id == seeded.orders["o3"]).values(customer_email=f"durand.{n}@example.org"))
        s.commit()
    clock.on(seeded.day, "09:00")
    return seeded


def publish(client, day) -> None:
    r = client.post(f"/api/plans/{day.plan_id}/publish", headers=day.auth("dispatcher"))
    assert r.status_code == 200, r.text


def step(client, day, stop: str, *kinds: str, reason: str | None = None) -> None:
    for kind in kinds:
        body = {"type": kind, **({"reason": reason} if kind == "failed" else {})}
        r = client.post(f"/api/stops/{day.stops[stop]}/events", json=body, headers=day.auth("courier"))
        assert r.status_code in (200, 201), r.text


def log(client, day) -> list[dict]:
    r = client.get("/api/messages", params={"date": day.day.isoformat()}, headers=day.auth("dispatcher"))
    assert r.status_code == 200, r.text
    return r.json()["messages"]


def sms_sent(sms) -> list[dict]:
    return [json.loads(r["body"]) for r in sms.received]


def test_published_next_and_delivered_reach_the_customer_once(client, day, servers, engine, clock):
    smtp, sms = servers
    publish(client, day)
    publish(client, day)  # a retry queues nothing more
    queued = log(client, day)
    assert sorted((m["channel"], m["event"], m["status"]) for m in queued) == [
        ("email", "planned", "pending"), ("email", "planned", "pending"), ("sms", "planned", "pending")]
    assert all("…" in m["target"] for m in queued)  # the log hides the contacts
    assert send_due(engine) == {"sent": 3, "later": 0, "failed": 0}
    assert send_due(engine) == {"sent": 0, "later": 0, "failed": 0}  # run twice: nothing again
    by_to = {m["To"]: m for m in smtp.messages}
    mine = by_to[f"martin.{day.prefix[3:]}@example.org"]
    assert mine["From"] == "Livraison Douai <livraison@douai.example>"
    assert mine["Subject"].startswith(f"Boulangerie {day.prefix} : livraison ")
    text = mine.get_content()
    assert "entre 14:00 et 16:00" in text
    assert f"{BASE}/t/" in text
    assert "/stop" in text
    (first,) = sms_sent(sms)
    assert first["recipient"] == "33612345678"
    assert first["sender"] == "DouaiLivr"
    assert sms.received[0]["headers"]["api-key"] == "brevo-key"
    assert sms.received[0]["path"] == "/v3/transactionalSMS/sms"
    assert "entre 14:00 et 16:00" in first["content"]
    assert f"{BASE}/t/" in first["content"]
    link = first["content"].split("Suivi : ")[1].split()[0]
    assert client.get(link.removeprefix(BASE)).status_code == 200

    # The pick-ups done: the basket's stop is next, the customer is told, once.
    clock.on(day.day, "12:20")
    step(client, day, "bakery", "arrived", "picked_up")
    step(client, day, "books", "arrived", "picked_up")
    step(client, day, "books", "picked_up")  # the phone's retry
    send_due(engine)
    assert [s["content"] for s in sms_sent(sms)][1].startswith(f"Boulangerie {day.prefix} : votre livreur arrive")
    # Delivered: o1 and o2 are one drop, one message; o3's customer (e-mail only) too.
    clock.on(day.day, "14:06")
    step(client, day, "home_1", "arrived", "delivered")
    step(client, day, "home_2", "arrived", "delivered")
    send_due(engine)
    events = sorted((m["channel"], m["event"]) for m in log(client, day))
    assert events.count(("sms", "delivered")) == 1
    assert events.count(("email", "delivered")) == 2
    assert events.count(("sms", "on_the_way")) == 1
    assert "livrée à 14:06" in sms_sent(sms)[-1]["content"]
    assert all(m["status"] == "sent" for m in log(client, day))
    assert len(smtp.messages) == len([m for m in log(client, day) if m["channel"] == "email"])


def test_a_server_away_is_tried_again_later_then_given_up_only_for_good_reasons(
        client, day, servers, engine, clock):
    smtp, sms = servers
    smtp.busy = True
    sms.statuses = [503]
    publish(client, day)
    assert send_due(engine) == {"sent": 0, "later": 3, "failed": 0}
    waiting = log(client, day)
    assert {m["status"] for m in waiting} == {"pending"}
    assert {m["attempts"] for m in waiting} == {1}
    assert all(m["next_at"] > "2032" and m["last_error"] for m in waiting)
    assert send_due(engine)["sent"] == 0  # not due yet (30 s later)
    smtp.busy = False
    clock.on(day.day, "09:01")
    assert send_due(engine) == {"sent": 3, "later": 0, "failed": 0}
    assert {m["attempts"] for m in log(client, day)} == {2}
    # A refused recipient is failed for good, not tried again.
    smtp.refuse_rcpt.add(f"durand.{day.prefix[3:]}@example.org")
    clock.on(day.day, "15:10")
    step(client, day, "bakery", "arrived", "picked_up")
    step(client, day, "books", "arrived", "picked_up")
    step(client, day, "home_2", "arrived", "delivered")
    send_due(engine)
    refused = [m for m in log(client, day) if m["event"] == "delivered" and m["channel"] == "email"]
    assert [(m["status"], m["attempts"]) for m in refused] == [("failed", 1)]


def test_an_opted_out_customer_hears_nothing_more(client, day, servers, engine, clock):
    smtp, sms = servers
    publish(client, day)
    send_due(engine)
    before = (len(smtp.messages), len(sms.received))
    r = client.get(f"/api/orders/{day.orders['o1']}", headers=day.auth("shop"))
    token = r.json()["tracking_url"].rsplit("/t/", 1)[1]
    page = client.get(f"/t/{token}/stop")
    assert page.status_code == 200
    assert "<form" in page.text
    assert client.post(f"/t/{token}/stop").status_code == 200
    clock.on(day.day, "12:20")
    step(client, day, "bakery", "arrived", "picked_up")
    step(client, day, "books", "arrived", "picked_up")
    send_due(engine)
    assert (len(smtp.messages), len(sms.received)) == before
    with Session(engine) as s:
        assert not s.scalars(select(Message).where(Message.order_id == day.orders["o1"],
                                                   Message.event == "on_the_way")).all()


def test_a_customer_without_contact_or_a_platform_without_channels_gets_nothing(
        client, day, servers, engine, env):
    env(SMTP_URL=None, SMS_PROVIDER=None)
    publish(client, day)
    assert log(client, day) == []
    assert send_due(engine)["sent"] == 0
