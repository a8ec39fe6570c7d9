"""Couriers: the bodies that add one and that the courier's phone sends (stop events,
positions), and what the API answers: the couriers, a courier's round with its stops,
an event recorded, the positions stored and the latest ones."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from couriers.positions import Fix
from logistics.plan_document import Mode, StopKind
from logistics.store.models import OrderStatus

from .common import (
    CapacityKg,
    CapacityL,
    ClockIn,
    ClockText,
    Instant,
    Lat,
    LineString,
    Lon,
    Moment,
    NewIdent,
    Reason,
    check_clock,
    point_problem,
)

#: the most positions one request stores (a phone's offline queue)
MAX_POSITIONS = 500

#: what happened at a stop, as the phone reports it
EventType = Literal["arrived", "picked_up", "delivered", "failed", "returned"]
#: how far a stop got, derived from its events and orders (:func:`couriers.round_view.stop_status`)
StopStatus = Literal["pending", "arrived", "done", "failed", "cancelled"]


# --- requests ------------------------------------------------------------------------


class CourierCreate(BaseModel):
    """A courier, with the columns of ``couriers.csv`` (no end point: back to the start)."""

    courier_id: NewIdent
    mode: Literal["cargo_bike", "foot"]
    capacity_kg: CapacityKg
    capacity_l: CapacityL
    shift_start: ClockIn
    shift_end: ClockIn
    start_lon: Lon
    start_lat: Lat
    end_lon: Lon | None = None
    end_lat: Lat | None = None

    @model_validator(mode="after")
    def _shift(self) -> "CourierCreate":
        if check_clock(self.shift_start, "shift_start") >= check_clock(self.shift_end, "shift_end"):
            raise ValueError("shift_end: the shift ends before it starts")
        if (self.end_lon is None) != (self.end_lat is None):
            raise ValueError("end_lon: give both end_lon and end_lat, or neither")
        problem = point_problem("start_lon", "start_lat", self.start_lon, self.start_lat)
        if problem is None and self.end_lon is not None and self.end_lat is not None:
            problem = point_problem("end_lon", "end_lat", self.end_lon, self.end_lat)
        if problem is not None:
            raise ValueError(problem)
        return self


class CourierUpdate(BaseModel):
    """What changes of a courier (the rest stays); the courier as changed is checked
    as a new one would be. ``end_lon`` and ``end_lat`` null: back to the start. The id
    cannot change."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["cargo_bike", "foot"] | None = None
    capacity_kg: CapacityKg | None = None
    capacity_l: CapacityL | None = None
    shift_start: ClockIn | None = None
    shift_end: ClockIn | None = None
    start_lon: Lon | None = None
    start_lat: Lat | None = None
    end_lon: Lon | None = None
    end_lat: Lat | None = None


class StopEventCreate(BaseModel):
    """An event at a stop; ``at`` without a zone is local time, none is now."""

    type: EventType
    reason: Reason | None = None
    at: Moment | None = None
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
        if self.lon is not None and self.lat is not None:
            problem = point_problem("lon", "lat", self.lon, self.lat)
            if problem is not None:
                raise ValueError(problem)
        return self


def _no_null_island(lon: float | None, lat: float | None, field: str = "") -> None:
    """A position at (0, 0) is a fix the phone did not have, not a place; ``field``
    names it (else the position's own place in the list does)."""
    if lon is not None and lat is not None and point_problem("lon", "lat", lon, lat):
        msg = f"{field}{': ' if field else ''}(0, 0) is not a place, the phone had no fix"
        raise ValueError(msg)


class PositionCreate(BaseModel):
    """One position of the phone; ``at`` without a zone is local time, none is now."""

    lon: Lon
    lat: Lat
    at: Moment | None = None

    @model_validator(mode="after")
    def _a_place(self) -> "PositionCreate":
        _no_null_island(self.lon, self.lat)
        return self


class PositionsCreate(BaseModel):
    """One position (``lon``, ``lat``, ``at``) or a list of them (``positions``)."""

    lon: Lon | None = None
    lat: Lat | None = None
    at: Moment | None = None
    positions: list[PositionCreate] | None = Field(default=None, min_length=1, max_length=MAX_POSITIONS)

    @model_validator(mode="after")
    def _one_form(self) -> "PositionsCreate":
        single = (self.lon, self.lat, self.at) != (None, None, None)
        if self.positions is not None and single:
            raise ValueError("positions: send one position (lon, lat, at) or a list of positions, not both")
        if self.positions is None:
            _no_null_island(self.lon, self.lat, "lon")
            if self.lon is None:
                raise ValueError("lon: required (or send a list of positions)")
            if self.lat is None:
                raise ValueError("lat: required (or send a list of positions)")
            self.positions = [PositionCreate(lon=self.lon, lat=self.lat, at=self.at)]
        return self

    def fixes(self) -> list[Fix]:
        """The positions as the store takes them."""
        return [Fix(p.lon, p.lat, p.at) for p in self.positions or ()]


# --- responses -----------------------------------------------------------------------


class CourierPublic(BaseModel):
    """A courier: mode, capacity, shift and start and end points (no end when added
    without one: back to the start), and when they were retired (null: they work)."""

    courier_id: str
    mode: Mode
    capacity_kg: float
    capacity_l: float
    shift_start: ClockText
    shift_end: ClockText
    start_lon: float
    start_lat: float
    end_lon: float | None
    end_lat: float | None
    retired_at: Instant | None = None


class CouriersPublic(BaseModel):
    """The couriers, by id, and how many."""

    count: int
    couriers: list[CourierPublic]


class EventPublic(BaseModel):
    """An event at a stop, as the stop lists it."""

    type: EventType
    at: Instant
    reason: str | None


class StopEventPublic(EventPublic):
    """An event recorded at a stop, with where it was reported (null: not said)."""

    event_id: int
    stop_id: int
    lon: float | None
    lat: float | None


class StopOrder(BaseModel):
    """An order picked up or handed over at a stop, and its status; at a hand-over, the
    customer the courier meets (name, phone, notes such as a door code), when known."""

    order_id: str
    shop_id: str | None
    shop_name: str | None
    weight_kg: float
    volume_l: float
    status: OrderStatus
    customer_name: str | None = None
    customer_phone: str | None = None
    delivery_notes: str | None = None


class StopWindow(BaseModel):
    """When a stop can be served: a shop's hours (or the last parcel's ``ready_at``)
    for a pick-up, the customer's slot for a hand-over."""

    model_config = ConfigDict(validate_by_name=True)

    from_: ClockText | None = Field(validation_alias="from", serialization_alias="from")
    to: ClockText | None


class CourierStop(BaseModel):
    """A stop as the courier's phone shows it: where, what to do, when (``HH:MM``),
    the load on leaving, its orders, its events and how far it got."""

    stop_id: int
    seq: int
    kind: StopKind
    #: the shop of a pick-up or of a return (null: the hub)
    shop_id: str | None = None
    action: Literal["pick_up", "hand_over", "bring_back"] | None
    status: StopStatus
    lon: float
    lat: float
    address: str | None
    window: StopWindow | None
    eta: ClockText
    departure: ClockText
    load_kg: float
    load_l: float
    orders: list[StopOrder]
    events: list[EventPublic]


class ParcelToReturn(BaseModel):
    """A parcel whose hand-over failed, still with the courier, and where it goes back
    (``shop``, or ``hub`` where the round ends)."""

    order_id: str
    to: Literal["shop", "hub"]


class RoundProperties(BaseModel):
    """Which round a path is."""

    round_id: int
    courier_id: str


class RoundFeature(BaseModel):
    """A round's street path as a GeoJSON Feature (null geometry: no path kept)."""

    type: Literal["Feature"] = "Feature"
    geometry: LineString | None
    properties: RoundProperties


class ProofAsked(BaseModel):
    """What the courier's page asks as proof (``PROOF_PHOTO_ON_FAILURE``)."""

    photo_on_failure: bool = True


class CourierRound(BaseModel):
    """The caller's round in the plan in force: its path, its stops in order and the
    next one to serve (null once none is left). ``withdrawn_at``: the dispatcher took
    the courier off the day then; the stops done stay, none follows. ``to_return``: the
    parcels whose hand-over failed and that are still on board: the round is not over
    until they are brought back (a return stop is added by the worker)."""

    plan_id: int
    plan_revision: int
    date: dt.date
    round_id: int
    courier_id: str
    mode: Mode | None
    distance_m: int
    duration_s: int
    geometry: RoundFeature
    next_stop_id: int | None
    stops: list[CourierStop]
    withdrawn_at: Instant | None = None
    to_return: list[ParcelToReturn] = []
    #: what the phone asks at a hand-over: ``photo_on_failure`` (a photo before "Échec")
    proof: ProofAsked = ProofAsked()


class EventRecorded(BaseModel):
    """The event stored (on a retry: the first one), its stop as it now stands and
    the next stop to serve."""

    event: StopEventPublic
    stop: CourierStop
    next_stop_id: int | None


class PositionsStored(BaseModel):
    """How many positions were new (copies of an instant already stored are skipped)."""

    stored: int


class PositionPublic(BaseModel):
    """A courier's latest position on the day."""

    courier_id: str
    lon: float
    lat: float
    at: Instant


class CourierPositions(BaseModel):
    """The latest position of each courier who sent one on ``date``, by courier."""

    date: dt.date
    positions: list[PositionPublic]
