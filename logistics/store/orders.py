"""Order intake: one row per order, its first event, and retries that never duplicate.

A shop may send the same order twice (a timeout, a double click). With the same
``Idempotency-Key`` the second call gets the first order back; two calls racing each
other are settled by the database's unique constraint on (shop, key), not by a check
that both could pass. A key reused for a different order is a conflict.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from logistics import clock, limits
from logistics.clock import time_of_day
from logistics.errors import DomainError, ErrorKind
from logistics.inputs import InputError, read_orders
from logistics.inputs import Order as OrderInput
from logistics.store.models import Order, OrderEvent, OrderStatus, Shop
from logistics.store.service_area import area_bounds


class OrderRefusedError(DomainError):
    """An order the store cannot take: wrong in itself (``invalid``), or clashing with an
    order already stored (``conflict``)."""


def _same(row: Order, order: OrderInput, day: dt.date) -> bool:
    point = to_shape(row.customer_location)
    return (
        row.id == order.order_id
        and row.basket_id == order.basket_id
        and abs(point.x - order.customer_lon) < 1e-9
        and abs(point.y - order.customer_lat) < 1e-9
        and row.weight_kg == order.weight_kg
        and row.volume_l == order.volume_l
        and row.delivery_date == day
        and row.deliver_from == time_of_day(order.deliver_from)
        and row.deliver_to == time_of_day(order.deliver_to)
    )


def _by_key(session: Session, shop_id: str | None, key: str) -> Order | None:
    return session.scalars(
        select(Order).where(Order.shop_id == shop_id, Order.idempotency_key == key)
    ).first()


def add_order(
    session: Session,
    order: OrderInput,
    *,
    delivery_date: dt.date | None = None,
    idempotency_key: str | None = None,
    user_id: int | None = None,
    customer_address: str | None = None,
) -> tuple[Order, bool]:
    """Store ``order`` as ``received`` with its first event; returns the row and whether
    it was created (False: a retry with the same key, the stored order comes back).

    Orders of one basket are handed over together, so they must share the customer's
    place and slot: one that differs from the basket's stored orders is refused."""
    day = delivery_date or clock.today()
    if idempotency_key:
        found = _by_key(session, order.shop_id, idempotency_key)
        if found is not None:
            return _retry(found, order, day, idempotency_key)
    if order.shop_id is not None:
        shop = session.get(Shop, order.shop_id)
        if shop is None:
            raise OrderRefusedError("shop_id", f"no shop {order.shop_id!r}")
        if shop.retired_at is not None:
            raise OrderRefusedError(
                "shop_id", f"shop {order.shop_id!r} is retired: it takes no new orders",
                kind=ErrorKind.CONFLICT,
            )
    same_id = session.get(Order, order.order_id)
    if same_id is not None:
        if idempotency_key and (same_id.shop_id, same_id.idempotency_key) == (
            order.shop_id, idempotency_key
        ):
            # The first copy of this retry was committed after our look-up by key.
            return _retry(same_id, order, day, idempotency_key)
        raise OrderRefusedError("order_id", f"{order.order_id!r} exists already", kind=ErrorKind.CONFLICT)
    if order.basket_id is not None:
        _check_basket(session, order, day)
    row = Order(
        id=order.order_id,
        shop_id=order.shop_id,
        basket_id=order.basket_id,
        customer_location=from_shape(Point(order.customer_lon, order.customer_lat), 4326),
        customer_address=customer_address,
        weight_kg=order.weight_kg,
        volume_l=order.volume_l,
        delivery_date=day,
        ready_at=time_of_day(order.ready_at) if order.ready_at else None,
        deliver_from=time_of_day(order.deliver_from),
        deliver_to=time_of_day(order.deliver_to),
        status=OrderStatus.RECEIVED.value,
        idempotency_key=idempotency_key,
        created_by=user_id,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.add(
                OrderEvent(order_id=row.id, from_status=None, to_status=row.status, user_id=user_id)
            )
    except IntegrityError:
        # Another request stored the same key (or id) between our check and our insert.
        session.expunge_all()
        if idempotency_key:
            found = _by_key(session, order.shop_id, idempotency_key)
            if found is not None:
                return _retry(found, order, day, idempotency_key)
        raise OrderRefusedError(
            "order_id", f"{order.order_id!r} exists already", kind=ErrorKind.CONFLICT
        ) from None
    return row, True


def _check_basket(session: Session, order: OrderInput, day: dt.date) -> None:
    other = session.scalars(
        select(Order).where(
            Order.basket_id == order.basket_id,
            Order.delivery_date == day,
            Order.status != OrderStatus.CANCELLED.value,
        ).limit(1)
    ).first()
    if other is None:
        return
    point = to_shape(other.customer_location)
    if abs(point.x - order.customer_lon) > 1e-9 or abs(point.y - order.customer_lat) > 1e-9:
        raise OrderRefusedError(
            "basket_id",
            f"basket {order.basket_id!r} goes to ({point.x}, {point.y}) with order {other.id!r}; "
            "every order of a basket goes to the same place",
            kind=ErrorKind.CONFLICT,
        )
    slot = (time_of_day(order.deliver_from), time_of_day(order.deliver_to))
    if slot != (other.deliver_from, other.deliver_to):
        raise OrderRefusedError(
            "basket_id",
            f"basket {order.basket_id!r} is delivered {other.deliver_from:%H:%M}-"
            f"{other.deliver_to:%H:%M} with order {other.id!r}; every order of a basket "
            "has the same slot",
            kind=ErrorKind.CONFLICT,
        )


def _retry(found: Order, order: OrderInput, day: dt.date, key: str) -> tuple[Order, bool]:
    if not _same(found, order, day):
        raise OrderRefusedError(
            "Idempotency-Key",
            f"{key!r} was used for order {found.id!r} with other content",
            kind=ErrorKind.CONFLICT,
        )
    return found, False


def _addresses(path: Path) -> dict[str, str]:
    """The optional ``customer_address`` column of an orders file (already checked by
    :func:`~logistics.inputs.read_orders`, but for its length), by order id."""
    text = path.read_bytes().decode("utf-8-sig")
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: dict[str, str] = {}
    for row in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        address = row.get("customer_address")
        if address and row.get("order_id"):
            problem = limits.text_problem(address, limits.ADDRESS_LENGTH)
            if problem is not None:
                raise InputError(str(path), reader.line_num, "customer_address", problem)
            out[row["order_id"]] = address
    return out


def import_orders(
    session: Session,
    orders_csv: str | Path,
    *,
    delivery_date: dt.date | None = None,
    shop_id: str | None = None,
    user_id: int | None = None,
) -> list[Order]:
    """Store every order of a CSV file (the ``douai-delivery plan`` format), all or none.

    With ``shop_id`` (a shop importing), every row must be that shop's; every customer
    must lie in the service area (:mod:`logistics.store.service_area`). The first
    problem raises :class:`~logistics.inputs.InputError` (a row of the file) or
    :class:`OrderRefusedError` (a clash with the store, naming the order); the caller's
    transaction then holds nothing of the file.
    """
    known = set(session.scalars(select(Shop.id)))
    orders = read_orders(orders_csv, known, shops_source="the shops of the platform",
                         bounds=area_bounds(session))
    addresses = _addresses(Path(orders_csv))
    stored = []
    with session.begin_nested():
        for order in orders:
            if shop_id is not None and order.shop_id != shop_id:
                raise OrderRefusedError(
                    "shop_id", f"order {order.order_id!r} is for {order.shop_id!r}, not {shop_id!r}"
                )
            try:
                row, _ = add_order(
                    session, order, delivery_date=delivery_date, user_id=user_id,
                    customer_address=addresses.get(order.order_id),
                )
            except OrderRefusedError as e:
                raise OrderRefusedError(
                    e.field, f"order {order.order_id!r}: {e.problem}", kind=e.kind
                ) from None
            stored.append(row)
    return stored
