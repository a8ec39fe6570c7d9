"""The marketplace's orders in the store: created once per WooCommerce order and shop
(a retried or repeated delivery changes nothing), updated while not yet planned,
cancelled when the marketplace cancels or refunds them, or drops a shop's items."""

from __future__ import annotations

from dataclasses import dataclass, field

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from logistics import ids, parcels
from logistics.clock import time_of_day
from logistics.connectors.woocommerce import (
    CANCELLING,
    NOT_PAID,
    MarketplaceOrder,
    WooCommerceError,
    conflict,
)
from logistics.inputs import Order as OrderInput
from logistics.store.addresses import AddressError, place_address
from logistics.store.models import Order, OrderStatus, Shop
from logistics.store.order_status import move_order
from logistics.store.orders import CustomerDetails, add_order

_OPEN = (OrderStatus.RECEIVED.value, OrderStatus.PLANNED.value)


@dataclass
class Outcome:
    """What a webhook did: ``created``, ``updated``, ``unchanged``, ``cancelled`` or
    ``ignored`` (an order not paid yet), and the platform's order ids."""

    status: str
    order_ids: list[str] = field(default_factory=list)
    days: list = field(default_factory=list)


def _public(shop_id: str, ref: str) -> str:
    return ids.order_id(shop_id, ref)


def _key(mo: MarketplaceOrder) -> str:
    """The idempotency key of every platform order made from ``mo``: how the orders of
    one marketplace order are found again, whichever shops they went to."""
    return f"marketplace:{mo.ref}"


def _cancel(session: Session, rows: list[Order], reason: str) -> list[str]:
    """Cancel the open ones of ``rows`` (409 when one is past that); the ids cancelled."""
    done = []
    for row in rows:
        if row.status == OrderStatus.CANCELLED.value:
            continue
        if row.status not in _OPEN:
            raise conflict("status", f"order {row.id} is {row.status}: too late to cancel it")
        move_order(session, row, OrderStatus.CANCELLED, reason=reason)
        done.append(row.id)
    return done


def take(session: Session, mo: MarketplaceOrder) -> Outcome:
    """Store, update or cancel the platform's orders of a marketplace order."""
    wanted = [_public(p.shop_id, mo.ref) for p in mo.parts]
    mine = session.scalars(select(Order).where(Order.idempotency_key == _key(mo))
                           .order_by(Order.id).with_for_update()).all()
    stored = {row.id: row for row in mine if row.id in wanted}
    if mo.status in CANCELLING:
        done = _cancel(session, list(mine), f"marketplace: {mo.status}")
        return Outcome("cancelled" if done else "unchanged", sorted(row.id for row in mine))
    if mo.status in NOT_PAID and not stored:
        return Outcome("ignored")
    shops = {p.shop_id: session.get(Shop, p.shop_id) for p in mo.parts}
    for shop_id, shop in shops.items():
        if shop is None:
            raise WooCommerceError("line_items.meta_data.shop_id", f"no shop {shop_id!r} on the platform")
    try:
        placed = place_address(session, mo.address, field="shipping.address_1")
    except AddressError as e:
        raise WooCommerceError("shipping.address_1", e.problem, **e.extra) from None
    basket = mo.ref if len(mo.parts) > 1 else None
    customer = CustomerDetails(mo.name, mo.phone, mo.email, mo.notes)
    # a shop's items dropped from the marketplace order: that shop's order is cancelled
    dropped = _cancel(session, [row for row in mine if row.id not in wanted], "marketplace: items removed")
    created, updated = False, bool(dropped)
    for p in mo.parts:
        oid = _public(p.shop_id, mo.ref)
        row = stored.get(oid)
        usual = parcels.preset(shops[p.shop_id].default_parcel)  # type: ignore[union-attr]
        kg, litres = p.size(usual.weight_kg, usual.volume_l)
        if row is None:
            order = OrderInput(mo.ref, p.shop_id, basket, placed.lon, placed.lat, kg, litres,
                               0, mo.deliver_from, mo.deliver_to)
            row, _ = add_order(session, order, customer=customer, basket_owner=ids.DISPATCH,
                               delivery_date=mo.day, customer_address=mo.address,
                               idempotency_key=_key(mo))
            row.address_label, row.address_score, row.address_source = placed.label, placed.score, placed.source
            created = True
            continue
        point = to_shape(row.customer_location)
        same = (row.delivery_date == mo.day and row.deliver_from == time_of_day(mo.deliver_from)
                and row.deliver_to == time_of_day(mo.deliver_to) and row.customer_address == mo.address
                and abs(point.x - placed.lon) < 1e-9 and abs(point.y - placed.lat) < 1e-9
                and row.weight_kg == kg and row.volume_l == litres)
        if same:
            continue
        if row.status != OrderStatus.RECEIVED.value:
            raise conflict("shipping", f"order {oid} is {row.status}: a new address, slot or parcel "
                           "can no longer be applied (ask the dispatcher)")
        row.delivery_date, row.customer_address = mo.day, mo.address
        row.deliver_from, row.deliver_to = time_of_day(mo.deliver_from), time_of_day(mo.deliver_to)
        row.customer_location = from_shape(Point(placed.lon, placed.lat), 4326)
        row.address_label, row.address_score, row.address_source = placed.label, placed.score, placed.source
        row.weight_kg, row.volume_l = kg, litres
        row.customer_name, row.customer_phone = mo.name, mo.phone
        row.customer_email, row.delivery_notes = mo.email, mo.notes
        updated = True
    session.flush()
    status = "created" if created else "updated" if updated else "unchanged"
    return Outcome(status, wanted, [mo.day])
