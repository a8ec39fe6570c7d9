"""What the dispatcher reads of a plan in force while couriers ride it: every stop of
``GET /api/plans/{id}`` carries its ``status`` (as the courier's phone shows it) and its
``events``, read in one query for the whole plan; and ``GET /api/couriers`` lists the
couriers to plan with. Real PostGIS, seeded straight through the models."""

from __future__ import annotations

import datetime as dt

import courier_seed as seed
import pytest
from sqlalchemy import event as sa_event

STOP_KEYS = {"stop_id", "seq", "kind", "order_ids", "shop_id", "lon", "lat", "arrival", "departure",
             "load_kg", "load_l", "leg_m", "status", "events", "expected_arrival", "late"}



@pytest.fixture(scope="module")
def day(engine):
    """A published plan of a day of this module's own (two rounds)."""
    return seed.seed_day(engine, "pev", dt.date(2032, 10, 19))


def _stops(client, day) -> dict[int, dict]:
    r = client.get(f"/api/plans/{day.plan_id}", headers=day.auth("dispatcher"))
    assert r.status_code == 200, r.text
    return {s["stop_id"]: s for rnd in r.json()["rounds"] for s in rnd["stops"]}


def _post(client, day, stop: str, kind: str, **body) -> None:
    r = client.post(f"/api/stops/{day.stops[stop]}/events", headers=day.auth("courier"),
                    json={"type": kind, **body})
    assert r.status_code == 201, r.text


def test_stops_carry_their_status_and_events(client, day, engine, clock):
    clock.on(day.day, "14:00")
    before = _stops(client, day)
    assert all(set(s) == STOP_KEYS for s in before.values())
    assert {s["status"] for s in before.values()} == {"pending"}
    assert all(s["events"] == [] for s in before.values())

    _post(client, day, "bakery", "arrived", at="2032-10-19T12:01:00")
    _post(client, day, "bakery", "picked_up", at="2032-10-19T12:04:00")
    _post(client, day, "books", "arrived", at="2032-10-19T12:16:00")
    _post(client, day, "books", "failed", at="2032-10-19T12:18:00", reason="magasin fermé")
    r = client.post(f"/api/orders/{day.orders['o4']}/cancel", headers=day.auth("dispatcher"),
                    json={"reason": "client absent"})
    assert r.status_code == 200, r.text

    statements: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", note)
    try:
        after = _stops(client, day)
    finally:
        sa_event.remove(engine, "before_cursor_execute", note)

    status = {name: after[i]["status"] for name, i in day.stops.items()}
    assert status == {"start": "done", "bakery": "done", "books": "failed", "home_1": "pending",
                      "home_2": "cancelled", "end": "pending"}  # o3 failed at its pick-up
    bakery = after[day.stops["bakery"]]["events"]
    assert [(e["type"], e["at"][:19], e["reason"]) for e in bakery] == [
        ("arrived", "2032-10-19T12:01:00", None), ("picked_up", "2032-10-19T12:04:00", None)]
    assert after[day.stops["books"]]["events"][-1]["reason"] == "magasin fermé"
    # The other courier has not started; the stops of the cancelled order have nothing to do.
    other = {name: after[i]["status"] for name, i in day.other_stops.items()}
    assert other == {"start": "pending", "bakery": "cancelled", "home": "cancelled", "end": "pending"}
    # One query reads the events of the whole plan, not one per stop or round.
    assert sum("FROM stop_events" in s for s in statements) == 1


def test_the_dispatcher_lists_the_couriers(client, day):
    r = client.get("/api/couriers", headers=day.auth("dispatcher"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == len(body["couriers"])
    ids = [c["courier_id"] for c in body["couriers"]]
    assert ids == sorted(ids)
    mine = next(c for c in body["couriers"] if c["courier_id"] == day.courier)
    assert mine == {"courier_id": day.courier, "mode": "cargo_bike", "capacity_kg": 100,
                    "capacity_l": 300, "shift_start": "08:00", "shift_end": "18:00",
                    "start_lon": seed.HUB[0], "start_lat": seed.HUB[1],
                    "end_lon": seed.HUB[0], "end_lat": seed.HUB[1], "retired_at": None}
    for who in ("courier", "shop", "city"):
        assert client.get("/api/couriers", headers=day.auth(who)).status_code == 403, who
    assert client.get("/api/couriers").status_code == 401


def test_stops_still_to_do_carry_when_they_are_expected_and_whether_late(client, engine, clock):
    """The round's delay at its last event carries forward; a round not started is
    expected no earlier than now; a hand-over expected after its slot is ``late``."""
    late = seed.seed_day(engine, "pel", dt.date(2032, 10, 20))
    clock.on(late.day, "14:30")
    _post(client, late, "bakery", "arrived", at="2032-10-20T14:30:00")  # planned 12:00
    stops = _stops(client, late)
    mine = {name: stops[sid] for name, sid in late.stops.items()}
    assert mine["bakery"]["expected_arrival"] is None  # under way: its event says when
    assert mine["books"]["expected_arrival"] == "14:45:00"
    assert (mine["home_1"]["expected_arrival"], mine["home_1"]["late"]) == ("16:30:00", True)  # slot to 16:00
    assert (mine["home_2"]["expected_arrival"], mine["home_2"]["late"]) == ("17:30:00", True)  # to 17:00
    assert mine["books"]["late"] is False  # a pick-up is never "late" on a slot
    other = {name: stops[sid] for name, sid in late.other_stops.items()}
    assert other["home"]["expected_arrival"] == "14:30:00"  # not started: not before now
    assert other["home"]["late"] is True  # its slot ended at 12:00
    # Another day (the day before): nothing is expected yet, nothing is late.
    clock.on(late.day - dt.timedelta(days=1), "14:30")
    assert not any(s["late"] or s["expected_arrival"] for s in _stops(client, late).values())
