"""The platform's tables: shops, orders and their events, couriers, plans, rounds, stops,
stop events, courier positions, API users and the service area the workers plan on.

Geometry is SRID 4326 (WGS 84 longitude/latitude) with a GiST index on every column, so
that "orders near this street" or "couriers in the centre" are index scans. Nothing is
overwritten where history matters: an order's status changes append an
:class:`OrderEvent`, a stop's progress appends a :class:`StopEvent`, a courier's
position appends a :class:`CourierPosition`. A plan keeps the inputs and the solver
settings it was solved with, so that it can be audited and solved again.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import secrets
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Constraint names that migrations can refer to (Alembic needs stable names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



def _finite(value: Any) -> Any:
    """``value`` with every float that is not finite as None, in lists and dicts too."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class FiniteJSONB(TypeDecorator[Any]):
    """JSONB that writes a number that is not finite as null: PostgreSQL's JSON has no
    NaN or Infinity, and a plan's inputs copied from a row stored before the checks
    (a weight of NaN) must not fail the whole plan when it is saved."""

    impl = JSONB
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return _finite(value)


JSONType = JSON().with_variant(FiniteJSONB(), "postgresql")


def _point() -> Geometry:
    return Geometry("POINT", srid=4326, spatial_index=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OrderStatus(enum.StrEnum):
    RECEIVED = "received"
    PLANNED = "planned"
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class PlanStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SOLVED = "solved"
    FAILED = "failed"


class Role(enum.StrEnum):
    SHOP = "shop"
    DISPATCHER = "dispatcher"
    COURIER = "courier"
    CITY = "city"


class StopEventType(enum.StrEnum):
    ARRIVED = "arrived"
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    FAILED = "failed"
    #: a parcel that failed on the way, handed back at its shop (or the hub)
    RETURNED = "returned"


def _now() -> Any:
    return func.now()


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: street address, shown to couriers (optional: the point is what the planner uses)
    address: Mapped[str | None] = mapped_column(Text)
    location: Mapped[Any] = mapped_column(_point())
    opens: Mapped[dt.time] = mapped_column(Time)
    closes: Mapped[dt.time] = mapped_column(Time)
    #: the parcel preset (``logistics.parcels``) its marketplace orders count as when
    #: their items say no weight or volume
    default_parcel: Mapped[str] = mapped_column(String(16), server_default="petit_colis")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    #: when the dispatcher retired the shop: it takes no new orders; the row stays for
    #: the history of its orders
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("opens <= closes", name="opens_before_closes"),)


class Courier(Base):
    __tablename__ = "couriers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    capacity_kg: Mapped[float] = mapped_column(Float)
    capacity_l: Mapped[float] = mapped_column(Float)
    shift_start: Mapped[dt.time] = mapped_column(Time)
    shift_end: Mapped[dt.time] = mapped_column(Time)
    start: Mapped[Any] = mapped_column(_point())
    end: Mapped[Any] = mapped_column(_point())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    #: when the dispatcher retired the courier: in no new plan's fleet; the row stays for
    #: the history of their rounds
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("mode IN ('cargo_bike', 'foot')", name="known_mode"),
        CheckConstraint("capacity_kg >= 0 AND capacity_l >= 0", name="capacity_not_negative"),
        CheckConstraint("shift_start < shift_end", name="shift_starts_before_end"),
    )


#: a platform-wide order or basket id: a namespace of at most 64 characters, ``:``, a
#: reference of at most 64 (:data:`logistics.limits.PUBLIC_ID_LENGTH`)
PUBLIC_ID = String(129)


def new_tracking_token() -> str:
    """A tracking link's key: 24 random bytes, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


class Order(Base):
    """An order: a parcel from a shop (or the hub) to a customer, on a day, in a slot.

    Ids are scoped (:mod:`logistics.ids`). ``shop_ref`` is the order's id as its poster
    gave it, in its owner's namespace: the shop's own (whoever posted it), or the hub's
    for a parcel the dispatcher posted without a shop; it is unique per
    ``(shop_id, shop_ref)``. ``id`` is the public id, unique across the platform by
    construction: ``<shop_id>:<shop_ref>``, or ``~hub:<shop_ref>`` for a parcel at the
    hub. The planner, plans, stops, the couriers' and the dispatcher's views use ``id``;
    a shop reads and cancels its orders by either. ``basket_id`` is public too:
    ``<shop_id>:<ref>`` for a basket a shop formed of its own orders (it holds no other
    shop's), ``~dispatch:<ref>`` for one the dispatcher formed, across shops or not. Shop
    ids and references take no ``:`` nor ``~`` (:data:`logistics.limits.ID_PATTERN`), so
    no shop can name, reach or block another party's order or basket.
    """

    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(PUBLIC_ID, primary_key=True)
    shop_id: Mapped[str | None] = mapped_column(ForeignKey("shops.id"), index=True)
    #: the order's id in its owner's namespace, as its poster gave it
    shop_ref: Mapped[str] = mapped_column(String(64))
    basket_id: Mapped[str | None] = mapped_column(PUBLIC_ID, index=True)
    customer_location: Mapped[Any] = mapped_column(_point())
    #: street address and name shown to the courier who hands the parcel over
    customer_address: Mapped[str | None] = mapped_column(Text)
    #: how the address was placed: the geocoder's label, score and source (null: the
    #: poster gave the point)
    address_label: Mapped[str | None] = mapped_column(Text)
    address_score: Mapped[float | None] = mapped_column(Float)
    address_source: Mapped[str | None] = mapped_column(String(16))
    #: the customer, for the courier at the door (never shown to the city)
    customer_name: Mapped[str | None] = mapped_column(Text)
    customer_phone: Mapped[str | None] = mapped_column(String(32))
    customer_email: Mapped[str | None] = mapped_column(String(254))
    delivery_notes: Mapped[str | None] = mapped_column(Text)
    weight_kg: Mapped[float] = mapped_column(Float)
    volume_l: Mapped[float] = mapped_column(Float)
    delivery_date: Mapped[dt.date] = mapped_column(Date, index=True)
    ready_at: Mapped[dt.time | None] = mapped_column(Time)
    deliver_from: Mapped[dt.time] = mapped_column(Time)
    deliver_to: Mapped[dt.time] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.RECEIVED, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    #: set when its personal data (address, home point, free texts) was erased
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: the key a shop sent with the order: a retry with the same key returns this order
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    #: the key of the customer's public tracking link ``/t/{token}``: 192 random bits,
    #: not derived from the order's id
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_tracking_token)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())

    shop: Mapped[Shop | None] = relationship()
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("shop_id", "idempotency_key", name="uq_orders_shop_idempotency"),
        UniqueConstraint("shop_id", "shop_ref", name="uq_orders_shop_ref"),
        # The public id is the owner's namespace and the reference (logistics.ids).
        CheckConstraint("id = coalesce(shop_id, '~hub') || ':' || shop_ref", name="public_id"),
        CheckConstraint("weight_kg >= 0 AND volume_l >= 0", name="load_not_negative"),
        CheckConstraint("deliver_from <= deliver_to", name="slot_in_order"),
        CheckConstraint(
            "status IN ('received', 'planned', 'picked_up', 'delivered', 'failed', 'cancelled')",
            name="known_status",
        ),
    )


class OrderEvent(Base):
    """One change of an order's status: who, when, from what to what, and why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(
        PUBLIC_ID, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Order] = relationship(back_populates="events")


class Plan(Base):
    """A day's planning job: its status and, for audit, what it was solved from and with."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.QUEUED)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: the shops, orders and couriers as the solver saw them (CSV columns, as JSON)
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: the plan document (as ``plan.json`` of the command line) once solved
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: set when a later plan of the same day is published in its place
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: how many changes (moves, late orders) were applied since it was solved
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    rounds: Mapped[list[Round]] = relationship(
        back_populates="plan", order_by="Round.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'solved', 'failed')", name="known_status"
        ),
        # One plan in force per day: the couriers' rounds come from it.
        Index(
            "uq_plans_day_in_force", "day", unique=True,
            postgresql_where=text("published_at IS NOT NULL AND withdrawn_at IS NULL"),
        ),
    )


class PlanChange(Base):
    """A change asked of a solved plan: an order moved to another courier, orders that
    arrived late to insert, or a courier absent from a time on. The worker applies or refuses it, with the reason, so that
    every change of a plan in force can be traced."""

    __tablename__ = "plan_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[str | None] = mapped_column(PUBLIC_ID, ForeignKey("orders.id"))
    courier_id: Mapped[str | None] = mapped_column(ForeignKey("couriers.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    #: the outcome as a stable code with its figures; ``detail`` words it in French
    reason: Mapped[str | None] = mapped_column(String(32))
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: an absence: from when the courier is off (seconds since midnight; None: now)
    absent_from: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("kind IN ('move', 'late_orders', 'absence')", name="known_kind"),
        CheckConstraint("status IN ('queued', 'applied', 'refused')", name="known_status"),
    )


class Round(Base):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    courier_id: Mapped[str] = mapped_column(ForeignKey("couriers.id"), index=True)
    courier: Mapped[Courier] = relationship()
    distance_m: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[int] = mapped_column(Integer)
    #: time on the way between stops (the rest is service and waiting)
    travel_s: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the courier was taken off the day (an absence): the stops done stay, no more follow
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    geometry: Mapped[Any] = mapped_column(
        Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=True
    )

    plan: Mapped[Plan] = relationship(back_populates="rounds")
    stops: Mapped[list[Stop]] = relationship(
        back_populates="round", order_by="Stop.seq", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("plan_id", "courier_id", name="uq_rounds_plan_courier"),)


class Stop(Base):
    __tablename__ = "stops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    order_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    shop_id: Mapped[str | None] = mapped_column(ForeignKey("shops.id"))
    location: Mapped[Any] = mapped_column(_point())
    arrival: Mapped[dt.time] = mapped_column(Time)
    departure: Mapped[dt.time] = mapped_column(Time)
    load_kg: Mapped[float] = mapped_column(Float)
    load_l: Mapped[float] = mapped_column(Float)
    #: the street path from the stop before (none for the first stop) and its metres,
    #: cut from the round's path: the kilometres ridden count stop by stop
    leg_m: Mapped[int | None] = mapped_column(Integer)
    leg: Mapped[Any] = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=True)

    round: Mapped[Round] = relationship(back_populates="stops")

    __table_args__ = (
        UniqueConstraint("round_id", "seq", name="uq_stops_round_seq"),
        CheckConstraint(
            "kind IN ('start', 'pickup', 'delivery', 'return', 'end')", name="known_kind"
        ),
    )


class StopEvent(Base):
    """What happened at a stop, when, where and by whom; one row per event type."""

    __tablename__ = "stop_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("stops.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[Any] = mapped_column(_point(), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())

    __table_args__ = (
        # A retried event finds its first copy instead of writing a second one.
        UniqueConstraint("stop_id", "type", name="uq_stop_events_stop_type"),
        CheckConstraint(
            "type IN ('arrived', 'picked_up', 'delivered', 'failed', 'returned')",
            name="known_type",
        ),
    )


class CourierPosition(Base):
    __tablename__ = "courier_positions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    courier_id: Mapped[str] = mapped_column(ForeignKey("couriers.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    location: Mapped[Any] = mapped_column(_point())


class User(Base):
    """An API user: a role, the shop or courier it speaks for, and its token's hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    role: Mapped[str] = mapped_column(String(16))
    shop_id: Mapped[str | None] = mapped_column(ForeignKey("shops.id"))
    courier_id: Mapped[str | None] = mapped_column(ForeignKey("couriers.id"))
    #: SHA-256 of the bearer token; the token itself is shown once and never stored
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    #: who holds it, in words ("Boulangerie Dupont, comptoir")
    label: Mapped[str | None] = mapped_column(String(200))
    #: after this instant the token is refused (None: never)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: set when the token is revoked (or replaced by rotation): refused from then on
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(
            "role IN ('shop', 'dispatcher', 'courier', 'city')", name="known_role"
        ),
        CheckConstraint("role <> 'shop' OR shop_id IS NOT NULL", name="shop_user_has_shop"),
        CheckConstraint(
            "role <> 'courier' OR courier_id IS NOT NULL", name="courier_user_has_courier"
        ),
    )


class UserSession(Base):
    """A short-lived token a page gets for a user's token (``POST /api/sessions``), so
    that the long-lived one is never kept by a browser."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class GeocodedAddress(Base):
    """An address text as answered once (by a source, or corrected by a person): the
    folded text, the point, the label and score, where it came from."""

    __tablename__ = "geocoded_addresses"

    query: Mapped[str] = mapped_column(Text, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))
    location: Mapped[Any] = mapped_column(_point())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())

    __table_args__ = (
        CheckConstraint("source IN ('osm', 'ban', 'manual')", name="known_source"),
    )


class ServiceArea(Base):
    """The bounds of a street network a worker plans on, one row per network source,
    recorded each time a worker loads it; the newest row is the service area the API
    checks points against (:mod:`logistics.store.service_area`)."""

    __tablename__ = "service_area"

    #: the network's source (``OSM_SOURCE``: a place name or a file)
    source: Mapped[str] = mapped_column(Text, primary_key=True)
    west: Mapped[float] = mapped_column(Float)
    south: Mapped[float] = mapped_column(Float)
    east: Mapped[float] = mapped_column(Float)
    north: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())

    __table_args__ = (
        CheckConstraint("west <= east AND south <= north", name="bounds_in_order"),
    )


class ImportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(Base):
    """A CSV import too big to run in its request: the file waits here for the worker,
    which stores its orders all or none and writes down the outcome (``result``). The
    file holds customers' addresses and points: it is deleted once the job is finished."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    #: who posted it
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the shop whose file it is (None: the dispatcher's, for any shop)
    shop_id: Mapped[str | None] = mapped_column(ForeignKey("shops.id"))
    #: the delivery day of every row (the request's, else the day it was posted)
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.QUEUED)
    #: the file as posted; None once the job is finished
    csv: Mapped[bytes | None] = mapped_column()
    #: its data rows
    rows: Mapped[int] = mapped_column(Integer)
    #: how many times a worker took it (one that dies on it three times fails it)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: done: ``{"imported", "order_ids", "shop_refs"}``; failed: ``{"error", "field",
    #: "problem", "row"}``
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="known_status"
        ),
    )


class Webhook(Base):
    """A receiver of order events: a shop's (its own orders) or the dispatcher's
    (``shop_id`` null: every order). ``secret`` signs each delivery (HMAC-SHA256)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text)
    #: the events it wants (``order.planned``, ``order.picked_up``, ...)
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    secret: Mapped[str] = mapped_column(String(64))
    shop_id: Mapped[str | None] = mapped_column(ForeignKey("shops.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Message(Base):
    """The outbox (:mod:`logistics.store.outbox`): one message to send, queued in the
    transaction of what it tells, sent by the worker. ``key`` makes it once."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    #: ``email``, ``sms`` or ``webhook``
    channel: Mapped[str] = mapped_column(String(16))
    #: the customer's moment (``planned``, ``on_the_way``, ...) or the webhook event
    event: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str | None] = mapped_column(PUBLIC_ID, ForeignKey("orders.id", ondelete="SET NULL"),
                                                 index=True)
    hook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id"), index=True)
    #: an e-mail address, a phone (international digits) or a URL; a customer's is
    #: erased with the order's personal data
    target: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    #: ``pending``, ``sending``, ``sent``, ``failed`` (given up) or ``skipped``
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name="known_status"),
        Index("ix_messages_due", "status", "next_at"),
    )


class ContactOptOut(Base):
    """A customer who asked for no more messages: the SHA-256 of their e-mail or phone
    (normal form), never the contact itself."""

    __tablename__ = "contact_opt_outs"

    contact_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DeliveryProof(Base):
    """What the courier recorded at a hand-over: the recipient's name, a photo and a
    signature (JPEG or PNG, each with its SHA-256), and when."""

    __tablename__ = "delivery_proofs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("stops.id", ondelete="CASCADE"), unique=True)
    courier_id: Mapped[str] = mapped_column(ForeignKey("couriers.id"))
    recipient_name: Mapped[str | None] = mapped_column(Text)
    photo: Mapped[bytes | None] = mapped_column()
    photo_type: Mapped[str | None] = mapped_column(String(16))
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[bytes | None] = mapped_column()
    signature_type: Mapped[str | None] = mapped_column(String(16))
    signature_sha256: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=_now())


class SurveyAnswer(Base):
    """A customer's one answer, after delivery, to "Sans la livraison, comment seriez-vous
    venu(e) ?": ``car``, ``foot``, ``bike``, ``transit`` or ``none``. Kept with the
    delivery day only: the city's share of deliveries that replaced a car trip."""

    __tablename__ = "survey_answers"

    order_id: Mapped[str] = mapped_column(PUBLIC_ID, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("mode IN ('car', 'foot', 'bike', 'transit', 'none')", name="known_mode"),
    )
