"""The independent checker: accepts known-good solutions, catches each kind of fault."""

from __future__ import annotations

import pytest

from benchmarks.vrp.checker import ViolationKind, check_solution, route_distance
from benchmarks.vrp.instances import read_instance

K = ViolationKind


def test_tiny_good_solution(tiny):
    """Three routes with whole-number arcs: 20 + 10 + 10."""
    result = check_solution(tiny, [[1, 2], [3], [4]])
    assert result.feasible, result.violations
    assert result.vehicles == 3
    assert result.distance == 40.0
    assert result.route_distances == (20.0, 10.0, 10.0)


def test_empty_routes_are_ignored(tiny):
    """An empty route is no vehicle."""
    result = check_solution(tiny, [[], [1, 2], [], [3], [4]])
    assert result.feasible
    assert result.vehicles == 3


def test_exactly_tight_window_is_feasible(make_tiny):
    """Back at 46 for a depot due at 46: on time; at 45: late."""
    assert check_solution(make_tiny(46), [[1, 2], [3], [4]]).feasible
    late = check_solution(make_tiny(45), [[1, 2], [3], [4]])
    assert late.kinds() == {K.DEPOT_DUE}
    assert late.violations[0].route == 2


@pytest.mark.parametrize(
    ("routes", "kinds", "max_vehicles"),
    [
        ([[1, 2, 3], [4]], {K.CAPACITY}, None),  # 35 on board for 25
        ([[4, 1], [2], [3]], {K.TIME_WINDOW}, None),  # 1 reached at 51, due 20
        ([[1, 2], [3]], {K.MISSING}, None),
        ([[1, 2], [3], [4], [3]], {K.DUPLICATE}, 4),
        ([[1, 2], [3], [4, 7]], {K.UNKNOWN_NODE}, None),
        ([[1, 2], [3], [0, 4]], {K.UNKNOWN_NODE}, None),  # the depot is left out
        ([[1], [2], [3], [4]], {K.FLEET}, None),
    ],
)
def test_each_fault_is_caught_alone(tiny, routes, kinds, max_vehicles):
    """Each hand-made bad solution breaks exactly the rule it was made to break."""
    result = check_solution(tiny, routes, max_vehicles=max_vehicles)
    assert not result.feasible
    assert result.kinds() == kinds, result.violations


def test_fleet_can_be_overridden(tiny):
    """Four single-customer routes pass when four vehicles are allowed."""
    assert check_solution(tiny, [[1], [2], [3], [4]], max_vehicles=4).feasible


def test_violation_says_where(tiny):
    """The time-window violation names its route and node."""
    (v,) = check_solution(tiny, [[4, 1], [2], [3]]).violations
    assert (v.route, v.node) == (0, 1)
    assert "route 1" in str(v)


@pytest.mark.parametrize("routes", [[[1, 2], [3, 4]], [[1, 2, 3, 4]], [[3, 4, 1, 2]]])
def test_lilim_good(tiny_lilim, routes):
    """Pairs on one route, pickups first, within capacity."""
    result = check_solution(tiny_lilim, routes)
    assert result.feasible, result.violations


@pytest.mark.parametrize(
    ("routes", "kinds"),
    [
        ([[2, 1], [3, 4]], {K.PRECEDENCE}),
        ([[1], [2], [3, 4]], {K.PAIR_SPLIT}),
        ([[1, 3, 2, 4]], {K.CAPACITY}),  # 25 on board between 3 and 2, for 20
        ([[1, 2]], {K.MISSING}),
    ],
)
def test_lilim_faults(tiny_lilim, routes, kinds):
    """Pickup before delivery, same route, capacity along the route."""
    result = check_solution(tiny_lilim, routes)
    assert result.kinds() == kinds, result.violations


def test_route_distance_of_empty_route(tiny):
    """No customer, no distance."""
    assert route_distance(tiny, []) == 0.0


def test_numpy_integers_are_nodes(tiny):
    """Routes may come as numpy arrays."""
    np = pytest.importorskip("numpy")
    assert check_solution(tiny, [np.array([1, 2]), np.array([3]), np.array([4])]).feasible


def test_c101_at_bks(benchmarks, c101_routes):
    """A known C101 solution is feasible and measures the BKS distance."""
    inst = read_instance(benchmarks / "solomon" / "C101.txt")
    result = check_solution(inst, c101_routes)
    assert result.feasible, result.violations
    assert result.vehicles == 10
    assert result.distance == pytest.approx(828.94, abs=0.005)


def test_lr101_at_bks(benchmarks, lr101_routes):
    """A known lr101 solution is feasible and measures the BKS distance."""
    inst = read_instance(benchmarks / "lilim" / "lr101.txt")
    result = check_solution(inst, lr101_routes)
    assert result.feasible, result.violations
    assert result.vehicles == 19
    assert result.distance == pytest.approx(1650.7992, abs=0.0001)


def test_real_faults(benchmarks, c101_routes, lr101_routes):
    """Bad variants of the known solutions are caught."""
    c101 = read_instance(benchmarks / "solomon" / "C101.txt")
    reversed_route = [list(reversed(r)) if k == 0 else r for k, r in enumerate(c101_routes)]
    assert K.TIME_WINDOW in check_solution(c101, reversed_route).kinds()
    merged = [c101_routes[0] + c101_routes[1], *c101_routes[2:]]
    assert K.CAPACITY in check_solution(c101, merged).kinds()
    assert check_solution(c101, c101_routes, max_vehicles=9).kinds() == {K.FLEET}

    lr101 = read_instance(benchmarks / "lilim" / "lr101.txt")
    swapped = [list(r) for r in lr101_routes]
    swapped[1] = [6, 52]  # delivery 6 before its pickup 52
    assert K.PRECEDENCE in check_solution(lr101, swapped).kinds()
    split = [*lr101_routes[:1], [52], [6], *lr101_routes[2:]]
    assert K.PAIR_SPLIT in check_solution(lr101, split, max_vehicles=25).kinds()


def test_single_customer_routes_meet_every_window(benchmarks):
    """Every customer of every shared instance can be served alone (sanity of the data)."""
    from benchmarks.vrp.instances import iter_instances

    for inst in iter_instances(benchmarks):
        if inst.is_pdptw:
            routes = [[p, d] for p, d in inst.pairs()]
        else:
            routes = [[c.id] for c in inst.customers]
        result = check_solution(inst, routes, max_vehicles=len(routes))
        assert result.feasible, (inst.name, result.violations[:3])
