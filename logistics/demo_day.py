"""A synthetic but plausible day of orders for Douai, to demonstrate and test the planner.

Nothing here comes from real shops or customers: shop names, opening hours, parcels and
slots are drawn at random, with proportions chosen to look like a small town's online
shopping. Only the street nodes are real, given by the caller.
"""

from __future__ import annotations

import numpy as np

from logistics.inputs import Courier, DayInputs, Order, Shop

H = 3600

#: Delivery slots offered to customers (seconds) and how often each is chosen.
SLOTS = ((10 * H, 12 * H), (14 * H, 16 * H), (16 * H, 18 * H), (18 * H, 20 * H))
SLOT_WEIGHTS = (0.25, 0.25, 0.3, 0.2)

#: Capacities (kg, L): a two-wheel e-cargo bike with a closed box (about 100 kg of
#: payload, a 300 L box) and a courier on foot pushing a shopping trolley.
CARGO_BIKE_CAPACITY = (100.0, 300.0)
FOOT_CAPACITY = (25.0, 60.0)

#: Shifts (start, end) given in turn to the couriers of each mode.
SHIFTS = (
    (8 * H + 1800, 13 * H),  # morning 08:30-13:00
    (13 * H, 20 * H),  # afternoon 13:00-20:00
    (9 * H + 1800, 17 * H + 1800),  # day 09:30-17:30
    (13 * H, 20 * H),
)

#: Parcel classes: share of orders, weight range (kg), volume range (L). "heavy" parcels
#: fit a cargo bike but not a trolley; "too_big" ones fit no courier at all.
PARCELS = {
    "small": (0.78, (0.5, 5.0), (2.0, 20.0)),
    "medium": (0.10, (5.0, 10.0), (15.0, 45.0)),
    "heavy": (0.10, (12.0, 30.0), (65.0, 120.0)),
    "too_big": (0.02, (110.0, 180.0), (320.0, 600.0)),
}

#: Share of the orders that are already at the hub, and that belong to multi-shop baskets.
HUB_SHARE = 0.10
BASKET_SHARE = 0.10

#: Speed and detour used to judge whether a slot leaves time to ride from shop to door.
_BIKE_SPEED_MS = 4.2
_DETOUR = 1.4
_MARGIN_S = 30 * 60

_KINDS = (
    "Boulangerie",
    "Fromagerie",
    "Librairie",
    "Fleuriste",
    "Cave à vins",
    "Épicerie fine",
    "Boucherie",
    "Pharmacie",
    "Quincaillerie",
    "Primeur",
    "Chocolaterie",
    "Mercerie",
    "Boutique de mode",
    "Magasin de jouets",
    "Disquaire",
    "Torréfacteur",
    "Droguerie",
    "Papeterie",
)
_PLACES = (
    "du Beffroi",
    "de la Place d'Armes",
    "de la Scarpe",
    "Saint-Pierre",
    "Notre-Dame",
    "de Gayant",
    "Marceline",
    "Saint-Jacques",
    "de la rue de Bellain",
    "de la rue de Paris",
    "des Wetz",
    "du Palais",
    "de la Chartreuse",
    "du Parc Bertin",
    "des Dominicains",
)


def _local_metres(coords: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Equirectangular east/north offsets in metres around ``centre``; fine at town scale."""
    k = np.array([111_320.0 * np.cos(np.radians(centre[1])), 110_540.0])
    return (coords - centre) * k


def _quarter(t: float) -> int:
    return int(t // 900 * 900)


def _shops(
    rng: np.random.Generator, coords: np.ndarray, dist: np.ndarray, n: int, sigma: float
) -> list[Shop]:
    weights = np.exp(-0.5 * (dist / sigma) ** 2) + 1e-12
    idx = rng.choice(len(coords), size=n, replace=False, p=weights / weights.sum())
    width = len(str(n))
    shops, names = [], set()
    for i, node in enumerate(idx):
        kind = _KINDS[rng.integers(len(_KINDS))]
        name = f"{kind} {_PLACES[rng.integers(len(_PLACES))]}"
        k = 2
        while name in names:
            name = f"{kind} {_PLACES[rng.integers(len(_PLACES))]} {k}"
            k += 1
        names.add(name)
        if kind == "Boulangerie":
            opens, closes = 7 * H, 19 * H + 1800
        elif kind == "Pharmacie":
            opens, closes = 8 * H + 1800, 19 * H + 1800
        else:
            opens = int(rng.choice([9 * H, 9 * H + 1800, 10 * H], p=[0.45, 0.2, 0.35]))
            closes = int(rng.choice([18 * H + 1800, 19 * H, 19 * H + 1800], p=[0.2, 0.6, 0.2]))
        lon, lat = (round(float(v), 6) for v in coords[node])
        shops.append(Shop(f"S{i + 1:0{width}d}", name, lon, lat, opens, closes))
    return shops


def _parcel(rng: np.random.Generator) -> tuple[float, float]:
    shares = np.array([p[0] for p in PARCELS.values()])
    kind = list(PARCELS)[rng.choice(len(PARCELS), p=shares / shares.sum())]
    _, (w0, w1), (v0, v1) = PARCELS[kind]
    u = rng.uniform()
    # weight and volume rise together, with some spread
    weight = w0 + (w1 - w0) * u
    volume = v0 + (v1 - v0) * float(np.clip(u + rng.normal(0, 0.25), 0, 1))
    return round(weight, 1), float(round(volume))


def _ready_range(shop: Shop, slot: tuple[int, int], travel_s: float) -> tuple[int, int] | None:
    """Earliest and latest ready time letting a courier reach the customer in the slot."""
    latest = min(slot[0], slot[1] - travel_s - _MARGIN_S, shop.closes - 900)
    return (shop.opens, int(latest)) if latest >= shop.opens else None


def generate_day(
    node_coords: np.ndarray,
    seed: int,
    n_orders: int = 300,
    n_shops: int = 60,
    n_bikes: int | None = None,
    n_walkers: int | None = None,
) -> DayInputs:
    """A synthetic day on the given street nodes, the same for the same seed.

    ``node_coords`` holds the (lon, lat) of the street network's nodes. Shops are drawn
    among the nodes near the town centre (the nodes' median point, with a Gaussian
    falloff), customers all over the town with some more near the centre. About 10 %
    of the orders wait at the hub (no shop), about 10 % come in baskets of two or three
    shops for one customer and slot. Slots are two hours long (10-12, 14-16, 16-18,
    18-20) and start after the parcel is ready, leaving time to ride there. Most
    parcels are small, some need a cargo bike and a few fit no courier. The couriers
    (by default one per 25 orders, two thirds on cargo bikes) start and end at the hub,
    the node nearest the centre, on morning, afternoon or day shifts.
    """
    coords = np.asarray(node_coords, dtype=float)
    if coords.ndim != 2 or coords.shape[1] != 2 or len(coords) < max(n_shops, 2):
        msg = f"node_coords must be an (n, 2) array with n >= {max(n_shops, 2)}."
        raise ValueError(msg)
    if n_orders < 1 or n_shops < 1:
        msg = "a demo day needs at least one order and one shop."
        raise ValueError(msg)
    total = max(2, round(n_orders / 25))
    if n_bikes is None:
        n_bikes = max(1, round(total * 2 / 3)) if n_walkers is None else max(1, total - n_walkers)
    if n_walkers is None:
        n_walkers = max(0, total - n_bikes)
    rng = np.random.default_rng(seed)

    centre = np.median(coords, axis=0)
    xy = _local_metres(coords, centre)
    dist = np.hypot(xy[:, 0], xy[:, 1])
    radius = float(np.percentile(dist, 90)) or 1.0
    hub_lon, hub_lat = (round(float(v), 6) for v in coords[int(np.argmin(dist))])

    shops = _shops(rng, coords, dist, n_shops, sigma=float(np.clip(0.15 * radius, 250, 800)))
    shop_xy = _local_metres(np.array([[s.lon, s.lat] for s in shops]), centre)
    popularity = rng.gamma(1.5, size=n_shops)
    popularity /= popularity.sum()

    near = np.exp(-0.5 * (dist / (0.45 * radius)) ** 2) + 1e-12
    near /= near.sum()

    def customer() -> int:
        return int(
            rng.choice(len(coords), p=near) if rng.uniform() < 0.35 else rng.integers(len(coords))
        )

    def travel_s(shop_index: int, node: int) -> float:
        return float(np.hypot(*(shop_xy[shop_index] - xy[node]))) * _DETOUR / _BIKE_SPEED_MS

    # what each customer buys: one shop, several shops (a basket) or a parcel at the hub
    n_hub = round(HUB_SHARE * n_orders)
    n_basket_orders = round(BASKET_SHARE * n_orders) if n_shops >= 2 else 0
    sizes: list[int] = []
    while sum(sizes) + 2 <= n_basket_orders:
        size = 3 if rng.uniform() < 0.3 and n_shops >= 3 else 2
        sizes.append(min(size, n_basket_orders - sum(sizes)))
    n_single = max(0, n_orders - n_hub - sum(sizes))
    groups: list[tuple[str, int]] = [("hub", 1)] * n_hub + [("single", 1)] * n_single
    groups += [("basket", k) for k in sizes]
    order_of_groups = rng.permutation(len(groups))

    width = len(str(n_orders))
    orders: list[Order] = []
    n_baskets = 0
    for g in order_of_groups:
        kind, size = groups[g]
        node = customer()
        lon, lat = (round(float(v), 6) for v in coords[node])
        if kind == "hub":
            slot = SLOTS[rng.choice(len(SLOTS), p=SLOT_WEIGHTS)]
            picks: list[tuple[int | None, int]] = [(None, 8 * H)]
        else:
            shop_idx = rng.choice(n_shops, size=size, replace=False, p=popularity)
            feasible = []
            for slot in SLOTS:
                ranges = [_ready_range(shops[i], slot, travel_s(i, node)) for i in shop_idx]
                if all(r is not None for r in ranges):
                    feasible.append((slot, ranges))
            if feasible:
                w = np.array([SLOT_WEIGHTS[SLOTS.index(s)] for s, _ in feasible])
                slot, ranges = feasible[rng.choice(len(feasible), p=w / w.sum())]
            else:  # a shop closing too early for any slot: ready at opening, last slot
                slot = SLOTS[-1]
                ranges = [(shops[i].opens, shops[i].opens) for i in shop_idx]
            picks = []
            for i, r in zip(shop_idx, ranges, strict=True):
                lo, hi = r  # type: ignore[misc]
                ready = max(lo, _quarter(rng.uniform(lo, hi + 1)))
                picks.append((int(i), min(ready, hi)))
        basket = None
        if kind == "basket":
            n_baskets += 1
            basket = f"B{n_baskets:03d}"
        for shop_i, ready in picks:
            weight, volume = _parcel(rng)
            orders.append(
                Order(
                    order_id=f"O{len(orders) + 1:0{width}d}",
                    shop_id=None if shop_i is None else shops[shop_i].shop_id,
                    basket_id=basket,
                    customer_lon=lon,
                    customer_lat=lat,
                    weight_kg=weight,
                    volume_l=volume,
                    ready_at=int(ready),
                    deliver_from=slot[0],
                    deliver_to=slot[1],
                )
            )

    couriers = []
    for mode, count, (kg, litres), prefix in (
        ("cargo_bike", n_bikes, CARGO_BIKE_CAPACITY, "bike"),
        ("foot", n_walkers, FOOT_CAPACITY, "foot"),
    ):
        for i in range(count):
            start, end = SHIFTS[i % len(SHIFTS)]
            couriers.append(
                Courier(
                    f"{prefix}-{i + 1:02d}",
                    mode,
                    kg,
                    litres,
                    start,
                    end,
                    hub_lon,
                    hub_lat,
                    hub_lon,
                    hub_lat,
                )  # fmt: skip
            )
    return DayInputs(tuple(shops), tuple(orders), tuple(couriers))
