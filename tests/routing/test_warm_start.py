"""Solving from a plan in force: what it serves stays served, moved and late jobs are
placed around it, and what no longer fits where it was is taken off and placed again."""

from __future__ import annotations

import dataclasses

import pytest
from test_routing_solver import BIKE_SHIFT, bike, day_problem

from routing.checks import check_solution
from routing.params import SolveParams
from routing.problem import Job, Problem, Window
from routing.solution import Reason, Solution, StartRoute
from routing.solver import solve

H = 3600
QUICK = SolveParams(time_limit_s=5, solution_limit=40)


def start_of(solution: Solution) -> list[StartRoute]:
    """The routes of ``solution`` as a start: every visit, each job by itself."""
    return [
        StartRoute(r.vehicle_id, tuple((v.kind, j) for v in r.visits for j in v.job_ids))
        for r in solution.routes
    ]


def served(solution: Solution) -> dict[str, str]:
    return {j: r.vehicle_id for r in solution.routes for j in r.job_ids}


def pinned(problem: Problem, where: dict[str, str]) -> Problem:
    """Every job of ``where`` kept to its vehicle, as a plan in force keeps them."""
    jobs = tuple(
        dataclasses.replace(j, vehicles=(where[j.id],)) if j.id in where else j for j in problem.jobs
    )
    return problem.replace(jobs=jobs)


@pytest.fixture(scope="module")
def day() -> tuple[Problem, Solution]:
    problem = day_problem(seed=3, n_jobs=30)
    solution = solve(problem, QUICK)
    assert check_solution(problem, solution) == []
    return problem, solution


def test_a_start_that_serves_everything_keeps_everything(day):
    problem, first = day
    where = served(first)
    again = solve(pinned(problem, where), QUICK, start=start_of(first))
    assert check_solution(problem, again) == []
    assert served(again) == where
    names = [p["name"] for p in again.stats["phases"]]
    assert names[0] == "start"
    assert "first" not in names, "no search from scratch"
    assert again.stats["phases"][0]["pool"] == 0
    # The search starts from the plan: never costlier than the start it was given.
    assert again.cost <= first.cost


def test_a_moved_job_goes_to_its_new_vehicle_and_nothing_is_lost(day):
    problem, first = day
    where = served(first)
    used = sorted({r.vehicle_id for r in first.routes if r.vehicle_id.startswith("bike")})
    target_vehicle = next(v.id for v in problem.vehicles if v.id.startswith("bike") and v.id != used[0])
    moved = next(j for j, v in where.items() if v == used[0] and j not in ("o1", "o2"))
    where = {**where, moved: target_vehicle}
    after = solve(pinned(problem, where), QUICK, start=start_of(first))
    assert check_solution(problem, after) == []
    assert served(after) == where
    log = after.stats["phases"]
    assert (log[0]["displaced"], log[0]["pool"]) == (1, 1)
    assert (log[1]["name"], log[1]["dropped"]) == ("place_pool", 0)


def test_a_late_job_is_placed_around_the_plan(day):
    problem, first = day
    where = served(first)
    late = Job("late", delivery=20, pickup=3, weight=1000, volume=2000,
               pickup_window=Window(9 * H, 19 * H), delivery_window=Window(15 * H, 17 * H),
               pickup_service=60, delivery_service=90)
    bigger = pinned(problem, where).replace(jobs=(*pinned(problem, where).jobs, late))
    after = solve(bigger, QUICK, start=start_of(first))
    assert check_solution(bigger, after) == []
    assert {j: v for j, v in served(after).items() if j != "late"} == where
    assert "late" in served(after)


def test_a_job_that_cannot_fit_never_pushes_a_planned_one_out():
    """One bike, one trip (the shop hands over from 08:00 to 08:10 only), room for two
    parcels of three: the plan in force carries the farthest one. A late parcel next
    door would make a shorter round in its place, at the same cost of a parcel left
    out; it stays out, and the planned one stays on."""
    problem = day_problem(seed=1, n_jobs=6)
    times = problem.matrices["bike"].durations
    near_to_far = sorted(range(9, 15), key=lambda c: times[1][c] + times[c][0])
    far, mid, close = near_to_far[-1], near_to_far[1], near_to_far[0]
    small = dataclasses.replace(problem, vehicles=(bike(0, cap=(10_000, 300_000)),))

    def parcel(name: str, at: int, kg: int) -> Job:
        return Job(name, delivery=at, pickup=1, weight=kg, volume=1_000,
                   pickup_window=Window(8 * H, 8 * H + 600), delivery_window=Window(9 * H, 19 * H),
                   pickup_service=60, delivery_service=90)

    jobs = (parcel("far", far, 5_000), parcel("mid", mid, 4_000))
    planned = solve(small.replace(jobs=jobs), QUICK)
    assert set(served(planned)) == {"far", "mid"}
    late = parcel("late", close, 5_000)
    from_scratch = solve(small.replace(jobs=(*jobs, late)), QUICK)
    assert "far" not in served(from_scratch), "the test needs a swap a fresh plan would make"
    after = solve(small.replace(jobs=(*jobs, late)), QUICK, start=start_of(planned))
    assert set(served(after)) == {"far", "mid"}
    (out,) = after.unassigned
    assert (out.job_id, out.reason) == ("late", Reason.NO_COURIER_LEFT)


def test_what_no_longer_fits_in_time_is_taken_off_and_placed_again(day):
    """The courier of the busiest route starts two hours late: its route keeps, in
    order, the jobs that still fit; the others are placed again where they can be."""
    problem, first = day
    busiest = max(first.routes, key=lambda r: len(r.job_ids))
    late_vehicles = tuple(
        dataclasses.replace(v, shift=Window(BIKE_SHIFT.start + 5 * H, BIKE_SHIFT.end))
        if v.id == busiest.vehicle_id else v
        for v in problem.vehicles
    )
    later = problem.replace(vehicles=late_vehicles)
    after = solve(later, QUICK, start=start_of(first))
    assert check_solution(later, after) == []
    log = after.stats["phases"]
    assert log[0]["displaced"] > 0
    mine = [j for j in busiest.job_ids if served(after).get(j) == busiest.vehicle_id]
    assert mine == [j for j in busiest.job_ids if j in mine], "kept jobs keep their order"
    # Nothing the first plan served is left out unless it cannot be served at all now.
    for u in after.unassigned:
        assert u.job_id in served(first)


def test_unknown_vehicles_and_jobs_in_the_start_are_passed_over(day):
    problem, first = day
    start = [*start_of(first), StartRoute("ghost", (("delivery", "o3"),)),
             StartRoute(first.routes[0].vehicle_id, (("delivery", "nobody"),))]
    start[0] = dataclasses.replace(start[0], visits=(("delivery", "nobody"), *start[0].visits))
    after = solve(problem, QUICK, start=start)
    assert check_solution(problem, after) == []
    assert set(served(after)) == set(served(first))


def test_a_delivery_without_its_pickup_on_the_route_is_placed_again(day):
    problem, first = day
    route = next(r for r in first.routes if any(v.kind == "pickup" for v in r.visits))
    job = next(j for v in route.visits if v.kind == "pickup" for j in v.job_ids if j not in ("o1", "o2"))
    start = [
        dataclasses.replace(s, visits=tuple(x for x in s.visits if x != ("pickup", job)))
        for s in start_of(first)
    ]
    after = solve(problem, QUICK, start=start)
    assert check_solution(problem, after) == []
    assert after.stats["phases"][0]["displaced"] == 1
    assert set(served(after)) == set(served(first))
