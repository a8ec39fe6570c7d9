"""The marketplace's orders ("Acheter à Douai", a WooCommerce shop): an order webhook's
body read into the platform's orders, one per shop, a basket when there are several.

Mapping (the README says the same for the marketplace's administrators):

- the delivery day and slot: order meta ``delivery_date`` (``YYYY-MM-DD``) and
  ``delivery_slot`` (``HH:MM-HH:MM``);
- the customer: the shipping address (``address_1``, ``address_2``, ``postcode``,
  ``city``), geocoded; the shipping name; the billing phone (else the shipping one) and
  e-mail; the customer note as delivery notes;
- the parcels: each line item's shop from its meta ``shop_id``; its weight and volume
  from its meta ``weight_kg`` / ``volume_l`` times its quantity; the items that say
  neither count together as one of the shop's default parcel (``Shop.default_parcel``,
  applied where the shop is known: ``logistics.store.marketplace``); items of one shop make one order
  ``wc<order id>`` in that shop's namespace; several shops make one basket (one drop).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from logistics import limits
from logistics.errors import DomainError, ErrorKind
from logistics.timeofday import parse_clock

#: WooCommerce statuses that cancel the platform's orders
CANCELLING = frozenset({"cancelled", "refunded"})
#: statuses of an order not paid yet, or failed: nothing to deliver (yet)
NOT_PAID = frozenset({"pending", "failed", "checkout-draft"})
_SLOT = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


class WooCommerceError(DomainError):
    """A marketplace order the platform cannot take as sent (422, naming the field of
    the WooCommerce order, e.g. ``meta_data.delivery_slot``)."""


@dataclass(frozen=True)
class ShopPart:
    """One shop's items of a marketplace order: the weight and volume its items say, and
    how many say none (those count as one of the shop's default parcel)."""

    shop_id: str
    weight_kg: float
    volume_l: float
    items: int
    unsized: int = 0

    def size(self, default_kg: float, default_l: float) -> tuple[float, float]:
        """Weight and volume of the shop's order, the default parcel added once when
        some item says no size."""
        extra = 1 if self.unsized else 0
        return round(self.weight_kg + extra * default_kg, 3), round(self.volume_l + extra * default_l, 3)


@dataclass(frozen=True)
class MarketplaceOrder:
    """A WooCommerce order as the platform reads it."""

    wc_id: int
    status: str
    day: dt.date
    deliver_from: int
    deliver_to: int
    address: str
    name: str | None
    phone: str | None
    email: str | None
    notes: str | None
    parts: tuple[ShopPart, ...]

    @property
    def ref(self) -> str:
        """The platform's reference of its orders (and basket): ``wc<id>``."""
        return f"wc{self.wc_id}"


def _meta(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    return {str(m.get("key")): m.get("value") for m in items if isinstance(m, dict) and "key" in m}


def _text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _number(field: str, value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        x = float(str(value).replace(",", "."))
    except ValueError:
        raise WooCommerceError(field, f"{value!r} is not a number") from None
    if not math.isfinite(x) or x < 0:
        raise WooCommerceError(field, f"{value!r} is not a size (finite, not negative)")
    return x


def read_order(body: Any) -> MarketplaceOrder:
    """A webhook's order body, checked; :class:`WooCommerceError` names what is wrong."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), int):
        raise WooCommerceError("id", "not a WooCommerce order (no integer id)")
    status = str(body.get("status") or "")
    meta = _meta(body.get("meta_data"))
    day_text = _text(meta.get("delivery_date"))
    if day_text is None:
        raise WooCommerceError("meta_data.delivery_date", "missing: the delivery day, YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        raise WooCommerceError("meta_data.delivery_date", f"{day_text!r} is not a date YYYY-MM-DD") from None
    slot = _SLOT.match(str(meta.get("delivery_slot") or ""))
    if slot is None:
        raise WooCommerceError("meta_data.delivery_slot",
                               f"{meta.get('delivery_slot')!r} is not a slot HH:MM-HH:MM")
    try:
        start, end = parse_clock(slot.group(1)), parse_clock(slot.group(2))
    except ValueError as e:
        raise WooCommerceError("meta_data.delivery_slot", str(e)) from None
    if start >= end:
        raise WooCommerceError("meta_data.delivery_slot", f"{slot.group(0).strip()!r}: the slot must last")
    ship = body.get("shipping") if isinstance(body.get("shipping"), dict) else {}
    bill = body.get("billing") if isinstance(body.get("billing"), dict) else {}
    street = " ".join(p for p in (_text(ship.get("address_1")), _text(ship.get("address_2"))) if p)
    place = " ".join(p for p in (_text(ship.get("postcode")), _text(ship.get("city"))) if p)
    if not street:
        raise WooCommerceError("shipping.address_1", "missing: the delivery address")
    name = " ".join(p for p in (_text(ship.get("first_name")), _text(ship.get("last_name"))) if p)
    parts: dict[str, list[float]] = {}
    for i, item in enumerate(body.get("line_items") or []):
        if not isinstance(item, dict):
            continue
        m = _meta(item.get("meta_data"))
        shop = _text(m.get("shop_id"))
        if shop is None:
            raise WooCommerceError(f"line_items[{i}].meta_data.shop_id", "missing: which shop sells it")
        quantity = _number(f"line_items[{i}].quantity", item.get("quantity")) or 1.0
        kg = _number(f"line_items[{i}].meta_data.weight_kg", m.get("weight_kg"))
        litres = _number(f"line_items[{i}].meta_data.volume_l", m.get("volume_l"))
        acc = parts.setdefault(shop, [0.0, 0.0, 0.0, 0.0])  # kg, L, items, items without size
        acc[0] += (kg or 0.0) * quantity
        acc[1] += (litres or 0.0) * quantity
        acc[2] += 1
        acc[3] += 1 if kg is None or litres is None else 0
    if not parts:
        raise WooCommerceError("line_items", "no item with a shop_id: nothing to deliver")
    shop_parts = tuple(
        ShopPart(shop, round(kg, 3), round(litres, 3), int(n), int(unsized))
        for shop, (kg, litres, n, unsized) in sorted(parts.items())
    )
    address = f"{street}, {place}" if place else street
    problem = limits.text_problem(address, limits.ADDRESS_LENGTH)
    if problem is not None:
        raise WooCommerceError("shipping.address_1", problem)
    return MarketplaceOrder(
        wc_id=body["id"], status=status, day=day, deliver_from=start, deliver_to=end,
        address=address, name=_kept("customer_name", name),
        phone=_kept("customer_phone", _text(bill.get("phone")) or _text(ship.get("phone"))),
        email=_kept("customer_email", _text(bill.get("email"))),
        notes=_kept("delivery_notes", _text(body.get("customer_note"))), parts=shop_parts,
    )


def _kept(field: str, value: str | None) -> str | None:
    """A customer's detail as the platform keeps it: a malformed phone or e-mail from
    the shop's site is dropped (the order still goes), a long text is cut."""
    if not value:
        return None
    longest = {"customer_name": limits.NAME_LENGTH, "delivery_notes": limits.NOTES_LENGTH}.get(field)
    if longest is not None:
        value = value.replace("\x00", "")[:longest]
    return value if limits.customer_problem(field, value) is None else None


def conflict(field: str, problem: str) -> WooCommerceError:
    """A marketplace change the platform cannot apply any more (409)."""
    return WooCommerceError(field, problem, kind=ErrorKind.CONFLICT)
