"""The phases of a solve, run against a scripted search instead of OR-Tools."""

from __future__ import annotations

import numpy as np

from routing._model import build_model
from routing._phases import Found, SearchOutcome, fleet_lower_bound, run_phases
from routing.budget import SearchTime, TimeBudget
from routing.feasibility import screen_jobs
from routing.params import SolveParams
from routing.problem import Job, Problem, TravelMatrix, Vehicle, Window

#: reproducible phases: a solution limit, so no share of the time applies
PARAMS = SolveParams(time_limit_s=60, solution_limit=10, vehicle_cost=1000)


def two_light_parcels() -> Problem:
    """Two light hub parcels and two bikes: one bike can take both."""
    d = np.array([[0, 10, 10], [10, 0, 10], [10, 10, 0]])
    jobs = (Job("a", delivery=1, weight=1), Job("b", delivery=2, weight=1))
    bikes = tuple(Vehicle(f"bike{k}", "bike", 10, 10, Window(0, 1000), 0, 0) for k in range(2))
    return Problem(jobs, bikes, {"bike": TravelMatrix(d, d)})


class ScriptedSearch:
    """Returns the plans it is given, in order, and records how it was called."""

    def __init__(self, *plans: Found | None) -> None:
        self.plans = list(plans)
        self.calls: list[dict[str, object]] = []

    def __call__(
        self,
        allotted: SearchTime,
        *,
        vehicle_cost: int,
        forbidden: frozenset[int] = frozenset(),
        initial: Found | None = None,
    ) -> SearchOutcome:
        self.calls.append(
            {"allotted": allotted, "vehicle_cost": vehicle_cost, "forbidden": forbidden,
             "initial": initial}
        )
        plan = self.plans.pop(0)
        return SearchOutcome(plan, {"found": plan is not None})


def found(routes: list[list[int]], cost: int, dropped: int = 0, vehicle_cost: int = 0) -> Found:
    return Found(routes, {}, cost, dropped, vehicle_cost)


def setup(params: SolveParams = PARAMS):
    problem = two_light_parcels()
    model = build_model(problem, params, screen_jobs(problem))
    assert model is not None
    return model, TimeBudget.for_params(params)


def test_nodes_are_starts_ends_then_deliveries():
    model, _ = setup()
    assert model.layout.deliveries == [4, 5]
    assert fleet_lower_bound(model.problem, model.jobs) == 1


def test_no_first_solution_means_no_plan():
    model, budget = setup()
    search = ScriptedSearch(None)
    log: list[dict[str, object]] = []
    assert run_phases(model, search, budget, log) is None
    assert log == [{"found": False}]
    assert len(search.calls) == 1


def test_an_emptied_route_is_improved_with_the_fleet_fixed_and_kept():
    model, budget = setup()
    first = found([[4], [5]], cost=2040, vehicle_cost=1000)
    # Costlier than the first plan without vehicle costs, but one vehicle fewer.
    improved = found([[4, 5], []], cost=50)
    search = ScriptedSearch(first, improved)
    log: list[dict[str, object]] = []
    assert run_phases(model, search, budget, log) is improved
    assert [r.get("name") for r in log] == ["first", "eliminate_routes", "improve"]
    assert log[1]["accepted"] is True
    assert log[2]["accepted"] is True
    last = search.calls[1]
    assert last["vehicle_cost"] == 0
    initial = last["initial"]
    assert isinstance(initial, Found)
    assert sum(1 for r in initial.routes if r) == 1
    assert last["forbidden"] == frozenset(k for k, r in enumerate(initial.routes) if not r)


def test_with_jobs_left_out_no_route_is_emptied_and_a_worse_plan_is_refused():
    # Without the pool (which would serve job 5: see below).
    model, budget = setup(PARAMS.replace(insert_left_out=False))
    first = found([[4], []], cost=1000 + 20 + 500, dropped=1, vehicle_cost=1000)
    worse = found([[4], [5]], cost=1000 * 2 + 40 + 500, dropped=1, vehicle_cost=1000)
    search = ScriptedSearch(first, worse)
    log: list[dict[str, object]] = []
    assert run_phases(model, search, budget, log) is first
    assert [r.get("name") for r in log] == ["first", "improve"]
    assert log[1]["accepted"] is False
    assert search.calls[1]["vehicle_cost"] == PARAMS.vehicle_cost
    assert search.calls[1]["forbidden"] == frozenset()


def test_without_time_left_the_last_search_is_skipped():
    params = PARAMS.replace(solution_limit=None, time_limit_s=0.4, minimize_vehicles=False)
    model, budget = setup(params)
    first = found([[4], [5]], cost=2040, vehicle_cost=1000)
    search = ScriptedSearch(first)
    log: list[dict[str, object]] = []
    # Less than the improvement's minimum is left of 0.4 s: only the first search runs.
    assert run_phases(model, search, budget, log) is first
    assert len(search.calls) == 1
    first_time = search.calls[0]["allotted"]
    assert isinstance(first_time, SearchTime)
    assert first_time.soft_seconds is not None


def test_a_job_left_out_is_served_by_the_pool_and_the_fleet_then_fixed():
    model, budget = setup()
    # The first plan leaves job 5 out although bike 0 has room for it.
    first = found([[4], []], cost=1000 + 20 + 5000, dropped=1, vehicle_cost=1000)
    improved = found([[4, 5], []], cost=30)
    search = ScriptedSearch(first, improved)
    log: list[dict[str, object]] = []
    assert run_phases(model, search, budget, log) is improved
    assert [r.get("name") for r in log] == ["first", "serve_left_out", "improve"]
    assert log[1]["dropped"] == 0
    assert log[1]["accepted"] is True
    last = search.calls[1]
    assert last["vehicle_cost"] == 0
    assert last["forbidden"] == frozenset({1})
    initial = last["initial"]
    assert isinstance(initial, Found)
    assert sorted(initial.routes[0]) == [4, 5]
    assert initial.dropped == 0


def test_the_pool_can_be_turned_off():
    model, budget = setup(PARAMS.replace(insert_left_out=False))
    first = found([[4], []], cost=1000 + 20 + 5000, dropped=1, vehicle_cost=1000)
    search = ScriptedSearch(first, first)
    log: list[dict[str, object]] = []
    run_phases(model, search, budget, log)
    assert [r.get("name") for r in log] == ["first", "improve"]
