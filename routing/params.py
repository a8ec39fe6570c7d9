"""Solver settings as a validated dataclass, with defaults that suit a day of deliveries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

Objective = Literal["duration", "distance"]


@dataclass(frozen=True)
class SolveParams:
    """How the solver searches and what it minimises.

    The objective is hierarchical in practice: ``vehicle_cost`` is charged once per
    vehicle used and is meant to dominate, then ``cost_weight`` times the total
    duration of the rounds (``objective="duration"``: travel, service and waiting) or
    their total distance (``objective="distance"``, as the VRP benchmarks count).

    With ``solution_limit`` set, the search stops after that many solutions in every
    phase and the result depends only on the input and ``seed``: use it where the
    plan must be reproducible. ``time_limit_s`` bounds the whole solve either way.
    """

    time_limit_s: float = 30.0
    solution_limit: int | None = None
    seed: int = 0
    objective: Objective = "duration"
    vehicle_cost: int = 100_000
    cost_weight: int = 1
    #: try to empty one route at a time once a first plan is found
    minimize_vehicles: bool = True
    #: share of the time given to the first search, the rest goes to removing routes
    first_phase_share: float = 0.4
    first_solution: str = "LOCAL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    #: cost of leaving a job out; 0 means "far above any route's cost" (computed)
    drop_penalty: int = 0
    log_search: bool = False

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            msg = "time_limit_s must be positive."
            raise ValueError(msg)
        if self.solution_limit is not None and self.solution_limit <= 0:
            msg = "solution_limit must be positive."
            raise ValueError(msg)
        if self.objective not in ("duration", "distance"):
            msg = "objective must be 'duration' or 'distance'."
            raise ValueError(msg)
        if self.vehicle_cost < 0 or self.cost_weight <= 0:
            msg = "vehicle_cost must not be negative and cost_weight must be positive."
            raise ValueError(msg)
        if not 0 < self.first_phase_share <= 1:
            msg = "first_phase_share must be in (0, 1]."
            raise ValueError(msg)
        if self.drop_penalty < 0:
            msg = "drop_penalty must not be negative."
            raise ValueError(msg)

    def replace(self, **changes: object) -> SolveParams:
        """A copy with some fields changed, validated again."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
