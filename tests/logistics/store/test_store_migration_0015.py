"""Migration 0015 on a store that holds a round: each stop gets its leg, cut from the
round's stored path, the legs adding up to the round's distance; the way back drops them."""

from __future__ import annotations

from alembic import command
from databases import new_database
from sqlalchemy import text

from logistics.store.db import make_engine
from logistics.store.migrate import alembic_config, upgrade

DEPOT, SHOP, HOME = "3.08 50.37", "3.09 50.37", "3.09 50.38"


def test_0015_cuts_the_stored_rounds_into_legs():
    with new_database("0014") as url:
        engine = make_engine(url)
        try:
            with engine.begin() as c:
                c.execute(text(
                    "INSERT INTO couriers (id, mode, capacity_kg, capacity_l, shift_start, shift_end, "
                    "start, \"end\") VALUES ('K', 'cargo_bike', 80, 200, '08:00', '19:00', "
                    f"ST_GeomFromText('POINT({DEPOT})', 4326), ST_GeomFromText('POINT({DEPOT})', 4326))"))
                plan_id = c.execute(text(
                    "INSERT INTO plans (day, status, settings, inputs, result, revision, attempts) "
                    "VALUES ('2031-01-10', 'solved', '{}', '{}', '{}', 1, 0) RETURNING id")).scalar_one()
                round_id = c.execute(text(
                    "INSERT INTO rounds (plan_id, courier_id, distance_m, duration_s, travel_s, geometry) "
                    "VALUES (:p, 'K', 2500, 600, 500, ST_GeomFromText(:line, 4326)) RETURNING id"),
                    {"p": plan_id, "line": f"LINESTRING({DEPOT}, 3.085 50.369, {SHOP}, {HOME}, {DEPOT})"},
                ).scalar_one()
                for seq, (kind, at) in enumerate((("start", DEPOT), ("pickup", SHOP),
                                                  ("delivery", HOME), ("end", DEPOT))):
                    c.execute(text(
                        "INSERT INTO stops (round_id, seq, kind, order_ids, location, arrival, departure, "
                        "load_kg, load_l) VALUES (:r, :seq, :kind, '[]', "
                        f"ST_GeomFromText('POINT({at})', 4326), '10:00', '10:05', 0, 0)"),
                        {"r": round_id, "seq": seq, "kind": kind})
            upgrade(url, "0015")
            with engine.connect() as c:
                rows = c.execute(text(
                    "SELECT leg_m, ST_NPoints(leg) FROM stops ORDER BY seq")).all()
            assert rows[0] == (None, None)
            assert [n for _, n in rows[1:]] == [3, 2, 2]  # the first leg bends once
            assert sum(m for m, _ in rows[1:]) == 2500
            command.downgrade(alembic_config(url), "0014")
            with engine.connect() as c:
                columns = set(c.execute(text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'stops'")).scalars())
            assert not {"leg", "leg_m"} & columns
        finally:
            engine.dispose()
