"""Orders: the bodies that add and cancel one, and the orders as the API answers."""

import datetime as dt

from geoalchemy2.shape import to_shape
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from logistics.clock import hhmm
from logistics.store.models import Order, OrderStatus
from logistics.timeofday import parse_clock

from .common import ClockText


class OrderCreate(BaseModel):
    """An order, with the columns of ``orders.csv`` and an optional delivery ``date``."""

    order_id: str = Field(min_length=1, max_length=64)
    shop_id: str | None = None
    basket_id: str | None = None
    customer_lon: float = Field(ge=-180, le=180)
    customer_lat: float = Field(ge=-90, le=90)
    customer_address: str | None = Field(default=None, max_length=500)
    weight_kg: float = Field(ge=0)
    volume_l: float = Field(ge=0)
    ready_at: str | None = None
    deliver_from: str
    deliver_to: str
    date: dt.date | None = None

    @field_validator("ready_at", "deliver_from", "deliver_to")
    @classmethod
    def _is_clock(cls, value: str | None) -> str | None:
        if value is not None:
            parse_clock(value)
        return value

    @model_validator(mode="after")
    def _slot(self) -> "OrderCreate":
        if parse_clock(self.deliver_from) > parse_clock(self.deliver_to):
            raise ValueError("deliver_to: the slot ends before it begins")
        return self


class CancelBody(BaseModel):
    """Why an order is cancelled."""

    reason: str = Field(min_length=1)


class OrderPublic(BaseModel):
    """An order: the customer's point and address, the parcel, the day and slot, and
    how far it got (``status``, with the reason of a cancel or a failure)."""

    order_id: str
    shop_id: str | None
    basket_id: str | None
    customer_lon: float
    customer_lat: float
    customer_address: str | None
    weight_kg: float
    volume_l: float
    date: dt.date
    ready_at: ClockText | None
    deliver_from: ClockText
    deliver_to: ClockText
    status: OrderStatus
    status_reason: str | None


class OrdersPublic(BaseModel):
    """The orders of a day or a span, oldest day first, and how many."""

    model_config = ConfigDict(validate_by_name=True)

    from_: dt.date = Field(validation_alias="from", serialization_alias="from")
    to: dt.date
    count: int
    orders: list[OrderPublic]


class OrdersImported(BaseModel):
    """How many orders a CSV added, and their ids in file order."""

    imported: int
    order_ids: list[str]


def order_public(order: Order) -> OrderPublic:
    """An order row as the API shows it."""
    point = to_shape(order.customer_location)
    return OrderPublic(
        order_id=order.id,
        shop_id=order.shop_id,
        basket_id=order.basket_id,
        customer_lon=point.x,
        customer_lat=point.y,
        customer_address=order.customer_address,
        weight_kg=order.weight_kg,
        volume_l=order.volume_l,
        date=order.delivery_date,
        ready_at=hhmm(order.ready_at),
        deliver_from=hhmm(order.deliver_from),
        deliver_to=hhmm(order.deliver_to),
        status=OrderStatus(order.status),
        status_reason=order.status_reason,
    )
