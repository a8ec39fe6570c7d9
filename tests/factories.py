"""Test factories: what the tests write straight to the store, in the shapes the
platform itself writes, so that no test seeds a document the platform could not make.
"""

from __future__ import annotations

import datetime as dt
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


# ---- rows, in the store's own shapes ------------------------------------------------

LonLat = tuple[float, float]


def point(at: LonLat) -> Any:
    """A (lon, lat) as a PostGIS point (SRID 4326)."""
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point

    return from_shape(Point(*at), 4326)


def line(points: Iterable[LonLat]) -> Any:
    """(lon, lat) points as a PostGIS LINESTRING."""
    from geoalchemy2.shape import from_shape
    from shapely.geometry import LineString

    return from_shape(LineString(list(points)), 4326)


def stored_time(text: str) -> dt.time:
    """``HH:MM[:SS]`` as a TIME column stores it (``24:00`` is the day's last second)."""
    from logistics.clock import time_of_day
    from logistics.timeofday import parse_clock

    return time_of_day(parse_clock(text))


def shop_row(shop_id: str, at: LonLat, *, name: str | None = None, address: str | None = None,
             opens: str = "08:00", closes: str = "19:00") -> Any:
    """A shop open from ``opens`` to ``closes``."""
    from logistics.store.models import Shop

    return Shop(id=shop_id, name=name or shop_id, address=address, location=point(at),
                opens=stored_time(opens), closes=stored_time(closes))


def courier_row(courier_id: str, at: LonLat, *, mode: str = "cargo_bike", capacity_kg: float = 100,
                capacity_l: float = 300, shift: tuple[str, str] = ("08:00", "18:00")) -> Any:
    """A courier starting and ending at ``at``."""
    from logistics.store.models import Courier

    return Courier(id=courier_id, mode=mode, capacity_kg=capacity_kg, capacity_l=capacity_l,
                   shift_start=stored_time(shift[0]), shift_end=stored_time(shift[1]),
                   start=point(at), end=point(at))


def order_row(order_id: str, day: dt.date, at: LonLat, *, shop_id: str | None = None,
              basket_id: str | None = None, basket_owner: str | None = None,
              weight_kg: float = 1, volume_l: float = 1,
              slot: tuple[str, str] = ("14:00", "16:00"), status: str = "received",
              address: str | None = None) -> Any:
    """An order row written straight (no events): for seeding figures and views.

    ``order_id`` and ``basket_id`` are references, as a poster gives them: the row's
    ids are the public ones (:mod:`logistics.ids`), the order's in its shop's namespace
    (the hub's without a shop), the basket's in ``basket_owner``'s (by default the
    shop's; the dispatcher's for a parcel at the hub)."""
    from logistics import ids
    from logistics.store.models import Order

    owner = basket_owner or shop_id or ids.DISPATCH
    return Order(id=ids.order_id(shop_id, order_id), shop_id=shop_id, shop_ref=order_id,
                 basket_id=ids.basket_id(owner, basket_id) if basket_id else None,
                 customer_location=point(at), customer_address=address, weight_kg=weight_kg,
                 volume_l=volume_l, delivery_date=day, deliver_from=stored_time(slot[0]),
                 deliver_to=stored_time(slot[1]), status=status)


def stop_row(seq: int, kind: str, at: LonLat, arrival: str = "10:00", departure: str | None = None,
             *, order_ids: Iterable[str] = (), shop_id: str | None = None, load_kg: float = 0,
             load_l: float = 0) -> Any:
    """A stop of a round (departure = arrival unless given)."""
    from logistics.store.models import Stop

    return Stop(seq=seq, kind=kind, order_ids=list(order_ids), shop_id=shop_id, location=point(at),
                arrival=stored_time(arrival), departure=stored_time(departure or arrival),
                load_kg=load_kg, load_l=load_l)


def round_row(courier_id: str, stops: list[Any], *, distance_m: int = 0, duration_s: int = 0,
              travel_s: int = 0, geometry: Iterable[LonLat] | None = None) -> Any:
    """A round with its stops (in seq order), their legs and, when given, its street path."""
    from geoalchemy2.shape import to_shape

    from logistics.store.models import Round
    from logistics.store.plan_documents import fill_legs

    path = list(geometry or [])
    fill_legs(stops, [(to_shape(s.location).x, to_shape(s.location).y) for s in stops], path,
              distance_m)
    return Round(courier_id=courier_id, distance_m=distance_m, duration_s=duration_s,
                 travel_s=travel_s, geometry=line(path) if path else None, stops=stops)
