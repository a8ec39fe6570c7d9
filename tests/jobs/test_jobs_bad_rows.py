"""One bad record never fails a day: rows written straight to the store (or stored
before the API's checks) with sizes the platform cannot use are left out of the plan
with their reasons, and the plan is solved and saved all the same."""

from __future__ import annotations

import datetime as dt
import math

from factories import courier_row, order_row, shop_row
from sqlalchemy.orm import Session

from logistics.jobs.plan_jobs import solve_plan
from logistics.store.models import Plan
from logistics.store.plans import request_plan

DAY = dt.date(2033, 9, 14)
HUB = (3.0800, 50.3700)
HOME = (3.0900, 50.3650)


def test_absurd_orders_and_couriers_stored_straight_do_not_fail_the_day(engine, town):
    with Session(engine) as s:
        s.add(shop_row("br-shop", (3.0790, 50.3712)))
        s.add(courier_row("br-rider", HUB))
        s.add(courier_row("br-boundless", HUB, capacity_kg=math.inf))
        s.add(courier_row("br-nan", HUB, capacity_l=math.nan))
        s.flush()
        for order_id, kg, litres in (("br-fine", 2, 5), ("br-huge", 1e308, 5),
                                     ("br-nan-kg", math.nan, 5), ("br-inf-l", 2, math.inf)):
            s.add(order_row(order_id, DAY, HOME, shop_id="br-shop", weight_kg=kg, volume_l=litres))
        plan, _ = request_plan(s, DAY, settings={"time_limit_s": 2, "seed": 1},
                               couriers=["br-rider", "br-boundless", "br-nan"])
        s.commit()
        plan_id = plan.id
    assert solve_plan(engine, plan_id, lambda: town) == "solved"
    with Session(engine) as s:
        plan = s.get(Plan, plan_id)
        result = plan.result
        left = {u["order_id"]: (u["reason"], u["detail"]) for u in result["unassigned"]}
        heavy = "trop lourde (poids non valide ou au-delà de ce que la plateforme accepte)"
        assert left == {
            "br-shop:br-huge": ("too_heavy", heavy),
            "br-shop:br-nan-kg": ("too_heavy", heavy),
            "br-shop:br-inf-l": ("too_bulky", "trop volumineuse (volume non valide ou au-delà de ce "
                                              "que la plateforme accepte)"),
        }
        assert {r.courier_id for r in plan.rounds} == {"br-rider"}
        out = {c["courier_id"]: c["reason"] for c in result["couriers_unavailable"]}
        assert out == {"br-boundless": "capacity_kg inf is not a finite number",
                       "br-nan": "capacity_l nan is not a finite number"}
        # The inputs kept for audit hold null where the row holds no finite number
        # (PostgreSQL's JSON has no NaN or Infinity).
        weights = {o["order_id"]: o["weight_kg"] and float(o["weight_kg"]) for o in plan.inputs["orders"]}
        assert weights == {"br-shop:br-fine": 2, "br-shop:br-huge": 1e308, "br-shop:br-nan-kg": None, "br-shop:br-inf-l": 2}
