"""Order intake on a real PostGIS: stored with its first event, retries with the same
Idempotency-Key return the same order (also when they race), conflicts are named."""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from logistics.inputs import Order as OrderInput
from logistics.store.models import Order, OrderEvent, Shop
from logistics.store.orders import OrderRefusedError, add_order

DAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def shop_id(engine: Engine) -> str:
    with Session(engine) as session:
        session.add(Shop(id="s-intake", name="Librairie", location=from_shape(Point(3.08, 50.37), 4326),
                         opens=dt.time(9), closes=dt.time(19)))
        session.commit()
    return "s-intake"


def order(order_id: str, shop: str | None = "s-intake", **changes) -> OrderInput:
    base = OrderInput(order_id, shop, None, 3.09, 50.36, 2.0, 8.0, 9 * 3600, 14 * 3600, 16 * 3600)
    return dataclasses.replace(base, **changes)


def test_new_order_is_received_with_its_first_event(engine, shop_id):
    with Session(engine) as session:
        row, created = add_order(session, order("o-new"), delivery_date=DAY, user_id=None)
        session.commit()
        assert created
        assert row.status == "received"
        assert (row.deliver_from, row.deliver_to, row.ready_at) == (dt.time(14), dt.time(16), dt.time(9))
        events = session.scalars(select(OrderEvent).where(OrderEvent.order_id == "o-new")).all()
        assert [(e.from_status, e.to_status) for e in events] == [(None, "received")]


def test_delivery_date_defaults_to_today(engine, shop_id):
    with Session(engine) as session:
        row, _ = add_order(session, order("o-today"))
        session.commit()
        assert row.delivery_date == dt.date.today()


def test_retry_with_the_same_key_returns_the_same_order(engine, shop_id):
    with Session(engine) as session:
        first, created = add_order(session, order("o-retry"), delivery_date=DAY, idempotency_key="k-retry")
        session.commit()
        again, created_again = add_order(session, order("o-retry"), delivery_date=DAY, idempotency_key="k-retry")
        assert (created, created_again) == (True, False)
        assert again.id == first.id
        with pytest.raises(OrderRefusedError, match="Idempotency-Key: 'k-retry' was used for order 'o-retry'") as e:
            add_order(session, order("o-retry", weight_kg=9.0), delivery_date=DAY, idempotency_key="k-retry")
        assert e.value.conflict


def test_duplicate_id_and_unknown_shop_are_named(engine, shop_id):
    with Session(engine) as session:
        add_order(session, order("o-dup"), delivery_date=DAY)
        session.commit()
        with pytest.raises(OrderRefusedError, match="order_id: 'o-dup' exists already") as e:
            add_order(session, order("o-dup"), delivery_date=DAY)
        assert e.value.conflict
        with pytest.raises(OrderRefusedError, match="shop_id: no shop 'ghost'") as e:
            add_order(session, order("o-ghost", shop="ghost"), delivery_date=DAY)
        assert not e.value.conflict
        # what was accepted before is still there
        assert session.get(Order, "o-dup") is not None


def test_racing_retries_store_one_order(engine, shop_id):
    def post(_: int) -> tuple[str, bool]:
        with Session(engine) as session:
            row, created = add_order(session, order("o-race"), delivery_date=DAY, idempotency_key="k-race")
            session.commit()
            return row.id, created

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, range(16)))
    assert {r[0] for r in results} == {"o-race"}
    assert sum(created for _, created in results) == 1
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(Order).where(Order.id == "o-race"))
        events = session.scalar(
            select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id == "o-race")
        )
    assert (count, events) == (1, 1)
