"""A small published day for the tests of changes to a plan in force: two shops, two
cargo bikes at the hub, ten orders; and how to read its rounds back."""

from __future__ import annotations

import datetime as dt

from factories import courier_row, shop_row
from sqlalchemy import select
from sqlalchemy.orm import Session

from logistics.inputs import Courier, Order, Shop
from logistics.jobs.plan_jobs import solve_plan
from logistics.store.models import Plan, Round
from logistics.store.orders import add_order
from logistics.store.plans import publish, request_plan

H = 3600


def publish_day(engine, town, nodes, day: dt.date, prefix: str, *, opens: int = 8, closes: int = 19,
                time_limit_s: float = 2) -> int:
    """A published plan of 10 orders from 2 shops on ``day``; two bikes at the hub, shops
    and shifts from ``opens`` to ``closes`` o'clock, slots 10:00 to ``closes``."""
    hub = nodes[len(nodes) // 2]
    shops = [Shop(f"{prefix}-s{i}", f"Shop {i}", *nodes[10 + 40 * i], opens * H, closes * H) for i in range(2)]
    couriers = [Courier(f"{prefix}-c{i}", "cargo_bike", 80, 200, opens * H, closes * H, *hub, *hub)
                for i in range(2)]
    orders = [
        Order(f"{prefix}-o{i}", shops[i % 2].shop_id, None, *nodes[(37 * i + 11) % len(nodes)], 2.0, 5.0,
              9 * H, 10 * H, (closes - 1) * H)
        for i in range(10)
    ]
    with Session(engine) as s:
        hours = (f"{opens:02d}:00", f"{closes:02d}:00")
        for sh in shops:
            s.add(shop_row(sh.shop_id, (sh.lon, sh.lat), name=sh.name, opens=hours[0], closes=hours[1]))
        for c in couriers:
            s.add(courier_row(c.courier_id, (c.start_lon, c.start_lat), mode=c.mode,
                              capacity_kg=c.capacity_kg, capacity_l=c.capacity_l, shift=hours))
        s.flush()
        for o in orders:
            add_order(s, o, delivery_date=day)
        plan, _ = request_plan(s, day, settings={"time_limit_s": time_limit_s, "seed": 1},
                               couriers=[c.courier_id for c in couriers])
        s.commit()
        pid = plan.id
    assert solve_plan(engine, pid, lambda: town) == "solved"
    with Session(engine) as s:
        publish(s, s.get(Plan, pid))
        s.commit()
    return pid


def rounds(engine, plan_id) -> dict[str, list[tuple[int, int, str, tuple[str, ...], dt.time]]]:
    with Session(engine) as s:
        out = {}
        for r in s.scalars(select(Round).where(Round.plan_id == plan_id)):
            out[r.courier_id] = [(st.id, st.seq, st.kind, tuple(st.order_ids), st.arrival) for st in r.stops]
        return out


def first_pickup(engine, plan_id) -> tuple[str, tuple]:
    (courier, stops), = ((c, sts) for c, sts in rounds(engine, plan_id).items() if len(sts) > 2)
    return courier, next(st for st in stops if st[2] == "pickup")


