"""Request bodies (the CSV columns of ``douai-delivery plan``) and public views of rows."""

import datetime as dt
from typing import Any, Literal

from geoalchemy2.shape import to_shape
from pydantic import BaseModel, Field, field_validator, model_validator

from logistics.store.models import Order
from logistics.timeofday import parse_clock


def _clock(value: str, field: str) -> int:
    try:
        return parse_clock(value)
    except ValueError as e:
        msg = f"{field}: {e}"
        raise ValueError(msg) from None


class ShopCreate(BaseModel):
    """A shop, with the columns of ``shops.csv``."""

    shop_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    opens: str
    closes: str

    @model_validator(mode="after")
    def _hours(self) -> "ShopCreate":
        if _clock(self.opens, "opens") > _clock(self.closes, "closes"):
            raise ValueError("closes: the shop closes before it opens")
        return self


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


class CourierCreate(BaseModel):
    """A courier, with the columns of ``couriers.csv`` (no end point: back to the start)."""

    courier_id: str = Field(min_length=1, max_length=64)
    mode: Literal["cargo_bike", "foot"]
    capacity_kg: float = Field(ge=0)
    capacity_l: float = Field(ge=0)
    shift_start: str
    shift_end: str
    start_lon: float = Field(ge=-180, le=180)
    start_lat: float = Field(ge=-90, le=90)
    end_lon: float | None = Field(default=None, ge=-180, le=180)
    end_lat: float | None = Field(default=None, ge=-90, le=90)

    @model_validator(mode="after")
    def _shift(self) -> "CourierCreate":
        if _clock(self.shift_start, "shift_start") >= _clock(self.shift_end, "shift_end"):
            raise ValueError("shift_end: the shift ends before it starts")
        if (self.end_lon is None) != (self.end_lat is None):
            raise ValueError("end_lon: give both end_lon and end_lat, or neither")
        return self


class CancelBody(BaseModel):
    reason: str = Field(min_length=1)


def order_public(order: Order) -> dict[str, Any]:
    point = to_shape(order.customer_location)
    return {
        "order_id": order.id,
        "shop_id": order.shop_id,
        "basket_id": order.basket_id,
        "customer_lon": point.x,
        "customer_lat": point.y,
        "customer_address": order.customer_address,
        "weight_kg": order.weight_kg,
        "volume_l": order.volume_l,
        "date": order.delivery_date.isoformat(),
        "ready_at": order.ready_at.strftime("%H:%M") if order.ready_at else None,
        "deliver_from": order.deliver_from.strftime("%H:%M"),
        "deliver_to": order.deliver_to.strftime("%H:%M"),
        "status": order.status,
        "status_reason": order.status_reason,
    }
