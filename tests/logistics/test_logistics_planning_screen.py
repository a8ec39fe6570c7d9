"""One bad record never fails a day: an order or a courier the platform's checks would
refuse (a row stored before them) is left out of the plan with its reason."""

from __future__ import annotations

import math

import pytest

from logistics.inputs import Courier, DayInputs, Order
from logistics.planning import PlanSettings, plan_day

H = 3600
HUB = (3.0800, 50.3700)


def order(order_id: str, *, weight: float = 1.0, volume: float = 2.0,
          at: tuple[float, float] = (3.0900, 50.3650)) -> Order:
    return Order(order_id, None, None, *at, weight, volume, 8 * H, 10 * H, 12 * H)


def courier(courier_id: str, *, kg: float = 100.0, litres: float = 300.0,
            at: tuple[float, float] = HUB) -> Courier:
    return Courier(courier_id, "cargo_bike", kg, litres, 8 * H, 18 * H, *at, *at)


@pytest.fixture(scope="module")
def plan(town):
    day = DayInputs((), (
        order("fine"),
        order("huge", weight=1e308),
        order("heavy-nan", weight=math.nan),
        order("endless", volume=math.inf),
        order("nowhere", at=(math.nan, math.nan)),
    ), (
        courier("rider"),
        courier("boundless", kg=math.inf),
        courier("vast", litres=1e9),
        courier("lost", at=(math.nan, 50.37)),
        courier("afield", at=(3.0800, 50.4000)),  # some 3 km north of the streets
    ))
    return plan_day(day, town, PlanSettings(time_limit_s=2, solution_limit=20))


def test_absurd_orders_are_left_out_with_their_figures(plan):
    left = {u.order_id: (u.reason, u.detail) for u in plan.unassigned}
    heavy = "trop lourde (poids non valide ou au-delà de ce que la plateforme accepte)"
    assert left["huge"] == ("too_heavy", heavy)
    assert left["heavy-nan"] == ("too_heavy", heavy)
    assert left["endless"] == ("too_bulky", "trop volumineuse (volume non valide ou au-delà de ce que "
                                            "la plateforme accepte)")
    assert left["nowhere"] == ("off_network", "hors des rues desservies (l'adresse du client n'est pas "
                                              "un point valide ou est loin de toute rue desservie)")
    assert "fine" not in left
    assert plan.summary.planned == 1


def test_couriers_without_a_size_or_a_place_are_unavailable(plan):
    out = {c.courier_id: c.reason for c in plan.couriers_unavailable}
    assert out["boundless"] == "capacity_kg inf is not a finite number"
    assert out["vast"] == "capacity_l 1e+09 L is more than the 10000 L the platform takes"
    assert "not a finite point" in out["lost"]
    french = {c.courier_id: (c.code, c.detail) for c in plan.couriers_unavailable}
    assert french["boundless"] == ("capacity_invalid", "capacité en kg non valide ou au-delà de ce "
                                   "que la plateforme accepte : corrigez la fiche du livreur")
    assert french["vast"][1].startswith("capacité en litres non valide")
    assert french["lost"] == ("off_streets", "point de départ ou d'arrivée hors des rues desservies")
    code, detail = french["afield"]
    assert code == "off_streets"
    metres = int(detail.split("(à ")[1].split(" m ")[0])
    assert 1000 < metres < 10_000, detail
    assert [r.courier_id for r in plan.rounds] == ["rider"]
