"""Order intake on a real PostGIS: stored with its first event under its public id
(the shop's id and its own reference), retries with the same Idempotency-Key return the
same order (also when they race), conflicts are named, ids are scoped per shop."""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from logistics import ids
from logistics.inputs import InputError
from logistics.inputs import Order as OrderInput
from logistics.store.models import Order, OrderEvent, Shop
from logistics.store.orders import OrderRefusedError, add_order, find_order, import_orders

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
        assert (row.id, row.shop_ref) == ("s-intake:o-new", "o-new")
        events = session.scalars(select(OrderEvent).where(OrderEvent.order_id == "s-intake:o-new")).all()
        assert [(e.from_status, e.to_status) for e in events] == [(None, "received")]


@pytest.mark.parametrize("hour", ["00:30", "19:40"])
def test_delivery_date_defaults_to_today(engine, shop_id, clock, hour):
    """Douai's today: at 00:30 there, a server on UTC is still on the day before."""
    clock.on(dt.date(2031, 5, 6), hour)
    with Session(engine) as session:
        row, _ = add_order(session, order(f"o-today-{hour[:2]}"))
        session.commit()
        assert row.delivery_date == dt.date(2031, 5, 6)


def test_retry_with_the_same_key_returns_the_same_order(engine, shop_id):
    with Session(engine) as session:
        first, created = add_order(session, order("o-retry"), delivery_date=DAY, idempotency_key="k-retry")
        session.commit()
        again, created_again = add_order(session, order("o-retry"), delivery_date=DAY, idempotency_key="k-retry")
        assert (created, created_again) == (True, False)
        assert again.id == first.id
        with pytest.raises(OrderRefusedError, match="Idempotency-Key: 'k-retry' was used for order 's-intake:o-retry'") as e:
            add_order(session, order("o-retry", weight_kg=9.0), delivery_date=DAY, idempotency_key="k-retry")
        assert e.value.conflict


def test_duplicate_id_and_unknown_shop_are_named(engine, shop_id):
    with Session(engine) as session:
        add_order(session, order("o-dup"), delivery_date=DAY)
        session.commit()
        with pytest.raises(OrderRefusedError, match="order_id: 's-intake:o-dup' exists already") as e:
            add_order(session, order("o-dup"), delivery_date=DAY)
        assert e.value.conflict
        with pytest.raises(OrderRefusedError, match="shop_id: no shop 'ghost'") as e:
            add_order(session, order("o-ghost", shop="ghost"), delivery_date=DAY)
        assert not e.value.conflict
        # what was accepted before is still there
        assert session.get(Order, "s-intake:o-dup") is not None


def test_racing_retries_store_one_order(engine, shop_id):
    def post(_: int) -> tuple[str, bool]:
        with Session(engine) as session:
            row, created = add_order(session, order("o-race"), delivery_date=DAY, idempotency_key="k-race")
            session.commit()
            return row.id, created

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, range(16)))
    assert {r[0] for r in results} == {"s-intake:o-race"}
    assert sum(created for _, created in results) == 1
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(Order).where(Order.id == "s-intake:o-race"))
        events = session.scalar(
            select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id == "s-intake:o-race")
        )
    assert (count, events) == (1, 1)


HEADER = "order_id,shop_id,basket_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,deliver_from,deliver_to\n"


def test_import_stores_a_file_all_or_nothing(engine, shop_id, tmp_path):
    good = tmp_path / "orders.csv"
    good.write_text(HEADER + "i-1,s-intake,,3.09,50.36,1.5,4,09:00,14:00,16:00\n"
                    "i-2,,b1,3.10,50.37,0.5,2,,10:00,12:00\n")
    with Session(engine) as session:
        rows = import_orders(session, good, delivery_date=DAY)
        session.commit()
        assert [r.id for r in rows] == ["s-intake:i-1", "~hub:i-2"]
        assert [r.shop_ref for r in rows] == ["i-1", "i-2"]
        assert session.get(Order, "~hub:i-2").shop_id is None
        assert session.get(Order, "~hub:i-2").basket_id == "~dispatch:b1"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "i-3,s-intake,,3.09,50.36,1.5,4,09:00,14:00,16:00\n"
                   "i-4,s-intake,,3.09,50.36,heavy,4,09:00,14:00,16:00\n")
    with Session(engine) as session:
        with pytest.raises(InputError, match="row 3, field weight_kg"):
            import_orders(session, bad, delivery_date=DAY)
        session.commit()
        assert session.get(Order, "s-intake:i-3") is None  # nothing of the bad file
        assert session.get(Order, "s-intake:i-1") is not None  # what was accepted before stays


def test_import_names_the_clash_and_the_foreign_shop(engine, shop_id, tmp_path):
    again = tmp_path / "again.csv"
    again.write_text(HEADER + "j-1,s-intake,,3.09,50.36,1.5,4,09:00,14:00,16:00\n"
                     "o-clash,s-intake,,3.09,50.36,1.5,4,09:00,14:00,16:00\n")
    with Session(engine) as session:
        add_order(session, order("o-clash"), delivery_date=DAY)
        session.commit()
        with pytest.raises(OrderRefusedError,
                           match="order_id: row 3, order 'o-clash': 's-intake:o-clash' exists already"):
            import_orders(session, again, delivery_date=DAY)
        session.commit()
        assert session.get(Order, "s-intake:j-1") is None
        unknown = tmp_path / "unknown.csv"
        unknown.write_text(HEADER + "k-1,nowhere,,3.09,50.36,1,1,,14:00,16:00\n")
        with pytest.raises(InputError, match="unknown shop 'nowhere' .not in the shops of the platform"):
            import_orders(session, unknown, delivery_date=DAY)
        with pytest.raises(InputError, match="row 2, field shop_id: 's-intake' is not your shop"):
            import_orders(session, again, delivery_date=DAY, shop_id="other")


def test_a_basket_shares_its_place_and_slot(engine, shop_id):
    with Session(engine) as session:
        add_order(session, order("bk-1", basket_id="BK"), delivery_date=DAY)
        add_order(session, order("bk-2", basket_id="BK"), delivery_date=DAY)
        with pytest.raises(OrderRefusedError, match="same place") as e:
            add_order(session, order("bk-3", basket_id="BK", customer_lon=3.1), delivery_date=DAY)
        assert (e.value.field, e.value.conflict) == ("basket_id", True)
        with pytest.raises(OrderRefusedError, match="same slot"):
            add_order(session, order("bk-4", basket_id="BK", deliver_to=17 * 3600), delivery_date=DAY)
        # Another day's basket of the same name is another basket.
        add_order(session, order("bk-5", basket_id="BK", customer_lon=3.1), delivery_date=DAY + dt.timedelta(1))
        session.commit()


def test_import_keeps_the_optional_customer_address(engine, shop_id, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id;shop_id;basket_id;customer_lon;customer_lat;weight_kg;volume_l;ready_at;deliver_from;deliver_to;customer_address\n"
        "adr-1;s-intake;;3.09;50.36;1;2;;14:00;16:00;12 rue de Bellain, 59500 Douai\n"
        "adr-2;s-intake;;3.09;50.36;1;2;;14:00;16:00;\n",
        encoding="utf-8",
    )
    with Session(engine) as session:
        import_orders(session, path, delivery_date=DAY)
        session.commit()
        assert session.get(Order, "s-intake:adr-1").customer_address == "12 rue de Bellain, 59500 Douai"
        assert session.get(Order, "s-intake:adr-2").customer_address is None


@pytest.fixture(scope="module")
def two_shops(engine: Engine, shop_id: str) -> tuple[str, str]:
    with Session(engine) as session:
        session.add(Shop(id="s-other", name="Fromagerie", location=from_shape(Point(3.07, 50.37), 4326),
                         opens=dt.time(9), closes=dt.time(19)))
        session.commit()
    return shop_id, "s-other"


def test_two_shops_use_the_same_ids_in_their_own_namespaces(engine, two_shops):
    """The same order id, basket id and Idempotency-Key in two shops: two orders, two
    baskets, no clash; each shop finds only its own, by reference or by public id."""
    a, b = two_shops
    with Session(engine) as session:
        mine, _ = add_order(session, order("same-1", a, basket_id="same-b"), delivery_date=DAY,
                            idempotency_key="same-k")
        theirs, created = add_order(
            session, order("same-1", b, basket_id="same-b", customer_lon=3.1, deliver_to=18 * 3600),
            delivery_date=DAY, idempotency_key="same-k")
        session.commit()
        assert created
        assert (mine.id, mine.basket_id) == (f"{a}:same-1", f"{a}:same-b")
        assert (theirs.id, theirs.basket_id) == (f"{b}:same-1", f"{b}:same-b")
        assert find_order(session, "same-1", shop_id=a).id == mine.id
        assert find_order(session, f"{a}:same-1", shop_id=a).id == mine.id
        assert find_order(session, f"{b}:same-1", shop_id=a) is None
        assert find_order(session, "same-1", shop_id=None) is None  # the dispatcher: public ids
        assert find_order(session, f"{b}:same-1").id == theirs.id


def test_a_dispatcher_basket_spans_shops_and_a_shop_basket_holds_its_own(engine, two_shops):
    a, b = two_shops
    with Session(engine) as session:
        one, _ = add_order(session, order("x-1", a, basket_id="cross"), basket_owner=ids.DISPATCH,
                           delivery_date=DAY)
        two, _ = add_order(session, order("x-2", b, basket_id="cross"), basket_owner=ids.DISPATCH,
                           delivery_date=DAY)
        assert one.basket_id == two.basket_id == "~dispatch:cross"
        with pytest.raises(OrderRefusedError, match="takes only that shop's orders"):
            add_order(session, order("x-3", b, basket_id="cross"), basket_owner=a, delivery_date=DAY)
        session.rollback()


def test_refs_take_only_the_safe_characters(engine, shop_id):
    with Session(engine) as session:
        with pytest.raises(OrderRefusedError, match="order_id: holds ':'"):
            add_order(session, order("s-other:o1"), delivery_date=DAY)
        with pytest.raises(OrderRefusedError, match="basket_id: begins with '~'|basket_id: holds '~'"):
            add_order(session, order("ok-1", basket_id="~dispatch"), delivery_date=DAY)


def test_a_shop_import_with_another_shops_ids(engine, two_shops, tmp_path):
    """Shop ``a`` imports rows whose ids shop ``b`` uses: they are ``a``'s own; a row
    naming ``b`` (or a shop that does not exist) is refused alike, naming the row."""
    a, b = two_shops
    with Session(engine) as session:
        add_order(session, order("imp-1", b, basket_id="imp-b", customer_lon=3.1), delivery_date=DAY)
        session.commit()
    path = tmp_path / "mine.csv"
    path.write_text(HEADER + "imp-1,,imp-b,3.09,50.36,1,1,,14:00,16:00\n"
                    f"imp-2,{a},imp-b,3.09,50.36,1,1,,14:00,16:00\n")
    with Session(engine) as session:
        rows = import_orders(session, path, delivery_date=DAY, shop_id=a)
        session.commit()
        assert [(r.id, r.basket_id) for r in rows] == [(f"{a}:imp-1", f"{a}:imp-b"),
                                                       (f"{a}:imp-2", f"{a}:imp-b")]
    texts = []
    for other in (b, "no-such-shop"):
        bad = tmp_path / f"{other}.csv"
        bad.write_text(HEADER + f"imp-3,{other},,3.09,50.36,1,1,,14:00,16:00\n")
        with Session(engine) as session, pytest.raises(InputError) as e:
            import_orders(session, bad, delivery_date=DAY, shop_id=a)
        texts.append(str(e.value).replace(other, "X").replace(str(bad), "F"))
    assert texts[0] == texts[1]
    assert "row 2, field shop_id" in texts[0]
