"""The ejection pool: route elimination keeps every job on fewer routes, left-out jobs get
served, every route checked independently."""

from __future__ import annotations

import itertools
import math
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.route_elimination import (
    FleetVehicle,
    NodeGraph,
    _ejections_from_hub_route,
    _Route,
    eliminate_routes,
    insert_left_out,
)

SHIFT = (0, 1000)


def make_graph(
    seed: int,
    n_jobs: int,
    n_vehicles: int,
    pairs: bool,
    capacity: int = 100,
    allowed: dict[int, frozenset[int]] | None = None,
) -> tuple[NodeGraph, list[list[int]]]:
    """Random points on a 100 x 100 square, node 0..2V-1 the vehicles' starts and ends
    (all at the centre), then per job a delivery and, with ``pairs``, a pick-up. The
    plan returned serves one job per vehicle, round-robin, which is feasible by
    construction (windows open wide enough for a direct trip)."""
    rng = random.Random(seed)
    pts = [(50.0, 50.0)] * (2 * n_vehicles)
    earliest = [SHIFT[0]] * (2 * n_vehicles)
    latest = [SHIFT[1]] * (2 * n_vehicles)
    weight = [0] * (2 * n_vehicles)
    pickup_of: dict[int, int | None] = {}
    jobs: list[int] = []
    for _ in range(n_jobs):
        w = rng.randint(1, capacity // 3)
        p: int | None = None
        if pairs:
            p = len(pts)
            pts.append((rng.uniform(0, 100), rng.uniform(0, 100)))
            earliest.append(0)
            latest.append(600)
            weight.append(w)
        d = len(pts)
        pts.append((rng.uniform(0, 100), rng.uniform(0, 100)))
        start = rng.randint(0, 500)
        earliest.append(start)
        latest.append(start + rng.randint(200, 400))
        weight.append(-w)
        pickup_of[d] = p
        jobs.append(d)
    n = len(pts)
    transit = [[math.ceil(math.dist(pts[a], pts[b])) + (5 if a != b else 0) for b in range(n)]
               for a in range(n)]
    vehicles = [
        FleetVehicle("bike", capacity, capacity, k, n_vehicles + k, *SHIFT)
        for k in range(n_vehicles)
    ]
    graph = NodeGraph(
        transit={"bike": transit},
        cost={"bike": transit},
        earliest=earliest,
        latest=latest,
        weight=weight,
        volume=weight,
        pickup_of=pickup_of,
        allowed=allowed or {d: frozenset(range(n_vehicles)) for d in jobs},
        vehicles=vehicles,
    )
    routes: list[list[int]] = [[] for _ in range(n_vehicles)]
    for i, d in enumerate(jobs):
        p = pickup_of[d]
        routes[i % n_vehicles] += [d] if p is None else [p, d]
    routes = [r if check_route(graph, k, r) is None else None for k, r in enumerate(routes)]
    return graph, routes  # type: ignore[return-value]


def check_route(graph: NodeGraph, k: int, nodes: list[int]) -> str | None:
    """An independent check of one route: windows, shift, loads, pairs. None when fine."""
    v = graph.vehicles[k]
    tr = graph.transit[v.profile]
    t = max([v.shift_start, *(graph.hub_ready.get(n, 0) for n in nodes)])
    load = -sum(graph.weight[n] for n in nodes)
    if not 0 <= load <= v.capacity_weight:
        return f"start load {load}"
    prev, seen = v.start, set()
    for n in nodes:
        t = max(t + tr[prev][n], graph.earliest[n])
        if t > graph.latest[n]:
            return f"late at {n}"
        load += graph.weight[n]
        if not 0 <= load <= v.capacity_weight:
            return f"load {load} at {n}"
        if n in graph.pickup_of:
            p = graph.pickup_of[n]
            if p is not None and p not in seen:
                return f"delivery {n} before its pick-up"
            if k not in graph.allowed[n]:
                return f"vehicle {k} not allowed for {n}"
        seen.add(n)
        prev = n
    if t + tr[prev][v.end] > v.shift_end:
        return "late at the end"
    if load != 0:
        return f"end load {load}"
    return None


def assert_plan(graph: NodeGraph, before: list[list[int]], after: list[list[int]]) -> None:
    assert len(after) == len(before)
    assert sorted(n for r in after for n in r) == sorted(n for r in before for n in r)
    for k, r in enumerate(after):
        if r:
            assert check_route(graph, k, r) is None, (k, r, check_route(graph, k, r))
    assert sum(1 for r in after if r) <= sum(1 for r in before if r)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_jobs=st.integers(1, 14), pairs=st.booleans())
def test_random_plans_keep_every_job_and_stay_feasible(seed, n_jobs, pairs):
    graph, routes = make_graph(seed, n_jobs, n_vehicles=n_jobs, pairs=pairs)
    if any(r is None for r in routes):
        return  # a direct trip misses its window: not a valid start
    result = eliminate_routes(
        graph, routes, deadline=time.monotonic() + 5, max_iterations=300, seed=seed
    )
    assert_plan(graph, routes, result.routes)


@pytest.mark.parametrize("pairs", [False, True])
def test_without_limits_one_route_serves_all(pairs):
    # Ten light jobs, one per vehicle to start with, no windows, a long shift: one
    # route serves them all.
    graph, routes = make_graph(7, 10, n_vehicles=10, pairs=pairs, capacity=1000)
    graph = NodeGraph(**{
        **graph.__dict__,
        "earliest": [0] * len(graph.earliest),
        "latest": [10_000] * len(graph.latest),
        "vehicles": [FleetVehicle("bike", 10_000, 10_000, k, 10 + k, 0, 10_000) for k in range(10)],
    })
    result = eliminate_routes(graph, routes, deadline=time.monotonic() + 10, seed=1)
    assert_plan(graph, routes, result.routes)
    assert sum(1 for r in result.routes if r) == 1
    assert result.removed == 9


def test_same_seed_and_iterations_give_the_same_plan():
    graph, routes = make_graph(3, 12, n_vehicles=12, pairs=False)
    assert all(r is not None for r in routes)
    runs = [
        eliminate_routes(graph, routes, deadline=time.monotonic() + 30, max_iterations=200, seed=5)
        for _ in range(2)
    ]
    assert runs[0].routes == runs[1].routes


def test_floor_stops_the_search():
    graph, routes = make_graph(7, 6, n_vehicles=6, pairs=False, capacity=1000)
    result = eliminate_routes(graph, routes, deadline=time.monotonic() + 10, floor=4)
    assert sum(1 for r in result.routes if r) == 4


def test_patience_ends_a_hopeless_search_before_its_deadline():
    # Three jobs a vehicle at most: twelve jobs need four routes, so the search would
    # try to empty a fifth until its deadline.
    graph, routes = make_graph(4, 12, n_vehicles=12, pairs=False, capacity=3)
    assert all(r is not None for r in routes)
    result = eliminate_routes(graph, routes, deadline=time.monotonic() + 30, seed=1, patience=200)
    assert_plan(graph, routes, result.routes)
    assert sum(1 for r in result.routes if r) >= 4
    assert result.seconds < 10


def test_allowed_vehicles_are_kept():
    # Job 0 may only ride with vehicle 0: it never moves to another route.
    graph, routes = make_graph(11, 5, n_vehicles=5, pairs=False, capacity=1000)
    d0 = routes[0][0]
    allowed = {d: frozenset(range(5)) for d in graph.pickup_of}
    allowed[d0] = frozenset({0})
    graph = NodeGraph(**{**graph.__dict__, "allowed": allowed})
    result = eliminate_routes(graph, routes, deadline=time.monotonic() + 10, seed=2)
    assert_plan(graph, routes, result.routes)
    assert d0 in result.routes[0]


def test_basket_with_hub_parcels_and_a_shop():
    # A delivery that hands over a shop parcel (picked up on the way) and a hub parcel
    # (loaded at the start): the start load counts the hub part, the shop part rides
    # from the pick-up only.
    transit = [[0 if a == b else 10 for b in range(6)] for a in range(6)]
    graph = NodeGraph(
        transit={"bike": transit},
        cost={"bike": transit},
        earliest=[0] * 6,
        latest=[1000] * 6,
        weight=[0, 0, 0, 0, 30, -50],
        volume=[0, 0, 0, 0, 30, -50],
        pickup_of={5: 4},
        allowed={5: frozenset({0, 1})},
        vehicles=[FleetVehicle("bike", 50, 50, k, 2 + k, 0, 1000) for k in range(2)],
        hub_ready={5: 100},
    )
    route = _Route(graph, 0, [4, 5])
    assert route.ok
    assert route.load_w[:3] == [20, 50, 0]
    assert route.arrive[0] == 100
    tight = NodeGraph(**{**graph.__dict__, "vehicles": [
        FleetVehicle("bike", 49, 50, k, 2 + k, 0, 1000) for k in range(2)
    ]})
    assert not _Route(tight, 0, [4, 5]).ok


def test_an_infeasible_start_is_refused():
    graph, routes = make_graph(5, 4, n_vehicles=4, pairs=False)
    bad = [list(reversed(sum(routes, [])))] + [[] for _ in routes[1:]]
    graph = NodeGraph(**{**graph.__dict__, "latest": [0] * len(graph.latest)})
    with pytest.raises(ValueError, match="feasible plan"):
        eliminate_routes(graph, bad, deadline=time.monotonic() + 1)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10_000), max_ejections=st.integers(1, 3))
def test_fast_ejection_search_matches_brute_force(seed, max_ejections):
    # Hub-only routes use a pruned search; it must find the same least (penalty, cost).
    rng = random.Random(seed)
    graph, routes = make_graph(seed, 16, n_vehicles=2, pairs=False, capacity=150)
    graph = NodeGraph(**{**graph.__dict__, "latest": [1000] * len(graph.latest)})
    jobs = sorted(graph.pickup_of)
    rng.shuffle(jobs)
    d, members = jobs[0], jobs[1:7]
    members.sort(key=lambda n: graph.earliest[n])
    route = _Route(graph, 0, members)
    if not route.ok:
        return
    penalty = {j: rng.randint(1, 4) for j in members}
    fast = _ejections_from_hub_route(graph, route, d, penalty, max_ejections, None)
    best = None
    for size in range(max_ejections + 1):
        for out in itertools.combinations(members, size):
            kept = [n for n in members if n not in out]
            for at in range(len(kept) + 1):
                trial = _Route(graph, 0, [*kept[:at], d, *kept[at:]])
                if trial.ok:
                    key = (sum(penalty[j] for j in out), trial.cost - route.cost)
                    best = key if best is None or key < best else best
    if best is None or best[0] == 0:
        # No way in, or no ejection needed (the search is only asked when one is).
        assert fast is None or best is not None
        return
    assert fast is not None
    assert fast[0] == best


def line_graph(
    xs: list[float], weights: list[int], capacity: int, allowed: dict[int, frozenset[int]]
) -> NodeGraph:
    """Hub parcels on a line: two vehicles at 0 (nodes 0-3), then one delivery per x."""
    pts = [0.0] * 4 + xs
    n = len(pts)
    transit = [[math.ceil(abs(pts[a] - pts[b])) for b in range(n)] for a in range(n)]
    return NodeGraph(
        transit={"bike": transit},
        cost={"bike": transit},
        earliest=[0] * n,
        latest=[1000] * n,
        weight=[0] * 4 + [-w for w in weights],
        volume=[0] * n,
        pickup_of={d: None for d in range(4, n)},
        allowed=allowed,
        vehicles=[FleetVehicle("bike", capacity, capacity, k, 2 + k, *SHIFT) for k in range(2)],
    )


def test_a_left_out_job_is_served_by_moving_another_out_of_its_way():
    # Job 5 may ride only on vehicle 0, which is full with job 4; job 4 may take either.
    allowed = {4: frozenset({0, 1}), 5: frozenset({0})}
    graph = line_graph([10.0, 20.0], [3, 3], capacity=3, allowed=allowed)
    result = insert_left_out(
        graph, [[4], []], [5], deadline=time.monotonic() + 5, max_iterations=50
    )
    assert result.left_out == []
    assert result.routes == [[5], [4]]


@pytest.mark.parametrize("seed", range(5))
def test_an_unused_vehicle_is_put_to_use_only_when_no_used_one_fits(seed):
    allowed = {4: frozenset({0, 1}), 5: frozenset({0, 1})}
    graph = line_graph([10.0, 20.0], [1, 1], capacity=3, allowed=allowed)
    result = insert_left_out(
        graph, [[4], []], [5], deadline=time.monotonic() + 5, max_iterations=50, seed=seed
    )
    assert result.left_out == []
    assert sorted(result.routes[0]) == [4, 5]
    assert result.routes[1] == []


def test_a_job_nobody_can_take_stays_left_out_and_the_rest_is_kept():
    # Job 6 weighs more than any vehicle carries.
    allowed = {d: frozenset({0, 1}) for d in (4, 5, 6)}
    graph = line_graph([10.0, 20.0, 30.0], [1, 1, 9], capacity=3, allowed=allowed)
    result = insert_left_out(
        graph, [[4], []], [5, 6], deadline=time.monotonic() + 5, max_iterations=40
    )
    assert result.left_out == [6]
    assert sorted(n for r in result.routes for n in r) == [4, 5]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_jobs=st.integers(2, 14), pairs=st.booleans(),
       n_out=st.integers(1, 6))
def test_served_left_out_jobs_keep_every_route_feasible(seed, n_jobs, pairs, n_out):
    graph, routes = make_graph(seed, n_jobs, n_vehicles=n_jobs, pairs=pairs, capacity=40)
    if any(r is None for r in routes):
        return
    # Leave out some jobs and pile the rest on as few routes as elimination finds.
    rng = random.Random(seed)
    jobs = list(graph.pickup_of)
    out = rng.sample(jobs, min(n_out, len(jobs) - 1))
    kept = [[n for n in r if n not in out and graph.pickup_of.get(n, -1) not in out]
            for r in routes]
    kept = [[n for n in r if not any(graph.pickup_of[d] == n for d in out)] for r in kept]
    start = eliminate_routes(graph, kept, deadline=time.monotonic() + 5, max_iterations=100,
                             seed=seed).routes
    result = insert_left_out(
        graph, start, out, deadline=time.monotonic() + 5, max_iterations=200, seed=seed
    )
    assert len(result.left_out) <= len(out)
    served = [n for r in result.routes for n in r]
    assert len(served) == len(set(served))
    assert {d for d in jobs if d in served} | set(result.left_out) == set(jobs)
    assert not set(result.left_out) & set(served)
    for k, r in enumerate(result.routes):
        if r:
            assert check_route(graph, k, r) is None, (k, r, check_route(graph, k, r))
    # Every job fits a vehicle of its own here: none stays out.
    assert result.left_out == []
