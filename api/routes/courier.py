"""The courier's phone: today's round, what happened at each stop, where the courier is;
and the couriers' latest positions for the dispatcher's live map."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from couriers.positions import latest_positions, store_positions
from couriers.round_view import (
    courier_round,
    event_public,
    next_stop_id,
    round_stops,
    round_view,
)
from couriers.stop_events import EventReport, address_elsewhere, record_event
from logistics import clock, limits
from logistics.jobs.celery_app import APPLY_CHANGES
from logistics.store.models import StopEventType, User

from ..deps import CourierUser, Dispatcher, SessionDep
from ..errors import ApiError, not_found
from ..schemas import (
    CourierPositions,
    CourierRound,
    CourierStop,
    EventRecorded,
    PlaceBody,
    PositionsCreate,
    PositionsStored,
    RowId,
    StopEventCreate,
    error_responses,
)
from .plans import send

router = APIRouter(prefix="/api", tags=["courier"])


def _courier_id(user: User) -> str:
    if user.courier_id is None:  # the store's check constraint forbids it
        raise ApiError(403, "forbidden", "this courier token names no courier")
    return user.courier_id


@router.get(
    "/couriers/me/round",
    responses=error_responses(401, 403, 404, 422, notes={
        404: "No round of the caller on that day (no plan in force, or none of its rounds).",
    }),
)
def my_round(
    db: SessionDep,
    user: CourierUser,
    date: Annotated[dt.date | None, Query(description="the day (default today, local time)")] = None,
) -> CourierRound:
    """The caller's round in the plan in force on ``date``: stops in order, the next one."""
    day = limits.check_read_day("date", date) if date is not None else clock.today()
    rnd = courier_round(db, _courier_id(user), day)
    if rnd is None:
        raise not_found("date", f"no round for you on {day.isoformat()} (no plan in force, or none of its rounds is yours)")
    return CourierRound.model_validate(round_view(db, rnd))


@router.post(
    "/stops/{stop_id}/events",
    status_code=201,
    responses={
        200: {"model": EventRecorded, "description": "A retry of an event already recorded: the first one."},
        **error_responses(401, 403, 404, 409, 422, notes={
            404: "No such stop on a round of the caller in the plan in force.",
            409: "The event is out of order, or does not belong to this kind of stop.",
            422: "A bad body, or an instant on another day than the round's.",
        }),
    },
)
def post_stop_event(
    stop_id: RowId, body: StopEventCreate, request: Request, response: Response, db: SessionDep,
    user: CourierUser,
) -> EventRecorded:
    """Report an event at a stop of the caller's round (201; a retry: 200, the first event)."""
    report = EventReport(StopEventType(body.type), body.reason, body.at, body.lon, body.lat)
    done = record_event(db, stop_id, _courier_id(user), report, user_id=user.id)
    if done.replan is not None:
        # Parcels not ready, or a failed parcel to bring back: after this commit, the
        # worker inserts them again (or adds the return stop).
        db.commit()
        send(request, APPLY_CHANGES, done.replan)
    stops = round_stops(db, done.round)
    stop = next(s for s in stops if s["stop_id"] == done.event.stop_id)
    if not done.created:
        response.status_code = 200
    return EventRecorded.model_validate(
        {"event": event_public(done.event), "stop": stop, "next_stop_id": next_stop_id(stops)}
    )


@router.post(
    "/stops/{stop_id}/address-elsewhere",
    responses=error_responses(401, 403, 404, 409, 422, notes={
        404: "No such stop on a round of the caller in the plan in force.",
        409: "Not a hand-over.",
    }),
)
def post_address_elsewhere(
    stop_id: RowId, body: PlaceBody, db: SessionDep, user: CourierUser,
) -> CourierStop:
    """"L'adresse est ailleurs": the customer of this hand-over is at (lon, lat), where
    the courier is; the address is corrected for later orders."""
    stop = address_elsewhere(db, stop_id, _courier_id(user), body.lon, body.lat)
    db.flush()
    stops = round_stops(db, stop.round)
    return CourierStop.model_validate(next(s for s in stops if s["stop_id"] == stop.id))


@router.post("/couriers/me/positions", status_code=201, responses=error_responses(401, 403, 422))
def post_positions(body: PositionsCreate, db: SessionDep, user: CourierUser) -> PositionsStored:
    """Store the caller's position, or the queue of positions a phone kept offline."""
    return PositionsStored(stored=store_positions(db, _courier_id(user), body.fixes()))


@router.get("/couriers/positions", responses=error_responses(401, 403, 422))
def couriers_positions(
    db: SessionDep,
    _: Dispatcher,
    date: Annotated[dt.date | None, Query(description="the day (default today, local time)")] = None,
) -> CourierPositions:
    """The latest position of each courier on ``date``, for the live map (dispatcher)."""
    day = limits.check_read_day("date", date) if date is not None else clock.today()
    return CourierPositions.model_validate({"date": day, "positions": latest_positions(db, day)})
