"""Shops and couriers, added (and the couriers listed) by the dispatcher."""

from fastapi import APIRouter
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select

from logistics.clock import hhmm, time_of_day
from logistics.store.models import Courier, Shop
from logistics.timeofday import parse_clock

from ..deps import Dispatcher, SessionDep
from ..errors import conflict
from ..schemas import (
    CourierCreate,
    CourierPublic,
    CouriersPublic,
    ShopCreate,
    ShopPublic,
    error_responses,
)

router = APIRouter(prefix="/api")


@router.post(
    "/shops", status_code=201, tags=["shops"],
    responses=error_responses(401, 403, 409, 422, notes={409: "A shop of that id exists already."}),
)
def create_shop(body: ShopCreate, db: SessionDep, _: Dispatcher) -> ShopPublic:
    """Add a shop (dispatcher)."""
    if db.get(Shop, body.shop_id) is not None:
        raise conflict("shop_id", f"{body.shop_id!r} exists already")
    db.add(Shop(
        id=body.shop_id, name=body.name, address=body.address, location=from_shape(Point(body.lon, body.lat), 4326),
        opens=time_of_day(parse_clock(body.opens)), closes=time_of_day(parse_clock(body.closes)),
    ))
    return ShopPublic(**body.model_dump())


@router.post(
    "/couriers", status_code=201, tags=["couriers"],
    responses=error_responses(401, 403, 409, 422, notes={409: "A courier of that id exists already."}),
)
def create_courier(body: CourierCreate, db: SessionDep, _: Dispatcher) -> CourierPublic:
    """Add a courier (dispatcher)."""
    if db.get(Courier, body.courier_id) is not None:
        raise conflict("courier_id", f"{body.courier_id!r} exists already")
    start = Point(body.start_lon, body.start_lat)
    end = start if body.end_lon is None else Point(body.end_lon, body.end_lat)
    db.add(Courier(
        id=body.courier_id, mode=body.mode, capacity_kg=body.capacity_kg,
        capacity_l=body.capacity_l, shift_start=time_of_day(parse_clock(body.shift_start)),
        shift_end=time_of_day(parse_clock(body.shift_end)), start=from_shape(start, 4326),
        end=from_shape(end, 4326),
    ))
    return CourierPublic(**body.model_dump())


@router.get("/couriers", tags=["couriers"], responses=error_responses(401, 403, 422))
def list_couriers(db: SessionDep, _: Dispatcher) -> CouriersPublic:
    """Every courier, by id: mode, capacity, shift and start and end points (dispatcher)."""
    rows = db.scalars(select(Courier).order_by(Courier.id)).all()
    out = []
    for c in rows:
        start, end = to_shape(c.start), to_shape(c.end)
        out.append(CourierPublic.model_validate({
            "courier_id": c.id, "mode": c.mode, "capacity_kg": c.capacity_kg,
            "capacity_l": c.capacity_l, "shift_start": hhmm(c.shift_start),
            "shift_end": hhmm(c.shift_end), "start_lon": start.x, "start_lat": start.y,
            "end_lon": end.x, "end_lat": end.y,
        }))
    return CouriersPublic(count=len(out), couriers=out)
