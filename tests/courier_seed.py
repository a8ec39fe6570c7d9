"""Seeding for the couriers' tests: a day with two shops, two couriers, their orders
and a solved plan (published or not) whose rounds and stops are written straight
through the models, plus a token for every role.

Every call takes a ``prefix`` for its ids and a ``day`` of its own: the test database is
shared by the whole session and only one plan per day can be in force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from factories import courier_row, plan_document_json, round_row, shop_row, stop_row
from sqlalchemy import Engine, func
from sqlalchemy.orm import Session

from logistics import ids
from logistics.inputs import Order as OrderInput
from logistics.store.models import (
    OrderStatus,
    Plan,
    PlanStatus,
    Stop,
)
from logistics.store.order_status import move_order
from logistics.store.orders import add_order
from logistics.store.users import create_user

HUB = (3.0800, 50.3700)
BAKERY = (3.0790, 50.3712)
BOOKS = (3.0850, 50.3690)
HOME_1 = (3.0900, 50.3650)
HOME_2 = (3.0750, 50.3620)


@dataclasses.dataclass(frozen=True)
class SeededDay:
    """Ids of one seeded day. ``stops`` names courier 1's stops: start, bakery, books,
    home_1 (orders o1 and o2, a basket), home_2 (o3), end; ``other_stops`` courier 2's:
    start, bakery (o4), home, end."""

    prefix: str
    day: dt.date
    plan_id: int
    round_id: int
    other_round_id: int
    courier: str
    other_courier: str
    bakery: str
    books: str
    orders: dict[str, str]
    stops: dict[str, int]
    other_stops: dict[str, int]
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of ``who`` (courier, other, dispatcher, shop, city)."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def _clock(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 3600 + int(m) * 60


def _stop(seq: int, kind: str, where: tuple[float, float], arrival: str, departure: str,
          load: float, order_ids: tuple[str, ...] = (), shop_id: str | None = None) -> Stop:
    return stop_row(seq, kind, where, arrival, departure, order_ids=order_ids, shop_id=shop_id,
                    load_kg=load, load_l=load * 2)


def seed_day(engine: Engine, prefix: str, day: dt.date, *, published: bool = True) -> SeededDay:
    """A day with a solved plan of two rounds, committed; published unless asked not."""
    with Session(engine) as s:
        bakery, books = f"{prefix}-bakery", f"{prefix}-books"
        s.add(shop_row(bakery, BAKERY, name=f"Boulangerie {prefix}", address="12 rue de Bellain, Douai"))
        s.add(shop_row(books, BOOKS, name=f"Librairie {prefix}", opens="10:00", closes="24:00"))
        c1, c2 = f"{prefix}-c1", f"{prefix}-c2"
        for c in (c1, c2):
            s.add(courier_row(c, HUB))
        s.flush()
        refs = {k: f"{prefix}-{k}" for k in ("o1", "o2", "o3", "o4")}
        orders: dict[str, str] = {}  # the public ids (:mod:`logistics.ids`)
        specs = {
            "o1": (bakery, f"{prefix}-basket", HOME_1, 2.0, 5.0, "09:30", "14:00", "16:00",
                   "Mme Martin, 3 place d'Armes, Douai"),
            "o2": (bakery, f"{prefix}-basket", HOME_1, 1.5, 3.0, "10:15", "14:00", "16:00",
                   "Mme Martin, 3 place d'Armes, Douai"),
            "o3": (books, None, HOME_2, 1.0, 2.0, "09:00", "15:00", "17:00", None),
            "o4": (bakery, None, HOME_2, 3.0, 6.0, None, "10:00", "12:00", None),
        }
        for key, (shop, basket, home, kg, litres, ready, start, end, address) in specs.items():
            orders[key] = ids.order_id(shop, refs[key])
            row, _ = add_order(
                s, OrderInput(refs[key], shop, basket, home[0], home[1], kg, litres,
                              _clock(ready) if ready else 0, _clock(start), _clock(end)),
                delivery_date=day, customer_address=address,
            )
            move_order(s, row, OrderStatus.PLANNED)
        plan = Plan(day=day, status=PlanStatus.SOLVED.value, settings={}, revision=2,
                    finished_at=func.now(), published_at=func.now() if published else None,
                    result=plan_document_json(orders=len(orders)))
        r1 = round_row(c1, [
            _stop(0, "start", HUB, "11:50", "11:50", 0),
            _stop(1, "pickup", BAKERY, "12:00", "12:05", 3.5, (orders["o1"], orders["o2"]), bakery),
            _stop(2, "pickup", BOOKS, "12:15", "12:20", 4.5, (orders["o3"],), books),
            _stop(3, "delivery", HOME_1, "14:00", "14:03", 1.0, (orders["o1"], orders["o2"])),
            _stop(4, "delivery", HOME_2, "15:00", "15:02", 0, (orders["o3"],)),
            _stop(5, "end", HUB, "15:20", "15:20", 0),
        ], distance_m=7400, duration_s=5400, geometry=[HUB, BAKERY, BOOKS, HOME_1, HOME_2, HUB])
        r2 = round_row(c2, [
            _stop(0, "start", HUB, "09:40", "09:40", 0),
            _stop(1, "pickup", BAKERY, "09:50", "09:55", 3.0, (orders["o4"],), bakery),
            _stop(2, "delivery", HOME_2, "10:10", "10:12", 0, (orders["o4"],)),
            _stop(3, "end", HUB, "10:30", "10:30", 0),
        ], distance_m=3000, duration_s=2400)
        plan.rounds = [r1, r2]
        s.add(plan)
        s.flush()
        tokens = {
            "courier": create_user(s, "courier", courier_id=c1)[1],
            "other": create_user(s, "courier", courier_id=c2)[1],
            "dispatcher": create_user(s, "dispatcher")[1],
            "shop": create_user(s, "shop", shop_id=bakery)[1],
            "city": create_user(s, "city")[1],
        }
        names = ("start", "bakery", "books", "home_1", "home_2", "end")
        seeded = SeededDay(
            prefix=prefix, day=day, plan_id=plan.id, round_id=r1.id, other_round_id=r2.id, courier=c1,
            other_courier=c2, bakery=bakery, books=books, orders=orders,
            stops={n: st.id for n, st in zip(names, r1.stops, strict=True)},
            other_stops={n: st.id for n, st in zip(("start", "bakery", "home", "end"), r2.stops,
                                                   strict=True)},
            tokens=tokens,
        )
        s.commit()
    return seeded
