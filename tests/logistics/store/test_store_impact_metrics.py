"""Impact figures per day on a real PostGIS: only the plan in force counts, a trip counts
once one of its orders is delivered, a round once it is ridden; weeks and totals add up;
a year takes a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import courier_row, order_row, plan_document_json, round_row, shop_row, stop_row
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from logistics import ids
from logistics.impact import FACTORS
from logistics.store.impact_metrics import (
    MAX_DAYS,
    Figures,
    by_week,
    check_range,
    daily_impact,
    iso_week,
    total,
)
from logistics.store.models import Order, Plan, Round, StopEvent

D0, D1, D2, D3 = (dt.date(2031, 8, d) for d in (16, 17, 18, 19))  # Sat, Sun | Mon, Tue
AT = dt.datetime(2031, 8, 1, 12, tzinfo=dt.UTC)


HERE, HOME = (3.08, 50.37), (3.09, 50.36)


def _order(order_id: str, day: dt.date, status: str) -> Order:
    return order_row(order_id, day, HOME, shop_id="im-shop", status=status)


def _ids(refs: list[str]) -> list[str]:
    """The public ids of the shop's orders ``refs`` (:mod:`logistics.ids`)."""
    return [ids.order_id("im-shop", ref) for ref in refs]


def _round(courier_id: str, metres: int, orders: list[str]) -> Round:
    """A round of a start, a pick-up and a delivery stop (no events yet)."""
    stops = [stop_row(i, kind, HERE, order_ids=_ids(orders) if kind != "start" else [])
             for i, kind in enumerate(("start", "pickup", "delivery"))]
    return round_row(courier_id, stops, distance_m=metres, duration_s=3600)


def _impact(trips: list[tuple[list[str], float]], factor: float | None) -> dict:
    factors = dict(FACTORS) if factor is None else {**FACTORS, "car_kg_co2e_per_km": factor}
    return plan_document_json(trips=[(_ids(o), km) for o, km in trips], factors=factors)


def _plan(day: dt.date, result: dict | None, rounds: list[Round], *, published: bool = True,
          withdrawn: bool = False) -> Plan:
    return Plan(day=day, status="solved", result=result, rounds=rounds,
                published_at=AT if published else None, withdrawn_at=AT if withdrawn else None)


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> None:
    """Four days:

    - D0: a plan in force with no document (zeros, but the plan is there);
    - D1: 2 delivered, 2 failed, 1 still picked up; trips 1a (4.2 km), 1b+1c (6.5 km,
      one delivered one failed: counts), 1d (failed), 1e (not delivered yet); the plan
      recorded 0.2 kg/km; bike rounds of 12,345 m (ridden) and 8,000 m (never ridden),
      a foot round of 2,500 m (ridden); a withdrawn plan and an unpublished one that
      would add a lot if they counted;
    - D2: a basket 2a+2b delivered (5 km, the current factor), a ridden bike round of 7 km;
    - D3: an order delivered but no plan in force (only a withdrawn one): zeros.
    """
    with Session(engine) as s:
        s.add(shop_row("im-shop", HERE, name="Boulangerie"))
        for cid, mode in (("im-bike1", "cargo_bike"), ("im-bike2", "cargo_bike"),
                          ("im-foot1", "foot")):
            s.add(courier_row(cid, HERE, mode=mode))
        s.flush()
        s.add_all([
            _order("im-1a", D1, "delivered"), _order("im-1b", D1, "delivered"),
            _order("im-1c", D1, "failed"), _order("im-1d", D1, "failed"),
            _order("im-1e", D1, "picked_up"),
            _order("im-2a", D2, "delivered"), _order("im-2b", D2, "delivered"),
            _order("im-3a", D3, "delivered"),
        ])
        s.flush()
        s.add(_plan(D0, None, []))
        s.add(_plan(D1, _impact(
            [(["im-1a"], 4.2), (["im-1b", "im-1c"], 6.5), (["im-1d"], 3.3), (["im-1e"], 2.0)], 0.2),
            [_round("im-bike1", 12_345, ["im-1a"]),
             _round("im-bike2", 8_000, ["im-1e"]),
             _round("im-foot1", 2_500, ["im-1b", "im-1c"])]))
        s.add(_plan(D1, _impact([(["im-1a"], 100.0)], None),
                    [_round("im-bike1", 99_000, ["im-1a"])], withdrawn=True))
        s.add(_plan(D1, _impact([(["im-1a"], 100.0)], None),
                    [_round("im-bike1", 99_000, ["im-1a"])], published=False))
        s.add(_plan(D2, _impact([(["im-2a", "im-2b"], 5.0)], None),
                    [_round("im-bike1", 7_000, ["im-2a", "im-2b"])]))
        s.add(_plan(D3, _impact([(["im-3a"], 100.0)], None),
                    [_round("im-bike1", 99_000, ["im-3a"])], withdrawn=True))
        s.flush()
        # every round ridden but im-bike2's: events on its delivery stop
        for plan in s.query(Plan).where(Plan.day.between(D0, D3)):
            for r in plan.rounds:
                if r.courier_id != "im-bike2":
                    s.add(StopEvent(stop_id=r.stops[2].id, type="arrived", at=AT))
                    s.add(StopEvent(stop_id=r.stops[2].id, type="delivered", at=AT))
        s.commit()


def test_each_day_counts_only_its_plan_in_force(engine, seeded):
    with Session(engine) as s:
        days = daily_impact(s, D0, D3)
    assert [(d.day, d.plan_in_force) for d in days] == [(D0, True), (D1, True), (D2, True), (D3, False)]
    assert days[0].figures == Figures()
    assert days[1].figures.as_dict() == {
        "orders_delivered": 2, "orders_failed": 2,
        "car_trips_avoided": 2, "car_km_avoided": 10.7,
        "co2_avoided_kg": 2.14,  # 10.7 km x 0.2, the factor the plan recorded
        "bike_km": 12.345, "foot_km": 2.5,  # the 8 km bike round never ridden
    }
    assert days[2].figures.as_dict() == {
        "orders_delivered": 2, "orders_failed": 0, "car_trips_avoided": 1,
        "car_km_avoided": 5.0, "co2_avoided_kg": round(5.0 * FACTORS["car_kg_co2e_per_km"], 3),
        "bike_km": 7.0, "foot_km": 0.0,
    }
    assert days[3].figures == Figures()


def test_weeks_are_iso_weeks_cut_to_the_range_and_totals_add_up(engine, seeded):
    with Session(engine) as s:
        days = daily_impact(s, D0, D3)
    weeks = by_week(days)
    assert [(w.label, w.first, w.last, w.days_with_plan) for w in weeks] == [
        ("2031-W33", D0, D1, 2), ("2031-W34", D2, D3, 1)]
    assert weeks[0].figures.as_dict()["car_km_avoided"] == 10.7
    assert weeks[1].figures.as_dict()["bike_km"] == 7.0
    t = total(days)
    assert (t.label, t.first, t.last, t.days_with_plan) == (None, D0, D3, 3)
    assert t.figures.as_dict() == {
        "orders_delivered": 4, "orders_failed": 2, "car_trips_avoided": 3,
        "car_km_avoided": 15.7, "co2_avoided_kg": 3.228, "bike_km": 19.345, "foot_km": 2.5,
    }


def test_iso_week_takes_the_iso_year():
    assert iso_week(dt.date(2031, 12, 29)) == "2032-W01"
    assert iso_week(dt.date(2027, 1, 1)) == "2026-W53"


def test_a_range_is_in_order_and_at_most_a_leap_year():
    check_range(D0, D0)
    check_range(dt.date(2032, 1, 1), dt.date(2032, 12, 31))  # 366 days
    with pytest.raises(ValueError, match="^to: .* is before from"):
        check_range(D1, D0)
    with pytest.raises(ValueError, match=f"^to: at most {MAX_DAYS} days"):
        check_range(dt.date(2031, 1, 1), dt.date(2032, 1, 2))


def test_a_year_takes_the_same_few_queries_as_a_day(engine, seeded):
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine) as s:
            daily_impact(s, D1, D1)
            one_day = len(statements)
            statements.clear()
            year = daily_impact(s, dt.date(2031, 1, 1), dt.date(2031, 12, 31))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(year) == 365
    assert len(statements) == one_day <= 4
    # Other tests of the session plan other days of 2031: count only this module's.
    assert sum(d.figures.car_trips_avoided for d in year if D0 <= d.day <= D3) == 3
