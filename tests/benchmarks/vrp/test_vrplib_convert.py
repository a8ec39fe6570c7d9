"""Instance → Problem with conservative integer scaling, and Solution → node routes."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from benchmarks.vrp.checker import ViolationKind, arc_length, check_solution
from benchmarks.vrp.convert import (
    PROFILE,
    choose_scale,
    integer_schedule_ok,
    routes_from_solution,
    scale_instance,
    to_problem,
    unassigned_nodes,
    vehicle_cost_bound,
)
from benchmarks.vrp.instances import iter_instances, read_instance
from routing.problem import HORIZON
from routing.solution import Reason, Route, Solution, Unassigned, Visit, VisitKind

TIME_KINDS = {ViolationKind.TIME_WINDOW, ViolationKind.DEPOT_DUE}


def fake_solution(conversion, routes: list[list[int]], unassigned=()) -> Solution:
    """A Solution visiting the given nodes in order, as the solver would return it."""
    inst = conversion.instance
    out = []
    for k, nodes in enumerate(routes):
        visits = []
        for node in nodes:
            c = inst.nodes[node]
            kind: VisitKind = "pickup" if c.is_pickup else "delivery"
            jid = next(j for j, (p, d) in conversion.job_nodes.items() if node in (p, d))
            visits.append(Visit(kind, (jid,), node, 0, 0, 0, 0))
        out.append(Route(f"v{k + 1}", 0, 0, tuple(visits), 0, 0, 0, 0))
    lost = tuple(Unassigned(j, Reason.NO_COURIER_LEFT, "") for j in unassigned)
    return Solution(routes=tuple(out), unassigned=lost, cost=0)


def test_tiny_problem(tiny):
    """Solomon customers are delivered from the depot, windows and services scaled."""
    conv = to_problem(tiny, scale=100)
    p = conv.problem
    assert p.stop_time == 0
    assert len(p.vehicles) == 3
    assert len(p.jobs) == 4
    v = p.vehicles[0]
    assert (v.start, v.end, v.capacity_weight, v.profile) == (0, 0, 25, PROFILE)
    assert (v.shift.start, v.shift.end) == (0, 10_000)
    j4 = next(j for j in p.jobs if j.delivery == 4)
    assert j4.pickup is None
    assert j4.weight == 5
    assert (j4.delivery_window.start, j4.delivery_window.end) == (4000, 6000)
    assert j4.delivery_service == 100
    m = p.matrices[PROFILE]
    assert m.durations[0, 1] == 500
    assert m.distances[1, 2] == 500
    # (3,4) → (0,5): sqrt(10) = 3.1623 → time rounded up, distance to the nearest
    assert m.durations[1, 3] == 317
    assert m.distances[1, 3] == 316


def test_tiny_lilim_problem(tiny_lilim):
    """A pair is one job from its pickup to its delivery."""
    conv = to_problem(tiny_lilim, scale=10)
    jobs = {j.id: j for j in conv.problem.jobs}
    assert set(jobs) == {"1-2", "3-4"}
    j = jobs["3-4"]
    assert (j.pickup, j.delivery, j.weight) == (3, 4, 15)
    assert (j.pickup_service, j.delivery_service) == (10, 10)
    assert j.pickup_window.end == 500
    assert j.delivery_window.end == 1000
    assert conv.job_nodes["3-4"] == (3, 4)


def test_fleet_can_be_changed(tiny):
    """The fleet is the instance's unless said otherwise."""
    assert len(to_problem(tiny, vehicles=7).problem.vehicles) == 7


@pytest.mark.parametrize("make", ["tiny", "tiny_lilim"])
def test_round_trip(request, make):
    """Node routes → Solution → node routes is the identity."""
    inst = request.getfixturevalue(make)
    conv = to_problem(inst)
    routes = [[1, 2], [3, 4]]
    assert routes_from_solution(fake_solution(conv, routes), conv) == routes


def test_unassigned_and_unknown(tiny_lilim):
    """Jobs left out give back their nodes; unknown job ids are refused."""
    conv = to_problem(tiny_lilim)
    sol = fake_solution(conv, [[1, 2]], unassigned=["3-4"])
    assert unassigned_nodes(sol, conv) == [3, 4]
    assert check_solution(tiny_lilim, routes_from_solution(sol, conv)).kinds() == {
        ViolationKind.MISSING
    }
    bad = Solution(
        routes=(Route("v1", 0, 0, (Visit("delivery", ("9-9",), 2, 0, 0, 0, 0),), 0, 0, 0, 0),),
        unassigned=(),
        cost=0,
    )
    with pytest.raises(ValueError, match="unknown job"):
        routes_from_solution(bad, conv)


def test_visit_at_wrong_location_is_refused(tiny_lilim):
    """A pickup visit must be at its job's pickup node."""
    conv = to_problem(tiny_lilim)
    bad = Solution(
        routes=(Route("v1", 0, 0, (Visit("pickup", ("1-2",), 2, 0, 0, 0, 0),), 0, 0, 0, 0),),
        unassigned=(),
        cost=0,
    )
    with pytest.raises(ValueError, match="expected node 1"):
        routes_from_solution(bad, conv)


def test_scale_keeps_times_below_horizon(benchmarks):
    """Every shared instance gets the finest scale (≤ 10,000) its horizon allows."""
    scales = {}
    for inst in iter_instances(benchmarks):
        s = scale_instance(inst)
        scales[inst.name] = s.scale
        assert s.due[0] + max(s.service) + int(s.durations.max()) < HORIZON
        assert int(s.durations.max()) < HORIZON  # never "unreachable"
        assert int(s.distances.max()) < 2**32  # VROOM's unsigned 32 bits
    assert scales["R101"] == 10_000
    assert scales["C101"] == 5_000  # depot due 1236
    assert scales["C201"] == 2_000  # depot due 3390
    assert scales["lc101"] == 5_000


def test_rounding_directions(benchmarks):
    """Times rounded up and distances to the nearest, arc by arc; windows inward."""
    inst = read_instance(benchmarks / "solomon" / "RC101.txt")
    s = scale_instance(inst)
    k = s.scale
    exact = np.array(
        [[arc_length(inst, i, j) for j in range(len(inst.nodes))] for i in range(len(inst.nodes))]
    )
    assert (s.durations >= k * exact).all()
    assert (s.durations < k * exact + 1).all()
    assert (np.abs(s.distances - k * exact) <= 0.5).all()
    for c in inst.nodes:
        assert s.ready[c.id] >= k * c.ready
        assert s.due[c.id] <= k * c.due
        assert s.service[c.id] >= k * c.service


def test_scaled_data_are_what_the_problem_holds(benchmarks):
    """The Problem's matrices are the scaled instance's, and choose_scale is the default."""
    inst = read_instance(benchmarks / "lilim" / "lr101.txt")
    conv = to_problem(inst)
    assert conv.scale == choose_scale(inst)
    m = conv.problem.matrices[PROFILE]
    assert (m.durations == conv.scaled.durations).all()
    assert (m.distances == conv.scaled.distances).all()
    assert len(conv.problem.jobs) == 53


@pytest.mark.parametrize("name", ["solomon/R101", "solomon/RC201", "lilim/lr101"])
def test_integer_feasible_implies_exact_feasible(benchmarks, name):
    """What the solver sees as on time is on time for the double-precision checker."""
    inst = read_instance(benchmarks / f"{name}.txt")
    conv = to_problem(inst)
    rng = random.Random(1)
    customers = [c.id for c in inst.customers]
    agreed = 0
    for _ in range(3000):
        # routes ordered by window start with a little noise: often feasible, often tight
        route = rng.sample(customers, rng.randint(1, 8))
        route.sort(key=lambda n: inst.nodes[n].ready + rng.uniform(-15, 15))
        ok_int = integer_schedule_ok(conv, route)
        result = check_solution(inst, [route], max_vehicles=1)
        ok_exact = not (result.kinds() & TIME_KINDS)
        if ok_int:
            assert ok_exact, (route, result.violations)
        agreed += ok_int == ok_exact
    assert agreed >= 2990  # the rounding rarely costs a feasible route


def test_integer_model_is_exact_on_whole_arcs(make_tiny):
    """With whole-number arcs nothing is lost: tight in reals is tight in integers."""
    conv = to_problem(make_tiny(46))
    assert integer_schedule_ok(conv, [4])
    assert not integer_schedule_ok(to_problem(make_tiny(45)), [4])


def test_vehicle_cost_outweighs_any_distance(benchmarks):
    """One vehicle costs more than the scaled distance of one route per customer."""
    for name in ("solomon/C201", "solomon/R101", "lilim/lr101"):
        inst = read_instance(benchmarks / f"{name}.txt")
        s = scale_instance(inst)
        if inst.is_pdptw:
            routes = [[p, d] for p, d in inst.pairs()]
        else:
            routes = [[c.id] for c in inst.customers]
        worst = sum(
            int(s.distances[0, r[0]])
            + sum(int(s.distances[a, b]) for a, b in zip(r, r[1:], strict=False))
            + int(s.distances[r[-1], 0])
            for r in routes
        )
        assert vehicle_cost_bound(inst, s) > worst
        assert vehicle_cost_bound(inst, s) < 2**40
        assert math.isfinite(worst)
