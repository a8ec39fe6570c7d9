"""Seeding for the impact figures' tests (the city page and the city-figures notebook):
days of plans in force with rounds, stops, stop events, delivered, failed, cancelled and
still planned orders and the plans' avoided car trips, written straight through the
models as the metrics tests do, and the figures the city should see for them.

Every call takes a ``prefix`` for its ids and days of its own: the test database is
shared by the whole session and only one plan per day can be in force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import defaultdict

from factories import (
    courier_row,
    order_row,
    plan_document_json,
    point,
    round_row,
    shop_row,
    stop_row,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from logistics.ids import DISPATCH, order_id
from logistics.impact import CAR_KG_CO2E_PER_KM, FACTORS
from logistics.store.models import Plan, StopEvent

HUB = (3.0800, 50.3700)
#: the street every leg of every round takes, whatever its ends (so that the bikes' map
#: has streets ridden often enough to be shown)
TRUNK = [(3.0810, 50.3705), (3.0820, 50.3712), (3.0835, 50.3715), (3.0850, 50.3712)]
#: what happens to an order: its final status, and at which stop it failed
OUTCOMES = ("delivered", "failed_at_door", "failed_at_shop", "cancelled")
OUTCOME_WEIGHTS = (0.74, 0.12, 0.06, 0.08)
STATUS = {"delivered": "delivered", "failed_at_door": "failed", "failed_at_shop": "failed",
          "cancelled": "cancelled", "planned": "planned"}
MODES = {"bike-1": "cargo_bike", "bike-2": "cargo_bike", "foot-1": "foot"}
FIGURES = ("orders_delivered", "orders_failed", "car_trips_avoided", "car_km_avoided",
           "co2_avoided_kg", "bike_km", "foot_km")


@dataclasses.dataclass(frozen=True)
class SeededPeriod:
    """What one call wrote: its days, the figures each day should show (by the rules of
    ``logistics.store.impact_metrics``, counted here independently), and every id,
    name and address it wrote, which the city must never see."""

    prefix: str
    first: dt.date
    last: dt.date
    expected: dict[dt.date, dict[str, float]]
    secrets: tuple[str, ...]

    def totals(self) -> dict[str, float]:
        """The expected figures summed over the period."""
        return {k: sum(day[k] for day in self.expected.values()) for k in FIGURES}


def _near(rng: random.Random, span: float = 0.012) -> tuple[float, float]:
    return (round(HUB[0] + rng.uniform(-span, span), 6), round(HUB[1] + rng.uniform(-span, span), 6))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def seed_period(engine: Engine, prefix: str, first: dt.date, last: dt.date,
                *, seed: int = 0) -> SeededPeriod:
    """Shops, couriers and, for each day from ``first`` to ``last``, orders and plans.

    Sundays have no plan; the third day's plan is solved but never published (its
    deliveries count nowhere); the fourth day has a withdrawn plan besides the one in
    force; the fifth day's plan recorded an older CO2 factor (0.2 kg/km); the last
    day's rounds have not started (a plan in force, all zeros); on the other days
    orders are delivered, failed at the door or at the shop, or cancelled, some in
    baskets of two shops, some from the hub, one trip now and then without a car path.
    """
    rng = random.Random(seed)
    secrets: list[str] = []
    expected: dict[dt.date, dict[str, float]] = {}
    with Session(engine) as s:
        shops = {}
        for k, (kind, street) in enumerate([("Boulangerie", "rue de Bellain"),
                                             ("Librairie", "rue de la Mairie"),
                                             ("Fromagerie", "place d'Armes")]):
            sid = f"{prefix}-shop-{k}"
            name, address = f"{kind} {prefix}", f"{10 + k} {street}, Douai"
            at = _near(rng, 0.004)
            s.add(shop_row(sid, at, name=name, address=address))
            shops[sid] = at
            secrets += [sid, name]
        couriers = {}
        for key, mode in MODES.items():
            cid = f"{prefix}-{key}"
            s.add(courier_row(cid, HUB, mode=mode, capacity_kg=100 if mode == "cargo_bike" else 15,
                              capacity_l=300 if mode == "cargo_bike" else 40))
            couriers[cid] = mode
            secrets.append(cid)
        s.flush()

        day, i = first, 0
        while day <= last:
            figures = dict.fromkeys(FIGURES, 0.0)
            if day.weekday() != 6:
                in_force = i != 2
                started = day != last
                factor = 0.2 if i == 4 else CAR_KG_CO2E_PER_KM
                plan, counted = _seed_day(s, rng, prefix, day, shops, couriers, secrets,
                                          factor=factor, started=started)
                if in_force:
                    plan.published_at = dt.datetime.combine(day, dt.time(6), dt.UTC)
                    figures = counted
                if i == 3:
                    # an earlier plan of the day, published then replaced: it counts nowhere
                    withdrawn = Plan(day=day, status="solved", settings={}, result=plan_document_json(
                        trips=[([f"{prefix}-{day:%m%d}-o0"], 99.0)]),
                        published_at=dt.datetime.combine(day, dt.time(5), dt.UTC),
                        withdrawn_at=dt.datetime.combine(day, dt.time(6), dt.UTC))
                    s.add(withdrawn)
                s.flush()
            expected[day] = figures
            day += dt.timedelta(1)
            i += 1
        s.commit()
    return SeededPeriod(prefix, first, last, expected, tuple(secrets))


def _path(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A street path through the points: each leg from its point to the street beside
    it, along the trunk, and to the next point the same way."""
    out = [points[0]]
    for a, b in zip(points, points[1:], strict=False):
        legs = [(round(a[0] + 0.0001, 6), a[1]), *TRUNK, (round(b[0] + 0.0001, 6), b[1]), b]
        out += [p for p in legs if p != out[-1]]
    return out


def _seed_day(s: Session, rng: random.Random, prefix: str, day: dt.date,
              shops: dict[str, tuple[float, float]], couriers: dict[str, str],
              secrets: list[str], *, factor: float, started: bool) -> tuple[Plan, dict[str, float]]:
    """One day's orders and solved plan (not yet published); the figures it gives in force."""
    # the trips: an order alone, or a basket of two orders (two shops, one home)
    trips: list[list[dict]] = []
    n = 0
    for _ in range(rng.randint(3, 6)):
        home = _near(rng)
        size = 2 if rng.random() < 0.3 else 1
        group = []
        for _ in range(size):
            oid = f"{prefix}-{day:%m%d}-o{n}"
            n += 1
            shop = None if rng.random() < 0.1 else rng.choice(sorted(shops))
            outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0] if started else "planned"
            group.append({"id": order_id(shop, oid), "ref": oid, "shop": shop, "home": home, "outcome": outcome,
                          "basket": f"{prefix}-{day:%m%d}-b{n}" if size == 2 else None})
        trips.append(group)
    address = {}
    for group in trips:
        for o in group:
            address[o["id"]] = f"M. Secret {o['id']}, {rng.randint(1, 90)} rue des Potiers, Douai"
            s.add(order_row(o["ref"], day, o["home"], shop_id=o["shop"], basket_id=o["basket"],
                            basket_owner=DISPATCH,  # a basket across shops: the dispatcher's
                            address=address[o["id"]], weight_kg=2.0, volume_l=5.0,
                            slot=("09:00", "18:00"), status=STATUS[o["outcome"]]))
            secrets += [o["id"], address[o["id"]]] + ([o["basket"]] if o["basket"] else [])
    s.flush()

    # the plan's avoided trips (one in eight has no car path: left out, as a real plan does)
    impact_trips, unreachable = [], []
    for group in trips:
        ids = [o["id"] for o in group]
        if rng.random() < 0.12:
            unreachable.append(ids)
        else:
            impact_trips.append({"order_ids": ids, "car_km": round(rng.uniform(0.8, 9.5), 3)})

    # rounds: each trip's orders go to one courier, picked up shop by shop, handed over at home
    by_courier: dict[str, list[list[dict]]] = defaultdict(list)
    for group in trips:
        by_courier[rng.choice(sorted(couriers))].append(group)
    rounds, events, ridden = [], [], {}
    for cid in sorted(by_courier):
        groups = by_courier[cid]
        orders = [o for g in groups for o in g]
        pickups: dict[str | None, list[dict]] = defaultdict(list)
        for o in orders:
            pickups[o["shop"]].append(o)
        plan_stops = [("start", [], None, HUB)]
        plan_stops += [("pickup", os, shop, shops[shop] if shop else HUB)
                       for shop, os in pickups.items()]
        plan_stops += [("delivery", g, None, g[0]["home"]) for g in groups]
        plan_stops.append(("end", [], None, HUB))
        stops, marks = [], []
        for seq, (kind, os, shop, at) in enumerate(plan_stops):
            stops.append(stop_row(seq, kind, at, _clock(540 + 12 * seq), _clock(543 + 12 * seq),
                                  order_ids=[o["id"] for o in os], shop_id=shop))
            outcomes = {o["outcome"] for o in os}
            if kind == "pickup":
                happened = (["arrived", "picked_up"] if outcomes & {"delivered", "failed_at_door"}
                            else ["arrived", "failed"] if "failed_at_shop" in outcomes else [])
            elif kind == "delivery":
                happened = (["arrived", "delivered"] if "delivered" in outcomes
                            else ["arrived", "failed"] if "failed_at_door" in outcomes else [])
            else:
                happened = []
            events += [(stops[-1], t, at) for t in happened]
            dropped = bool(os) and all(STATUS[o["outcome"]] in ("cancelled", "failed") for o in os)
            marks.append((bool(happened), len(happened) > 1 or dropped, kind))
        distance = rng.randint(2500, 14000) if couriers[cid] == "cargo_bike" else rng.randint(600, 3500)
        rounds.append(round_row(cid, stops, distance_m=distance, duration_s=distance // 3,
                                geometry=_path([at for *_, at in plan_stops])))
        # ridden: up to the last stop with an event, to the end once every work stop is done
        last = max((seq for seq, (event, _, _) in enumerate(marks) if event), default=None)
        ended = all(done for _, done, kind in marks if kind not in ("start", "end"))
        if last is not None:
            ridden[cid] = sum(st.leg_m or 0 for st in stops if st.seq <= last or ended)

    result = plan_document_json(
        trips=[(t["order_ids"], t["car_km"]) for t in impact_trips], unreachable=unreachable,
        factors={**FACTORS, "car_kg_co2e_per_km": factor},
    )
    plan = Plan(day=day, status="solved", settings={}, result=result, revision=0)
    plan.rounds = rounds
    s.add(plan)
    s.flush()
    for stop, kind, at in events:
        s.add(StopEvent(stop_id=stop.id, type=kind, at=dt.datetime.combine(day, stop.arrival, dt.UTC),
                        location=point(at), reason="client absent" if kind == "failed" else None))

    # what the city should see for this day once the plan is in force
    outcome = {o["id"]: o["outcome"] for g in trips for o in g}
    made = [t for t in impact_trips if any(outcome[i] == "delivered" for i in t["order_ids"])]
    figures = {
        "orders_delivered": sum(v == "delivered" for v in outcome.values()),
        "orders_failed": sum(v.startswith("failed") for v in outcome.values()),
        "car_trips_avoided": len(made),
        "car_km_avoided": sum(t["car_km"] for t in made),
        "co2_avoided_kg": sum(t["car_km"] * factor for t in made),
        "bike_km": sum(m for c, m in ridden.items() if couriers[c] == "cargo_bike") / 1000,
        "foot_km": sum(m for c, m in ridden.items() if couriers[c] == "foot") / 1000,
    }
    return plan, figures
