"""Solver settings as a validated dataclass, with defaults that suit a day of deliveries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

Objective = Literal["duration", "distance"]

#: OR-Tools names accepted for ``first_solution`` (plus "AUTO") and ``metaheuristic``
FIRST_SOLUTIONS = frozenset(
    {
        "AUTO", "AUTOMATIC", "PATH_CHEAPEST_ARC", "PATH_MOST_CONSTRAINED_ARC", "SAVINGS",
        "SWEEP", "CHRISTOFIDES", "PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION",
        "GLOBAL_CHEAPEST_ARC", "LOCAL_CHEAPEST_ARC", "FIRST_UNBOUND_MIN_VALUE",
        "SEQUENTIAL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_COST_INSERTION", "BEST_INSERTION",
    }
)
METAHEURISTICS = frozenset(
    {"AUTOMATIC", "GREEDY_DESCENT", "GUIDED_LOCAL_SEARCH", "SIMULATED_ANNEALING", "TABU_SEARCH",
     "GENERIC_TABU_SEARCH"}
)
#: ruin strategies of OR-Tools' iterated local search (``ortools/routing/ils.proto``);
#: "ALL" runs one of the three at random each time
RUIN_STRATEGIES = frozenset({"SISR", "RANDOM_WALK", "SPATIALLY_CLOSE_ROUTES", "ALL"})
#: how iterated local search accepts a perturbed plan as its new reference
ILS_ACCEPTANCES = frozenset({"SIMULATED_ANNEALING", "GREEDY_DESCENT"})


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
    #: share of the time given to the first search (it always completes its first
    #: solution, even when that takes longer)
    first_phase_share: float = 0.15
    #: share of the time given to route elimination (ejection pool) after it; the
    #: rest improves the best plan with OR-Tools
    elimination_share: float = 0.5
    #: with ``solution_limit`` set, route elimination stops after this many
    #: placements (None: 20 per job), so that the plan is reproducible
    elimination_iterations: int | None = None
    #: route elimination gives up (and leaves its time to the last improvement) after
    #: this many placements without a new smallest pool; None: it runs to its share
    elimination_patience: int | None = None
    #: how many jobs one placement may push out of a route
    max_ejections: int = 2
    #: when the first plan leaves jobs out, serve them with an ejection pool (every
    #: vehicle may take them, others pushed out of the way) before the last improvement
    insert_left_out: bool = True
    #: share of the time that phase may take, from when it starts
    insertion_share: float = 0.25
    #: it stops after this many placements without fewer jobs left out; None: it runs
    #: to its share (or until every job is served)
    insertion_patience: int | None = None
    #: an OR-Tools first-solution strategy, or "AUTO": parallel cheapest insertion when
    #: jobs have pick-ups (it keeps pairs together and, on a generated day of 100
    #: orders, left 6 out where local cheapest insertion left 22), path cheapest arc
    #: otherwise
    first_solution: str = "AUTO"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    #: OR-Tools' iterated local search (ruin and recreate, then local search) in the
    #: last improvement: a greedy descent from the plan route elimination left, then
    #: iterated local search from scratch on the same vehicles for the time left, the
    #: better plan kept (instead of ``metaheuristic`` from that plan). None: only when
    #: no job has a pick-up. Measured on 11 instances at 30 s, one core each
    #: (benchmarks/README.md, issue 12): mean gap at equal vehicles on 8 Solomon
    #: instances +7.37 % -> +4.87 % (C1 +13.3 -> +6.0, R2 +13.9 -> +8.2, RC1 +6.1 ->
    #: +2.8; C2 0.0 -> +1.5), same vehicles; on 3 Li & Lim instances (pick-ups) no
    #: better (+21.4 % -> +21.6 %), hence not there by default.
    iterated_local_search: bool | None = None
    #: what each perturbation of iterated local search ruins: "SISR" (strings of
    #: visits from routes close to a random visit, Christiaens & Vanden Berghe 2020),
    #: "RANDOM_WALK", "SPATIALLY_CLOSE_ROUTES" or "ALL" (one of them at random)
    ruin_strategy: str = "SISR"
    #: visits removed per ruin, on average (SISR) or exactly (random walk); routes
    #: ruined by "SPATIALLY_CLOSE_ROUTES" are ``max(1, ruin_size // 10)``
    ruin_size: int = 10
    #: "SIMULATED_ANNEALING" (temperatures from the mean arc cost) or "GREEDY_DESCENT"
    ils_acceptance: str = "SIMULATED_ANNEALING"
    #: share of each node's nearest neighbours the local search operators try (1: all)
    ls_neighbors_ratio: float = 1.0
    #: the fewest neighbours they try, whatever the ratio
    ls_min_neighbors: int = 1
    #: OR-Tools' close-nodes LNS operators (remove a node and its nearest, reinsert)
    close_nodes_lns: bool = False
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
        if not 0 <= self.elimination_share < 1 or self.first_phase_share + self.elimination_share > 1:
            msg = "elimination_share must be in [0, 1) and leave room for the first phase."
            raise ValueError(msg)
        if self.elimination_iterations is not None and self.elimination_iterations < 0:
            msg = "elimination_iterations must not be negative."
            raise ValueError(msg)
        if self.elimination_patience is not None and self.elimination_patience < 1:
            msg = "elimination_patience must be positive."
            raise ValueError(msg)
        if self.insertion_patience is not None and self.insertion_patience < 1:
            msg = "insertion_patience must be positive."
            raise ValueError(msg)
        if not 0 <= self.insertion_share < 1:
            msg = "insertion_share must be in [0, 1)."
            raise ValueError(msg)
        if not 1 <= self.max_ejections <= 3:
            msg = "max_ejections must be 1, 2 or 3."
            raise ValueError(msg)
        if self.first_solution not in FIRST_SOLUTIONS:
            msg = f"first_solution {self.first_solution!r} is not a known strategy."
            raise ValueError(msg)
        if self.metaheuristic not in METAHEURISTICS:
            msg = f"metaheuristic {self.metaheuristic!r} is not a known metaheuristic."
            raise ValueError(msg)
        if self.ruin_strategy not in RUIN_STRATEGIES:
            msg = f"ruin_strategy {self.ruin_strategy!r} is not one of {sorted(RUIN_STRATEGIES)}."
            raise ValueError(msg)
        if self.ruin_size < 1:
            msg = "ruin_size must be positive."
            raise ValueError(msg)
        if self.ils_acceptance not in ILS_ACCEPTANCES:
            msg = f"ils_acceptance {self.ils_acceptance!r} is not one of {sorted(ILS_ACCEPTANCES)}."
            raise ValueError(msg)
        if not 0 < self.ls_neighbors_ratio <= 1:
            msg = "ls_neighbors_ratio must be in (0, 1]."
            raise ValueError(msg)
        if self.ls_min_neighbors < 1:
            msg = "ls_min_neighbors must be positive."
            raise ValueError(msg)
        if self.drop_penalty < 0:
            msg = "drop_penalty must not be negative."
            raise ValueError(msg)

    def replace(self, **changes: object) -> SolveParams:
        """A copy with some fields changed, validated again."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
