"""The phases of one solve, in order, each taking its time from the budget.

A first solution; when it leaves jobs out, an ejection pool that serves them (plain
Python); route elimination with the same pool; then a last improvement of the best
plan. Fixed vehicle costs alone rarely make OR-Tools'
local search give up a route (emptying one takes many moves at once); the ejection
pool does exactly that. The searches themselves come in as a :class:`Search`, so this
module never sees an OR-Tools type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from .route_elimination import (
    EliminationResult,
    InsertionResult,
    eliminate_routes,
    insert_left_out,
)

if TYPE_CHECKING:
    from ._model import Model
    from .budget import SearchTime, TimeBudget
    from .problem import Job, Problem
    from .warm_start import StartPlan

#: the record of each phase, in order, as the solution's ``stats["phases"]``
PhaseLog = list[dict[str, object]]


@dataclass
class Found:
    """A solution kept between phases, independent of the model that found it."""

    routes: list[list[int]]  # node ids per vehicle
    assignment_values: dict[str, list[list[int]]]  # cumuls per dimension per vehicle
    cost: int
    dropped: int
    #: the fixed cost per vehicle in the model that found it
    vehicle_cost: int = 0

    @property
    def base_cost(self) -> int:
        """The objective without the fixed vehicle costs, comparable across phases."""
        return self.cost - self.vehicle_cost * self.used

    @property
    def used(self) -> int:
        """Number of non-empty routes."""
        return sum(1 for r in self.routes if r)


@dataclass(frozen=True)
class SearchOutcome:
    """What one search found (None: nothing), and facts about it for the phase log."""

    found: Found | None
    facts: dict[str, object] = field(default_factory=dict)


class Search(Protocol):
    """One search of the model, in a fresh model each time.

    ``forbidden`` vehicles stay empty, ``initial`` is the plan to start from, and
    ``vehicle_cost`` the fixed cost of a vehicle in that search. Leaving out one of the
    ``keep`` delivery nodes costs more than leaving out every other job together.
    """

    def __call__(
        self,
        allotted: SearchTime,
        *,
        vehicle_cost: int,
        forbidden: frozenset[int] = frozenset(),
        initial: Found | None = None,
        keep: frozenset[int] = frozenset(),
    ) -> SearchOutcome:
        """Search for at most ``allotted`` and return the best plan found."""
        ...


def fleet_lower_bound(problem: Problem, jobs: Sequence[Job]) -> int:
    """Fewest vehicles that could carry everything, when all of it leaves from the start.

    With pick-ups on the way a vehicle can unload and load again, so no bound but 1.
    """
    if not jobs or any(j.pickup is not None for j in jobs):
        return 1
    bound = 1
    for attr, cap in (("weight", "capacity_weight"), ("volume", "capacity_volume")):
        total = sum(getattr(j, attr) for j in jobs)
        caps = sorted((getattr(v, cap) for v in problem.vehicles), reverse=True)
        carried, k = 0, 0
        while carried < total and k < len(caps):
            carried += caps[k]
            k += 1
        bound = max(bound, k)
    return bound


def run_phases(model: Model, search: Search, budget: TimeBudget, log: PhaseLog) -> Found | None:
    """Run the phases of one solve and return the best plan found.

    Parameters
    ----------
    model
        The node model of the solve.
    search
        Runs one search of ``model``.
    budget
        The solve's time, started when the solve started.
    log
        Receives one record per phase.

    Returns
    -------
    Found or None
        The best plan; None when the first search found none (every job being
        optional, that should not happen).
    """
    best = _first_solution(model, search, budget, log)
    if best is None:
        return None
    draft = _serve_left_out(model, best, budget, log)
    elimination = _eliminate_routes(model, draft or best, budget, log)
    return _improve(model, search, best, draft, elimination, budget, log)


def run_from_start(
    model: Model, search: Search, budget: TimeBudget, log: PhaseLog, start: StartPlan
) -> Found | None:
    """Change a plan in force: place the pooled jobs, then improve from there.

    The jobs ``start`` serves stay served: the pool goes in around them (pushing
    others out of the way only to put them back), and the last search, which starts
    from that plan, pays more for leaving out one of them than for every other job
    together. With nothing left out, the fleet is fixed: no courier is added.
    """
    graph = model.node_graph
    routes, left = start.routes, list(start.pool)
    log.append(
        {
            "name": "start",
            "vehicles": sum(1 for r in routes if r),
            "pool": len(left),
            "displaced": len(start.displaced),
        }
    )
    if left:
        t0 = budget.clock()
        result = _place_pool(model, routes, left, budget)
        log.append(
            {
                "name": "place_pool",
                "seconds": round(budget.clock() - t0, 3),
                "iterations": result.iterations,
                "pool": len(left),
                "dropped": len(result.left_out),
            }
        )
        routes, left = result.routes, result.left_out
    fixed = not left
    draft = Found(routes=routes, assignment_values={}, cost=0, dropped=len(left))
    keep = frozenset(n for r in routes for n in r if n in graph.pickup_of)
    allotted = budget.improvement(required=True)
    assert allotted is not None  # a required search always gets its time
    outcome = search(
        allotted,
        vehicle_cost=0 if fixed else model.params.vehicle_cost,
        forbidden=frozenset(k for k, r in enumerate(routes) if not r) if fixed else frozenset(),
        initial=draft,
        keep=keep,
    )
    log.append(outcome.facts)
    found = outcome.found
    if found is not None:
        served = {n for r in found.routes for n in r}
        log[-1].update(
            name="improve_from_start", vehicles=found.used, dropped=found.dropped,
            kept=len(keep - served) == 0,
        )
    return found


def _first_solution(
    model: Model, search: Search, budget: TimeBudget, log: PhaseLog
) -> Found | None:
    outcome = search(budget.first_solution(), vehicle_cost=model.params.vehicle_cost)
    log.append(outcome.facts)
    best = outcome.found
    if best is not None:
        log[-1].update(name="first", vehicles=best.used, dropped=best.dropped, cost=best.cost)
    return best


def _placement_limit(model: Model) -> int | None:
    """The most placements an ejection-pool phase may make (None: its deadline stops it).

    A solution limit makes the plan reproducible; so must this limit: 20 per job then,
    unless ``elimination_iterations`` says otherwise.
    """
    params = model.params
    if params.solution_limit is not None and params.elimination_iterations is None:
        return 20 * len(model.node_graph.pickup_of)
    return params.elimination_iterations


def _place_pool(
    model: Model, routes: list[list[int]], pool: list[int], budget: TimeBudget
) -> InsertionResult:
    """Place the ``pool`` of jobs into ``routes`` with the ejection pool, within the
    insertion share of the time and the solve's placement limit."""
    params = model.params
    return insert_left_out(
        model.node_graph,
        routes,
        pool,
        deadline=budget.insertion_deadline(),
        max_iterations=_placement_limit(model),
        seed=params.seed,
        max_ejections=params.max_ejections,
        patience=params.insertion_patience,
    )


def _serve_left_out(model: Model, best: Found, budget: TimeBudget, log: PhaseLog) -> Found | None:
    """Serve what the first plan left out with an ejection pool; None when it served none.

    The plan returned has no times yet (the last improvement computes them) and its
    ``dropped`` counts the jobs still left out; its cost is the first plan's.
    """
    params = model.params
    if best.dropped == 0 or not params.insert_left_out:
        return None
    graph = model.node_graph
    served = {n for r in best.routes for n in r}
    left_out = [d for d in graph.pickup_of if d not in served]
    t0 = budget.clock()
    result = _place_pool(model, best.routes, left_out, budget)
    accepted = len(result.left_out) < len(left_out)
    log.append(
        {
            "name": "serve_left_out",
            "seconds": round(budget.clock() - t0, 3),
            "iterations": result.iterations,
            "vehicles": sum(1 for r in result.routes if r),
            "dropped": len(result.left_out),
            "accepted": accepted,
        }
    )
    if not accepted:
        return None
    return dataclasses.replace(
        best, routes=result.routes, assignment_values={}, dropped=len(result.left_out)
    )


def _eliminate_routes(
    model: Model, best: Found, budget: TimeBudget, log: PhaseLog
) -> EliminationResult | None:
    """Empty routes one at a time with an ejection pool; None when none was emptied.

    Not while jobs are left out: serving them comes before sparing a courier, and they
    may need the idle ones.
    """
    params = model.params
    floor = fleet_lower_bound(model.problem, model.jobs)
    if not (params.minimize_vehicles and best.dropped == 0 and best.used > floor):
        return None
    t0 = budget.clock()
    deadline = budget.elimination_deadline()
    graph = model.node_graph
    elimination = eliminate_routes(
        graph,
        best.routes,
        deadline=deadline,
        max_iterations=_placement_limit(model),
        seed=params.seed,
        floor=floor,
        max_ejections=params.max_ejections,
        patience=params.elimination_patience,
    )
    used = sum(1 for r in elimination.routes if r)
    log.append(
        {
            "name": "eliminate_routes",
            "seconds": round(budget.clock() - t0, 3),
            "iterations": elimination.iterations,
            "vehicles": used,
            "dropped": best.dropped,
            "accepted": used < best.used,
        }
    )
    return elimination if used < best.used else None


def _improve(
    model: Model,
    search: Search,
    best: Found,
    draft: Found | None,
    elimination: EliminationResult | None,
    budget: TimeBudget,
    log: PhaseLog,
) -> Found:
    """Improve the best plan: the one route elimination left, if it removed any, else
    the one that serves left-out jobs, if any was served.

    When the plan serves every job it can, its fleet is fixed and the search minimises
    time (or distance) alone. A plan from a Python phase always goes through this
    search, which computes its times and loads.
    """
    start = draft or best
    allotted = budget.improvement(required=elimination is not None or draft is not None)
    if allotted is None:
        return best
    start_routes = elimination.routes if elimination is not None else start.routes
    unused = frozenset(k for k, r in enumerate(start_routes) if not r)
    fixed = start.dropped == 0
    outcome = search(
        allotted,
        vehicle_cost=0 if fixed else model.params.vehicle_cost,
        forbidden=unused if fixed else frozenset(),
        initial=dataclasses.replace(start, routes=start_routes),
    )
    log.append(outcome.facts)
    found = outcome.found
    if found is None:
        return best
    better = (found.dropped, found.used, found.base_cost) <= (
        best.dropped, best.used, best.base_cost
    ) or (elimination is not None and found.dropped == 0) or found.dropped < best.dropped
    log[-1].update(name="improve", vehicles=found.used, dropped=found.dropped, accepted=better)
    return found if better else best
