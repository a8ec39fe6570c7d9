"""The one module that speaks OR-Tools: a :class:`Problem` in, a :class:`Solution` out.

The model follows the OR-Tools routing samples: one node per pick-up and per delivery
(a basket's delivery is one node), integer transit matrices registered in C++ (no
Python callback in the search loop), a time dimension with windows, two capacity
dimensions (weight and volume), a pick-up-and-delivery pair per job and a disjunction
per delivery so that an order that cannot fit is dropped at a known cost instead of
making the whole plan infeasible.

The search runs in phases: a first solution improved by a metaheuristic, then route
elimination with an ejection pool (:mod:`routing.route_elimination`, plain Python),
then a last improvement of the smaller plan with the fleet fixed. Fixed vehicle costs
alone rarely make OR-Tools' local search give up a route (emptying one takes many
moves at once); the ejection pool does exactly that.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .feasibility import screen_jobs
from .params import SolveParams
from .problem import HORIZON, Job, Problem, TravelMatrix, Window
from .route_elimination import EliminationResult, FleetVehicle, NodeGraph, eliminate_routes
from .solution import Reason, Route, Solution, Unassigned, Visit

_START, _END, _PICKUP, _DELIVERY = "start", "end", "pickup", "delivery"

#: above this many jobs with pick-ups, "AUTO" starts from local cheapest insertion
PARALLEL_INSERTION_MAX_JOBS = 500

@dataclass(frozen=True)
class _Step:
    """One place where a node is served: a location, its handling time and its load."""

    location: int
    handling: int
    weight: int
    volume: int
    window: Window
    job_ids: tuple[str, ...]


@dataclass(frozen=True)
class _Node:
    """One node of the OR-Tools model.

    A basket's pick-ups are one node with several steps, one per shop, served in a
    fixed order without waiting in between: the routing model then keeps them on one
    route, before the delivery, all or none, with its own pick-up-and-delivery moves.
    (Side constraints linking several pick-up nodes blind OR-Tools' first-solution
    heuristics, and a node may belong to one pick-up-and-delivery pair only.)
    """

    kind: str
    steps: tuple[_Step, ...]
    window: Window

    @property
    def location(self) -> int:
        return self.steps[0].location

    @property
    def exit(self) -> int:
        return self.steps[-1].location

    @property
    def weight(self) -> int:
        return sum(s.weight for s in self.steps)

    @property
    def volume(self) -> int:
        return sum(s.volume for s in self.steps)

    @property
    def job_ids(self) -> tuple[str, ...]:
        return tuple(j for s in self.steps for j in s.job_ids)


@dataclass
class _Layout:
    """Nodes and the links between them, shared by every phase of one solve."""

    nodes: list[_Node]
    num_vehicles: int
    #: delivery node -> its pick-up node (None: loaded at the start)
    pickup_of: dict[int, int | None]
    #: node -> vehicles allowed to serve it
    allowed: dict[int, list[int]]
    #: delivery node -> latest ready time of the hub parcels it carries
    hub_ready: dict[int, int]
    #: (node, profile) -> service start offset of each step from the node's arrival
    offsets: dict[tuple[int, str], tuple[int, ...]]
    #: (node, profile) -> (time from arrival to the end of the last handling, its
    #: travel time and distance between steps)
    inner: dict[tuple[int, str], tuple[int, int, int]]

    @functools.cached_property
    def deliveries(self) -> list[int]:
        """The delivery nodes, in node order."""
        return [i for i, n in enumerate(self.nodes) if n.kind == _DELIVERY]


def _chain_timing(
    steps: Sequence[_Step], m: TravelMatrix, stop_time: int
) -> tuple[tuple[int, ...], tuple[int, int, int]]:
    """Offsets of each step's service start, and the inner time, travel and distance."""
    offsets, t, travel, dist = [], 0, 0, 0
    for k, step in enumerate(steps):
        offsets.append(t)
        t += step.handling
        if k + 1 < len(steps):
            leg = int(m.durations[step.location, steps[k + 1].location])
            leg = min(leg, HORIZON)
            t += stop_time + leg
            travel += leg
            dist += int(m.distances[step.location, steps[k + 1].location])
    return tuple(offsets), (min(t, HORIZON), travel, dist)


def _chain_window(
    steps: Sequence[_Step], offsets_by_profile: Sequence[Sequence[int]]
) -> Window | None:
    """Arrival times at the first step that keep every step in its window, every profile."""
    lo, hi = 0, HORIZON
    for offsets in offsets_by_profile:
        for step, off in zip(steps, offsets, strict=True):
            lo = max(lo, step.window.start - off)
            hi = min(hi, step.window.end - off)
    return Window(lo, hi) if lo <= hi else None


def _pickup_steps(members: Sequence[Job], problem: Problem) -> list[_Step]:
    """One step per distinct shop of a group, jobs from the same shop merged."""
    by_shop: dict[int, list[Job]] = {}
    for job in members:
        if job.pickup is not None:
            by_shop.setdefault(job.pickup, []).append(job)
    steps = []
    for loc, jobs in by_shop.items():
        window: Window | None = Window()
        for j in jobs:
            window = window.intersect(j.pickup_window) if window else None
        steps.append(
            _Step(
                loc,
                sum(j.pickup_service for j in jobs),
                sum(j.weight for j in jobs),
                sum(j.volume for j in jobs),
                window or Window(HORIZON, HORIZON),
                tuple(j.id for j in jobs),
            )
        )
    return steps


def _best_chain(
    steps: list[_Step], problem: Problem, profiles: Sequence[str]
) -> tuple[tuple[_Step, ...], Window] | None:
    """The order of a basket's shops with the least inner time that fits the windows."""
    if len(steps) <= 1:
        chains: Iterable[tuple[_Step, ...]] = [tuple(steps)]
    elif len(steps) <= 5:
        chains = itertools.permutations(steps)
    else:
        chains = [tuple(sorted(steps, key=lambda s: s.window.end))]
    best: tuple[int, tuple[_Step, ...], Window] | None = None
    for chain in chains:
        timings = [_chain_timing(chain, problem.matrices[p], problem.stop_time) for p in profiles]
        window = _chain_window(chain, [t[0] for t in timings])
        if window is None:
            continue
        total = sum(t[1][0] for t in timings)
        if best is None or total < best[0]:
            best = (total, chain, window)
    return None if best is None else (best[1], best[2])


def _layout(
    problem: Problem, jobs: Sequence[Job], allowed: dict[str, tuple[int, ...]]
) -> tuple[_Layout, list[Unassigned]]:
    nodes: list[_Node] = []
    for v in problem.vehicles:
        nodes.append(_Node(_START, (_Step(v.start, 0, 0, 0, v.shift, ()),), v.shift))
    for v in problem.vehicles:
        nodes.append(_Node(_END, (_Step(v.end, 0, 0, 0, v.shift, ()),), v.shift))
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        key = f"b:{job.basket}" if job.basket is not None else f"j:{job.id}"
        groups.setdefault(key, []).append(job)
    pickup_of: dict[int, int | None] = {}
    allowed_nodes: dict[int, list[int]] = {}
    hub_ready: dict[int, int] = {}
    refused: list[Unassigned] = []
    for members in groups.values():
        vehicles = sorted(set.intersection(*(set(allowed[j.id]) for j in members)))
        profiles = sorted({problem.vehicles[k].profile for k in vehicles})
        steps = _pickup_steps(members, problem)
        p: int | None = None
        if steps:
            found = _best_chain(steps, problem, profiles)
            if found is None:
                refused.extend(
                    Unassigned(
                        j.id, Reason.SHOP_CLOSED,
                        "the opening hours of its basket's shops leave no time to "
                        "collect every parcel in one round",
                    )
                    for j in members
                )
                continue
            chain, window = found
            p = len(nodes)
            nodes.append(_Node(_PICKUP, chain, window))
        first = members[0]
        d = len(nodes)
        nodes.append(
            _Node(
                _DELIVERY,
                (
                    _Step(
                        first.delivery,
                        sum(j.delivery_service for j in members),
                        -sum(j.weight for j in members),
                        -sum(j.volume for j in members),
                        first.delivery_window,
                        tuple(j.id for j in members),
                    ),
                ),
                first.delivery_window,
            )
        )
        pickup_of[d] = p
        for i in (p, d):
            if i is not None:
                allowed_nodes[i] = vehicles
        hub = [j.pickup_window.start for j in members if j.pickup is None]
        if hub:
            hub_ready[d] = max(hub)
    offsets: dict[tuple[int, str], tuple[int, ...]] = {}
    inner: dict[tuple[int, str], tuple[int, int, int]] = {}
    for i, node in enumerate(nodes):
        for profile, m in problem.matrices.items():
            offsets[i, profile], inner[i, profile] = _chain_timing(
                node.steps, m, problem.stop_time
            )
    layout = _Layout(
        nodes, len(problem.vehicles), pickup_of, allowed_nodes, hub_ready, offsets, inner
    )
    return layout, refused


class _Matrices:
    """Node-to-node transit, travel and cost matrices per profile, as numpy arrays."""

    def __init__(self, problem: Problem, layout: _Layout, params: SolveParams) -> None:
        nodes = layout.nodes
        entry = np.array([n.location for n in nodes], dtype=np.int64)
        exit_ = np.array([n.exit for n in nodes], dtype=np.int64)
        moves = exit_[:, None] != entry[None, :]
        # Leaving a start or end node costs no stop time: the courier is already there.
        stops = np.array(
            [problem.stop_time if n.kind in (_PICKUP, _DELIVERY) else 0 for n in nodes],
            dtype=np.int64,
        )
        self.travel: dict[str, np.ndarray] = {}
        self.distance: dict[str, np.ndarray] = {}
        self.transit: dict[str, np.ndarray] = {}
        self.cost: dict[str, np.ndarray] = {}
        for profile, m in problem.matrices.items():
            inner = np.array([layout.inner[i, profile] for i in range(len(nodes))], dtype=np.int64)
            travel = m.durations[np.ix_(exit_, entry)]
            distance = m.distances[np.ix_(exit_, entry)]
            unreachable = (travel >= TravelMatrix.UNREACHABLE) | (inner[:, 0, None] >= HORIZON)
            transit = travel + inner[:, 0, None] + stops[:, None] * moves
            transit = np.where(unreachable, HORIZON, np.minimum(transit, HORIZON))
            base = transit if params.objective == "duration" else distance + inner[:, 2, None]
            cost = np.where(unreachable, HORIZON, base) * params.cost_weight
            self.travel[profile] = travel + inner[:, 1, None]
            self.distance[profile] = distance + inner[:, 2, None]
            self.transit[profile] = transit
            self.cost[profile] = cost

    def max_cost(self) -> int:
        return int(max(c[c < HORIZON].max(initial=0) for c in self.cost.values()))


class _Phase:
    """One OR-Tools model and search; forbidden vehicles stay empty."""

    def __init__(
        self,
        problem: Problem,
        layout: _Layout,
        mats: _Matrices,
        params: SolveParams,
        penalty: int,
        forbidden: frozenset[int],
        vehicle_cost: int,
    ) -> None:
        self.problem, self.layout, self.params = problem, layout, params
        self.vehicle_cost = vehicle_cost
        nodes = layout.nodes
        n_v = layout.num_vehicles
        self.manager = pywrapcp.RoutingIndexManager(
            len(nodes), n_v, list(range(n_v)), list(range(n_v, 2 * n_v))
        )
        self.routing = routing = pywrapcp.RoutingModel(self.manager)
        solver = routing.solver()

        cost_cb: dict[str, int] = {}
        transit_cb: dict[str, int] = {}
        for profile in problem.matrices:
            cost_cb[profile] = routing.RegisterTransitMatrix(mats.cost[profile].tolist())
            transit_cb[profile] = routing.RegisterTransitMatrix(mats.transit[profile].tolist())
        vehicles = problem.vehicles
        for k, v in enumerate(vehicles):
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[v.profile], k)
        routing.SetFixedCostOfAllVehicles(vehicle_cost)

        routing.AddDimensionWithVehicleTransits(
            [transit_cb[v.profile] for v in vehicles], HORIZON, HORIZON, False, "time"
        )
        self.time = time_dim = routing.GetDimensionOrDie("time")
        if params.objective == "duration":
            # Waiting is time spent too: arc costs count travel and service, slack the rest.
            time_dim.SetSlackCostCoefficientForAllVehicles(params.cost_weight)

        index = self.manager.NodeToIndex
        for i, node in enumerate(nodes):
            if node.kind in (_PICKUP, _DELIVERY):
                time_dim.CumulVar(index(i)).SetRange(node.window.start, node.window.end)
        for k, v in enumerate(vehicles):
            time_dim.CumulVar(routing.Start(k)).SetRange(v.shift.start, v.shift.end)
            time_dim.CumulVar(routing.End(k)).SetRange(v.shift.start, v.shift.end)

        # Loads: a pick-up adds, a delivery takes off; parcels already at the hub are
        # loaded at the start, so the start load is free and the end load is zero.
        self.loads = []
        for name, attr, caps in (
            ("weight", "weight", [v.capacity_weight for v in vehicles]),
            ("volume", "volume", [v.capacity_volume for v in vehicles]),
        ):
            demand = [getattr(n, attr) for n in nodes]
            cb = routing.RegisterUnaryTransitVector(demand)
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, False, name)
            dim = routing.GetDimensionOrDie(name)
            for k in range(n_v):
                dim.CumulVar(routing.End(k)).SetValue(0)
            self.loads.append(dim)

        for d, p in layout.pickup_of.items():
            di = index(d)
            routing.AddDisjunction([di], penalty * len(nodes[d].job_ids))
            if p is not None:
                pi = index(p)
                routing.AddDisjunction([pi], 0)
                routing.AddPickupAndDelivery(pi, di)
        for i, ks in layout.allowed.items():
            usable = [k for k in ks if k not in forbidden]
            if len(usable) < n_v:
                # SetAllowedVehiclesForIndex's binding is broken in 9.15; -1 = not served.
                routing.VehicleVar(index(i)).SetValues([-1, *usable])
        for d, ready in layout.hub_ready.items():
            di = index(d)
            for k in layout.allowed.get(d, []):
                if vehicles[k].shift.start < ready:
                    served_by_k = solver.IsEqualCstVar(routing.VehicleVar(di), k)
                    solver.Add(time_dim.CumulVar(routing.Start(k)) >= served_by_k * ready)
        for k in forbidden:
            solver.Add(routing.NextVar(routing.Start(k)) == routing.End(k))

        for k in range(n_v):
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(k)))
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(k)))

    def search_parameters(self, seconds: float, solution_limit: int | None):
        p = pywrapcp.DefaultRoutingSearchParameters()
        strategy = self.params.first_solution
        if strategy == "AUTO":
            has_pickups = any(n.kind == _PICKUP for n in self.layout.nodes)
            # Parallel cheapest insertion plans more of a day than local cheapest insertion
            # (294 of 300 orders against 265), but its cost grows too fast for a
            # thousand orders in the first phase's seconds (107 of 1,000 planned).
            small = len(self.layout.deliveries) <= PARALLEL_INSERTION_MAX_JOBS
            if not has_pickups:
                strategy = "PATH_CHEAPEST_ARC"
            elif small:
                strategy = "PARALLEL_CHEAPEST_INSERTION"
            else:
                strategy = "LOCAL_CHEAPEST_INSERTION"
        p.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
        p.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, self.params.metaheuristic
        )
        p.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
        if solution_limit is not None:
            p.solution_limit = solution_limit
        p.log_search = self.params.log_search
        return p

    def dropped(self, assignment) -> int:
        """Number of delivery nodes left out in ``assignment``."""
        count = 0
        for d in self.layout.deliveries:
            i = self.manager.NodeToIndex(d)
            count += assignment.Value(self.routing.NextVar(i)) == i
        return count

    def run(
        self,
        seconds: float,
        solution_limit: int | None,
        initial: list[list[int]] | None,
        soft_deadline: float | None = None,
    ):
        """Search, from ``initial`` routes (routing indices) when given.

        With ``soft_deadline`` (a ``time.monotonic()`` value), the search stops at the
        first solution found after it: the first solution is always complete, however
        long building it takes within ``seconds``.
        """
        routing = self.routing
        if soft_deadline is not None:
            def _stop_when_late() -> None:
                if time.monotonic() >= soft_deadline:
                    routing.solver().FinishCurrentSearch()

            routing.AddAtSolutionCallback(_stop_when_late)
        params = self.search_parameters(seconds, solution_limit)
        if initial is None:
            return routing.SolveWithParameters(params)
        start = routing.ReadAssignmentFromRoutes(initial, True)
        self.read_initial = start is not None
        if start is None:
            return routing.SolveWithParameters(params)
        return routing.SolveFromAssignmentWithParameters(start, params)


@dataclass
class _Found:
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
        return sum(1 for r in self.routes if r)


def _fleet_lower_bound(problem: Problem, jobs: Sequence[Job]) -> int:
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


def _node_graph(problem: Problem, layout: _Layout, mats: _Matrices) -> NodeGraph:
    """The model as route elimination sees it: plain lists, no OR-Tools."""
    n_v = layout.num_vehicles
    profiles = {v.profile for v in problem.vehicles}
    nodes = layout.nodes
    transit = {p: mats.transit[p].tolist() for p in profiles}
    # Python lists index fast but weigh ~8 bytes per entry plus the int objects: when
    # the cost is the transit time itself (duration objective), share one list.
    cost = {
        p: transit[p] if np.array_equal(mats.cost[p], mats.transit[p]) else mats.cost[p].tolist()
        for p in profiles
    }
    return NodeGraph(
        transit=transit,
        cost=cost,
        earliest=[n.window.start for n in nodes],
        latest=[n.window.end for n in nodes],
        weight=[n.weight for n in nodes],
        volume=[n.volume for n in nodes],
        pickup_of=layout.pickup_of,
        allowed={d: frozenset(layout.allowed.get(d, range(n_v))) for d in layout.pickup_of},
        vehicles=[
            FleetVehicle(
                v.profile, v.capacity_weight, v.capacity_volume, k, n_v + k,
                v.shift.start, v.shift.end,
            )
            for k, v in enumerate(problem.vehicles)
        ],
        hub_ready=layout.hub_ready,
    )


def _capture(phase: _Phase, assignment) -> _Found:
    routing, manager = phase.routing, phase.manager
    routes: list[list[int]] = []
    values: dict[str, list[list[int]]] = {"time": [], "weight": [], "volume": []}
    dims = {"time": phase.time, "weight": phase.loads[0], "volume": phase.loads[1]}
    for k in range(phase.layout.num_vehicles):
        i = routing.Start(k)
        nodes: list[int] = []
        cumuls: dict[str, list[int]] = {name: [] for name in dims}
        while True:
            nodes.append(manager.IndexToNode(i))
            for name, dim in dims.items():
                cumuls[name].append(assignment.Value(dim.CumulVar(i)))
            if routing.IsEnd(i):
                break
            i = assignment.Value(routing.NextVar(i))
        routes.append(nodes[1:-1])
        for name in dims:
            values[name].append(cumuls[name])
    return _Found(
        routes, values, assignment.ObjectiveValue(), phase.dropped(assignment), phase.vehicle_cost
    )


def solve(problem: Problem, params: SolveParams | None = None) -> Solution:
    """Plan routes for ``problem``.

    Parameters
    ----------
    problem
        Jobs, vehicles and travel matrices.
    params
        Search settings; the defaults suit a day of deliveries.

    Returns
    -------
    Solution
        The non-empty routes, every job not on a route with the reason, and facts
        about the search (phases, times, vehicles) under ``stats``.
    """
    params = params or SolveParams()
    started = time.monotonic()
    deadline = started + params.time_limit_s
    screens = screen_jobs(problem)
    unassigned = [s.unassigned for s in screens if s.unassigned is not None]
    jobs = [s.job for s in screens if s.unassigned is None]
    allowed = {s.job.id: s.vehicles for s in screens if s.unassigned is None}
    stats: dict[str, object] = {"screened_out": len(unassigned), "phases": []}
    phases: list[dict[str, object]] = stats["phases"]  # type: ignore[assignment]
    if not jobs or not problem.vehicles:
        return Solution((), tuple(unassigned), 0, stats)

    layout, refused = _layout(problem, jobs, allowed)
    unassigned.extend(refused)
    refused_ids = {u.job_id for u in refused}
    jobs = [j for j in jobs if j.id not in refused_ids]
    mats = _Matrices(problem, layout, params)
    # A job left out must cost more than a vehicle and the detour to serve it. The
    # penalty follows each phase's vehicle cost: guided local search scales its own
    # penalties with the objective, so needless magnitude there blunts the search.
    def penalty_for(vehicle_cost: int) -> int:
        return params.drop_penalty or 2 * vehicle_cost + 4 * mats.max_cost() + 1

    penalty = penalty_for(params.vehicle_cost)

    def remaining() -> float:
        return deadline - time.monotonic()

    def run(
        forbidden: frozenset[int],
        seconds: float,
        initial: _Found | None,
        vehicle_cost: int,
        soft_seconds: float | None = None,
    ) -> tuple[_Phase, object | None]:
        phase = _Phase(
            problem, layout, mats, params, penalty_for(vehicle_cost), forbidden, vehicle_cost
        )
        start_routes = None
        if initial is not None:
            to_index = phase.manager.NodeToIndex
            start_routes = [
                [to_index(n) for n in r] if k not in forbidden else []
                for k, r in enumerate(initial.routes)
            ]
        t0 = time.monotonic()
        soft = None if soft_seconds is None else time.monotonic() + soft_seconds
        assignment = phase.run(max(seconds, 0.05), params.solution_limit, start_routes, soft)
        phases.append(
            {
                "seconds": round(time.monotonic() - t0, 3),
                "forbidden": len(forbidden),
                "status": int(phase.routing.status()),
                "found": assignment is not None,
                "warm_start": getattr(phase, "read_initial", None),
            }
        )
        return phase, assignment

    # With a solution limit, the limits stop each phase and time is only a safety net,
    # so that the same input gives the same plan on any machine.
    deterministic = params.solution_limit is not None
    # The first phase may overrun its share while it builds the first solution (a
    # thousand orders take longer than a few seconds): it then stops at once.
    first_share = None if deterministic else params.time_limit_s * params.first_phase_share
    phase, assignment = run(
        frozenset(), params.time_limit_s, None, params.vehicle_cost, soft_seconds=first_share
    )
    if assignment is None:
        # Should not happen: every job is optional. Keep the plan empty and say so.
        for job in jobs:
            unassigned.append(Unassigned(job.id, Reason.NO_COURIER_LEFT, "the search found no plan"))
        stats["seconds"] = round(time.monotonic() - started, 3)
        return Solution((), tuple(unassigned), 0, stats)
    best = _capture(phase, assignment)
    phases[-1].update(name="first", vehicles=best.used, dropped=best.dropped, cost=best.cost)

    elimination: EliminationResult | None = None
    floor = _fleet_lower_bound(problem, jobs)
    if params.minimize_vehicles and best.dropped == 0 and best.used > floor:
        # Empty routes one at a time with an ejection pool (plain Python), then let
        # OR-Tools improve the smaller plan below. Not while jobs are left out: serving
        # them comes before sparing a courier, and they may need the idle ones.
        budget = params.time_limit_s * params.elimination_share
        iterations = params.elimination_iterations
        if deterministic and iterations is None:
            iterations = 20 * len(layout.pickup_of)
        t0 = time.monotonic()
        elimination = eliminate_routes(
            _node_graph(problem, layout, mats),
            best.routes,
            deadline=min(deadline, t0 + budget) if not deterministic else deadline,
            max_iterations=iterations,
            seed=params.seed,
            floor=floor,
            max_ejections=params.max_ejections,
        )
        used = sum(1 for r in elimination.routes if r)
        phases.append(
            {
                "name": "eliminate_routes",
                "seconds": round(time.monotonic() - t0, 3),
                "iterations": elimination.iterations,
                "vehicles": used,
                "dropped": best.dropped,
                "accepted": used < best.used,
            }
        )
        if used >= best.used:
            elimination = None

    if elimination is not None or remaining() > (0 if deterministic else 0.5):
        # Last, improve the best plan (the one route elimination left, if it removed
        # any). When it serves every job it can, its fleet is fixed and the search
        # minimises time (or distance) alone.
        start_routes = elimination.routes if elimination is not None else best.routes
        unused = frozenset(j for j, r in enumerate(start_routes) if not r)
        fixed = best.dropped == 0
        final_phase, final = run(
            unused if fixed else frozenset(),
            max(remaining(), 0.5) if elimination is not None else remaining(),
            dataclasses.replace(best, routes=start_routes),
            0 if fixed else params.vehicle_cost,
        )
        if final is not None:
            found = _capture(final_phase, final)
            better = (found.dropped, found.used, found.base_cost) <= (
                best.dropped, best.used, best.base_cost
            ) or (elimination is not None and found.dropped == 0)
            phases[-1].update(
                name="improve", vehicles=found.used, dropped=found.dropped, accepted=better
            )
            if better:
                best = found

    routes = _routes(problem, layout, mats, best)
    served = {j for r in routes for j in r.job_ids}
    for job in jobs:
        if job.id not in served:
            unassigned.append(
                Unassigned(
                    job.id, Reason.NO_COURIER_LEFT,
                    "no courier had room or time left for it in this plan",
                )
            )
    stats.update(
        seconds=round(time.monotonic() - started, 3),
        vehicles=best.used,
        objective=best.base_cost + params.vehicle_cost * best.used,
        penalty=penalty,
        nodes=len(layout.nodes),
    )
    return Solution(
        tuple(routes), tuple(unassigned), best.base_cost + params.vehicle_cost * best.used, stats
    )


def _routes(problem: Problem, layout: _Layout, mats: _Matrices, found: _Found) -> list[Route]:
    out: list[Route] = []
    for k, nodes in enumerate(found.routes):
        if not nodes:
            continue
        vehicle = problem.vehicles[k]
        t = found.assignment_values["time"][k]
        w = found.assignment_values["weight"][k]
        vol = found.assignment_values["volume"][k]
        full = [k, *nodes, layout.num_vehicles + k]
        travel = mats.travel[vehicle.profile]
        dist = mats.distance[vehicle.profile]
        distance = sum(int(dist[a, b]) for a, b in zip(full, full[1:], strict=False))
        travel_time = sum(int(travel[a, b]) for a, b in zip(full, full[1:], strict=False))
        # Every step served, in order: (kind, step, service start, load after).
        served: list[tuple[str, _Step, int, int, int]] = []
        load_w, load_v = int(w[0]), int(vol[0])
        for pos in range(1, len(full) - 1):
            node = layout.nodes[full[pos]]
            offsets = layout.offsets[full[pos], vehicle.profile]
            for step, off in zip(node.steps, offsets, strict=True):
                load_w += step.weight
                load_v += step.volume
                served.append((node.kind, step, int(t[pos]) + off, load_w, load_v))
        end_location = layout.nodes[full[-1]].location
        visits: list[Visit] = []
        i = 0
        while i < len(served):
            kind, step, start, _, _ = served[i]
            j = i
            while (
                j + 1 < len(served)
                and served[j + 1][0] == kind
                and served[j + 1][1].location == step.location
            ):
                j += 1
            _, last, last_start, lw, lv = served[j]
            nxt = served[j + 1][1].location if j + 1 < len(served) else end_location
            departure = last_start + last.handling
            if nxt != last.location:
                departure += problem.stop_time
            visits.append(
                Visit(
                    kind=kind,  # type: ignore[arg-type]
                    job_ids=tuple(jid for x in served[i : j + 1] for jid in x[1].job_ids),
                    location=step.location,
                    arrival=start,
                    departure=departure,
                    load_weight=lw,
                    load_volume=lv,
                )
            )
            i = j + 1
        out.append(
            Route(
                vehicle_id=vehicle.id,
                start_time=int(t[0]),
                end_time=int(t[-1]),
                visits=tuple(visits),
                start_load_weight=int(w[0]),
                start_load_volume=int(vol[0]),
                distance=distance,
                travel_time=travel_time,
            )
        )
    return out
