"""Avoided car trips on a small hand-made car distance matrix."""

from __future__ import annotations

import math

import numpy as np
import pytest

from logistics.impact import (
    CAR_KG_CO2E_PER_KM,
    METHOD,
    CustomerTrip,
    avoided_car_trips,
    courier_km,
    customer_trips,
    trip_points,
)
from logistics.inputs import Courier, DayInputs, Order, Shop

H = 3600
HOME1, HOME2, SHOP_A, SHOP_B, HUB = (
    (3.1, 50.4),
    (3.2, 50.4),
    (3.0, 50.3),
    (3.05, 50.3),
    (3.08, 50.37),
)

DAY = DayInputs(
    shops=(Shop("A", "a", *SHOP_A, 9 * H, 19 * H), Shop("B", "b", *SHOP_B, 9 * H, 19 * H)),
    orders=(
        Order("O1", "A", None, *HOME1, 1.0, 1.0, 9 * H, 10 * H, 12 * H),
        Order("O2", "B", "K", *HOME2, 1.0, 1.0, 9 * H, 14 * H, 16 * H),
        Order("O3", "A", "K", *HOME2, 1.0, 1.0, 9 * H, 14 * H, 16 * H),
        Order("O4", None, None, *HOME1, 1.0, 1.0, 0, 10 * H, 12 * H),
        Order("O5", "B", None, *HOME1, 1.0, 1.0, 9 * H, 10 * H, 12 * H),
        Order("O6", "A", "K", *HOME2, 1.0, 1.0, 9 * H, 14 * H, 16 * H),
    ),
    couriers=(Courier("C", "foot", 25, 60, 8 * H, 20 * H, *HUB, *HUB),),
)

# car metres between [HOME1, SHOP_A, HOME2, SHOP_B, HUB] (first-seen order of the trips)
#                 H1     A     H2     B    HUB
D = np.array(
    [
        [0, 1000, 9000, 9000, 1500],  # HOME1
        [1100, 0, 3000, 2500, 9000],  # SHOP_A
        [9000, 2000, 0, 4000, 9000],  # HOME2
        [9000, 2500, 4500, 0, 9000],  # SHOP_B
        [1600, 9000, 9000, 9000, 0],  # HUB
    ],
    dtype=float,
)


def test_trips_group_baskets_and_skip_undelivered() -> None:
    trips = customer_trips(DAY, ["O1", "O2", "O3", "O4", "O6"], hub=HUB)
    assert trips == [
        CustomerTrip(("O1",), HOME1, (SHOP_A,)),
        CustomerTrip(("O2", "O3", "O6"), HOME2, (SHOP_B, SHOP_A)),
        CustomerTrip(("O4",), HOME1, (HUB,)),
    ]
    assert trip_points(trips) == [HOME1, SHOP_A, HOME2, SHOP_B, HUB]


def test_car_km_on_a_hand_made_matrix() -> None:
    trips = customer_trips(DAY, ["O1", "O2", "O3", "O4", "O6"], hub=HUB)
    impact = avoided_car_trips(trips, trip_points(trips), D)
    km = {t.order_ids: t.km for t in impact.trips}
    assert km[("O1",)] == pytest.approx((1000 + 1100) / 1000)
    # basket: shop A (2000 m) is nearer home than B (4000 m): home -> A -> B -> home
    assert km[("O2", "O3", "O6")] == pytest.approx((2000 + 2500 + 4500) / 1000)
    assert impact.trips[1].route == (HOME2, SHOP_A, SHOP_B, HOME2)
    assert km[("O4",)] == pytest.approx((1500 + 1600) / 1000)
    assert impact.car_km == pytest.approx(2.1 + 9.0 + 3.1)
    assert impact.co2_kg == pytest.approx(14.2 * CAR_KG_CO2E_PER_KM)
    assert impact.unreachable == ()
    d = impact.as_dict(with_trips=True)
    assert d["car_km_avoided"] == pytest.approx(14.2)
    assert d["co2_avoided_kg"] == pytest.approx(round(14.2 * 0.2176, 3))
    assert d["car_trips_avoided"] == 3
    assert d["orders_counted"] == 5
    assert d["factors"]["car_kg_co2e_per_km"] == 0.2176
    assert d["method"] == METHOD
    assert len(d["trips"]) == 3
    assert "trips" not in impact.as_dict()


def test_unreachable_trips_are_left_out_and_listed() -> None:
    trips = customer_trips(DAY, ["O1", "O4"], hub=HUB)
    points = trip_points(trips)  # HOME1, SHOP_A, HUB
    d = np.array([[0, 1000, math.inf], [1100, 0, 9000], [1600, 9000, 0]])
    impact = avoided_car_trips(trips, points, d)
    assert [t.order_ids for t in impact.trips] == [("O1",)]
    assert impact.unreachable == (("O4",),)
    assert impact.car_km == pytest.approx(2.1)
    big = avoided_car_trips(
        trips, points, np.where(np.isinf(d), 10_000_000, d), unreachable_m=10_000_000
    )
    assert big.unreachable == (("O4",),)


def test_matrix_must_match_points() -> None:
    trips = customer_trips(DAY, ["O1"], hub=HUB)
    with pytest.raises(ValueError, match="2x2"):
        avoided_car_trips(trips, trip_points(trips), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="not in points"):
        avoided_car_trips(trips, [HOME1, HUB], np.zeros((2, 2)))


def test_method_states_the_choices() -> None:
    for words in ("aller-retour", "panier", "plus proche voisin", "dépôt", "ADEME", "majorant"):
        assert words in METHOD


def test_courier_km() -> None:
    rounds = [
        {"mode": "cargo_bike", "distance_m": 12_500.0},
        {"mode": "cargo_bike", "distance_m": 500},
        {"mode": "foot", "distance_m": 3_210},
    ]
    assert courier_km((r["mode"], r["distance_m"]) for r in rounds) == {"bike_km": 13.0, "foot_km": 3.21}
    assert courier_km([]) == {"bike_km": 0.0, "foot_km": 0.0}
