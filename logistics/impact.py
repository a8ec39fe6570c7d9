"""Car trips the deliveries spare: each customer's own drive to the shops and back.

The counterfactual is simple and stated in :data:`METHOD`: without delivery, each
delivered order (or basket) would have been one dedicated car round trip from the
customer's home to the shop(s) and back, on the car street network. The caller
computes car distances over the points :func:`trip_points` lists (whatever router it
uses) and :func:`avoided_car_trips` sums them up; the result's :meth:`~Impact.as_dict`
is what goes under ``plan["impact"]``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from logistics.inputs import DayInputs

#: (lon, lat) in degrees.
Point = tuple[float, float]

#: kg CO2e per km driven by an average car, life cycle included (manufacture, fuel,
#: maintenance), as ADEME's Impact CO2 tool gives it in 2025.
CAR_KG_CO2E_PER_KM = 0.2176

FACTORS: dict[str, Any] = {
    "car_kg_co2e_per_km": CAR_KG_CO2E_PER_KM,
    "car_factor_source": "ADEME, Impact CO2 (impactco2.fr), 2025: voiture, cycle de vie",
    "car_factor_scope": "cycle de vie : fabrication, énergie et entretien d'une voiture moyenne",
}

METHOD = (
    "Trajets en voiture évités : chaque commande livrée est supposée remplacer un aller-retour "
    "en voiture fait exprès, du domicile du client à la boutique, mesuré sur les rues ouvertes "
    "aux voitures (le chemin le plus rapide, par sa longueur). Un panier (plusieurs commandes "
    "de même basket_id) remplace un seul trajet domicile -> boutique -> boutique ... -> "
    "domicile, les boutiques visitées au plus proche voisin depuis le domicile (distance en "
    "voiture ; une boutique de plusieurs commandes du panier visitée une fois) ; seules les "
    "commandes livrées du panier comptent. Une commande déjà au dépôt (sans boutique) compte "
    "comme un trajet domicile -> dépôt -> domicile, le dépôt tenant lieu de la boutique "
    "inconnue. Les trajets sans chemin en voiture sont laissés de côté et listés. CO2e évité = "
    "km en voiture x le facteur ADEME Impact CO2 (2025) d'une voiture moyenne sur son cycle "
    "de vie ; c'est un chiffre brut : les émissions des coursiers ne sont pas déduites, et "
    "l'enchaînement des déplacements (un client qui combine ses achats avec d'autres courses) "
    "n'est pas modélisé, de sorte que le chiffre est un majorant du trafic automobile évité."
)


@dataclass(frozen=True)
class CustomerTrip:
    """The car trip a customer would have made: from home to each place, then home.

    ``places`` are the shops (or the hub) in the order given; :func:`avoided_car_trips`
    reorders them by nearest neighbour.
    """

    order_ids: tuple[str, ...]
    home: Point
    places: tuple[Point, ...]


@dataclass(frozen=True)
class TripResult:
    """One avoided trip with its car distance (km) and the visiting order used."""

    order_ids: tuple[str, ...]
    km: float
    route: tuple[Point, ...]


@dataclass(frozen=True)
class Impact:
    """Avoided car kilometres and CO2e of a plan, trip by trip and in total."""

    trips: tuple[TripResult, ...]
    unreachable: tuple[tuple[str, ...], ...]
    car_km: float
    co2_kg: float

    def as_dict(self, *, with_trips: bool = False) -> dict[str, Any]:
        """Method, factors and totals for ``plan["impact"]``, the trips when asked."""
        out: dict[str, Any] = {
            "method": METHOD,
            "factors": dict(FACTORS),
            "car_trips_avoided": len(self.trips),
            "orders_counted": sum(len(t.order_ids) for t in self.trips),
            "car_km_avoided": round(self.car_km, 3),
            "co2_avoided_kg": round(self.co2_kg, 3),
            "unreachable_order_ids": [list(u) for u in self.unreachable],
        }
        if with_trips:
            out["trips"] = [
                {"order_ids": list(t.order_ids), "car_km": round(t.km, 3)} for t in self.trips
            ]
        return out


def customer_trips(
    day: DayInputs, delivered_order_ids: Iterable[str], hub: Point
) -> list[CustomerTrip]:
    """The trips the delivered orders replace: one per basket, one per other order.

    ``hub`` is where the parcels without a shop wait. Trips follow the orders' file
    order; the places of a basket are its distinct shops in file order.
    """
    delivered = set(delivered_order_ids)
    shops = day.shop_by_id()
    trips: dict[str, tuple[list[str], Point, list[Point]]] = {}
    for o in day.orders:
        if o.order_id not in delivered:
            continue
        key = f"basket:{o.basket_id}" if o.basket_id is not None else f"order:{o.order_id}"
        place = hub if o.shop_id is None else (shops[o.shop_id].lon, shops[o.shop_id].lat)
        ids, _, places = trips.setdefault(key, ([], (o.customer_lon, o.customer_lat), []))
        ids.append(o.order_id)
        if place not in places:
            places.append(place)
    return [CustomerTrip(tuple(i), h, tuple(p)) for i, h, p in trips.values()]


def trip_points(trips: Sequence[CustomerTrip]) -> list[Point]:
    """Every distinct home and place of the trips, in first-seen order: the matrix's points."""
    seen: dict[Point, None] = {}
    for t in trips:
        seen.setdefault(t.home)
        for p in t.places:
            seen.setdefault(p)
    return list(seen)


def _nearest_neighbour(start: int, stops: list[int], d: np.ndarray) -> list[int]:
    order, here, left = [], start, list(stops)
    while left:
        # first of the closest, so that ties keep the given order
        nxt = min(left, key=lambda j: d[here, j])
        order.append(nxt)
        left.remove(nxt)
        here = nxt
    return order


def avoided_car_trips(
    trips: Sequence[CustomerTrip],
    points: Sequence[Point],
    car_distance_m: np.ndarray,
    *,
    unreachable_m: float = math.inf,
) -> Impact:
    """Car km and CO2e the trips would have cost, from car distances between ``points``.

    ``car_distance_m[i, j]`` is the car distance in metres from ``points[i]`` to
    ``points[j]`` (not necessarily symmetric); NaN, infinite, negative or
    ``>= unreachable_m`` values mean no path, and a trip needing one is left out and
    listed in :attr:`Impact.unreachable`.
    """
    d = np.asarray(car_distance_m, dtype=float)
    if d.shape != (len(points), len(points)):
        msg = f"car_distance_m must be {len(points)}x{len(points)}, got {d.shape}."
        raise ValueError(msg)
    index: Mapping[Point, int] = {p: i for i, p in enumerate(points)}
    results, unreachable = [], []
    for t in trips:
        try:
            home, stops = index[t.home], [index[p] for p in t.places]
        except KeyError as e:
            msg = f"trip of orders {', '.join(t.order_ids)}: point {e.args[0]} is not in points."
            raise ValueError(msg) from None
        order = _nearest_neighbour(home, stops, d)
        legs = [d[a, b] for a, b in zip([home, *order], [*order, home], strict=True)]
        if not all(math.isfinite(x) and 0 <= x < unreachable_m for x in legs):
            unreachable.append(t.order_ids)
            continue
        route = tuple(points[i] for i in [home, *order, home])
        results.append(TripResult(t.order_ids, float(sum(legs)) / 1000.0, route))
    car_km = sum(r.km for r in results)
    return Impact(tuple(results), tuple(unreachable), car_km, car_km * CAR_KG_CO2E_PER_KM)


def courier_km(rounds: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Kilometres ridden by cargo bike and walked, from each round's (mode, metres)."""
    out = {"bike_km": 0.0, "foot_km": 0.0}
    key = {"cargo_bike": "bike_km", "foot": "foot_km"}
    for mode, metres in rounds:
        if mode in key:
            out[key[mode]] += float(metres or 0.0) / 1000.0
    return {k: round(v, 3) for k, v in out.items()}
