"""The outbox sent by a real worker process (``douai-delivery worker``) to a local SMTP
server: the API wakes it after a commit that queued messages, and each message reaches
the server once, even when the worker is killed while the server holds the message
(the new worker tries it again once the claim is old enough; the server never took
the first copy, its connection having died before the end)."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import courier_seed as seed
import pytest
from fastapi.testclient import TestClient
from message_stubs import smtp_stub
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from stack_fixtures import Worker
from stack_helpers import wait_for

from api.app import create_app
from logistics.jobs.celery_app import make_celery
from logistics.store.models import Message, Order

DAY = dt.date(2032, 8, 2)


@pytest.fixture(scope="module")
def smtp():
    with smtp_stub() as stub:
        yield stub


@pytest.fixture(scope="module")
def stack(worker_env, redis_url, smtp, tmp_path_factory, engine):
    """A worker of this module's own (its queue, the SMTP server in its settings) and
    an API client that wakes it."""
    with Session(engine) as s:  # what other modules left waiting is not this worker's to send
        s.execute(update(Message).where(Message.status.in_(("pending", "sending"))).values(status="skipped"))
        s.commit()
    queue = f"douai-msg-{uuid.uuid4().hex[:6]}"
    jobs = make_celery(redis_url, queue)
    env = {**worker_env, "DOUAI_QUEUE": queue, "SMTP_URL": smtp.url, "PUBLIC_BASE_URL": "https://suivi.example",
           "NOTIFY_FROM": "Livraison Douai <livraison@douai.example>"}
    w = Worker(env, jobs, tmp_path_factory.mktemp("msg-worker"))
    w.start()
    yield w, TestClient(create_app(engine=engine, jobs=jobs))
    w.stop()
    jobs.close()


@pytest.fixture
def day(engine, clock, env, smtp):
    env(SMTP_URL=smtp.url, PUBLIC_BASE_URL="https://suivi.example")  # the API queues what the worker sends
    seeded = seed.seed_day(engine, "jmsg", DAY, published=False)
    with Session(engine) as s:
        s.execute(update(Order).where(Order.id.in_(list(seeded.orders.values())))
                  .values(customer_email="client@example.org"))
        s.commit()
    clock.on(DAY, "12:00")
    return seeded


def rows(engine, day, event: str) -> list[Message]:
    """This day's e-mails of ``event`` (the store is shared with other modules)."""
    with Session(engine) as s:
        return list(s.scalars(select(Message).where(
            Message.event == event, Message.channel == "email",
            Message.order_id.in_(list(day.orders.values()))).order_by(Message.id)))


def test_the_worker_sends_at_once_and_once_even_when_killed_mid_send(stack, day, smtp, engine, clock):
    worker, client = stack
    r = client.post(f"/api/plans/{day.plan_id}/publish", headers=day.auth("dispatcher"))
    assert r.status_code == 200, r.text
    # Three customers' drops (the basket o1+o2, o3, o4): three e-mails, sent by the worker.
    wait_for(lambda: len(smtp.messages) == 3, timeout=30)
    assert {m["Subject"].split(" : ")[0] for m in smtp.messages} == {f"Boulangerie {day.prefix}",
                                                                      f"Librairie {day.prefix}"}
    assert all("https://suivi.example/t/" in m.get_content() for m in smtp.messages)
    wait_for(lambda: all(m.status == "sent" for m in rows(engine, day, "planned")), timeout=10)

    # The server holds the next message; the worker dies while it waits.
    smtp.stall = threading.Event()
    smtp.stall.set()
    for stop, kinds in (("bakery", ("arrived", "picked_up")), ("books", ("arrived", "picked_up"))):
        for kind in kinds:
            r = client.post(f"/api/stops/{day.stops[stop]}/events", json={"type": kind}, headers=day.auth("courier"))
            assert r.status_code == 201, r.text
    wait_for(lambda: smtp.held == 1, timeout=30)
    worker.kill()
    (claimed,) = rows(engine, day, "on_the_way")
    assert (claimed.status, claimed.attempts) == ("sending", 1)
    smtp.stall.clear()
    assert len(smtp.messages) == 3  # nothing taken from the dead connection

    # A new worker: the claim is too fresh to be taken again...
    worker.start()
    clock.on(DAY, "12:03")
    client.post(f"/api/stops/{day.stops['home_1']}/events", json={"type": "arrived"}, headers=day.auth("courier"))
    assert rows(engine, day, "on_the_way")[0].status == "sending"
    # ...until it is older than the claim's timeout (5 min): then it goes, once.
    clock.on(DAY, "12:06")
    worker.jobs.send_task("douai.send_messages")
    wait_for(lambda: len(smtp.messages) == 4, timeout=30)
    # the worker marks it sent once the server took it: a moment after
    wait_for(lambda: rows(engine, day, "on_the_way")[0].status != "sending", timeout=10)
    (sent,) = rows(engine, day, "on_the_way")
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert smtp.messages[-1]["Subject"] == f"Boulangerie {day.prefix} : votre livreur arrive"
    sessions = smtp.sessions
    worker.jobs.send_task("douai.send_messages")  # the sender again: nothing is due any more
    time.sleep(1.5)
    assert (len(smtp.messages), smtp.sessions) == (4, sessions)
