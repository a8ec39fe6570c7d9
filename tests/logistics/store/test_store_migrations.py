"""Migration 0006 on a store that holds a day: every order gets its public id
(``<shop>:<ref>``, ``~hub:<ref>``) and keeps its reference; baskets become their shop's,
or the dispatcher's when they span shops; every stored copy of an order id follows (its
events, the plans' changes, stops, inputs and documents); the way back restores them. A
shop id that would make public ids ambiguous stops the upgrade before any change."""

from __future__ import annotations

import json

import pytest
from alembic import command
from databases import new_database
from sqlalchemy import Engine, text

from logistics.store.db import make_engine
from logistics.store.migrate import alembic_config, upgrade

POINT = "ST_GeomFromText('POINT(3.08 50.37)', 4326)"


def _seed_0005(engine: Engine, shops: tuple[str, ...] = ("S1", "S2")) -> None:
    """A day as the store held it before 0006: global order and basket ids."""
    with engine.begin() as c:
        for shop in shops:
            c.execute(text(f"INSERT INTO shops (id, name, location, opens, closes) "
                           f"VALUES (:id, :id, {POINT}, '08:00', '19:00')"), {"id": shop})
        c.execute(text(f"INSERT INTO couriers (id, mode, capacity_kg, capacity_l, shift_start, shift_end, "
                       f"start, \"end\") VALUES ('K', 'cargo_bike', 80, 200, '08:00', '19:00', {POINT}, {POINT})"))
        orders = (("O1", shops[0], "B1"), ("O2", shops[0], "B1"), ("O3", shops[-1], "BX"),
                  ("O4", shops[0], "BX"), ("H1", None, None))
        for oid, shop, basket in orders:
            c.execute(text(
                f"INSERT INTO orders (id, shop_id, basket_id, customer_location, weight_kg, volume_l, "
                f"delivery_date, deliver_from, deliver_to, status) VALUES (:id, :shop, :basket, {POINT}, "
                f"1, 1, '2031-01-10', '14:00', '16:00', 'planned')"), {"id": oid, "shop": shop, "basket": basket})
            c.execute(text("INSERT INTO order_events (order_id, from_status, to_status) "
                           "VALUES (:id, 'received', 'planned')"), {"id": oid})
        inputs = {"orders": [{"order_id": o, "shop_id": s, "basket_id": b} for o, s, b in orders]}
        result = {"unassigned": [{"order_id": "H1", "reason": "too_heavy"}],
                  "impact": {"trips": [{"order_ids": ["O1", "O2"], "car_km": 2.0}]}}
        plan_id = c.execute(text(
            "INSERT INTO plans (day, status, settings, inputs, result, revision, attempts) VALUES "
            "('2031-01-10', 'solved', '{}', CAST(:inputs AS jsonb), CAST(:result AS jsonb), 1, 0) RETURNING id"),
            {"inputs": json.dumps(inputs), "result": json.dumps(result)}).scalar_one()
        round_id = c.execute(text(
            "INSERT INTO rounds (plan_id, courier_id, distance_m, duration_s, travel_s) "
            "VALUES (:p, 'K', 1000, 600, 500) RETURNING id"), {"p": plan_id}).scalar_one()
        for seq, ids in enumerate(([], ["O1", "O2"], ["O3", "O4"])):
            c.execute(text(
                f"INSERT INTO stops (round_id, seq, kind, order_ids, location, arrival, departure, load_kg, "
                f"load_l) VALUES (:r, :seq, :kind, CAST(:ids AS jsonb), {POINT}, '10:00', '10:05', 0, 0)"),
                {"r": round_id, "seq": seq, "kind": "start" if seq == 0 else "delivery", "ids": json.dumps(ids)})
        c.execute(text("INSERT INTO plan_changes (plan_id, kind, order_id, courier_id, status) "
                       "VALUES (:p, 'move', 'O4', 'K', 'applied')"), {"p": plan_id})


def _state(engine: Engine) -> dict:
    with engine.connect() as c:
        return {
            "orders": {r[0]: r[1:] for r in c.execute(text(
                "SELECT id, basket_id FROM orders ORDER BY id"))},
            "refs": dict(c.execute(text("SELECT id, shop_ref FROM orders")).all())
            if "shop_ref" in _columns(c, "orders") else None,
            "events": sorted(c.execute(text("SELECT order_id FROM order_events")).scalars()),
            "stops": [r[0] for r in c.execute(text("SELECT order_ids FROM stops ORDER BY seq"))],
            "changes": list(c.execute(text("SELECT order_id FROM plan_changes")).scalars()),
            "plan": c.execute(text("SELECT inputs, result FROM plans")).one(),
        }


def _columns(c, table: str) -> set[str]:
    return set(c.execute(text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"),
                         {"t": table}).scalars())


@pytest.fixture
def at_0005():
    with new_database("0005") as url:
        engine = make_engine(url)
        yield url, engine
        engine.dispose()


def test_0006_gives_every_order_and_every_copy_of_its_id_the_public_id(at_0005):
    url, engine = at_0005
    _seed_0005(engine)
    before = _state(engine)
    upgrade(url, "0006")
    after = _state(engine)
    assert after["orders"] == {
        "S1:O1": ("S1:B1",), "S1:O2": ("S1:B1",),  # one shop's basket: the shop's
        "S2:O3": ("~dispatch:BX",), "S1:O4": ("~dispatch:BX",),  # across shops: the dispatcher's
        "~hub:H1": (None,),
    }
    assert after["refs"] == {"S1:O1": "O1", "S1:O2": "O2", "S2:O3": "O3", "S1:O4": "O4", "~hub:H1": "H1"}
    assert after["events"] == sorted(after["orders"])
    assert after["stops"] == [[], ["S1:O1", "S1:O2"], ["S2:O3", "S1:O4"]]
    assert after["changes"] == ["S1:O4"]
    inputs, result = after["plan"]
    assert [(o["order_id"], o["basket_id"]) for o in inputs["orders"]] == [
        ("S1:O1", "S1:B1"), ("S1:O2", "S1:B1"), ("S2:O3", "~dispatch:BX"), ("S1:O4", "~dispatch:BX"),
        ("~hub:H1", None)]
    assert result["unassigned"][0]["order_id"] == "~hub:H1"
    assert result["impact"]["trips"][0]["order_ids"] == ["S1:O1", "S1:O2"]
    # The database keeps the rule: id = shop:ref.
    with pytest.raises(Exception, match="ck_orders_public_id"), engine.begin() as c:
        c.execute(text("UPDATE orders SET shop_ref = 'other' WHERE id = 'S1:O1'"))
    # And back: the store as it was.
    command.downgrade(alembic_config(url), "0005")
    assert _state(engine) == before


def test_0006_stops_before_any_change_on_a_shop_id_that_would_be_ambiguous(at_0005):
    url, engine = at_0005
    _seed_0005(engine, shops=("S1", "bad:shop"))
    before = _state(engine)
    with pytest.raises(RuntimeError, match="'bad:shop'"):
        upgrade(url, "0006")
    assert _state(engine) == before
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0005"
