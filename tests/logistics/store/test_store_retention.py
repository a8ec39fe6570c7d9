"""Personal data kept only as long as needed: after the retention period, or at a
customer's request, the texts are erased and the points generalised to a cell of about
500 m, wherever they lie (order, stops, stop events, the plan's inputs); the couriers'
old positions are deleted; the city's figures keep only aggregates."""

from __future__ import annotations

import datetime as dt

import pytest
from databases import new_database
from factories import courier_row, order_row, point, round_row, shop_row, stop_row
from geoalchemy2.shape import to_shape
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cli.main import main
from logistics.store.db import make_engine
from logistics.store.import_jobs import queue_import
from logistics.store.models import CourierPosition, Order, OrderEvent, Plan, Round, Stop, StopEvent
from logistics.store.retention import erase_customer, erase_expired, generalise
from logistics.store.users import create_user

HOME, SHOP = (3.08312, 50.37147), (3.0800, 50.3700)
#: the round's street path: from the shop to its street, along two streets, to the door
#: (HOME_STREET, where the door meets its street) and the door
HOME_STREET = (3.08312, 50.37140)
PATH = [SHOP, (3.0800, 50.3701), (3.0815, 50.3702), (3.0825, 50.3714), HOME_STREET, HOME]
DAY = dt.date(2030, 1, 10)  # the test clock starts on 2030-06-03: 144 days later


def test_generalise_to_the_centre_of_a_cell_of_about_500_m():
    lon, lat = generalise(*HOME)
    assert (lon, lat) != HOME
    assert abs(lat - HOME[1]) * 111_320 <= 250
    assert abs(lon - HOME[0]) * 111_320 * 0.64 <= 250  # cos(50.37°) ≈ 0.64
    assert generalise(lon, lat) == (lon, lat)  # a centre stays a centre
    assert generalise(HOME[0] + 0.0001, HOME[1] + 0.0001) == (lon, lat)  # neighbours share it


@pytest.fixture
def db_url():
    """A database of this test's own: erasing every old order reaches the whole store."""
    with new_database() as url:
        yield url


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def seeded(engine):
    """Two orders of one basket and one other, delivered on DAY; a round, events with
    the phone's point and a reason; the plan's inputs; a courier's positions."""
    with Session(engine) as s:
        s.add(shop_row("rt-shop", SHOP))
        s.add(courier_row("rt-bike", SHOP))
        s.flush()
        for oid, basket in (("rt-a", "rt-basket"), ("rt-b", "rt-basket"), ("rt-c", None)):
            s.add(order_row(oid, DAY, HOME, shop_id="rt-shop", basket_id=basket, status="delivered",
                            address=f"M. Secret, 7 rue du Puits, Douai ({oid})"))
        s.flush()
        for o in s.scalars(select(Order).where(Order.id.like("rt-shop:%"))):
            o.customer_name, o.customer_phone, o.customer_email = "M. Secret", "0612345678", "s@example.org"
            o.delivery_notes, o.address_label = "Code 1234", "7 Rue du Puits, 59500 Douai"
        s.add(OrderEvent(order_id="rt-shop:rt-c", from_status="picked_up", to_status="failed",
                         reason="Mme Secret absente"))
        stops = [stop_row(0, "start", SHOP), stop_row(1, "delivery", HOME, order_ids=["rt-shop:rt-a", "rt-shop:rt-b"]),
                 stop_row(2, "delivery", HOME, order_ids=["rt-shop:rt-c"])]
        plan = Plan(day=DAY, status="solved", settings={}, inputs={"orders": [
            {"order_id": o, "customer_lon": HOME[0], "customer_lat": HOME[1]} for o in ("rt-shop:rt-a", "rt-shop:rt-b", "rt-shop:rt-c")]})
        plan.rounds = [round_row("rt-bike", stops, distance_m=900, geometry=PATH)]
        s.add(plan)
        s.flush()
        s.add(StopEvent(stop_id=stops[1].id, type="delivered", reason=None, location=point(HOME),
                        at=dt.datetime(2030, 1, 10, 15, tzinfo=dt.UTC)))
        s.add(StopEvent(stop_id=stops[2].id, type="failed", reason="Mme Secret absente", location=point(HOME),
                        at=dt.datetime(2030, 1, 10, 16, tzinfo=dt.UTC)))
        s.add(CourierPosition(courier_id="rt-bike", at=dt.datetime(2030, 1, 10, 15, tzinfo=dt.UTC),
                              location=point(HOME)))
        s.commit()
        yield plan.id
        s.rollback()


def _facts(s: Session, plan_id: int) -> dict:
    orders = {o.id: o for o in s.scalars(select(Order).where(Order.id.like("rt-shop:%")))}
    return {
        "addresses": {k: o.customer_address for k, o in orders.items()},
        "people": {k: (o.customer_name, o.customer_phone, o.customer_email, o.delivery_notes,
                       o.address_label) for k, o in orders.items()},
        "points": {k: to_shape(o.customer_location).coords[0] for k, o in orders.items()},
        "erased": {k: o.erased_at is not None for k, o in orders.items()},
        "reasons": [e.reason for e in s.scalars(select(OrderEvent).where(OrderEvent.order_id == "rt-shop:rt-c"))],
        "stops": [to_shape(st.location).coords[0] for st in s.scalars(select(Stop))
                  if st.kind == "delivery" and "rt-shop:rt-c" in st.order_ids],
        "events": [(e.location, e.reason) for e, st in s.execute(select(StopEvent, Stop).join(Stop))
                   if "rt-shop:rt-c" in st.order_ids],
        "inputs": s.get(Plan, plan_id).inputs["orders"],
        "positions": s.scalars(select(CourierPosition).where(CourierPosition.courier_id == "rt-bike")).all(),
        "paths": [to_shape(g).coords[:] for g in s.scalars(select(Round.geometry).where(Round.plan_id == plan_id))]
        + [to_shape(st.leg).coords[:] for st in s.scalars(select(Stop).join(Round).where(Round.plan_id == plan_id))
           if st.leg is not None],
        "leg_m": [st.leg_m for st in s.scalars(select(Stop).join(Round).where(Round.plan_id == plan_id)
                                               .order_by(Stop.seq))],
    }


def test_the_retention_period_erases_and_generalises_everything_personal(engine, seeded):
    with Session(engine) as s:
        assert erase_expired(s, retention_days=200).orders == 0  # DAY is within 200 days
        done = erase_expired(s, retention_days=90)
        s.commit()
        assert (done.orders, done.stops, done.stop_events, done.plans, done.positions) == (3, 2, 2, 1, 1)
        f = _facts(s, seeded)
    cell = generalise(*HOME)
    assert set(f["addresses"].values()) == {None}
    assert set(f["people"].values()) == {(None, None, None, None, None)}
    assert set(f["points"].values()) == {cell}
    assert all(f["erased"].values())
    assert "Mme Secret absente" not in f["reasons"]
    assert f["stops"] == [cell]
    assert f["events"] == [(None, "erased")]
    assert {(r["customer_lon"], r["customer_lat"]) for r in f["inputs"]} == {cell}
    assert f["positions"] == []
    # the paths reach no door any more, nor the street right before it; the km stay
    assert f["paths"]
    assert not {HOME, HOME_STREET} & {c for path in f["paths"] for c in path}
    assert f["leg_m"] == [None, 900, 0]
    with Session(engine) as s:  # again: nothing left to erase
        assert erase_expired(s, retention_days=90).orders == 0


def test_a_customers_request_erases_the_order_with_its_basket(engine, seeded):
    with Session(engine) as s:
        done = erase_customer(s, order_id="rt-shop:rt-a")
        s.commit()
        assert done.orders == 2
        f = _facts(s, seeded)
    assert f["erased"] == {"rt-shop:rt-a": True, "rt-shop:rt-b": True, "rt-shop:rt-c": False}
    assert f["addresses"]["rt-shop:rt-c"] is not None


def test_the_command_line_erases_by_address(engine, seeded, db_url, capsys):
    assert main(["privacy", "erase", "--address", "  m. secret, 7 RUE du Puits, Douai (rt-c) ",
                 "--database-url", db_url]) == 0
    assert capsys.readouterr().out.startswith("orders 1, stops 1, stop_events 1")
    with Session(engine) as s:
        assert _facts(s, seeded)["erased"] == {"rt-shop:rt-a": False, "rt-shop:rt-b": False, "rt-shop:rt-c": True}
    assert main(["privacy", "erase-expired", "--days", "0", "--database-url", db_url]) == 2


def test_an_import_file_no_worker_ran_is_erased_with_the_rest(engine, seeded):
    """A posted CSV waits for the worker for minutes; one never run keeps customers'
    addresses: after the retention period it is erased and the job failed, saying so."""
    with Session(engine) as s:
        user_id = create_user(s, "dispatcher")[0].id
        old = queue_import(s, b"order_id,customer_address\nrt-x,M. Secret\n", 1,
                           delivery_date=DAY, shop_id=None, user_id=user_id)
        new = queue_import(s, b"order_id\nrt-y\n", 1, delivery_date=DAY, shop_id=None, user_id=user_id)
        s.flush()
        s.execute(text("UPDATE import_jobs SET created_at = now() - interval '91 days' WHERE id = :id"),
                  {"id": old.id})
        s.commit()
        done = erase_expired(s, retention_days=90)
        s.commit()
        assert done.import_files == 1
        s.expire_all()
        assert (old.csv, old.status) == (None, "failed")
        assert "retention" in old.result["problem"]
        assert (new.csv, new.status) == (b"order_id\nrt-y\n", "queued")
