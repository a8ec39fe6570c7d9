"""Orders: the bodies that add and cancel one, and the orders as the API answers."""

import datetime as dt
from typing import Any

from geoalchemy2.shape import to_shape
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from logistics import limits
from logistics.clock import hhmm
from logistics.store.announcements import tracking_url
from logistics.store.models import Order, OrderStatus
from logistics.timeofday import format_clock, parse_clock

from .common import (
    Address,
    ClockIn,
    ClockText,
    Day,
    Ident,
    Lat,
    Lon,
    NewIdent,
    Reason,
    Volume,
    Weight,
    point_problem,
)


class OrderCreate(BaseModel):
    """An order, with the columns of ``orders.csv`` and an optional delivery ``date``
    (a year back to five years ahead). The slot lasts (``deliver_from`` before
    ``deliver_to``) and the parcel is ready (``ready_at``) before it ends.

    ``order_id`` and ``basket_id`` are the poster's own references (letters, digits,
    ``_``, ``.``, ``-``): a shop's live in its own namespace, so two shops may both use
    ``O1`` and ``B1`` (a shop's basket holds only its orders); a dispatcher's order id is
    in its shop's namespace (the hub's without a shop), its basket ids in the
    dispatcher's own (a basket across shops). The answer carries the public ids."""

    order_id: NewIdent
    shop_id: Ident | None = None
    basket_id: NewIdent | None = None
    customer_lon: Lon | None = None
    customer_lat: Lat | None = None
    customer_address: Address | None = None
    customer_name: str | None = Field(None, max_length=limits.NAME_LENGTH)
    customer_phone: str | None = Field(None, max_length=32)
    customer_email: str | None = Field(None, max_length=254)
    delivery_notes: str | None = Field(None, max_length=limits.NOTES_LENGTH)
    weight_kg: Weight
    volume_l: Volume
    ready_at: ClockIn | None = None
    deliver_from: ClockIn
    deliver_to: ClockIn
    date: Day | None = None

    @field_validator("ready_at", "deliver_from", "deliver_to")
    @classmethod
    def _is_clock(cls, value: str | None) -> str | None:
        if value is not None:
            parse_clock(value)
        return value

    @field_validator("customer_name", "customer_phone", "customer_email", "delivery_notes")
    @classmethod
    def _customer(cls, value: str | None, info: Any) -> str | None:
        if value is None or not value.strip():
            return None
        problem = limits.customer_problem(info.field_name, value.strip())
        if problem is not None:
            raise ValueError(problem)
        return value.strip()

    @model_validator(mode="after")
    def _slot(self) -> "OrderCreate":
        start, end = parse_clock(self.deliver_from), parse_clock(self.deliver_to)
        if start > end:
            raise ValueError("deliver_to: the slot ends before it begins")
        if start == end:
            raise ValueError(f"deliver_to: the slot ends when it begins ({format_clock(end)}): it must last")
        if self.ready_at is not None and parse_clock(self.ready_at) > end:
            raise ValueError(
                f"ready_at: ready at {format_clock(parse_clock(self.ready_at))}, "
                f"after the slot ends ({format_clock(end)})"
            )
        if (self.customer_lon is None) != (self.customer_lat is None):
            missing = "customer_lat" if self.customer_lat is None else "customer_lon"
            raise ValueError(f"{missing}: give both customer_lon and customer_lat, or neither")
        if self.customer_lon is None:
            if not (self.customer_address and self.customer_address.strip()):
                raise ValueError("customer_address: give the customer's address (or "
                                 "customer_lon and customer_lat)")
            return self
        problem = point_problem("customer_lon", "customer_lat", self.customer_lon, self.customer_lat)
        if problem is not None:
            raise ValueError(problem)
        return self


class PlaceBody(BaseModel):
    """Where the customer really is (WGS 84)."""

    lon: Lon
    lat: Lat

    @model_validator(mode="after")
    def _point(self) -> "PlaceBody":
        problem = point_problem("lon", "lat", self.lon, self.lat)
        if problem is not None:
            raise ValueError(problem)
        return self


class CancelBody(BaseModel):
    """Why an order is cancelled."""

    reason: Reason


class OrderPublic(BaseModel):
    """An order: the customer's point and address, the parcel, the day and slot, and
    how far it got (``status``, with the reason of a cancel or a failure).

    ``order_id`` is the platform-wide id (``<shop_id>:<shop_ref>``; ``~hub:<shop_ref>``
    for a parcel at the hub), the one plans, stops and rounds name; ``shop_ref`` the id
    its poster gave (a shop's own reference); ``basket_id`` the basket's public id
    (``<shop_id>:<ref>`` for a shop's, ``~dispatch:<ref>`` for the dispatcher's)."""

    order_id: str
    shop_ref: str
    shop_id: str | None
    basket_id: str | None
    customer_lon: float
    customer_lat: float
    customer_address: str | None
    #: how the address was placed (the geocoder's label and score); null when the
    #: poster gave the point
    address_label: str | None = None
    address_score: float | None = None
    customer_name: str | None = None
    customer_phone: str | None = None
    customer_email: str | None = None
    delivery_notes: str | None = None
    weight_kg: float
    volume_l: float
    date: dt.date
    ready_at: ClockText | None
    deliver_from: ClockText
    deliver_to: ClockText
    status: OrderStatus
    status_reason: str | None
    #: the customer's public tracking page (shown to the order's shop and the dispatcher)
    tracking_url: str | None = None


class OrdersPublic(BaseModel):
    """The orders of a day or a span, oldest day first, and how many."""

    model_config = ConfigDict(validate_by_name=True)

    from_: dt.date = Field(validation_alias="from", serialization_alias="from")
    to: dt.date
    count: int
    orders: list[OrderPublic]


class OrdersImported(BaseModel):
    """How many orders a CSV added, and their ids in file order: the public ones, and
    the file's own (``shop_refs``)."""

    imported: int
    order_ids: list[str]
    shop_refs: list[str]


def order_public(order: Order) -> OrderPublic:
    """An order row as the API shows it."""
    point = to_shape(order.customer_location)
    return OrderPublic(
        order_id=order.id,
        shop_ref=order.shop_ref,
        shop_id=order.shop_id,
        basket_id=order.basket_id,
        customer_lon=point.x,
        customer_lat=point.y,
        customer_address=order.customer_address,
        address_label=order.address_label,
        address_score=order.address_score,
        customer_name=order.customer_name,
        customer_phone=order.customer_phone,
        customer_email=order.customer_email,
        delivery_notes=order.delivery_notes,
        weight_kg=order.weight_kg,
        volume_l=order.volume_l,
        date=order.delivery_date,
        ready_at=hhmm(order.ready_at),
        deliver_from=hhmm(order.deliver_from),
        deliver_to=hhmm(order.deliver_to),
        status=OrderStatus(order.status),
        status_reason=order.status_reason,
        tracking_url=tracking_url(order) if order.erased_at is None else None,
    )
