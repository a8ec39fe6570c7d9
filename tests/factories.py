"""Test factories: what the tests write straight to the store, in the shapes the
platform itself writes, so that no test seeds a document the platform could not make.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from logistics.impact import CAR_KG_CO2E_PER_KM, FACTORS, METHOD
from logistics.plan_document import (
    AvoidedTrip,
    NetworkInfo,
    PlanDocument,
    PlanImpact,
    PlanSummary,
    SolverFacts,
    UnassignedOrder,
)

#: a box around Douai, for documents that need one
DOUAI_BOUNDS = (3.03, 50.33, 3.13, 50.40)


def plan_document_json(
    *,
    trips: Iterable[tuple[Iterable[str], float]] = (),
    unreachable: Iterable[Iterable[str]] = (),
    factors: Mapping[str, Any] | None = None,
    unassigned: Iterable[tuple[str, str, str]] = (),
    orders: int | None = None,
    source: str = "seeded",
) -> dict[str, Any]:
    """The JSON a solved plan keeps (its rounds are rows): the avoided ``trips``
    (order ids, car km), the orders with no car path, the CO₂ ``factors`` recorded (the
    current ones by default), the orders left out (id, reason, detail)."""
    factors = dict(factors or FACTORS)
    kg_per_km = float(factors.get("car_kg_co2e_per_km", CAR_KG_CO2E_PER_KM))
    avoided = [AvoidedTrip(order_ids=list(ids), car_km=km) for ids, km in trips]
    left = [UnassignedOrder(order_id=o, reason=r, detail=d) for o, r, d in unassigned]
    car_km = round(sum(t.car_km for t in avoided), 3)
    counted = sum(len(t.order_ids) for t in avoided)
    impact = PlanImpact(
        method=METHOD, factors=factors, car_trips_avoided=len(avoided), orders_counted=counted,
        car_km_avoided=car_km, co2_avoided_kg=round(car_km * kg_per_km, 3),
        unreachable_order_ids=[list(u) for u in unreachable], trips=avoided,
    )
    total = orders if orders is not None else counted + len(left)
    summary = PlanSummary(
        orders=total, planned=total - len(left), unassigned=len(left), couriers=0,
        couriers_used=0, bike_km=0.0, foot_km=0.0, car_trips_avoided=len(avoided),
        car_km_avoided=car_km, co2_avoided_kg=impact.co2_avoided_kg,
    )
    document = PlanDocument(
        network=NetworkInfo(source=source, bounds=DOUAI_BOUNDS), summary=summary, rounds=[],
        unassigned=left, impact=impact, solver=SolverFacts(settings={}),
    )
    return document.model_dump(mode="json", exclude={"rounds"})
