"""The HTTP API under ``/api`` (FastAPI; OpenAPI at ``/docs``): bearer tokens with roles,
shops, couriers and orders so far.

Every error is JSON ``{"error": ..., "detail": ...}`` with the status that says what
went wrong: 401 without a valid token, 403 for a role that may not call the endpoint,
404 for what does not exist *or is not the caller's* (a shop never learns that another
shop's order exists), 409 for a clash with what is stored, 422 for a malformed body
(``detail`` lists each field and its problem).
"""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from geoalchemy2.shape import from_shape, to_shape
from pydantic import BaseModel, Field, field_validator, model_validator
from shapely.geometry import Point
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from logistics.inputs import Order as OrderInput
from logistics.store.db import make_engine
from logistics.store.models import Courier, Order, OrderStatus, Role, Shop, User
from logistics.store.order_status import StatusError, move_order
from logistics.store.orders import OrderRefusedError, add_order
from logistics.store.users import user_for_token
from logistics.timeofday import clock_time, parse_clock


class ApiError(Exception):
    """An expected failure with its HTTP status; rendered by one handler."""

    def __init__(self, status: int, error: str, detail: object) -> None:
        self.status, self.error, self.detail = status, error, detail
        super().__init__(f"{error}: {detail}")


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


def _order_public(order: Order) -> dict[str, Any]:
    point = to_shape(order.customer_location)
    return {
        "order_id": order.id,
        "shop_id": order.shop_id,
        "basket_id": order.basket_id,
        "customer_lon": point.x,
        "customer_lat": point.y,
        "weight_kg": order.weight_kg,
        "volume_l": order.volume_l,
        "date": order.delivery_date.isoformat(),
        "ready_at": order.ready_at.strftime("%H:%M") if order.ready_at else None,
        "deliver_from": order.deliver_from.strftime("%H:%M"),
        "deliver_to": order.deliver_to.strftime("%H:%M"),
        "status": order.status,
        "status_reason": order.status_reason,
    }


def create_app(database_url: str | None = None, engine: Engine | None = None) -> FastAPI:
    """The application, on the store at ``database_url`` (default ``$DATABASE_URL``)."""
    app = FastAPI(title="Douai delivery", docs_url="/docs", openapi_url="/api/openapi.json")
    app.state.engine = engine or make_engine(database_url)
    factory = sessionmaker(app.state.engine, expire_on_commit=False)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ()) if x not in ("body",)]
            message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            field, sep, rest = message.partition(": ")
            if sep and " " not in field:
                loc, message = [field], rest
            fields.append({"field": ".".join(loc) or "body", "problem": message})
        return JSONResponse({"error": "invalid", "detail": fields}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": "http", "detail": exc.detail}, status_code=exc.status_code)

    def session() -> Iterator[Session]:
        s = factory()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    session_dep = Annotated[Session, Depends(session)]

    def current_user(
        db: session_dep, authorization: Annotated[str | None, Header()] = None
    ) -> User:
        scheme, _, token = (authorization or "").partition(" ")
        user = user_for_token(db, token.strip()) if scheme.lower() == "bearer" and token else None
        if user is None:
            raise ApiError(401, "unauthorized", "a valid bearer token is needed")
        return user

    def role(*roles: Role) -> Callable[..., User]:
        def check(user: Annotated[User, Depends(current_user)]) -> User:
            if user.role not in {r.value for r in roles}:
                raise ApiError(403, "forbidden", f"a {user.role} token cannot do this")
            return user

        return check

    def own_order(db: Session, user: User, order_id: str) -> Order:
        order = db.get(Order, order_id)
        if order is None or (user.role == Role.SHOP and order.shop_id != user.shop_id):
            raise ApiError(404, "not_found", f"no order {order_id!r}")
        return order

    @app.post("/api/shops", status_code=201, tags=["shops"])
    def create_shop(
        body: ShopCreate, db: session_dep, _: Annotated[User, Depends(role(Role.DISPATCHER))]
    ) -> dict[str, Any]:
        """Add a shop (dispatcher)."""
        if db.get(Shop, body.shop_id) is not None:
            raise ApiError(409, "conflict", f"shop_id: {body.shop_id!r} exists already")
        db.add(Shop(
            id=body.shop_id, name=body.name, location=from_shape(Point(body.lon, body.lat), 4326),
            opens=clock_time(parse_clock(body.opens)), closes=clock_time(parse_clock(body.closes)),
        ))
        return body.model_dump()

    @app.post("/api/couriers", status_code=201, tags=["couriers"])
    def create_courier(
        body: CourierCreate, db: session_dep, _: Annotated[User, Depends(role(Role.DISPATCHER))]
    ) -> dict[str, Any]:
        """Add a courier (dispatcher)."""
        if db.get(Courier, body.courier_id) is not None:
            raise ApiError(409, "conflict", f"courier_id: {body.courier_id!r} exists already")
        start = Point(body.start_lon, body.start_lat)
        end = start if body.end_lon is None else Point(body.end_lon, body.end_lat)
        db.add(Courier(
            id=body.courier_id, mode=body.mode, capacity_kg=body.capacity_kg,
            capacity_l=body.capacity_l, shift_start=clock_time(parse_clock(body.shift_start)),
            shift_end=clock_time(parse_clock(body.shift_end)), start=from_shape(start, 4326),
            end=from_shape(end, 4326),
        ))
        return body.model_dump()

    @app.post("/api/orders", status_code=201, tags=["orders"])
    def create_order(
        body: OrderCreate,
        db: session_dep,
        user: Annotated[User, Depends(role(Role.SHOP, Role.DISPATCHER))],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> JSONResponse:
        """Add an order (a shop for itself, a dispatcher for any shop or the hub); a
        retry with the same ``Idempotency-Key`` returns the first order (200)."""
        shop_id = body.shop_id
        if user.role == Role.SHOP:
            if shop_id not in (None, user.shop_id):
                raise ApiError(403, "forbidden", f"shop_id: a token of {user.shop_id!r} cannot order for {shop_id!r}")
            shop_id = user.shop_id
        order = OrderInput(
            body.order_id, shop_id, body.basket_id, body.customer_lon, body.customer_lat,
            body.weight_kg, body.volume_l, parse_clock(body.ready_at) if body.ready_at else 0,
            parse_clock(body.deliver_from), parse_clock(body.deliver_to),
        )
        try:
            row, created = add_order(
                db, order, delivery_date=body.date, idempotency_key=idempotency_key, user_id=user.id
            )
        except OrderRefusedError as e:
            status = 409 if e.conflict else 422
            raise ApiError(status, "conflict" if e.conflict else "invalid", str(e)) from None
        return JSONResponse(_order_public(row), status_code=201 if created else 200)

    @app.get("/api/orders/{order_id}", tags=["orders"])
    def get_order(
        order_id: str, db: session_dep,
        user: Annotated[User, Depends(role(Role.SHOP, Role.DISPATCHER))],
    ) -> dict[str, Any]:
        """One order: a shop sees only its own."""
        return _order_public(own_order(db, user, order_id))

    @app.post("/api/orders/{order_id}/cancel", tags=["orders"])
    def cancel_order(
        order_id: str, body: CancelBody, db: session_dep,
        user: Annotated[User, Depends(role(Role.SHOP, Role.DISPATCHER))],
    ) -> dict[str, Any]:
        """Cancel an order not yet picked up, with a reason."""
        order = own_order(db, user, order_id)
        try:
            move_order(db, order, OrderStatus.CANCELLED, reason=body.reason, user_id=user.id)
        except StatusError as e:
            raise ApiError(409, "conflict", str(e)) from None
        return _order_public(order)

    return app
