"""Plans: the bodies that ask for a day's plan and move an order, and the plan as the
dispatcher reads it. A plan's stops, rounds, orders left out and summary are the plan
document's own (:mod:`logistics.plan_document`), with what the store adds: ids, the
stops' statuses and events, the changes made since."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer

from logistics.limits import MAX_ROW_ID
from logistics.plan_document import (
    ClockTime,
    NetworkInfo,
    PlanDocument,
    PlanImpact,
    PlanRound,
    PlanStop,
    PlanSummary,
    SolverFacts,
    UnassignedOrder,
    UnavailableCourier,
)
from logistics.store.models import PlanStatus
from logistics.timeofday import parse_clock

from .common import ClockIn, Day, Ident, Instant, LineString, OrderIdent
from .couriers import EventPublic, StopStatus

# --- requests ------------------------------------------------------------------------


class PlanRequest(BaseModel):
    """A day to plan (a year back to five years ahead), and optional solver settings."""

    date: Day
    time_limit_s: float | None = Field(default=None, gt=0, le=600, allow_inf_nan=False)
    seed: int | None = Field(default=None, ge=0, le=MAX_ROW_ID)
    #: who works that day (default: every courier not retired)
    couriers: list[Ident] | None = Field(default=None, max_length=500)


class MoveRequest(BaseModel):
    """Put an order (and the rest of its basket) on another courier's round; the order
    by its public id (``<shop_id>:<ref>``, ``~hub:<ref>``)."""

    order_id: OrderIdent
    courier_id: Ident


class AbsenceRequest(BaseModel):
    """Take a courier off the day from a time (``from``, HH:MM; default: now): the
    stops they did stay, their work still to do goes to the other couriers."""

    model_config = ConfigDict(populate_by_name=True)

    courier_id: Ident
    absent_from: ClockIn | None = Field(default=None, alias="from")

    @field_validator("absent_from")
    @classmethod
    def _is_clock(cls, value: str | None) -> str | None:
        if value is not None:
            parse_clock(value)
        return value


# --- responses -----------------------------------------------------------------------


class StopPublic(PlanStop):
    """A stop of a plan (times ``HH:MM:SS``), with its id and place in the round, its
    status (as on the courier's phone) and the events the courier reported."""

    stop_id: int
    seq: int
    status: StopStatus
    events: list[EventPublic]
    #: a stop still to do: when it should now be reached, from the round's last event
    #: (its delay carried forward) and the clock; null once done or not that day
    expected_arrival: ClockTime | None = None
    #: a hand-over expected after the end of its slot (the earliest slot end of its orders)
    late: bool = False


class RoundPublic(PlanRound):
    """A round of a plan with its id, its stops with their statuses, the most it
    carries, and its street path (only when asked: ``geometry=true``)."""

    round_id: int
    max_load_kg: float
    max_load_l: float
    #: the courier was taken off the day then (an absence); null: on it
    withdrawn_at: Instant | None = None
    stops: list[StopPublic]  # type: ignore[assignment]  # the plan's stops, with the store's facts
    geometry: LineString | None = Field(  # type: ignore[assignment]  # GeoJSON, not pairs
        default=None,
        description="the street path (null: none kept); absent when not asked for",
    )

    # No return annotation: the schema stays this model's (the key is only left out).
    @model_serializer(mode="wrap")
    def _path_when_asked(self, handler):
        data = handler(self)
        if "geometry" not in self.model_fields_set:
            data.pop("geometry", None)
        return data


class ChangePublic(BaseModel):
    """A change asked of a plan in force (a move, late orders to insert) and what the
    worker made of it: ``queued``, ``applied`` or ``refused``. ``reason`` is the
    outcome's stable code (``moved``, ``late_orders``; refused: ``order_not_placed``
    with the order's own reason in ``facts.order_reason``, ``order_closed``,
    ``orders_lost``, ``plan_not_in_force``, ``day_over``, ``busy``), ``facts`` its
    figures (grams, millilitres, seconds since midnight) and ``detail`` the same in
    French."""

    change_id: int
    kind: Literal["move", "late_orders", "absence"]
    order_id: str | None
    courier_id: str | None
    status: Literal["queued", "applied", "refused"]
    reason: str | None = None
    facts: dict[str, Any] | None = None
    detail: str | None
    created_at: Instant | None
    applied_at: Instant | None


class ChangeQueued(ChangePublic):
    """A move queued for the worker; ``warning`` when the job queue could not be
    reached (the change is kept and sent again)."""

    warning: str | None = None


class PlanQueued(BaseModel):
    """The plan queued for a day (or the one already queued or running: ``duplicate``);
    ``warning`` when the job queue could not be reached (the plan is kept and sent
    again)."""

    id: int
    status: PlanStatus
    date: dt.date
    duplicate: bool
    warning: str | None = None


class PlanOverview(BaseModel):
    """A plan without its rounds and orders left out: status, publication, settings,
    summary and changes."""

    id: int
    date: dt.date
    status: PlanStatus
    published: bool
    published_at: Instant | None
    withdrawn_at: Instant | None
    revision: int
    attempts: int
    error: str | None
    settings: dict[str, Any]
    created_at: Instant | None
    started_at: Instant | None
    finished_at: Instant | None
    summary: PlanSummary | None
    couriers_unavailable: list[UnavailableCourier]
    changes: list[ChangePublic]


class PlanPublic(PlanOverview):
    """A plan: its rounds with their stops, and the orders it leaves out with the
    reasons."""

    rounds: list[RoundPublic]
    unassigned: list[UnassignedOrder]


class PlanPublished(PlanPublic):
    """The plan now in force (rounds without their paths), and the plan it replaces."""

    replaces: int | None


class NotSolved(BaseModel):
    """No plan document yet: the plan is not solved."""

    model_config = ConfigDict(extra="forbid")


class PlanAudit(BaseModel):
    """What a plan was solved from and with (inputs, settings, the solver's facts) and
    its whole plan document as it stands (``result``; ``{}`` before it is solved)."""

    id: int
    date: dt.date
    status: PlanStatus
    settings: dict[str, Any]
    inputs: dict[str, Any] | None
    solver: SolverFacts | None
    network: NetworkInfo | None
    impact: PlanImpact | None
    revision: int
    result: PlanDocument | NotSolved
