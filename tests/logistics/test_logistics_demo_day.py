"""The synthetic demo day: reproducible, valid as input files, and shaped like a real day."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from logistics_helpers import BOUNDS, grid_nodes

from logistics.demo_day import CARGO_BIKE_CAPACITY, FOOT_CAPACITY, SLOTS, generate_day
from logistics.inputs import DayInputs, read_day_inputs, write_day_inputs


def _metres(points: np.ndarray, centre: np.ndarray) -> np.ndarray:
    k = np.array([111_320 * np.cos(np.radians(centre[1])), 110_540])
    return np.hypot(*((points - centre) * k).T)


def test_same_seed_same_day_other_seed_other_day(nodes: np.ndarray, day: DayInputs) -> None:
    assert generate_day(nodes, seed=7) == day
    assert generate_day(nodes, seed=8) != day


def test_counts_and_default_fleet(day: DayInputs) -> None:
    assert len(day.shops) == 60
    assert len(day.orders) == 300
    modes = Counter(c.mode for c in day.couriers)
    assert modes == {"cargo_bike": 8, "foot": 4}
    assert len({o.order_id for o in day.orders}) == 300
    assert len({s.name for s in day.shops}) == 60


def test_fleet_scales_and_can_be_given(nodes: np.ndarray) -> None:
    small = generate_day(nodes, seed=1, n_orders=50, n_shops=10)
    assert len(small.couriers) == 2
    assert Counter(c.mode for c in small.couriers) == {"cargo_bike": 1, "foot": 1}
    given = generate_day(nodes, seed=1, n_orders=50, n_shops=10, n_bikes=3, n_walkers=0)
    assert [c.mode for c in given.couriers] == ["cargo_bike"] * 3


def test_round_trips_through_the_csv_files(tmp_path: Path, day: DayInputs) -> None:
    paths = write_day_inputs(day, tmp_path)
    back = read_day_inputs(paths["shops"], paths["orders"], paths["couriers"], bounds=BOUNDS)
    assert back == day


def test_hub_orders_and_baskets(day: DayInputs) -> None:
    hub = [o for o in day.orders if o.from_hub]
    assert 0.07 <= len(hub) / len(day.orders) <= 0.13
    baskets = day.baskets()
    in_baskets = sum(len(b) for b in baskets.values())
    assert 0.07 <= in_baskets / len(day.orders) <= 0.13
    for orders in baskets.values():
        assert 2 <= len(orders) <= 3
        assert len({o.shop_id for o in orders}) == len(orders)  # distinct shops
        assert (
            len({(o.customer_lon, o.customer_lat, o.deliver_from, o.deliver_to) for o in orders})
            == 1
        )


def test_slots_follow_ready_times_and_opening_hours(day: DayInputs) -> None:
    shops = day.shop_by_id()
    assert {(o.deliver_from, o.deliver_to) for o in day.orders} <= set(SLOTS)
    assert len({o.deliver_from for o in day.orders}) == len(SLOTS)
    for o in day.orders:
        assert o.ready_at <= o.deliver_from
        if o.shop_id is not None:
            shop = shops[o.shop_id]
            assert shop.opens <= o.ready_at < shop.closes
            assert 7 * 3600 <= shop.opens < shop.closes <= 20 * 3600
    ready_hours = [o.ready_at / 3600 for o in day.orders]
    assert 8 <= np.median(ready_hours) <= 13


def test_parcels_mostly_small_some_for_bikes_few_too_big(day: DayInputs) -> None:
    kg = np.array([o.weight_kg for o in day.orders])
    litres = np.array([o.volume_l for o in day.orders])
    assert (kg > 0).all()
    assert (litres > 0).all()
    fits_foot = (kg <= FOOT_CAPACITY[0]) & (litres <= FOOT_CAPACITY[1])
    fits_bike = (kg <= CARGO_BIKE_CAPACITY[0]) & (litres <= CARGO_BIKE_CAPACITY[1])
    assert fits_foot.mean() > 0.7
    assert 0.03 < (fits_bike & ~fits_foot).mean() < 0.2
    assert 0 < (~fits_bike).sum() <= 0.05 * len(kg)


def test_shops_clustered_nearer_the_centre_than_customers(
    nodes: np.ndarray, day: DayInputs
) -> None:
    centre = np.median(nodes, axis=0)
    shops = _metres(np.array([[s.lon, s.lat] for s in day.shops]), centre)
    customers = _metres(np.array([[o.customer_lon, o.customer_lat] for o in day.orders]), centre)
    assert np.median(shops) < 0.5 * np.median(customers)
    assert np.median(customers) > 1000


def test_couriers_start_and_end_at_the_hub_near_the_centre(
    nodes: np.ndarray, day: DayInputs
) -> None:
    centre = np.median(nodes, axis=0)
    starts = {(c.start_lon, c.start_lat, c.end_lon, c.end_lat) for c in day.couriers}
    assert len(starts) == 1
    lon, lat, _, _ = starts.pop()
    assert _metres(np.array([[lon, lat]]), centre)[0] < 300
    assert all(c.shift_start < c.shift_end for c in day.couriers)
    assert max(c.shift_end for c in day.couriers) >= max(o.deliver_to for o in day.orders)


def test_points_are_street_nodes(nodes: np.ndarray, day: DayInputs) -> None:
    rounded = {(round(x, 6), round(y, 6)) for x, y in nodes}
    points = [(s.lon, s.lat) for s in day.shops] + [
        (o.customer_lon, o.customer_lat) for o in day.orders
    ]
    assert all(p in rounded for p in points)


@pytest.mark.parametrize("n_orders", [1, 2, 17])
def test_small_days_are_valid(tmp_path: Path, n_orders: int) -> None:
    day = generate_day(grid_nodes(seed=2, n=200), seed=n_orders, n_orders=n_orders, n_shops=5)
    assert len(day.orders) == n_orders
    paths = write_day_inputs(day, tmp_path)
    assert read_day_inputs(paths["shops"], paths["orders"], paths["couriers"]) == day


def test_too_few_nodes_is_refused() -> None:
    with pytest.raises(ValueError, match="node_coords"):
        generate_day(grid_nodes(n=10), seed=0, n_shops=60)
