"""The plan of a day as one typed document: rounds of stops, orders left out with their
reasons, the summary, the avoided car trips and the solver's facts.

The planner makes it (:func:`logistics.planning.plan_day`); ``plan.json``, the GeoJSON,
the map, the store, the re-plan and the API read it. Times are seconds since the day's
midnight inside (``25:30`` is 91,800: a round may run past midnight) and ``HH:MM:SS`` on
the wire: one wire format, written in one place (:data:`ClockTime`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from .timeofday import format_clock, parse_clock

#: ``HH:MM:SS``, hours past 24 for a round that runs past midnight
CLOCK_PATTERN = r"^\d{2,}:[0-5]\d:[0-5]\d$"


def _seconds(value: Any) -> Any:
    """Seconds from ``HH:MM[:SS]`` text (past 24:00 too); numbers pass through."""
    return parse_clock(value, past_midnight=True) if isinstance(value, str) else value


def _hms(seconds: int) -> str:
    return format_clock(seconds, with_seconds=True)


#: a time of the plan's day: ``int`` seconds in Python, ``"HH:MM:SS"`` in JSON
ClockTime = Annotated[
    int,
    Field(ge=0),
    BeforeValidator(_seconds),
    PlainSerializer(_hms, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN, "examples": ["09:30:00"]}),
]

StopKind = Literal["start", "pickup", "delivery", "return", "end"]
Mode = Literal["cargo_bike", "foot"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanStop(_Model):
    """A stop of a round: the start, a pick-up at a shop (or the hub), a hand-over at a
    customer's door, a return of parcels whose hand-over failed (to their shop, or the
    hub), or the end; arrival and departure on the plan's clock, the load on
    board when leaving."""

    kind: StopKind
    order_ids: list[str] = Field(default_factory=list)
    shop_id: str | None = None
    lon: float
    lat: float
    arrival: ClockTime
    departure: ClockTime
    load_kg: float = Field(ge=0)
    load_l: float = Field(ge=0)
    #: metres of the street path from the stop before (none for the first stop): the
    #: round's distance, stop by stop, so that what was ridden can be counted
    leg_m: int | None = Field(None, ge=0)


class PlanRound(_Model):
    """One courier's round: its stops in order, street distance and times, and the
    street path as ``[lon, lat]`` pairs (empty when not drawn)."""

    courier_id: str
    mode: Mode
    distance_m: int = Field(ge=0)
    duration_s: int = Field(ge=0)
    travel_s: int = Field(ge=0)
    start: ClockTime
    end: ClockTime
    orders: int = Field(ge=0)
    stops: list[PlanStop]
    geometry: list[tuple[float, float]] = Field(default_factory=list)

    @property
    def delivered_order_ids(self) -> list[str]:
        """The orders this round hands over, in round order."""
        return [o for s in self.stops if s.kind == "delivery" for o in s.order_ids]


class UnassignedOrder(_Model):
    """An order the plan leaves out: a reason code, the figures behind it (grams,
    millilitres, seconds since midnight) and the reason worded for people."""

    order_id: str
    reason: str
    detail: str
    facts: dict[str, int] = Field(default_factory=dict)


class UnavailableCourier(_Model):
    """A courier who cannot ride that day (start or end off their mode's streets, or a
    capacity that is no size): ``reason``, the problem for programs (English, with the
    figures); ``code`` (``capacity_invalid``, ``off_streets``) and ``detail``, the French
    a dispatcher reads (both absent from plans made before they existed)."""

    courier_id: str
    reason: str
    code: str | None = None
    detail: str | None = None


class PlanSummary(_Model):
    """The plan's headline figures."""

    orders: int
    planned: int
    unassigned: int
    couriers: int
    couriers_used: int
    bike_km: float
    foot_km: float
    car_trips_avoided: int
    car_km_avoided: float
    co2_avoided_kg: float


class AvoidedTrip(_Model):
    """One customer's car round trip the delivery spared (an order, or a basket)."""

    order_ids: list[str]
    car_km: float


class PlanImpact(_Model):
    """Car trips, km and CO₂e the delivered orders spare, with the method and factors."""

    method: str
    factors: dict[str, Any]
    car_trips_avoided: int
    orders_counted: int
    car_km_avoided: float
    co2_avoided_kg: float
    unreachable_order_ids: list[list[str]] = Field(default_factory=list)
    trips: list[AvoidedTrip] = Field(default_factory=list)


class NetworkInfo(_Model):
    """The street network the plan was made on."""

    source: str
    bounds: tuple[float, float, float, float]


class SolverFacts(_Model):
    """The settings a plan was solved with and what the search did, for audit."""

    model_config = ConfigDict(frozen=True, extra="allow")

    settings: dict[str, Any]
    stats: dict[str, Any] = Field(default_factory=dict)
    cost: int | None = None
    matrix_seconds: float | None = None
    total_seconds: float | None = None


class PlanDocument(_Model):
    """A day's plan: what ``plan.json`` holds, and what the store and the API keep."""

    network: NetworkInfo
    summary: PlanSummary
    rounds: list[PlanRound]
    unassigned: list[UnassignedOrder]
    couriers_unavailable: list[UnavailableCourier] = Field(default_factory=list)
    impact: PlanImpact
    solver: SolverFacts

    def placed(self) -> dict[str, str]:
        """Each order handed over by a round, with its courier."""
        return {o: r.courier_id for r in self.rounds for o in r.delivered_order_ids}

    def reason_of(self, order_id: str) -> UnassignedOrder | None:
        """Why an order is left out, or None when it is on a round."""
        return next((u for u in self.unassigned if u.order_id == order_id), None)
