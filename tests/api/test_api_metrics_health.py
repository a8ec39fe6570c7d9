"""GET /api/metrics/impact (city and dispatcher; JSON or CSV; aggregates only, never an
id or a point) and the health checks on the real database, Redis and a real worker:
``GET /api/health`` says only up or down to anyone, ``GET /api/health/details`` which
service failed and why to a dispatcher."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time

import pytest
from factories import (
    courier_row,
    order_row,
    plan_document_json,
    point,
    round_row,
    shop_row,
    stop_row,
)
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.impact import FACTORS, METHOD
from logistics.jobs.celery_app import make_celery
from logistics.store.db import make_engine
from logistics.store.models import Plan, Stop, StopEvent
from logistics.store.users import create_user

SUN, MON, TUE = dt.date(2031, 10, 5), dt.date(2031, 10, 6), dt.date(2031, 10, 7)
AT = dt.datetime(2031, 10, 1, 12, tzinfo=dt.UTC)
#: every coordinate seeded, to be looked for in the responses
SHOP_AT, HOME_AT, START_AT = (3.0812345, 50.3712345), (3.0923456, 50.3623456), (3.0734567, 50.3834567)
ORDERS = {"apim-order-a": "delivered", "apim-order-b": "failed", "apim-order-c": "delivered"}
COURIERS = {"apim-courier-bike": "cargo_bike", "apim-courier-foot": "foot"}
ADDRESS = "7 rue des Secrets, Douai"


@pytest.fixture(scope="module")
def client(engine, celery_jobs):
    return TestClient(create_app(engine=engine, jobs=celery_jobs))


def _stop(seq: int, kind: str, order_ids: list[str], at: tuple[float, float]) -> Stop:
    return stop_row(seq, kind, at, "10:00", order_ids=order_ids)


@pytest.fixture(scope="module")
def seeded(engine) -> None:
    """Sunday: orders a (delivered) and b (failed) in one basket trip of 6.25 km, the plan
    recording 0.2 kg/km; a bike round of 9,876 m ridden, a foot round of 1,234 m not.
    Monday: order c delivered, a trip of 2.5 km at the current factor, no round ridden.
    The plan document carries the ids and points too, as a real one does."""
    with Session(engine) as s:
        s.add(shop_row("apim-shop", SHOP_AT, name="Fromagerie", address=ADDRESS))
        for cid, mode in COURIERS.items():
            s.add(courier_row(cid, START_AT, mode=mode))
        s.flush()
        for oid, status in ORDERS.items():
            s.add(order_row(oid, MON if oid.endswith("c") else SUN, HOME_AT, shop_id="apim-shop",
                            basket_id="apim-basket", address=ADDRESS, status=status))
        s.flush()

        def document(trips, factors):
            return plan_document_json(
                trips=[(t["order_ids"], t["car_km"]) for t in trips], factors=factors,
                unassigned=[("apim-shop:apim-order-x", "too_heavy", f"{ADDRESS}: 90 kg")],
            )

        sunday = Plan(day=SUN, status="solved", published_at=AT, result=document(
            [{"order_ids": ["apim-shop:apim-order-a", "apim-shop:apim-order-b"], "car_km": 6.25}],
            {**FACTORS, "car_kg_co2e_per_km": 0.2}))
        sunday.rounds = [
            round_row("apim-courier-bike", [
                _stop(0, "start", [], START_AT), _stop(1, "pickup", ["apim-shop:apim-order-a", "apim-shop:apim-order-b"], SHOP_AT),
                _stop(2, "delivery", ["apim-shop:apim-order-a", "apim-shop:apim-order-b"], HOME_AT)],
                distance_m=9876, duration_s=3600),
            round_row("apim-courier-foot", [
                _stop(0, "start", [], START_AT), _stop(1, "delivery", [], HOME_AT)],
                distance_m=1234, duration_s=3600),
        ]
        monday = Plan(day=MON, status="solved", published_at=AT, result=document(
            [{"order_ids": ["apim-shop:apim-order-c"], "car_km": 2.5}], dict(FACTORS)))
        monday.rounds = [round_row("apim-courier-bike", [_stop(0, "start", [], START_AT)],
                                   distance_m=4321, duration_s=3600)]
        s.add_all([sunday, monday])
        s.flush()
        s.add(StopEvent(stop_id=sunday.rounds[0].stops[2].id, type="delivered", at=AT,
                        location=point(HOME_AT)))
        s.commit()


@pytest.fixture(scope="module")
def tokens(engine, seeded) -> dict[str, dict[str, str]]:
    with Session(engine) as s:
        made = {
            "city": create_user(s, "city")[1],
            "dispatcher": create_user(s, "dispatcher")[1],
            "shop": create_user(s, "shop", shop_id="apim-shop")[1],
            "courier": create_user(s, "courier", courier_id="apim-courier-bike")[1],
        }
        s.commit()
    return {k: {"Authorization": f"Bearer {v}"} for k, v in made.items()}


RANGE = {"from": "2031-10-04", "to": "2031-10-07"}  # Sat .. Tue: ISO weeks 40 and 41
SUNDAY = {"date": "2031-10-05", "plan_in_force": True, "orders_delivered": 1,
          "orders_failed": 1, "car_trips_avoided": 1, "car_km_avoided": 6.25,
          "co2_avoided_kg": 1.25, "bike_km": 9.876, "foot_km": 0.0}
MONDAY = {"date": "2031-10-06", "plan_in_force": True, "orders_delivered": 1,
          "orders_failed": 0, "car_trips_avoided": 1, "car_km_avoided": 2.5,
          "co2_avoided_kg": 0.544, "bike_km": 0.0, "foot_km": 0.0}  # 2.5 x 0.2176
ZEROS = {"orders_delivered": 0, "orders_failed": 0, "car_trips_avoided": 0,
         "car_km_avoided": 0.0, "co2_avoided_kg": 0.0, "bike_km": 0.0, "foot_km": 0.0}


NET = ("car_km_avoided_net", "co2_avoided_net_kg", "courier_co2_kg", "substitution_share",
       "substitution_source", "survey_answers")


def _gross(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in NET}


def test_impact_per_day_week_and_range(client, tokens):
    r = client.get("/api/metrics/impact", params=RANGE, headers=tokens["city"])
    assert r.status_code == 200, r.text
    body = r.json()
    net = body["totals"]  # no survey answer: the default share, named with its source
    assert (net["survey_answers"], net["substitution_share"]) == (0, 0.628)
    assert net["substitution_source"].startswith("default: SDES")
    assert (net["car_km_avoided_net"], net["courier_co2_kg"], net["co2_avoided_net_kg"]) == (
        5.495, 0.108, 1.019)  # 8.75 x 0.628; 9.876 km x 0.0109; 1.794 x 0.628 - 0.108
    body["days"] = [_gross(d) for d in body["days"]]
    body["weeks"] = [_gross(w) for w in body["weeks"]]
    body["totals"] = _gross(body["totals"])
    assert (body["from"], body["to"]) == ("2031-10-04", "2031-10-07")
    assert body["days"] == [
        {"date": "2031-10-04", "plan_in_force": False, **ZEROS}, SUNDAY, MONDAY,
        {"date": "2031-10-07", "plan_in_force": False, **ZEROS},
    ]
    assert body["weeks"] == [
        {"week": "2031-W40", "from": "2031-10-04", "to": "2031-10-05", "days_with_plan": 1,
         **{k: v for k, v in SUNDAY.items() if k in ZEROS}},
        {"week": "2031-W41", "from": "2031-10-06", "to": "2031-10-07", "days_with_plan": 1,
         **{k: v for k, v in MONDAY.items() if k in ZEROS}},
    ]
    assert body["totals"] == {
        "from": "2031-10-04", "to": "2031-10-07", "days_with_plan": 2, "orders_delivered": 2,
        "orders_failed": 1, "car_trips_avoided": 2, "car_km_avoided": 8.75,
        "co2_avoided_kg": 1.794, "bike_km": 9.876, "foot_km": 0.0,
    }
    assert body["method"].startswith(METHOD)
    assert "jusqu'à son dernier arrêt avec un événement" in body["method"]
    assert {k: body["factors"][k] for k in FACTORS} == FACTORS
    assert body["factors"]["bike_kg_co2e_per_km"] == 0.0109
    assert client.get("/api/metrics/impact", params=RANGE, headers=tokens["dispatcher"]).json()["totals"][
        "orders_delivered"] == body["totals"]["orders_delivered"]


def test_impact_never_shows_an_id_an_address_or_a_point(client, tokens):
    texts = [client.get("/api/metrics/impact", params=RANGE, headers=tokens["city"]).text,
             client.get("/api/metrics/impact", params={**RANGE, "format": "csv"},
                        headers=tokens["city"]).text]
    secrets = [*ORDERS, *COURIERS, "apim-shop", "apim-basket", ADDRESS, "Secrets", "apim"]
    for lon, lat in (SHOP_AT, HOME_AT, START_AT):
        secrets += [repr(lon), repr(lat), f"{lon:.4f}", f"{lat:.4f}", f"{lon:.3f}", f"{lat:.3f}"]
    for text in texts:
        assert text
        for secret in secrets:
            assert secret not in text, secret


def test_impact_as_csv(client, tokens):
    r = client.get("/api/metrics/impact", params={**RANGE, "format": "csv"}, headers=tokens["city"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="impact_2031-10-04_2031-10-07.csv"'
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["date", "orders_delivered", "orders_failed", "car_trips_avoided",
                       "car_km_avoided", "co2_avoided_kg", "bike_km", "foot_km",
                       "car_km_avoided_net", "co2_avoided_net_kg", "courier_co2_kg",
                       "substitution_share", "survey_answers", "substitution_source"]
    assert [row[:8] for row in rows[1:]] == [
        ["2031-10-04", "0", "0", "0", "0.000", "0.000", "0.000", "0.000"],
        ["2031-10-05", "1", "1", "1", "6.250", "1.250", "9.876", "0.000"],
        ["2031-10-06", "1", "0", "1", "2.500", "0.544", "0.000", "0.000"],
        ["2031-10-07", "0", "0", "0", "0.000", "0.000", "0.000", "0.000"],
    ]
    # the net ones: no answer, the default share (62.8 %) named; the bike's own CO2e off
    assert rows[2][8:13] == ["3.925", "0.677", "0.108", "0.628", "0"]  # 6.25 x 0.628; 1.25 x 0.628 - 9.876 x 0.0109
    assert rows[2][13].startswith("default: SDES")


@pytest.mark.parametrize("hour", ["00:30", "08:30", "19:40", "23:30"])
def test_impact_defaults_to_the_last_30_days(client, tokens, clock, hour):
    """Today is Douai's, at any hour (00:30 there is still the day before in UTC)."""
    today = dt.date(2031, 11, 20)
    clock.on(today, hour)
    body = client.get("/api/metrics/impact", headers=tokens["city"]).json()
    assert [d["date"] for d in body["days"]] == [
        (today - dt.timedelta(29 - i)).isoformat() for i in range(30)]
    body = client.get("/api/metrics/impact", params={"to": "2031-10-07"}, headers=tokens["city"]).json()
    assert (body["from"], len(body["days"]), body["totals"]["car_trips_avoided"]) == ("2031-09-08", 30, 2)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2031-10-07", "to": "2031-10-04"}, "to"),
        ({"from": "2031-01-01", "to": "2032-01-02"}, "to"),  # 367 days
        ({"from": "2031-13-01", "to": "2031-10-04"}, "from"),
        ({"from": "2031-10-01", "to": "7 oct"}, "to"),
        ({"from": "3000-01-01"}, "from"),  # after today, the default end
        ({**RANGE, "format": "xlsx"}, "format"),
    ],
)
def test_bad_ranges_are_422_naming_the_field(client, tokens, params, field):
    r = client.get("/api/metrics/impact", params=params, headers=tokens["city"])
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid"
    assert [d["field"] for d in r.json()["detail"]] == [field]


def test_a_leap_year_is_the_longest_range(client, tokens):
    r = client.get("/api/metrics/impact", params={"from": "2032-01-01", "to": "2032-12-31"},
                   headers=tokens["city"])
    assert r.status_code == 200, r.text
    assert len(r.json()["days"]) == 366
    weeks = r.json()["weeks"]
    assert (weeks[0]["week"], weeks[0]["from"], weeks[0]["to"]) == ("2032-W01", "2032-01-01", "2032-01-04")
    assert (len(weeks), weeks[-1]["week"]) == (53, "2032-W53")


def test_impact_needs_a_city_or_dispatcher_token(client, tokens):
    r = client.get("/api/metrics/impact", params=RANGE)
    assert (r.status_code, r.json()["error"]) == (401, "unauthorized")
    for who in ("shop", "courier"):
        r = client.get("/api/metrics/impact", params=RANGE, headers=tokens[who])
        assert (r.status_code, r.json()["error"]) == (403, "forbidden")


# --- health -------------------------------------------------------------------------


def _health(jobs, engine, headers=None, path="/api/health/details"):
    """A health check of a new app on ``engine`` and ``jobs`` (the details by default)."""
    return TestClient(create_app(engine=engine, jobs=jobs)).get(path, headers=headers or {})


def _up_or_down(jobs, engine):
    return _health(jobs, engine, path="/api/health")


def test_health_without_a_worker_is_503(engine, redis_url, queue, tokens):
    jobs = make_celery(redis_url, f"{queue}-health-none")
    try:
        started = time.monotonic()
        r = _health(jobs, engine, tokens["dispatcher"])
        assert time.monotonic() - started < 5
        anonymous = _up_or_down(jobs, engine)
    finally:
        jobs.close()
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["database"]["postgis"]
    assert body["redis"] == {"ok": True, "detail": "PING answered"}
    # Workers of other queues (this session's planning worker) may answer: none is ours.
    assert body["worker"]["ok"] is False
    assert body["worker"]["workers"] == []
    assert body["worker"]["detail"] == "no worker answered within 1 s" or body["worker"]["detail"].endswith(
        f"none consuming queue {queue}-health-none")
    # Anyone learns that it is down, and nothing more.
    assert (anonymous.status_code, anonymous.json()) == (503, {"status": "degraded"})
    assert anonymous.headers["cache-control"] == "no-store"


def test_health_with_redis_down_is_503_and_quick(engine, tokens):
    jobs = make_celery("redis://127.0.0.1:1/0", "x")
    try:
        started = time.monotonic()
        r = _health(jobs, engine, tokens["dispatcher"])
        assert time.monotonic() - started < 4
        started = time.monotonic()
        anonymous = _up_or_down(jobs, engine)
        assert time.monotonic() - started < 4
    finally:
        jobs.close()
    assert r.status_code == 503
    body = r.json()
    assert body["redis"]["ok"] is False
    assert "refused" in body["redis"]["detail"].lower()
    assert body["worker"]["ok"] is False
    assert body["database"]["ok"] is True
    assert (anonymous.status_code, anonymous.json()) == (503, {"status": "degraded"})


def test_health_with_the_database_down_is_503(redis_url, queue, tokens):
    down = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    jobs = make_celery(redis_url, f"{queue}-health-none")
    try:
        anonymous = _up_or_down(jobs, down)
        # The dispatcher's token cannot be checked either: the one error body says why.
        details = _health(jobs, down, tokens["dispatcher"])
    finally:
        jobs.close()
        down.dispose()
    assert (anonymous.status_code, anonymous.json()) == (503, {"status": "degraded"})
    assert details.status_code == 503
    assert details.json()["error"] == "unavailable"
    assert set(details.json()) == {"error", "detail"}


def test_health_details_are_for_the_dispatcher(engine, celery_jobs, tokens):
    client = TestClient(create_app(engine=engine, jobs=celery_jobs))
    r = client.get("/api/health/details")
    assert (r.status_code, r.json()["error"]) == (401, "unauthorized")
    for who in ("city", "shop", "courier"):
        r = client.get("/api/health/details", headers=tokens[who])
        assert (r.status_code, r.json()["error"]) == (403, "forbidden")
    # A token changes nothing to what /api/health says.
    assert set(client.get("/api/health", headers=tokens["dispatcher"]).json()) == {"status"}


def test_health_details_name_no_file_of_the_server():
    """A database reached by its Unix socket that fails names the socket's path: the
    check says what failed, not where the server keeps its files."""
    from api.routes.health import _failure

    problem = _failure(OSError('connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed'))
    assert "/var/run" not in problem
    assert problem.startswith("OSError: connection to server on socket")


def test_health_is_ok_with_a_worker_on_the_queue(engine, redis_url, queue, tokens):
    q = f"{queue}-health"
    env = {**os.environ, "REDIS_URL": redis_url, "DOUAI_QUEUE": q}
    code = ("from logistics.jobs.celery_app import make_celery; make_celery().worker_main("
            f"['worker', '--pool=solo', '--concurrency=1', '--loglevel=warning', '-n', '{q}@%h'])")
    worker = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    jobs = make_celery(redis_url, q)
    try:
        client = TestClient(create_app(engine=engine, jobs=jobs))
        deadline = time.monotonic() + 30
        while True:
            r = client.get("/api/health/details", headers=tokens["dispatcher"])
            if r.status_code == 200 or time.monotonic() > deadline:
                break
            assert worker.poll() is None, worker.communicate()[0].decode()
            time.sleep(0.5)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "ok"
        assert body["worker"]["ok"] is True
        assert [w.split("@")[0] for w in body["worker"]["workers"]] == [q]
        assert body["database"]["ok"] is True
        assert body["redis"]["ok"] is True
        up = client.get("/api/health")
        assert (up.status_code, up.json()) == (200, {"status": "ok"})
    finally:
        jobs.close()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
