"""The solver keeps every invariant of a plan and explains every job it leaves out."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.checks import check_solution
from routing.feasibility import screen_jobs
from routing.params import SolveParams
from routing.problem import Job, Problem, TravelMatrix, Vehicle, Window
from routing.solution import Reason
from routing.solver import solve

H = 3600
QUICK = SolveParams(time_limit_s=5, solution_limit=40)


def grid_matrices(n: int, seed: int = 0) -> tuple[dict[str, TravelMatrix], np.ndarray]:
    """Random points in a 4 km square; bike at 4 m/s, walker at 1.25 m/s, Manhattan metres."""
    rng = np.random.default_rng(seed)
    pts = rng.random((n, 2)) * 4000
    d = np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1)
    return {
        "bike": TravelMatrix(np.ceil(d / 4.0), np.round(d)),
        "foot": TravelMatrix(np.ceil(d / 1.25), np.round(d)),
    }, pts


BIKE_SHIFT = Window(8 * H, 19 * H)
WALK_SHIFT = Window(8 * H, 13 * H)


def bike(k: int, start: int = 0, shift: Window = BIKE_SHIFT, cap=(100_000, 300_000)) -> Vehicle:
    return Vehicle(f"bike{k}", "bike", cap[0], cap[1], shift, start, start)


def walker(k: int, start: int = 0, shift: Window = WALK_SHIFT) -> Vehicle:
    return Vehicle(f"walk{k}", "foot", 25_000, 60_000, shift, start, start)


def day_problem(seed: int = 0, n_jobs: int = 30) -> Problem:
    """A small day: 8 shops (locations 1-8), customers at 9+, two bikes and a walker."""
    mats, _ = grid_matrices(9 + n_jobs, seed)
    rng = np.random.default_rng(seed)
    jobs = []
    for i in range(n_jobs):
        slot = int(rng.choice([10, 14, 16])) * H
        jobs.append(
            Job(
                f"o{i}",
                delivery=9 + i,
                pickup=None if i % 7 == 0 else int(rng.integers(1, 9)),
                weight=int(rng.integers(500, 15_000)),
                volume=int(rng.integers(1_000, 40_000)),
                pickup_window=Window(int(rng.choice([8, 9, 10])) * H, 19 * H),
                delivery_window=Window(slot, slot + 2 * H),
                pickup_service=60,
                delivery_service=90,
            )
        )
    # A basket: two shops, one customer, one slot.
    jobs[1] = Job("o1", 9 + 1, 2, "B1", 2000, 5000, Window(9 * H, 19 * H), Window(14 * H, 16 * H), 60, 90)
    jobs[2] = Job("o2", 9 + 1, 5, "B1", 3000, 6000, Window(9 * H, 19 * H), Window(14 * H, 16 * H), 60, 90)
    return Problem(tuple(jobs), (bike(0), bike(1), walker(0)), mats, stop_time=60)


def test_day_plan_keeps_every_invariant():
    problem = day_problem()
    solution = solve(problem, QUICK)
    assert check_solution(problem, solution) == []
    assert not solution.unassigned, solution.unassigned
    # The basket's two parcels are handed over in the same stop.
    stops = [v for r in solution.routes for v in r.visits if "o1" in v.job_ids and v.kind == "delivery"]
    assert len(stops) == 1
    assert "o2" in stops[0].job_ids


def test_a_basket_handed_over_at_its_slots_last_second_is_sound():
    """The slot bounds the start of a basket's hand-over (its parcels are handed over
    together): three parcels handed over from the slot's last second on keep it, as the
    solver plans them; two orders that are no basket, at the same door, do not."""
    mats, _ = grid_matrices(6)
    at = Window(15 * H, 15 * H)  # a slot of one instant: the hand-over starts at 15:00
    jobs = tuple(Job(f"b{i}", 4, 1 + i % 2, "B", 1000, 1000, Window(9 * H, 19 * H), at, 60, 90)
                 for i in range(3))
    problem = Problem(jobs, (bike(0),), mats, stop_time=60)
    solution = solve(problem, QUICK)
    assert solution.unassigned == ()
    (delivery,) = [v for r in solution.routes for v in r.visits if v.kind == "delivery"]
    assert delivery.arrival <= 15 * H
    assert check_solution(problem, solution) == []
    # The same parcels as separate orders, forced into one visit: the later ones start late.
    loose = Problem(tuple(dataclasses.replace(j, basket=None) for j in jobs), problem.vehicles, mats,
                    stop_time=60)
    late = check_solution(loose, solution)
    assert any("b" in e and "after its window ends" in e for e in late), late


def test_same_seed_and_solution_limit_give_the_same_plan():
    problem = day_problem(seed=3)
    # route elimination kept to 120 placements (not 20 a job): 4 s a solve, not 11
    params = SolveParams(time_limit_s=60, solution_limit=30, seed=7, elimination_iterations=120)
    a, b = solve(problem, params), solve(problem, params)
    assert [(r.vehicle_id, r.visits) for r in a.routes] == [(r.vehicle_id, r.visits) for r in b.routes]
    assert a.cost == b.cost


def test_fewer_couriers_come_first():
    """Ten light parcels that one bike can carry in time: one route, not several."""
    mats, _ = grid_matrices(12, seed=1)
    jobs = tuple(
        Job(f"o{i}", delivery=2 + i, pickup=1, weight=1000, volume=1000,
            pickup_window=Window(8 * H, 19 * H), delivery_window=Window(9 * H, 18 * H))
        for i in range(10)
    )
    problem = Problem(jobs, tuple(bike(k) for k in range(5)), mats)
    solution = solve(problem, SolveParams(time_limit_s=4))
    assert check_solution(problem, solution) == []
    assert solution.vehicles_used == 1


def test_route_elimination_removes_a_route_the_first_search_kept():
    """With a tiny vehicle cost the first search spreads work; elimination still helps."""
    problem = day_problem(seed=5, n_jobs=24)
    solution = solve(problem, SolveParams(time_limit_s=6))
    assert check_solution(problem, solution) == []
    phases = solution.stats["phases"]
    assert phases[0]["name"] == "first"
    assert solution.vehicles_used <= phases[0]["vehicles"]


def test_too_heavy_and_bulky_are_refused_with_the_reason():
    mats, _ = grid_matrices(5)
    jobs = (
        Job("heavy", 2, 1, weight=150_000, volume=1000),
        Job("bulky", 3, 1, weight=1000, volume=900_000),
        Job("fine", 4, 1, weight=1000, volume=1000),
    )
    problem = Problem(jobs, (bike(0), walker(0)), mats)
    solution = solve(problem, QUICK)
    reasons = {u.job_id: u.reason for u in solution.unassigned}
    assert reasons == {"heavy": Reason.TOO_HEAVY, "bulky": Reason.TOO_BULKY}
    assert check_solution(problem, solution) == []


def test_jobs_kept_to_a_vehicle_go_only_on_it():
    base = day_problem(seed=3, n_jobs=20)
    kept = {j.id: ("walk0",) if k % 2 else ("bike1",) for k, j in enumerate(base.jobs[:6])}
    jobs = tuple(
        dataclasses.replace(j, vehicles=kept.get(j.id), basket=None) for j in base.jobs
    )
    problem = dataclasses.replace(base, jobs=jobs)
    solution = solve(problem, QUICK)
    assert check_solution(problem, solution) == []
    on = {j: r.vehicle_id for r in solution.routes for j in r.job_ids}
    for job_id, vehicles in kept.items():
        assert job_id in on or any(u.job_id == job_id for u in solution.unassigned)
        if job_id in on:
            assert on[job_id] in vehicles


def test_a_job_kept_to_a_vehicle_that_cannot_take_it_says_so():
    mats, _ = grid_matrices(4)
    jobs = (Job("crate", 2, 1, weight=40_000, volume=50_000, vehicles=("walk0",)),)
    problem = Problem(jobs, (walker(0), bike(0)), mats)
    solution = solve(problem, QUICK)
    assert not solution.routes
    (u,) = solution.unassigned
    assert u.reason == Reason.TOO_HEAVY
    assert "kept to walk0" in u.detail
    with pytest.raises(ValueError, match="not in the problem"):
        Problem((Job("x", 2, 1, vehicles=("nobody",)),), (walker(0),), mats)


def test_heavy_parcel_goes_by_bike_not_on_foot():
    mats, _ = grid_matrices(4)
    jobs = (Job("sofa-cushions", 2, 1, weight=40_000, volume=50_000,
                delivery_window=Window(9 * H, 12 * H)),)
    problem = Problem(jobs, (walker(0), bike(0)), mats)
    solution = solve(problem, QUICK)
    assert [r.vehicle_id for r in solution.routes] == ["bike0"]


def test_impossible_slot_and_closed_shop_are_explained():
    mats, _ = grid_matrices(6)
    far = int(mats["bike"].durations[0, 2])
    jobs = (
        # The slot closes before anyone could get there from the 08:00 start.
        Job("late", 2, None, delivery_window=Window(8 * H, 8 * H + far // 2)),
        # The shop hands over only before the couriers start.
        Job("closed", 3, 1, pickup_window=Window(6 * H, 7 * H)),
        Job("ok", 4, 1, delivery_window=Window(9 * H, 18 * H)),
    )
    problem = Problem(jobs, (bike(0),), mats)
    solution = solve(problem, QUICK)
    by_id = {u.job_id: u for u in solution.unassigned}
    assert by_id["late"].reason == Reason.SLOT_IMPOSSIBLE
    assert by_id["late"].facts["earliest_arrival"] > by_id["late"].facts["window_end"]
    assert by_id["closed"].reason == Reason.SHOP_CLOSED
    assert "ok" not in by_id


def test_unreachable_location_is_explained():
    mats, _ = grid_matrices(4)
    d = mats["bike"].durations.copy()
    d[:, 3] = TravelMatrix.UNREACHABLE
    d[3, :] = TravelMatrix.UNREACHABLE
    d[3, 3] = 0
    island = {"bike": TravelMatrix(d, mats["bike"].distances)}
    problem = Problem((Job("island", 3, 1), Job("ok", 2, 1)), (bike(0),), island)
    solution = solve(problem, QUICK)
    assert [(u.job_id, u.reason) for u in solution.unassigned] == [("island", Reason.UNREACHABLE)]


def test_no_courier_left_when_the_fleet_is_full():
    """Three hub parcels that each fill a bike, two bikes: one parcel is left over.

    (From a shop a bike could ride back for more; the hub is loaded once, at the start.)
    """
    mats, _ = grid_matrices(6)
    jobs = tuple(Job(f"o{i}", 2 + i, None, weight=80_000, volume=1000) for i in range(3))
    problem = Problem(jobs, (bike(0), bike(1)), mats)
    solution = solve(problem, SolveParams(time_limit_s=3))
    assert check_solution(problem, solution) == []
    assert [u.reason for u in solution.unassigned] == [Reason.NO_COURIER_LEFT]
    assert solution.vehicles_used == 2


def test_no_courier_on_shift_during_the_slot():
    mats, _ = grid_matrices(4)
    jobs = (Job("evening", 2, 1, delivery_window=Window(19 * H, 20 * H)),)
    problem = Problem(jobs, (walker(0),), mats)
    solution = solve(problem, QUICK)
    assert [u.reason for u in solution.unassigned] == [Reason.NO_COURIER_LEFT]


def test_hub_parcel_waits_for_its_ready_time():
    mats, _ = grid_matrices(4)
    jobs = (Job("hub", 2, None, pickup_window=Window(11 * H, 19 * H), delivery_window=Window(8 * H, 18 * H)),)
    problem = Problem(jobs, (bike(0),), mats)
    solution = solve(problem, QUICK)
    assert check_solution(problem, solution) == []
    assert solution.routes[0].start_time >= 11 * H


def test_basket_too_big_together_is_refused_whole():
    mats, _ = grid_matrices(5)
    jobs = (
        Job("a", 3, 1, "B", weight=60_000, volume=1000),
        Job("b", 3, 2, "B", weight=60_000, volume=1000),
        Job("c", 4, 1, weight=1000, volume=1000),
    )
    problem = Problem(jobs, (bike(0), bike(1)), mats)
    screens = {s.job.id: s for s in screen_jobs(problem)}
    assert screens["a"].unassigned is not None
    assert screens["a"].unassigned.reason == Reason.TOO_HEAVY
    solution = solve(problem, QUICK)
    assert {u.job_id for u in solution.unassigned} == {"a", "b"}


def test_walkers_use_their_own_travel_times():
    """A walker's round is timed on the foot matrix: slower than the same round by bike."""
    mats, _ = grid_matrices(4, seed=2)
    jobs = (Job("o", 2, 1, weight=1000, volume=1000),)
    w = solve(Problem(jobs, (walker(0),), mats), QUICK).routes[0]
    b = solve(Problem(jobs, (bike(0),), mats), QUICK).routes[0]
    assert w.travel_time > b.travel_time
    assert w.distance == b.distance


def test_empty_inputs():
    mats, _ = grid_matrices(3)
    assert solve(Problem((), (bike(0),), mats), QUICK).routes == ()
    sol = solve(Problem((Job("o", 2, 1),), (), mats), QUICK)
    assert [u.reason for u in sol.unassigned] == [Reason.NO_COURIER_LEFT]


def test_problem_validation_names_the_problem():
    mats, _ = grid_matrices(3)
    with pytest.raises(ValueError, match="unique"):
        Problem((Job("a", 1), Job("a", 2)), (), mats)
    with pytest.raises(ValueError, match="profile"):
        Problem((), (Vehicle("v", "boat", 1, 1, Window(), 0, 0),), mats)
    with pytest.raises(ValueError, match="basket"):
        Problem((Job("a", 1, basket="B"), Job("b", 2, basket="B")), (), mats)
    with pytest.raises(ValueError, match="window"):
        Window(10, 5)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_jobs=st.integers(1, 14),
    n_bikes=st.integers(0, 3),
    n_walkers=st.integers(0, 2),
    cap_kg=st.integers(5, 120),
)
def test_random_days_keep_the_invariants(seed, n_jobs, n_bikes, n_walkers, cap_kg):
    mats, _ = grid_matrices(6 + n_jobs, seed)
    rng = np.random.default_rng(seed)
    jobs = []
    for i in range(n_jobs):
        start = int(rng.integers(8, 18)) * H
        basket = "B" if i in (0, 1) and n_jobs > 2 else None
        jobs.append(
            Job(
                f"o{i}",
                delivery=6 if basket else 6 + i,
                pickup=None if rng.random() < 0.2 else int(rng.integers(1, 6)),
                basket=basket,
                weight=int(rng.integers(100, 30_000)),
                volume=int(rng.integers(100, 80_000)),
                pickup_window=Window(int(rng.integers(7, 12)) * H, 19 * H),
                delivery_window=Window(14 * H, 18 * H) if basket else Window(start, start + 2 * H),
                pickup_service=int(rng.integers(0, 120)),
                delivery_service=int(rng.integers(0, 120)),
            )
        )
    vehicles = [bike(k, cap=(cap_kg * 1000, cap_kg * 3000)) for k in range(n_bikes)]
    vehicles += [walker(k) for k in range(n_walkers)]
    problem = Problem(tuple(jobs), tuple(vehicles), mats, stop_time=int(rng.integers(0, 90)))
    solution = solve(problem, SolveParams(time_limit_s=2, solution_limit=20))
    assert check_solution(problem, solution) == []


def test_routing_solve_is_the_entry_point_and_loads_or_tools_only_when_used():
    """``routing.solve`` is :func:`routing.solver.solve`; importing the street network
    alone does not import OR-Tools (a fresh interpreter tells)."""
    import subprocess
    import sys

    import routing
    from routing.solver import solve

    assert routing.solve is solve
    code = ("import sys, routing, routing.network; a = 'ortools' in sys.modules; "
            "routing.solve; print(a, 'ortools' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
