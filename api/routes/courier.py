"""The courier's phone: today's round, what happened at each stop, where the courier is;
and the couriers' latest positions for the dispatcher's live map."""

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

from couriers.positions import Fix, latest_positions, store_positions
from couriers.round_view import (
    courier_round,
    event_public,
    next_stop_id,
    round_stops,
    round_view,
)
from couriers.stop_events import EventReport, record_event
from logistics import clock
from logistics.store.models import StopEventType, User

from ..deps import CourierUser, Dispatcher, SessionDep
from ..errors import ApiError, not_found

router = APIRouter(prefix="/api", tags=["courier"])

#: the most positions one request stores (a phone's offline queue)
MAX_POSITIONS = 500

Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]


class StopEventCreate(BaseModel):
    """An event at a stop; ``at`` without a zone is local time, none is now."""

    type: Literal["arrived", "picked_up", "delivered", "failed"]
    reason: str | None = Field(default=None, max_length=1000)
    at: dt.datetime | None = None
    lon: Lon | None = None
    lat: Lat | None = None

    @model_validator(mode="after")
    def _rules(self) -> "StopEventCreate":
        if self.lon is not None and self.lat is None:
            raise ValueError("lat: give both lon and lat, or neither")
        if self.lat is not None and self.lon is None:
            raise ValueError("lon: give both lon and lat, or neither")
        if self.type == "failed" and not (self.reason and self.reason.strip()):
            raise ValueError("reason: a failed event needs a reason (what went wrong)")
        return self


class PositionCreate(BaseModel):
    lon: Lon
    lat: Lat
    at: dt.datetime | None = None


class PositionsCreate(BaseModel):
    """One position (``lon``, ``lat``, ``at``) or a list of them (``positions``)."""

    lon: Lon | None = None
    lat: Lat | None = None
    at: dt.datetime | None = None
    positions: list[PositionCreate] | None = Field(default=None, min_length=1, max_length=MAX_POSITIONS)

    @model_validator(mode="after")
    def _one_form(self) -> "PositionsCreate":
        single = (self.lon, self.lat, self.at) != (None, None, None)
        if self.positions is not None and single:
            raise ValueError("positions: send one position (lon, lat, at) or a list of positions, not both")
        if self.positions is None:
            if self.lon is None:
                raise ValueError("lon: required (or send a list of positions)")
            if self.lat is None:
                raise ValueError("lat: required (or send a list of positions)")
            self.positions = [PositionCreate(lon=self.lon, lat=self.lat, at=self.at)]
        return self

    def fixes(self) -> list[Fix]:
        return [Fix(p.lon, p.lat, p.at) for p in self.positions or ()]


def _courier_id(user: User) -> str:
    if user.courier_id is None:  # the store's check constraint forbids it
        raise ApiError(403, "forbidden", "this courier token names no courier")
    return user.courier_id


@router.get("/couriers/me/round")
def my_round(
    db: SessionDep,
    user: CourierUser,
    date: Annotated[dt.date | None, Query(description="the day (default today, local time)")] = None,
) -> dict[str, Any]:
    """The caller's round in the plan in force on ``date``: stops in order, the next one."""
    day = date or clock.today()
    rnd = courier_round(db, _courier_id(user), day)
    if rnd is None:
        raise not_found("date", f"no round for you on {day.isoformat()} (no plan in force, or none of its rounds is yours)")
    return round_view(db, rnd)


@router.post("/stops/{stop_id}/events", status_code=201)
def post_stop_event(stop_id: int, body: StopEventCreate, db: SessionDep, user: CourierUser) -> JSONResponse:
    """Report an event at a stop of the caller's round (201; a retry: 200, the first event)."""
    report = EventReport(StopEventType(body.type), body.reason, body.at, body.lon, body.lat)
    done = record_event(db, stop_id, _courier_id(user), report, user_id=user.id)
    stops = round_stops(db, done.round)
    stop = next(s for s in stops if s["stop_id"] == done.event.stop_id)
    body_out = {"event": event_public(done.event), "stop": stop, "next_stop_id": next_stop_id(stops)}
    return JSONResponse(body_out, status_code=201 if done.created else 200)


@router.post("/couriers/me/positions", status_code=201)
def post_positions(body: PositionsCreate, db: SessionDep, user: CourierUser) -> dict[str, int]:
    """Store the caller's position, or the queue of positions a phone kept offline."""
    return {"stored": store_positions(db, _courier_id(user), body.fixes())}


@router.get("/couriers/positions")
def couriers_positions(
    db: SessionDep,
    _: Dispatcher,
    date: Annotated[dt.date | None, Query(description="the day (default today, local time)")] = None,
) -> dict[str, Any]:
    """The latest position of each courier on ``date``, for the live map (dispatcher)."""
    day = date or clock.today()
    return {"date": day.isoformat(), "positions": latest_positions(db, day)}
