"""Search settings are validated by SolveParams and reach OR-Tools' search parameters."""

from __future__ import annotations

import numpy as np
import pytest

from routing._model import build_model
from routing.checks import check_solution
from routing.feasibility import screen_jobs
from routing.params import SolveParams
from routing.problem import Job, Problem, TravelMatrix, Vehicle, Window
from routing.solver import _Phase, solve

H = 3600


def day_problem(n_jobs: int = 24, seed: int = 0, *, pickups: bool = False) -> Problem:
    """Deliveries from the hub (location 0) to random points, three bikes, three-hour slots;
    with ``pickups``, every other parcel is fetched first from one of three shops."""
    rng = np.random.default_rng(seed)
    pts = rng.random((n_jobs + 1, 2)) * 4000
    d = np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1)
    mats = {"bike": TravelMatrix(np.ceil(d / 4.0), np.round(d))}
    jobs = []
    for i in range(n_jobs):
        slot = int(rng.choice([9, 11, 14])) * H
        jobs.append(
            Job(f"o{i}", delivery=i + 1, pickup=(i % 3) + 1 if pickups and i % 2 else None,
                weight=1000, volume=2000,
                delivery_window=Window(slot, slot + 3 * H), delivery_service=90)
        )
    shift = Window(8 * H, 19 * H)
    vehicles = tuple(Vehicle(f"bike{k}", "bike", 100_000, 300_000, shift, 0, 0) for k in range(3))
    return Problem(tuple(jobs), vehicles, mats)


#: RoutingSearchStatus.ROUTING_INVALID: OR-Tools refused the search parameters
ROUTING_INVALID = 5


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ruin_strategy", "SWEEP"),
        ("ruin_size", 0),
        ("ils_acceptance", "TABU_SEARCH"),
        ("ls_neighbors_ratio", 0.0),
        ("ls_neighbors_ratio", 1.5),
        ("ls_min_neighbors", 0),
        ("elimination_patience", 0),
    ],
)
def test_bad_search_settings_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        SolveParams(**{field: value})


def search_parameters(params: SolveParams):
    """The OR-Tools search parameters of one search of the day problem with ``params``."""
    problem = day_problem(n_jobs=8)
    model = build_model(problem, params, screen_jobs(problem))
    assert model is not None
    phase = _Phase(
        model.problem, model.layout, model.mats, params, model.penalty(0), frozenset(), 0
    )
    return phase.search_parameters(1.0, None)


def test_neighbour_limits_and_close_nodes_lns_reach_or_tools():
    p = search_parameters(SolveParams(ls_neighbors_ratio=0.25, ls_min_neighbors=7, close_nodes_lns=True))
    assert p.ls_operator_neighbors_ratio == 0.25
    assert p.ls_operator_min_neighbors == 7
    ops = p.local_search_operators
    true = ops.DESCRIPTOR.fields_by_name["use_relocate"].enum_type.values_by_name["BOOL_TRUE"].number
    assert ops.use_global_cheapest_insertion_close_nodes_lns == true
    assert ops.use_local_cheapest_insertion_close_nodes_lns == true
    assert not search_parameters(SolveParams()).use_iterated_local_search


@pytest.mark.parametrize(
    ("ruin", "acceptance", "kinds"),
    [
        ("SISR", "SIMULATED_ANNEALING", ["sisr"]),
        ("RANDOM_WALK", "GREEDY_DESCENT", ["random_walk"]),
        ("SPATIALLY_CLOSE_ROUTES", "SIMULATED_ANNEALING", ["spatially_close_routes"]),
        ("ALL", "GREEDY_DESCENT", ["sisr", "random_walk", "spatially_close_routes"]),
    ],
)
def test_iterated_local_search_reaches_or_tools(ruin, acceptance, kinds):
    params = SolveParams(
        iterated_local_search=True, ruin_strategy=ruin, ruin_size=12, ils_acceptance=acceptance
    )
    p = search_parameters(params)
    assert p.use_iterated_local_search
    rr = p.iterated_local_search_parameters.ruin_recreate_parameters
    assert [r.WhichOneof("strategy") for r in rr.ruin_strategies] == kinds
    if ruin == "SISR":
        assert rr.ruin_strategies[0].sisr.avg_num_removed_visits == 12
    if ruin == "RANDOM_WALK":
        assert rr.ruin_strategies[0].random_walk.num_removed_visits == 12
    reference = p.iterated_local_search_parameters.reference_solution_acceptance_strategy
    assert reference.WhichOneof("strategy") == acceptance.lower()
    if acceptance == "SIMULATED_ANNEALING":
        assert reference.simulated_annealing.automatic_temperatures


@pytest.mark.parametrize("ruin", ["SISR", "ALL"])
def test_a_solve_with_iterated_local_search_keeps_every_invariant(ruin):
    problem = day_problem()
    params = SolveParams(time_limit_s=4, iterated_local_search=True, ruin_strategy=ruin)
    solution = solve(problem, params)
    assert check_solution(problem, solution) == []
    assert not solution.unassigned
    phases = solution.stats["phases"]
    assert ROUTING_INVALID not in [ph["status"] for ph in phases if "status" in ph]
    # The first search has no routes to start from and stops at its soft limit: no
    # iterated local search there; the last improvement runs one after its descent.
    assert phases[0]["name"] == "first"
    assert "ils_better" not in phases[0]
    assert "ils_better" in phases[-1]


@pytest.mark.parametrize("pickups", [False, True])
def test_iterated_local_search_by_default_only_without_pickups(pickups):
    problem = day_problem(pickups=pickups)
    solution = solve(problem, SolveParams(time_limit_s=4))
    assert check_solution(problem, solution) == []
    assert ("ils_better" in solution.stats["phases"][-1]) is not pickups
