"""What the solver returns: routes of visits, jobs left out with a reason, and the cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

VisitKind = Literal["pickup", "delivery"]


class Reason(StrEnum):
    """Why a job could not be planned."""

    TOO_HEAVY = "too_heavy"
    TOO_BULKY = "too_bulky"
    SLOT_IMPOSSIBLE = "slot_impossible"
    SHOP_CLOSED = "shop_closed"
    UNREACHABLE = "unreachable"
    OFF_NETWORK = "off_network"
    NO_COURIER_LEFT = "no_courier_left"
    INVALID = "invalid"
    #: the intake could not place the customer's address (never the solver's finding)
    ADDRESS_UNKNOWN = "address_unknown"


@dataclass(frozen=True)
class Visit:
    """One stop of a route: the jobs picked up or delivered at one location in one go.

    ``arrival`` is when service starts (after any wait for the window to open) and
    ``departure`` when the vehicle leaves; loads are what the vehicle carries when it
    leaves the stop.
    """

    kind: VisitKind
    job_ids: tuple[str, ...]
    location: int
    arrival: int
    departure: int
    load_weight: int
    load_volume: int


@dataclass(frozen=True)
class Route:
    """The visits of one vehicle, from its start to its end."""

    vehicle_id: str
    start_time: int
    end_time: int
    visits: tuple[Visit, ...]
    #: load taken on at the start (jobs already at the hub)
    start_load_weight: int
    start_load_volume: int
    distance: int
    travel_time: int

    @property
    def duration(self) -> int:
        """Time from leaving the start to reaching the end."""
        return self.end_time - self.start_time

    @property
    def job_ids(self) -> tuple[str, ...]:
        """Every job on the route, each once, in delivery order."""
        return tuple(j for v in self.visits if v.kind == "delivery" for j in v.job_ids)


@dataclass(frozen=True)
class StartRoute:
    """A route to start a search from (the plan in force): a vehicle and its visits in
    order, each the kind and one job id. A basket's jobs may be listed one by one; a
    visit of a job the problem does not hold is passed over."""

    vehicle_id: str
    visits: tuple[tuple[VisitKind, str], ...]


@dataclass(frozen=True)
class Unassigned:
    """A job left out of the plan and why."""

    job_id: str
    reason: Reason
    detail: str
    #: the figures behind the reason (e.g. ``earliest_arrival``, ``window_end``), in the
    #: problem's units, so that a caller can word the reason its own way
    facts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Solution:
    """The routes found (empty routes left out), the jobs left out, and search facts."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    cost: int
    #: free-form facts about the search (phases, times, status) for audit
    stats: dict[str, object] = field(default_factory=dict)

    @property
    def vehicles_used(self) -> int:
        """Number of non-empty routes."""
        return len(self.routes)

    @property
    def distance(self) -> int:
        """Total distance of all routes."""
        return sum(r.distance for r in self.routes)

    def summary(self) -> str:
        """One line for logs."""
        return (
            f"{self.vehicles_used} routes, {self.distance} distance, "
            f"{len(self.unassigned)} unassigned, cost {self.cost}"
        )
