"""Shops and couriers, added, listed, changed and retired by the dispatcher.

A retired shop or courier stays in the store for the history of its orders and rounds:
a retired shop takes no new orders, a retired courier is in no new plan's fleet, and
neither is listed unless asked (``?retired=true``). A change is checked as a new shop
or courier would be, on the row as changed.
"""

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from geoalchemy2.shape import from_shape, to_shape
from pydantic import BaseModel, ValidationError
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from logistics.clock import hhmm, local_iso, time_of_day
from logistics.store.models import Courier, Shop
from logistics.store.retirement import retire
from logistics.store.service_area import check_in_area
from logistics.timeofday import parse_clock

from ..deps import Dispatcher, SessionDep
from ..errors import conflict, not_found
from ..schemas import (
    CourierCreate,
    CourierPublic,
    CouriersPublic,
    CourierUpdate,
    PathIdent,
    ShopCreate,
    ShopPublic,
    ShopsPublic,
    ShopUpdate,
    error_responses,
)

router = APIRouter(prefix="/api")

M = TypeVar("M", bound=BaseModel)
#: ``?retired=true``: the retired ones are listed too
Retired = Annotated[bool, Query(description="list the retired ones too")]


def _checked(model: type[M], values: dict[str, Any]) -> M:
    """``values`` (a row as changed) checked as a new one would be: a problem is a 422
    naming the field, as for a body."""
    try:
        return model.model_validate(values)
    except ValidationError as e:
        raise RequestValidationError(e.errors()) from None


def _retired_at(row: Shop | Courier) -> str | None:
    return local_iso(row.retired_at) if row.retired_at is not None else None


# --- shops -----------------------------------------------------------------------------


def _shop_values(shop: Shop) -> dict[str, Any]:
    """A stored shop as the body that adds it."""
    at = to_shape(shop.location)
    return {"shop_id": shop.id, "name": shop.name, "address": shop.address, "lon": at.x,
            "lat": at.y, "opens": hhmm(shop.opens), "closes": hhmm(shop.closes),
            "default_parcel": shop.default_parcel}


def _shop_public(shop: Shop) -> ShopPublic:
    return ShopPublic.model_validate({**_shop_values(shop), "retired_at": _retired_at(shop)})


def _set_shop(shop: Shop, body: ShopCreate) -> None:
    shop.name, shop.address = body.name, body.address
    shop.location = from_shape(Point(body.lon, body.lat), 4326)
    shop.opens = time_of_day(parse_clock(body.opens))
    shop.closes = time_of_day(parse_clock(body.closes))
    shop.default_parcel = body.default_parcel


def _shop(db: Session, shop_id: str) -> Shop:
    shop = db.get(Shop, shop_id, with_for_update=True)
    if shop is None:
        raise not_found("shop_id", f"no shop {shop_id!r}")
    return shop


_ON_A_SHOP = {404: "No shop of that id."}


@router.post(
    "/shops", status_code=201, tags=["shops"],
    responses=error_responses(401, 403, 409, 422, notes={
        409: "A shop of that id exists already (retired ones included).",
        422: "A bad body, or a point outside the service area.",
    }),
)
def create_shop(body: ShopCreate, db: SessionDep, _: Dispatcher) -> ShopPublic:
    """Add a shop (dispatcher)."""
    if db.get(Shop, body.shop_id) is not None:
        raise conflict("shop_id", f"{body.shop_id!r} exists already")
    check_in_area(db, "lon", "lat", body.lon, body.lat)
    shop = Shop(id=body.shop_id)
    _set_shop(shop, body)
    db.add(shop)
    return ShopPublic(**body.model_dump())


@router.get("/shops", tags=["shops"], responses=error_responses(401, 403, 422))
def list_shops(db: SessionDep, _: Dispatcher, retired: Retired = False) -> ShopsPublic:
    """The shops taking orders, by id (with ``retired=true``, the retired ones too)."""
    query = select(Shop).order_by(Shop.id)
    if not retired:
        query = query.where(Shop.retired_at.is_(None))
    shops = [_shop_public(s) for s in db.scalars(query)]
    return ShopsPublic(count=len(shops), shops=shops)


@router.patch(
    "/shops/{shop_id}", tags=["shops"],
    responses=error_responses(401, 403, 404, 409, 422, notes={
        **_ON_A_SHOP,
        409: "The shop is retired.",
        422: "A bad body (the shop as changed is checked as a new one), or a point "
             "outside the service area.",
    }),
)
def update_shop(shop_id: PathIdent, body: ShopUpdate, db: SessionDep, _: Dispatcher) -> ShopPublic:
    """Change a shop's name, address, point or hours; what is not sent stays (dispatcher)."""
    shop = _shop(db, shop_id)
    if shop.retired_at is not None:
        raise conflict("shop_id", f"{shop_id!r} is retired")
    change = body.model_dump(exclude_unset=True)
    changed = _checked(ShopCreate, {**_shop_values(shop), **change})
    if {"lon", "lat"} & change.keys():
        check_in_area(db, "lon", "lat", changed.lon, changed.lat)
    _set_shop(shop, changed)
    db.flush()
    return _shop_public(shop)


@router.delete(
    "/shops/{shop_id}", tags=["shops"],
    responses=error_responses(401, 403, 404, 422, notes=_ON_A_SHOP),
)
def retire_shop(shop_id: PathIdent, db: SessionDep, _: Dispatcher) -> ShopPublic:
    """Retire a shop: it takes no new orders; it and its orders stay for history
    (dispatcher). Retiring it again changes nothing."""
    shop = _shop(db, shop_id)
    retire(shop)
    db.flush()
    return _shop_public(shop)


# --- couriers --------------------------------------------------------------------------


def _courier_values(c: Courier) -> dict[str, Any]:
    """A stored courier as the body that adds them."""
    start, end = to_shape(c.start), to_shape(c.end)
    return {
        "courier_id": c.id, "mode": c.mode, "capacity_kg": c.capacity_kg,
        "capacity_l": c.capacity_l, "shift_start": hhmm(c.shift_start),
        "shift_end": hhmm(c.shift_end), "start_lon": start.x, "start_lat": start.y,
        "end_lon": end.x, "end_lat": end.y,
    }


def _courier_public(c: Courier) -> CourierPublic:
    return CourierPublic.model_validate({**_courier_values(c), "retired_at": _retired_at(c)})


def _set_courier(c: Courier, body: CourierCreate) -> None:
    start = Point(body.start_lon, body.start_lat)
    end = start if body.end_lon is None else Point(body.end_lon, body.end_lat)
    c.mode, c.capacity_kg, c.capacity_l = body.mode, body.capacity_kg, body.capacity_l
    c.shift_start = time_of_day(parse_clock(body.shift_start))
    c.shift_end = time_of_day(parse_clock(body.shift_end))
    c.start, c.end = from_shape(start, 4326), from_shape(end, 4326)


def _check_points(db: Session, body: CourierCreate, fields: set[str]) -> None:
    """The courier's start and end (those among ``fields``) in the service area."""
    if {"start_lon", "start_lat"} & fields:
        check_in_area(db, "start_lon", "start_lat", body.start_lon, body.start_lat)
    if {"end_lon", "end_lat"} & fields and body.end_lon is not None and body.end_lat is not None:
        check_in_area(db, "end_lon", "end_lat", body.end_lon, body.end_lat)


def _courier(db: Session, courier_id: str) -> Courier:
    c = db.get(Courier, courier_id, with_for_update=True)
    if c is None:
        raise not_found("courier_id", f"no courier {courier_id!r}")
    return c


_ON_A_COURIER = {404: "No courier of that id."}


@router.post(
    "/couriers", status_code=201, tags=["couriers"],
    responses=error_responses(401, 403, 409, 422, notes={
        409: "A courier of that id exists already (retired ones included).",
        422: "A bad body, or a point outside the service area.",
    }),
)
def create_courier(body: CourierCreate, db: SessionDep, _: Dispatcher) -> CourierPublic:
    """Add a courier (dispatcher)."""
    if db.get(Courier, body.courier_id) is not None:
        raise conflict("courier_id", f"{body.courier_id!r} exists already")
    _check_points(db, body, set(body.model_fields_set))
    c = Courier(id=body.courier_id)
    _set_courier(c, body)
    db.add(c)
    return CourierPublic(**body.model_dump())


@router.get("/couriers", tags=["couriers"], responses=error_responses(401, 403, 422))
def list_couriers(db: SessionDep, _: Dispatcher, retired: Retired = False) -> CouriersPublic:
    """The couriers at work, by id: mode, capacity, shift and start and end points
    (with ``retired=true``, the retired ones too) (dispatcher)."""
    query = select(Courier).order_by(Courier.id)
    if not retired:
        query = query.where(Courier.retired_at.is_(None))
    out = [_courier_public(c) for c in db.scalars(query)]
    return CouriersPublic(count=len(out), couriers=out)


@router.patch(
    "/couriers/{courier_id}", tags=["couriers"],
    responses=error_responses(401, 403, 404, 409, 422, notes={
        **_ON_A_COURIER,
        409: "The courier is retired.",
        422: "A bad body (the courier as changed is checked as a new one), or a point "
             "outside the service area.",
    }),
)
def update_courier(
    courier_id: PathIdent, body: CourierUpdate, db: SessionDep, _: Dispatcher
) -> CourierPublic:
    """Change a courier's mode, capacity, shift or points; what is not sent stays
    (dispatcher). A courier who ends where they start still does when the start moves;
    ``end_lon`` and ``end_lat`` null: back to the start."""
    c = _courier(db, courier_id)
    if c.retired_at is not None:
        raise conflict("courier_id", f"{courier_id!r} is retired")
    stored = _courier_values(c)
    if (stored["end_lon"], stored["end_lat"]) == (stored["start_lon"], stored["start_lat"]):
        stored["end_lon"] = stored["end_lat"] = None  # back to the start, wherever it is
    change = body.model_dump(exclude_unset=True)
    changed = _checked(CourierCreate, {**stored, **change})
    _check_points(db, changed, set(change))
    _set_courier(c, changed)
    db.flush()
    return _courier_public(c)


@router.delete(
    "/couriers/{courier_id}", tags=["couriers"],
    responses=error_responses(401, 403, 404, 422, notes=_ON_A_COURIER),
)
def retire_courier(courier_id: PathIdent, db: SessionDep, _: Dispatcher) -> CourierPublic:
    """Retire a courier: in no new plan's fleet; they and their rounds stay for history
    (dispatcher). Retiring them again changes nothing."""
    c = _courier(db, courier_id)
    retire(c)
    db.flush()
    return _courier_public(c)
