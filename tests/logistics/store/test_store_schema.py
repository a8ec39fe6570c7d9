"""The migrations build the whole store on a real PostGIS, the models agree with them,
and order status only moves forward with an event per move."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from logistics import ids
from logistics.store.migrate import alembic_config, create_database_if_missing
from logistics.store.models import Base, Order, OrderEvent, OrderStatus, Shop
from logistics.store.order_status import StatusError, move_order

TABLES = {
    "shops", "couriers", "orders", "order_events", "plans", "rounds", "stops",
    "stop_events", "courier_positions", "users",
}


def test_migration_creates_postgis_every_table_and_spatial_indexes(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT PostGIS_Version()")).scalar()
        tables = set(inspect(conn).get_table_names())
        assert tables >= TABLES
        gist = conn.execute(
            text("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef ILIKE '%USING gist%'")
        ).all()
    indexed = {(t, d.rsplit("(", 1)[1].strip(')" ')) for t, d in gist}
    for table in TABLES:
        for column in Base.metadata.tables[table].columns:
            if column.type.__class__.__name__ == "Geometry":
                assert (table, column.name) in indexed, (table, column.name)


def test_models_agree_with_the_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # PostGIS' own tables (spatial_ref_sys) are not ours to describe.
    ours = [d for d in diffs if "spatial_ref_sys" not in repr(d)]
    assert ours == []


def test_upgrade_is_idempotent_and_creates_no_second_database(db_url: str) -> None:
    from alembic import command

    assert create_database_if_missing(db_url) is False
    command.upgrade(alembic_config(db_url), "head")


def _shop(session: Session, shop_id: str) -> Shop:
    shop = Shop(
        id=shop_id, name="Boulangerie de la Place", location=from_shape(Point(3.08, 50.37), 4326),
        opens=dt.time(8), closes=dt.time(19),
    )
    session.add(shop)
    return shop


def _order(order_id: str, shop_id: str | None) -> Order:
    return Order(
        id=ids.order_id(shop_id, order_id), shop_id=shop_id, shop_ref=order_id, customer_location=from_shape(Point(3.09, 50.36), 4326),
        weight_kg=2.5, volume_l=10, delivery_date=dt.date(2026, 11, 25),
        deliver_from=dt.time(14), deliver_to=dt.time(16),
    )


def test_order_status_moves_forward_with_one_event_per_move(engine: Engine) -> None:
    with Session(engine) as session:
        _shop(session, "s-forward")
        order = _order("o-forward", "s-forward")
        session.add(order)
        session.flush()
        assert order.status == OrderStatus.RECEIVED
        assert move_order(session, order, OrderStatus.PLANNED) is not None
        assert move_order(session, order, OrderStatus.PLANNED) is None  # a retry: no-op
        move_order(session, order, OrderStatus.PICKED_UP)
        with pytest.raises(StatusError, match="picked_up: it cannot become planned"):
            move_order(session, order, OrderStatus.PLANNED)
        with pytest.raises(StatusError, match="picked_up: it cannot become cancelled"):
            move_order(session, order, OrderStatus.CANCELLED, reason="changed my mind")
        with pytest.raises(StatusError, match="reason"):
            move_order(session, order, OrderStatus.FAILED, reason="  ")
        move_order(session, order, OrderStatus.FAILED, reason="nobody home")
        session.commit()
        events = session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
        ).all()
        assert [(e.from_status, e.to_status) for e in events] == [
            ("received", "planned"), ("planned", "picked_up"), ("picked_up", "failed"),
        ]
        assert events[-1].reason == "nobody home"
        assert to_shape(order.customer_location).equals(Point(3.09, 50.36))


def test_database_refuses_what_the_rules_forbid(engine: Engine) -> None:
    with Session(engine) as session:
        _shop(session, "s-checks")
        bad = _order("o-bad-slot", "s-checks")
        bad.deliver_from, bad.deliver_to = dt.time(16), dt.time(14)
        session.add(bad)
        with pytest.raises(IntegrityError, match="slot_in_order"):
            session.flush()
        session.rollback()
    with Session(engine) as session:
        _shop(session, "s-idem")
        first = _order("o-idem-1", "s-idem")
        first.idempotency_key = "k1"
        second = _order("o-idem-2", "s-idem")
        second.idempotency_key = "k1"
        session.add_all([first, second])
        with pytest.raises(IntegrityError, match="uq_orders_shop_idempotency"):
            session.flush()
        session.rollback()


def test_spatial_query_finds_orders_near_a_point(engine: Engine) -> None:
    with Session(engine) as session:
        _shop(session, "s-near")
        session.add(_order("o-near", "s-near"))
        session.commit()
        near = session.scalars(
            select(Order.id).where(
                func.ST_DWithin(
                    func.Geography(Order.customer_location),
                    func.Geography(func.ST_SetSRID(func.ST_MakePoint(3.0905, 50.3605), 4326)),
                    100,
                )
            )
        ).all()
        assert "s-near:o-near" in near


def test_db_upgrade_without_a_server_is_one_line_and_exit_2(capsys) -> None:
    from cli.main import main

    code = main(["db", "upgrade", "--database-url", "postgresql://postgres@127.0.0.1:9/douai"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "cannot reach the database" in err
    assert "Traceback" not in err
