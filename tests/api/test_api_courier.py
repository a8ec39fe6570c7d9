"""The courier's endpoints over HTTP on a real PostGIS: the round of the plan in force,
stop events (201, a retry 200, every refusal named), positions one by one or in a batch,
and the dispatcher's live map; roles and ownership give 403 and 404."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import courier_seed as seed
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.store.models import CourierPosition, Order, OrderEvent, OrderStatus, StopEvent
from logistics.store.order_status import move_order

#: this module's days (one plan in force per day in the shared database)
_DAYS = itertools.count()


@pytest.fixture(scope="module")
def client(engine, celery_jobs):
    return TestClient(create_app(engine=engine, jobs=celery_jobs))


@pytest.fixture
def day(engine, clock):
    """A seeded day of this test's own, with a published plan; the clock at 14:00 that day."""
    n = next(_DAYS)
    seeded = seed.seed_day(engine, f"cap{n}", dt.date(2032, 1, 1) + dt.timedelta(days=n))
    clock.on(seeded.day, "14:00")
    return seeded


def event(client, day, stop: int, kind: str, who: str = "courier", **body):
    return client.post(f"/api/stops/{stop}/events", json={"type": kind, **body}, headers=day.auth(who))


def test_the_courier_gets_their_round(client, day):
    r = client.get(f"/api/couriers/me/round?date={day.day}", headers=day.auth("courier"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"plan_id", "plan_revision", "date", "round_id", "courier_id", "mode",
                         "distance_m", "duration_s", "geometry", "next_stop_id", "stops", "withdrawn_at",
                         "to_return", "proof"}
    assert body["proof"] == {"photo_on_failure": True}
    assert body["to_return"] == []
    assert (body["round_id"], body["courier_id"], body["date"]) == (day.round_id, day.courier, str(day.day))
    assert body["next_stop_id"] == day.stops["bakery"]
    assert [s["stop_id"] for s in body["stops"]] == list(day.stops.values())
    assert set(body["stops"][1]) == {
        "stop_id", "seq", "kind", "shop_id", "action", "status", "lon", "lat", "address", "window",
        "eta", "departure", "load_kg", "load_l", "orders", "events"}
    assert body["geometry"]["geometry"]["coordinates"][0] == list(seed.HUB)
    theirs = client.get(f"/api/couriers/me/round?date={day.day}", headers=day.auth("other")).json()
    assert theirs["round_id"] == day.other_round_id
    assert day.orders["o1"] not in str(theirs)


@pytest.mark.parametrize("hour", ["00:05", "08:30", "19:40", "23:55"])
def test_no_round_is_a_404_and_the_day_defaults_to_today(client, day, clock, hour):
    r = client.get(f"/api/couriers/me/round?date={day.day + dt.timedelta(days=900)}",
                   headers=day.auth("courier"))
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    clock.on(day.day, hour)  # today, local time, whatever the hour
    r = client.get("/api/couriers/me/round", headers=day.auth("courier"))
    assert r.status_code == 200, r.text
    assert r.json()["date"] == day.day.isoformat()
    clock.on(day.day + dt.timedelta(days=1), hour)
    r = client.get("/api/couriers/me/round", headers=day.auth("courier"))
    assert r.status_code == 404
    assert (day.day + dt.timedelta(days=1)).isoformat() in r.json()["detail"]
    r = client.get("/api/couriers/me/round?date=tomorrow", headers=day.auth("courier"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "query.date"


def test_other_roles_are_forbidden(client, day):
    for who in ("shop", "city", "dispatcher"):
        r = client.get(f"/api/couriers/me/round?date={day.day}", headers=day.auth(who))
        assert r.status_code == 403, who
        r = event(client, day, day.stops["bakery"], "arrived", who=who)
        assert r.status_code == 403, who
        r = client.post("/api/couriers/me/positions", json={"lon": 3.08, "lat": 50.37}, headers=day.auth(who))
        assert r.status_code == 403, who
    for who in ("shop", "city", "courier"):
        r = client.get(f"/api/couriers/positions?date={day.day}", headers=day.auth(who))
        assert r.status_code == 403, who
    assert client.get("/api/couriers/me/round").status_code == 401


def test_events_walk_the_round_and_the_next_stop_moves_on(client, day, engine):
    r = event(client, day, day.stops["bakery"], "arrived", at=f"{day.day}T12:02:00", lon=3.079, lat=50.371)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"event", "stop", "next_stop_id"}
    assert body["event"]["type"] == "arrived"
    assert body["event"]["at"].startswith(f"{day.day}T12:02:00")  # no zone given: local time
    assert (body["event"]["lon"], body["event"]["lat"]) == (3.079, 50.371)
    assert body["stop"]["status"] == "arrived"
    assert body["next_stop_id"] == day.stops["bakery"]
    r = event(client, day, day.stops["bakery"], "picked_up")
    assert r.status_code == 201, r.text
    assert r.json()["stop"]["status"] == "done"
    assert [o["status"] for o in r.json()["stop"]["orders"]] == ["picked_up", "picked_up"]
    assert r.json()["next_stop_id"] == day.stops["books"]
    for stop, kind in [("books", "arrived"), ("books", "picked_up"), ("home_1", "arrived"),
                       ("home_1", "delivered"), ("home_2", "arrived")]:
        assert event(client, day, day.stops[stop], kind).status_code == 201, (stop, kind)
    r = event(client, day, day.stops["home_2"], "failed", reason="nobody home")
    assert r.status_code == 201
    assert r.json()["stop"]["status"] == "failed"
    assert r.json()["next_stop_id"] == day.stops["end"]
    view = client.get(f"/api/couriers/me/round?date={day.day}", headers=day.auth("courier")).json()
    assert [s["status"] for s in view["stops"]] == ["done", "done", "done", "done", "failed", "pending"]
    assert view["stops"][4]["events"][1] == {
        "type": "failed", "at": view["stops"][4]["events"][1]["at"], "reason": "nobody home"}
    with Session(engine) as s:
        assert [s.get(Order, day.orders[k]).status for k in ("o1", "o2", "o3")] == [
            "delivered", "delivered", "failed"]
        trail = s.scalars(select(OrderEvent.to_status).where(
            OrderEvent.order_id == day.orders["o3"]).order_by(OrderEvent.id)).all()
        assert trail == ["received", "planned", "picked_up", "failed"]


def test_a_retry_is_200_with_the_first_event(client, day):
    first = event(client, day, day.stops["bakery"], "arrived", at=f"{day.day}T11:58:00+01:00")
    again = event(client, day, day.stops["bakery"], "arrived", at=f"{day.day}T12:30:00+01:00")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["event"] == first.json()["event"]
    first_at = dt.datetime.fromisoformat(again.json()["event"]["at"])
    assert first_at == dt.datetime.fromisoformat(f"{day.day}T11:58:00+01:00")


def test_a_stop_of_another_courier_or_of_a_plan_not_in_force_is_404(client, day, engine):
    unpublished = seed.seed_day(engine, f"cap{next(_DAYS)}u", day.day, published=False)
    other = event(client, day, day.other_stops["bakery"], "arrived")
    nowhere = event(client, day, 2_000_000_000, "arrived")
    assert other.status_code == nowhere.status_code == 404
    assert other.json()["detail"].replace(str(day.other_stops["bakery"]), "N") == \
        nowhere.json()["detail"].replace("2000000000", "N")
    r = client.post(f"/api/stops/{unpublished.stops['bakery']}/events", json={"type": "arrived"},
                    headers=unpublished.auth("courier"))
    assert r.status_code == 404
    assert event(client, day, day.other_stops["bakery"], "arrived", who="other").status_code == 201


def test_every_event_out_of_order_is_a_409(client, day, engine):
    cases = [  # the English detail for programs, the code and the courier's French
        ("start", "arrived", "takes no events", "stop_takes_no_event", "le départ de la tournée"),
        ("end", "arrived", "takes no events", "stop_takes_no_event", "la fin de la tournée"),
        ("bakery", "picked_up", "out of order", "arrive_first", "signalez l'arrivée avant « Récupéré »"),
        ("bakery", "failed", "out of order", "arrive_first", "signalez l'arrivée avant « Échec »"),
        ("bakery", "delivered", "belongs to a delivery stop", "event_not_for_stop",
         "« Remis » ne va pas avec l'arrêt"),
        ("home_1", "picked_up", "belongs to a pickup stop", "event_not_for_stop", "qui est une livraison"),
        ("home_1", "delivered", "out of order", "arrive_first", "avant « Remis »"),
    ]
    for stop, kind, words, code, french in cases:
        r = event(client, day, day.stops[stop], kind, reason="because")
        assert r.status_code == 409, (stop, kind, r.text)
        assert r.json()["error"] == "conflict"
        assert words in r.json()["detail"], (stop, kind, r.text)
        assert r.json()["code"] == code
        assert r.json()["params"]["stop_id"] == day.stops[stop]
        assert french in r.json()["message"], r.json()
    assert event(client, day, day.stops["home_1"], "arrived").status_code == 201
    r = event(client, day, day.stops["home_1"], "delivered")
    assert r.status_code == 409
    assert day.orders["o1"] in r.json()["detail"]  # not picked up yet
    assert event(client, day, day.stops["bakery"], "arrived").status_code == 201
    assert event(client, day, day.stops["bakery"], "picked_up").status_code == 201
    r = event(client, day, day.stops["bakery"], "failed", reason="changed my mind")
    assert r.status_code == 409
    assert "finished" in r.json()["detail"]
    assert r.json()["message"] == f"L'arrêt {day.stops['bakery']} est déjà terminé (« Récupéré »)."
    with Session(engine) as s:
        move_order(s, s.get(Order, day.orders["o3"]), OrderStatus.CANCELLED, reason="customer away")
        s.commit()
    assert event(client, day, day.stops["books"], "arrived").status_code == 201
    r = event(client, day, day.stops["books"], "picked_up")
    assert r.status_code == 409
    assert day.orders["o3"] in r.json()["detail"]
    view = client.get(f"/api/couriers/me/round?date={day.day}", headers=day.auth("courier")).json()
    assert view["stops"][2]["status"] == view["stops"][4]["status"] == "cancelled"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "failed"}, "reason"),
        ({"type": "failed", "reason": " "}, "reason"),
        ({"type": "left"}, "type"),
        ({"type": "arrived", "lon": 3.08}, "lat"),
        ({"type": "arrived", "lon": 3.08, "lat": 95}, "lat"),
        ({"type": "arrived", "lon": 200, "lat": 50}, "lon"),
        ({"type": "arrived", "at": "noon"}, "at"),
    ],
)
def test_bad_event_bodies_are_422_naming_the_field(client, day, body, field):
    r = client.post(f"/api/stops/{day.stops['bakery']}/events", json=body, headers=day.auth("courier"))
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["detail"]]


@pytest.mark.parametrize("hour", ["08:30", "19:40"])
def test_an_event_on_another_day_than_its_rounds_is_422_naming_at(client, day, clock, hour):
    """A courier who opens the round of a day ahead (``/courier?date=...``) and taps:
    refused, the stop unchanged; the same tap on the round's day goes in."""
    clock.on(day.day - dt.timedelta(days=2), hour)
    r = event(client, day, day.stops["bakery"], "arrived")
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid"
    (problem,) = r.json()["detail"]
    assert problem["field"] == "at"
    assert day.day.isoformat() in problem["problem"]
    r = event(client, day, day.stops["bakery"], "arrived", at=f"{day.day - dt.timedelta(days=1)}T{hour}:00")
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "at"
    view = client.get(f"/api/couriers/me/round?date={day.day}", headers=day.auth("courier")).json()
    assert view["stops"][1]["events"] == []
    clock.on(day.day, hour)
    r = event(client, day, day.stops["bakery"], "arrived")
    assert r.status_code == 201, r.text
    assert r.json()["event"]["at"].startswith(f"{day.day}T{hour}")


def test_two_racing_identical_events_store_one(client, day, engine):
    barrier = threading.Barrier(6)
    codes: list[int] = []

    def send() -> None:
        barrier.wait()
        codes.append(event(client, day, day.stops["home_2"], "arrived").status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes) == [200] * 5 + [201]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(StopEvent)
                        .where(StopEvent.stop_id == day.stops["home_2"])) == 1


def test_positions_one_or_a_batch_and_the_dispatchers_map(client, day, engine):
    when = f"{day.day}T10:00:00"
    r = client.post("/api/couriers/me/positions", json={"lon": 3.08, "lat": 50.37, "at": when},
                    headers=day.auth("courier"))
    assert (r.status_code, r.json()) == (201, {"stored": 1})
    batch = [{"lon": 3.08 + i / 1000, "lat": 50.37, "at": f"{day.day}T10:0{i}:30"} for i in range(1, 6)]
    r = client.post("/api/couriers/me/positions", json={"positions": batch}, headers=day.auth("courier"))
    assert (r.status_code, r.json()) == (201, {"stored": 5})
    # the phone resends its queue: nothing twice
    r = client.post("/api/couriers/me/positions", json={"positions": batch}, headers=day.auth("courier"))
    assert (r.status_code, r.json()) == (201, {"stored": 0})
    r = client.post("/api/couriers/me/positions", json={"lon": 3.07, "lat": 50.36, "at": f"{day.day}T09:00:00"},
                    headers=day.auth("other"))
    assert r.status_code == 201
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(CourierPosition)
                        .where(CourierPosition.courier_id == day.courier)) == 6
    r = client.get(f"/api/couriers/positions?date={day.day}", headers=day.auth("dispatcher"))
    assert r.status_code == 200
    latest = {p["courier_id"]: p for p in r.json()["positions"]}
    assert r.json()["date"] == str(day.day)
    assert latest[day.courier]["lon"] == pytest.approx(3.085)
    assert latest[day.courier]["at"].startswith(f"{day.day}T10:05:30")
    assert latest[day.other_courier]["at"].startswith(f"{day.day}T09:00:00")
    r = client.get(f"/api/couriers/positions?date={day.day + dt.timedelta(days=1)}", headers=day.auth("dispatcher"))
    assert day.courier not in {p["courier_id"] for p in r.json()["positions"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"positions": [{"lon": 3.08, "lat": 50.37}] * 3 + [{"lon": 3.08, "lat": 91}]}, "positions.3.lat"),
        ({"positions": [{"lat": 50.37}]}, "positions.0.lon"),
        ({"positions": [{"lon": 3.08, "lat": 50.37}] * 501}, "positions"),
        ({"positions": []}, "positions"),
        ({"lon": 3.08, "lat": 50.37, "positions": [{"lon": 3.08, "lat": 50.37}]}, "positions"),
        ({"lat": 50.37}, "lon"),
        ({"lon": -181, "lat": 50.37}, "lon"),
        ({"lon": 3.08}, "lat"),
    ],
)
def test_bad_positions_are_422_naming_the_field(client, day, engine, body, field):
    r = client.post("/api/couriers/me/positions", json=body, headers=day.auth("courier"))
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["detail"]], r.text
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(CourierPosition)
                        .where(CourierPosition.courier_id == day.courier)) == 0


def test_the_courier_meets_the_customer_at_the_door_only(client, day, engine):
    """The customer's name, phone and notes ride with the hand-over, not the pick-up (the
    shop need not know them from the courier); the e-mail stays with the shop."""
    with Session(engine) as s:
        o1 = s.get(Order, day.orders["o1"])
        o1.customer_name, o1.customer_phone = "Mme Lefebvre", "+33 6 12 34 56 78"
        o1.customer_email, o1.delivery_notes = "lefebvre@example.org", "Code 4521B, 3e étage"
        s.commit()
    view = client.get(f"/api/couriers/me/round?date={day.day}", headers=day.auth("courier")).json()
    stops = {s["stop_id"]: s for s in view["stops"]}
    drop = next(o for o in stops[day.stops["home_1"]]["orders"] if o["order_id"] == day.orders["o1"])
    assert (drop["customer_name"], drop["customer_phone"], drop["delivery_notes"]) == (
        "Mme Lefebvre", "+33 6 12 34 56 78", "Code 4521B, 3e étage")
    assert "customer_email" not in drop
    pick = next(o for o in stops[day.stops["bakery"]]["orders"] if o["order_id"] == day.orders["o1"])
    assert pick.get("customer_name") is None
    assert "Lefebvre" not in str(client.get(f"/api/couriers/me/round?date={day.day}",
                                            headers=day.auth("other")).json())


def test_the_courier_says_the_address_is_elsewhere(client, day, engine):
    from geoalchemy2.shape import to_shape

    r = client.post(f"/api/stops/{day.stops['home_1']}/address-elsewhere", headers=day.auth("courier"),
                    json={"lon": 3.0901, "lat": 50.3651})
    assert r.status_code == 200, r.text
    assert r.json()["stop_id"] == day.stops["home_1"]
    with Session(engine) as s:
        o1 = s.get(Order, day.orders["o1"])
        assert o1.status in ("planned", "picked_up")  # open: it moves
        assert to_shape(o1.customer_location).coords[0] == (3.0901, 50.3651)
        assert o1.address_source == "manual"
    r = client.post(f"/api/stops/{day.stops['bakery']}/address-elsewhere", headers=day.auth("courier"),
                    json={"lon": 3.0901, "lat": 50.3651})
    assert r.status_code == 409, r.text
    r = client.post(f"/api/stops/{day.stops['home_2']}/address-elsewhere", headers=day.auth("other"),
                    json={"lon": 3.0901, "lat": 50.3651})
    assert r.status_code == 404
