"""Kilometres ridden, not planned, on a real PostGIS: a round stopped after two stops
counts its path to the second only; a round whose stops are all done (one skipped,
its order cancelled) counts the way back too; a round without any event counts nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import courier_row, order_row, plan_document_json, round_row, shop_row, stop_row
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from logistics import ids
from logistics.ridden import line_m
from logistics.store.impact_metrics import daily_impact
from logistics.store.models import Plan, StopEvent

DAY = dt.date(2031, 9, 9)
AT = dt.datetime(2031, 9, 9, 9, tzinfo=dt.UTC)
DEPOT, SHOP, A, B, C = (3.080, 50.370), (3.090, 50.370), (3.090, 50.380), (3.100, 50.380), (3.100, 50.370)
#: the street path of a round depot, shop, A, B, C, depot: each leg bends once
PATH = [DEPOT, (3.085, 50.368), SHOP, (3.088, 50.375), A, (3.095, 50.381), B, (3.101, 50.375), C,
        (3.090, 50.366), DEPOT]
LEGS = [line_m(PATH[i:i + 3]) for i in range(0, 10, 2)]  # into SHOP, A, B, C, DEPOT


def _ids(*refs: str) -> list[str]:
    return [ids.order_id("rk-shop", r) for r in refs]


def _round(courier_id: str, metres: int):
    kinds = [("start", DEPOT, []), ("pickup", SHOP, _ids(f"{courier_id}-a", f"{courier_id}-b",
                                                          f"{courier_id}-c")),
             ("delivery", A, _ids(f"{courier_id}-a")), ("delivery", B, _ids(f"{courier_id}-b")),
             ("delivery", C, _ids(f"{courier_id}-c")), ("end", DEPOT, [])]
    stops = [stop_row(i, kind, at, order_ids=o, shop_id="rk-shop" if kind == "pickup" else None)
             for i, (kind, at, o) in enumerate(kinds)]
    return round_row(courier_id, stops, distance_m=metres, geometry=PATH)


@pytest.fixture(scope="module")
def day(engine: Engine) -> None:
    """Three bike rounds of one path and 10 km each: ``rk-stopped`` picked up and handed
    over at A, then nothing; ``rk-ended`` handed over at A and C, B's order was cancelled;
    ``rk-idle`` has no event at all."""
    with Session(engine) as s:
        s.add(shop_row("rk-shop", SHOP, name="Fleuriste"))
        for cid in ("rk-stopped", "rk-ended", "rk-idle"):
            s.add(courier_row(cid, DEPOT, mode="cargo_bike"))
        s.flush()
        for cid in ("rk-stopped", "rk-ended", "rk-idle"):
            for ref, status in (("a", "delivered"), ("b", "picked_up"), ("c", "picked_up")):
                if cid == "rk-ended":
                    status = {"a": "delivered", "b": "cancelled", "c": "delivered"}[ref]
                if cid == "rk-idle":
                    status = "planned"
                s.add(order_row(f"{cid}-{ref}", DAY, A, shop_id="rk-shop", status=status))
        s.flush()
        plan = Plan(day=DAY, status="solved", result=plan_document_json(trips=[]), published_at=AT,
                    rounds=[_round(c, 10_000) for c in ("rk-stopped", "rk-ended", "rk-idle")])
        s.add(plan)
        s.flush()
        rounds = {r.courier_id: r for r in plan.rounds}
        events = {"rk-stopped": [(1, "arrived"), (1, "picked_up"), (2, "arrived"), (2, "delivered")],
                  "rk-ended": [(1, "arrived"), (1, "picked_up"), (2, "arrived"), (2, "delivered"),
                               (4, "arrived"), (4, "delivered")]}
        for cid, done in events.items():
            for seq, kind in done:
                s.add(StopEvent(stop_id=rounds[cid].stops[seq].id, type=kind, at=AT))
        s.commit()


def test_the_legs_add_up_to_the_round_and_follow_the_path(engine, day):
    with Session(engine) as s:
        plan = s.query(Plan).where(Plan.day == DAY).one()
        legs = [st.leg_m for st in plan.rounds[0].stops]
    assert legs[0] is None
    assert sum(legs[1:]) == 10_000
    expected = [round(10_000 * m / sum(LEGS)) for m in LEGS]
    assert all(abs(a - b) <= 1 for a, b in zip(legs[1:], expected, strict=True)), (legs, expected)


def test_a_round_counts_the_legs_ridden_only(engine, day):
    with Session(engine) as s:
        (figures,) = [d.figures for d in daily_impact(s, DAY, DAY)]
    share = [m / sum(LEGS) for m in LEGS]
    stopped = 10 * (share[0] + share[1])  # to the shop, then to A: nothing after
    ended = 10.0  # the whole path, B's leg included (ridden past), and the way back
    assert figures.bike_km == pytest.approx(stopped + ended, abs=0.003)
    assert stopped < 6  # well under the 10 km planned
