"""Order intake: one row per order, its first event, and retries that never duplicate.

A shop may send the same order twice (a timeout, a double click). With the same
``Idempotency-Key`` the second call gets the first order back; two calls racing each
other are settled by the database's unique constraint on (shop, key), not by a check
that both could pass. A key reused for a different order is a conflict.

Ids are scoped (:mod:`logistics.ids`): an order's poster names it and its basket in its
own namespace, the store keeps the order under its public id. So a shop's order, its
basket and every refusal it gets concern that shop's own orders only: no message names
another shop's order, customer, slot or id, and no shop can tell whether another's id
exists.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from logistics import clock, ids, limits
from logistics.clock import hhmm, time_of_day
from logistics.delivery_area import outside_area
from logistics.errors import DomainError, ErrorKind
from logistics.geocoding.candidate import Candidate
from logistics.inputs import InputError, Locate, NotPlaced, Placements, read_order_rows
from logistics.inputs import Order as OrderInput
from logistics.store.addresses import address_of_point
from logistics.store.models import Order, OrderEvent, OrderStatus, Shop
from logistics.store.service_area import area_bounds


class OrderRefusedError(DomainError):
    """An order the store cannot take: wrong in itself (``invalid``), or clashing with an
    order already stored (``conflict``)."""


def _same(row: Order, order: OrderInput, day: dt.date, public_id: str, basket: str | None) -> bool:
    point = to_shape(row.customer_location)
    return (
        row.id == public_id
        and row.basket_id == basket
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


def find_order(
    session: Session, order_id: str, *, shop_id: str | None = None, lock: bool = False
) -> Order | None:
    """The order ``order_id`` as its reader names it: the public id; for a shop
    (``shop_id``) also its own reference, and only ever one of its own orders (None
    for another shop's, exactly as for one that does not exist). With ``lock``, the row
    is locked until the transaction ends."""
    if shop_id is None:
        return session.get(Order, order_id, with_for_update=lock)
    if order_id.startswith(shop_id + ids.SEPARATOR):
        row = session.get(Order, order_id, with_for_update=lock)
        if row is not None:  # its namespace is the shop's: its own by construction
            return row
    query = select(Order).where(Order.shop_id == shop_id, Order.shop_ref == order_id)
    return session.scalars(query.with_for_update() if lock else query).first()


@dataclasses.dataclass(frozen=True)
class CustomerDetails:
    """Who the courier meets at the door, all optional (checked by
    :func:`logistics.limits.customer_problem`)."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    notes: str | None = None


def add_order(
    session: Session,
    order: OrderInput,
    *,
    customer: CustomerDetails | None = None,
    basket_owner: str | None = None,
    delivery_date: dt.date | None = None,
    idempotency_key: str | None = None,
    user_id: int | None = None,
    customer_address: str | None = None,
) -> tuple[Order, bool]:
    """Store ``order`` as ``received`` with its first event; returns the row and whether
    it was created (False: a retry with the same key, the stored order comes back).

    ``order.order_id`` is the order's reference in its owner's namespace (its shop's,
    else the hub's), ``order.basket_id`` a basket's reference in ``basket_owner``'s: a
    shop id (a shop's basket takes only that shop's orders) or :data:`ids.DISPATCH`;
    by default the order's shop (the dispatcher's namespace for a parcel at the hub).
    The row's ``id`` and ``basket_id`` are the public ids (:mod:`logistics.ids`).

    Orders of one basket are handed over together, so they must share the customer's
    place and slot: one that differs from the basket's stored orders is refused."""
    day = delivery_date or clock.today()
    for field, value in (("order_id", order.order_id), ("basket_id", order.basket_id)):
        problem = limits.id_problem(value) if value is not None else None
        if problem is not None:
            raise OrderRefusedError(field, problem)
    public_id = ids.order_id(order.shop_id, order.order_id)
    owner = basket_owner or order.shop_id or ids.DISPATCH
    if ids.is_shop(owner) and owner != order.shop_id:
        raise OrderRefusedError(
            "basket_id", f"a basket of shop {owner!r} takes only that shop's orders"
        )
    basket = ids.basket_id(owner, order.basket_id) if order.basket_id is not None else None
    if idempotency_key:
        found = _by_key(session, order.shop_id, idempotency_key)
        if found is not None:
            return _retry(found, order, day, idempotency_key, public_id, basket)
    if order.shop_id is not None:
        shop = session.get(Shop, order.shop_id)
        if shop is None:
            raise OrderRefusedError("shop_id", f"no shop {order.shop_id!r}")
        if shop.retired_at is not None:
            raise OrderRefusedError(
                "shop_id", f"shop {order.shop_id!r} is retired: it takes no new orders",
                kind=ErrorKind.CONFLICT,
            )
    same_id = session.get(Order, public_id)
    if same_id is not None:
        if idempotency_key and (same_id.shop_id, same_id.idempotency_key) == (
            order.shop_id, idempotency_key
        ):
            # The first copy of this retry was committed after our look-up by key.
            return _retry(same_id, order, day, idempotency_key, public_id, basket)
        raise OrderRefusedError("order_id", f"{public_id!r} exists already", kind=ErrorKind.CONFLICT)
    if basket is not None:
        _check_basket(session, order, basket, day)
    row = Order(
        id=public_id,
        shop_id=order.shop_id,
        shop_ref=order.order_id,
        basket_id=basket,
        customer_location=from_shape(Point(order.customer_lon, order.customer_lat), 4326),
        customer_address=customer_address,
        customer_name=customer.name if customer else None,
        customer_phone=customer.phone if customer else None,
        customer_email=customer.email if customer else None,
        delivery_notes=customer.notes if customer else None,
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
                return _retry(found, order, day, idempotency_key, public_id, basket)
        raise OrderRefusedError(
            "order_id", f"{public_id!r} exists already", kind=ErrorKind.CONFLICT
        ) from None
    return row, True


def one_drop(session: Session, order: Order) -> list[Order]:
    """The orders handed over with ``order`` at one stop: its basket, by id (itself alone
    when it has none)."""
    if order.basket_id is None:
        return [order]
    return list(session.scalars(select(Order).where(Order.basket_id == order.basket_id).order_by(Order.id)))


def _check_basket(session: Session, order: OrderInput, basket: str, day: dt.date) -> None:
    """The basket's stored orders of ``day`` (its owner's own: a shop's basket holds
    only its orders) share the customer's place and slot with ``order``. A refusal
    names the basket as its poster named it and its own place or slot, no order."""
    other = session.scalars(
        select(Order).where(
            Order.basket_id == basket,
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
            f"basket {order.basket_id!r} of {day} goes to ({point.x}, {point.y}); "
            "every order of a basket goes to the same place",
            kind=ErrorKind.CONFLICT,
        )
    slot = (time_of_day(order.deliver_from), time_of_day(order.deliver_to))
    if slot != (other.deliver_from, other.deliver_to):
        raise OrderRefusedError(
            "basket_id",
            f"basket {order.basket_id!r} of {day} is delivered {hhmm(other.deliver_from)}-"
            f"{hhmm(other.deliver_to)}; every order of a basket has the same slot",
            kind=ErrorKind.CONFLICT,
        )


def _retry(
    found: Order, order: OrderInput, day: dt.date, key: str, public_id: str, basket: str | None
) -> tuple[Order, bool]:
    if not _same(found, order, day, public_id, basket):
        raise OrderRefusedError(
            "Idempotency-Key",
            f"{key!r} was used for order {found.id!r} with other content",
            kind=ErrorKind.CONFLICT,
        )
    return found, False


#: the optional columns of an orders file about the customer, and their field
CUSTOMER_COLUMNS = {"customer_name": "name", "customer_phone": "phone", "customer_email": "email",
                    "delivery_notes": "notes"}


def _addresses(
    path: Path, own_shop: str | None
) -> tuple[dict[tuple[str | None, str], str], dict[tuple[str | None, str], CustomerDetails]]:
    """The optional ``customer_address`` column of an orders file (already checked by
    :func:`~logistics.inputs.read_order_rows`, but for its length) and the customer's
    details, by (shop, order id); an empty shop is ``own_shop``."""
    text = path.read_bytes().decode("utf-8-sig")
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: dict[tuple[str | None, str], str] = {}
    people: dict[tuple[str | None, str], CustomerDetails] = {}
    for row in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not row.get("order_id"):
            continue
        key = (row.get("shop_id") or own_shop, row["order_id"])
        address = row.get("customer_address")
        if address:
            problem = limits.text_problem(address, limits.ADDRESS_LENGTH)
            if problem is not None:
                code, params = limits.customer_code("customer_address", address)
                raise InputError(str(path), reader.line_num, "customer_address", problem, code, **params)
            out[key] = address
        details = {}
        for column, name in CUSTOMER_COLUMNS.items():
            value = row.get(column)
            if value:
                problem = limits.customer_problem(column, value)
                if problem is not None:
                    code, params = limits.customer_code(column, value)
                    raise InputError(str(path), reader.line_num, column, problem, code, **params)
                details[name] = value
        if details:
            people[key] = CustomerDetails(**details)
    return out, people


def import_orders(
    session: Session,
    orders_csv: str | Path,
    *,
    delivery_date: dt.date | None = None,
    shop_id: str | None = None,
    user_id: int | None = None,
) -> list[Order]:
    """Store every order of a CSV file (the ``douai-delivery plan`` format), all or none.

    With ``shop_id`` (a shop importing), every row is that shop's: its ``shop_id`` is
    empty or the shop's own (any other is refused the same whether it exists or not),
    its order and basket ids are the shop's references, as in a ``POST``. Without (the
    dispatcher), an order id is its shop's reference (the hub's with an empty shop) and
    a basket id the dispatcher's (:mod:`logistics.ids`), so one file may hold the
    same order id for two shops, and a basket across shops. Every customer must lie in
    the service area (:mod:`logistics.store.service_area`). The first problem raises
    :class:`~logistics.inputs.InputError` (a row of the file) or
    :class:`OrderRefusedError` (a clash with the store, naming the row and the order);
    the caller's transaction then holds nothing of the file.
    """
    placements = Placements()
    locate = _locator(session)
    if shop_id is not None:
        rows = read_order_rows(orders_csv, {shop_id}, own_shop=shop_id,
                               bounds=area_bounds(session), locate=locate, placements=placements)
    else:
        known = set(session.scalars(select(Shop.id)))
        rows = read_order_rows(orders_csv, known, shops_source="the shops of the platform",
                               bounds=area_bounds(session), per_shop=True, locate=locate,
                               placements=placements)
    addresses, people = _addresses(Path(orders_csv), shop_id)
    stored = []
    for line, order in rows:  # the customers in the delivery area, before anything is stored
        placed = placements.placed.get((order.shop_id, order.order_id))
        if outside_area(order.customer_lon, order.customer_lat):
            field = "customer_address" if placed is not None else "customer_lon/customer_lat"
            where = repr(placed.label) if placed is not None else \
                f"({order.customer_lon:.6f}, {order.customer_lat:.6f})"
            raise InputError(str(orders_csv), line, field, f"{where} is outside the delivery area")
    with session.begin_nested():
        for line, order in rows:
            try:
                row, _ = add_order(
                    session, order, basket_owner=shop_id or ids.DISPATCH,
                    delivery_date=delivery_date, user_id=user_id,
                    customer_address=addresses.get((order.shop_id, order.order_id)),
                    customer=people.get((order.shop_id, order.order_id)),
                )
            except OrderRefusedError as e:
                raise OrderRefusedError(
                    e.field, f"row {line}, order {order.order_id!r}: {e.problem}", kind=e.kind,
                    row=line,
                ) from None
            placed = placements.placed.get((order.shop_id, order.order_id))
            if placed is None and row.customer_address is None:
                placed = address_of_point(order.customer_lon, order.customer_lat)
                row.customer_address = placed.label if placed is not None else None
            if placed is not None:
                row.address_label, row.address_score = placed.label, placed.score
                row.address_source = placed.source
            stored.append(row)
    return stored


#: an address refused in a file's row says what to fix in the file, not "choose a proposal"
ROW_CODES = {"address_unknown": "row_address_unknown", "address_ambiguous": "row_address_ambiguous"}


def _locator(session: Session) -> Locate:
    """How an import places a row given by its address: as the API does (the kept
    answers, then the geocoder), an address it cannot place being the row's problem."""
    from logistics.geocoding.candidate import GeocoderUnavailable
    from logistics.store.addresses import AddressError, place_address

    def locate(text: str) -> Candidate | NotPlaced:
        try:
            return place_address(session, text)
        except AddressError as e:
            options = [str(c["label"]) for c in e.extra.get("candidates", [])][:3]
            return NotPlaced(e.problem + (f" (candidates: {'; '.join(options)})" if options else ""),
                             ROW_CODES.get(e.code or "", e.code), {**e.params, "options": options})
        except GeocoderUnavailable:
            return NotPlaced("the address service does not answer now: try again, or give "
                             "customer_lon/customer_lat", "geocoder_down")

    return locate
