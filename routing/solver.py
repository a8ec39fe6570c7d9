"""The one module that speaks OR-Tools: a :class:`Problem` in, a :class:`Solution` out.

The model follows the OR-Tools routing samples: one node per pick-up and per delivery
(a basket's delivery is one node), integer transit matrices registered in C++ (no
Python callback in the search loop), a time dimension with windows, two capacity
dimensions (weight and volume), a pick-up-and-delivery pair per job and a disjunction
per delivery so that an order that cannot fit is dropped at a known cost instead of
making the whole plan infeasible.

The search runs in phases: a first solution improved by a metaheuristic, then route
elimination (empty the smallest route, forbid its vehicle, repair from the previous
plan) while it keeps every job, then a last improvement of the best plan. Fixed
vehicle costs alone rarely make OR-Tools' local search give up a route; removing a
route outright does.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .feasibility import screen_jobs
from .params import SolveParams
from .problem import HORIZON, Job, Problem, TravelMatrix, Window
from .solution import Reason, Route, Solution, Unassigned, Visit

_START, _END, _PICKUP, _DELIVERY = "start", "end", "pickup", "delivery"


@dataclass(frozen=True)
class _Node:
    """One node of the OR-Tools model."""

    kind: str
    location: int
    handling: int
    weight: int
    volume: int
    window: Window
    job_ids: tuple[str, ...]
    vehicle: int = -1  # for start and end nodes


@dataclass
class _Layout:
    """Nodes and the links between them, shared by every phase of one solve."""

    nodes: list[_Node]
    num_vehicles: int
    #: delivery node -> pick-up nodes that must come before it on the same route
    pickups_of: dict[int, list[int]]
    #: node -> vehicles allowed to serve it
    allowed: dict[int, list[int]]
    #: delivery node -> latest ready time of the hub parcels it carries
    hub_ready: dict[int, int]

    @property
    def deliveries(self) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if n.kind == _DELIVERY]


def _layout(problem: Problem, jobs: Sequence[Job], allowed: dict[str, tuple[int, ...]]) -> _Layout:
    nodes: list[_Node] = []
    for k, v in enumerate(problem.vehicles):
        nodes.append(_Node(_START, v.start, 0, 0, 0, v.shift, (), k))
    for k, v in enumerate(problem.vehicles):
        nodes.append(_Node(_END, v.end, 0, 0, 0, v.shift, (), k))
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        key = f"b:{job.basket}" if job.basket is not None else f"j:{job.id}"
        groups.setdefault(key, []).append(job)
    pickups_of: dict[int, list[int]] = {}
    allowed_nodes: dict[int, list[int]] = {}
    hub_ready: dict[int, int] = {}
    for members in groups.values():
        pickup_nodes = []
        for job in members:
            if job.pickup is not None:
                pickup_nodes.append(len(nodes))
                nodes.append(
                    _Node(
                        _PICKUP, job.pickup, job.pickup_service, job.weight, job.volume,
                        job.pickup_window, (job.id,),
                    )
                )
        first = members[0]
        d = len(nodes)
        nodes.append(
            _Node(
                _DELIVERY,
                first.delivery,
                sum(j.delivery_service for j in members),
                -sum(j.weight for j in members),
                -sum(j.volume for j in members),
                first.delivery_window,
                tuple(j.id for j in members),
            )
        )
        pickups_of[d] = pickup_nodes
        vehicles = sorted(set.intersection(*(set(allowed[j.id]) for j in members)))
        for i in [*pickup_nodes, d]:
            allowed_nodes[i] = vehicles
        hub = [j.pickup_window.start for j in members if j.pickup is None]
        if hub:
            hub_ready[d] = max(hub)
    return _Layout(nodes, len(problem.vehicles), pickups_of, allowed_nodes, hub_ready)


class _Matrices:
    """Node-to-node transit, travel and cost matrices per profile, as numpy arrays."""

    def __init__(self, problem: Problem, layout: _Layout, params: SolveParams) -> None:
        locs = np.array([n.location for n in layout.nodes], dtype=np.int64)
        handling = np.array([n.handling for n in layout.nodes], dtype=np.int64)
        moves = locs[:, None] != locs[None, :]
        # Leaving a start or end node costs no stop time: the courier is already there.
        stops = np.array(
            [problem.stop_time if n.kind in (_PICKUP, _DELIVERY) else 0 for n in layout.nodes],
            dtype=np.int64,
        )
        self.travel: dict[str, np.ndarray] = {}
        self.distance: dict[str, np.ndarray] = {}
        self.transit: dict[str, np.ndarray] = {}
        self.cost: dict[str, np.ndarray] = {}
        for profile, m in problem.matrices.items():
            travel = m.durations[np.ix_(locs, locs)]
            distance = m.distances[np.ix_(locs, locs)]
            unreachable = travel >= TravelMatrix.UNREACHABLE
            transit = travel + handling[:, None] + stops[:, None] * moves
            transit = np.where(unreachable, HORIZON, transit)
            base = transit if params.objective == "duration" else distance
            cost = np.where(unreachable, HORIZON, base) * params.cost_weight
            self.travel[profile] = travel
            self.distance[profile] = distance
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
    ) -> None:
        self.problem, self.layout, self.params = problem, layout, params
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
        routing.SetFixedCostOfAllVehicles(params.vehicle_cost)

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

        for d, pickups in layout.pickups_of.items():
            di = index(d)
            size = len(nodes[d].job_ids)
            routing.AddDisjunction([di], penalty * size)
            for n, p in enumerate(pickups):
                pi = index(p)
                routing.AddDisjunction([pi], 0)
                if n == 0:
                    routing.AddPickupAndDelivery(pi, di)
                else:
                    # Further pick-ups of a basket ride along with the first pair.
                    solver.Add(routing.ActiveVar(pi) == routing.ActiveVar(di))
                    solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
                    solver.Add(time_dim.CumulVar(pi) <= time_dim.CumulVar(di))
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
        p.first_solution_strategy = getattr(
            routing_enums_pb2.FirstSolutionStrategy, self.params.first_solution
        )
        p.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, self.params.metaheuristic
        )
        p.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
        if solution_limit is not None:
            p.solution_limit = solution_limit
        p.log_search = self.params.log_search
        return p

    def dropped(self, assignment) -> int:
        """Number of delivery nodes left out in ``assignment`` (or the current solution)."""
        count = 0
        for d in self.layout.deliveries:
            i = self.manager.NodeToIndex(d)
            nxt = assignment.Value(self.routing.NextVar(i)) if assignment else self.routing.NextVar(i).Value()
            count += nxt == i
        return count

    def run(
        self,
        seconds: float,
        solution_limit: int | None,
        initial: list[list[int]] | None,
        stop_at: tuple[int, int] | None = None,
    ):
        """Search; with ``stop_at=(dropped, used)``, stop at the first solution that drops
        no more jobs and uses no more vehicles than that."""
        routing = self.routing
        if stop_at is not None:
            def _check() -> None:
                if self.dropped(None) <= stop_at[0] and self.used(None) <= stop_at[1]:
                    routing.solver().FinishCurrentSearch()

            routing.AddAtSolutionCallback(_check)
        params = self.search_parameters(seconds, solution_limit)
        if initial is None:
            return routing.SolveWithParameters(params)
        start = routing.ReadAssignmentFromRoutes(initial, True)
        self.read_initial = start is not None
        if start is None:
            return routing.SolveWithParameters(params)
        return routing.SolveFromAssignmentWithParameters(start, params)

    def used(self, assignment) -> int:
        """Number of vehicles with a non-empty route."""
        routing, count = self.routing, 0
        for k in range(self.layout.num_vehicles):
            var = routing.NextVar(routing.Start(k))
            nxt = assignment.Value(var) if assignment else var.Value()
            count += not routing.IsEnd(nxt)
        return count

    def routes(self, assignment) -> list[list[int]]:
        """Routes as lists of routing indices, starts and ends left out."""
        out = []
        for k in range(self.layout.num_vehicles):
            i = assignment.Value(self.routing.NextVar(self.routing.Start(k)))
            route = []
            while not self.routing.IsEnd(i):
                route.append(i)
                i = assignment.Value(self.routing.NextVar(i))
            out.append(route)
        return out


@dataclass
class _Found:
    """A solution kept between phases, independent of the model that found it."""

    routes: list[list[int]]  # node ids per vehicle
    assignment_values: dict[str, list[list[int]]]  # cumuls per dimension per vehicle
    cost: int
    dropped: int

    @property
    def used(self) -> int:
        return sum(1 for r in self.routes if r)


def _capture(phase: _Phase, assignment) -> _Found:
    routing, manager = phase.routing, phase.manager
    routes: list[list[int]] = []
    values: dict[str, list[list[int]]] = {"time": [], "weight": [], "volume": []}
    dims = {"time": phase.time, "weight": phase.loads[0], "volume": phase.loads[1]}
    for k in range(phase.layout.num_vehicles):
        i = routing.Start(k)
        nodes, cumuls = [], {name: [] for name in dims}
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
    return _Found(routes, values, assignment.ObjectiveValue(), phase.dropped(assignment))


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

    layout = _layout(problem, jobs, allowed)
    mats = _Matrices(problem, layout, params)
    penalty = params.drop_penalty or 2 * params.vehicle_cost + 4 * mats.max_cost() + 1

    def remaining() -> float:
        return deadline - time.monotonic()

    def run(
        forbidden: frozenset[int],
        seconds: float,
        initial: _Found | None,
        stop_at: tuple[int, int] | None,
    ) -> tuple[_Phase, object | None]:
        phase = _Phase(problem, layout, mats, params, penalty, forbidden)
        start_routes = None
        if initial is not None:
            to_index = phase.manager.NodeToIndex
            start_routes = [
                [to_index(n) for n in r] if k not in forbidden else []
                for k, r in enumerate(initial.routes)
            ]
        t0 = time.monotonic()
        assignment = phase.run(max(seconds, 0.05), params.solution_limit, start_routes, stop_at)
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
    first_budget = params.time_limit_s * (1.0 if deterministic else params.first_phase_share)
    phase, assignment = run(frozenset(), first_budget, None, None)
    if assignment is None:
        # Should not happen: every job is optional. Keep the plan empty and say so.
        for job in jobs:
            unassigned.append(Unassigned(job.id, Reason.NO_COURIER_LEFT, "the search found no plan"))
        stats["seconds"] = round(time.monotonic() - started, 3)
        return Solution((), tuple(unassigned), 0, stats)
    best = _capture(phase, assignment)
    best_phase = phase
    forbidden: frozenset[int] = frozenset()
    phases[-1].update(name="first", vehicles=best.used, dropped=best.dropped, cost=best.cost)

    if params.minimize_vehicles:
        failures: set[int] = set()
        rng = np.random.default_rng(params.seed)
        while best.used > 1 and (
            deterministic and remaining() > 0 or remaining() > 0.25 * params.time_limit_s
        ):
            candidates = [
                k for k, r in enumerate(best.routes) if r and k not in failures
            ]
            if not candidates or len(failures) >= 3:
                break
            # Smallest route first (fewest deliveries, then shortest); seed breaks ties.
            noise = rng.random(len(candidates))
            k = min(
                zip(candidates, noise, strict=True),
                key=lambda kn: (
                    sum(layout.nodes[n].kind == _DELIVERY for n in best.routes[kn[0]]),
                    best.assignment_values["time"][kn[0]][-1]
                    - best.assignment_values["time"][kn[0]][0],
                    kn[1],
                ),
            )[0]
            if deterministic:
                budget = remaining()
            else:
                budget = min(remaining() - 0.2 * params.time_limit_s, 0.3 * params.time_limit_s)
            # The repair may use only the vehicles already out: an idle one would just
            # take the emptied route's place.
            idle = {j for j, r in enumerate(best.routes) if not r}
            trial_phase, trial = run(
                forbidden | idle | {k}, budget, best, (best.dropped, best.used - 1)
            )
            found = _capture(trial_phase, trial) if trial is not None else None
            ok = found is not None and found.dropped <= best.dropped and found.used < best.used
            phases[-1].update(
                name="remove_route",
                vehicles=found.used if found else None,
                dropped=found.dropped if found else None,
                accepted=ok,
            )
            if ok and found is not None:
                best, best_phase, forbidden = found, trial_phase, forbidden | {k}
                failures.clear()
            else:
                failures.add(k)

        if remaining() > (0 if deterministic else 0.5):
            final_phase, final = run(forbidden, remaining(), best, None)
            if final is not None:
                found = _capture(final_phase, final)
                better = (found.dropped, found.used, found.cost) <= (best.dropped, best.used, best.cost)
                phases[-1].update(name="improve", vehicles=found.used, dropped=found.dropped, accepted=better)
                if better:
                    best, best_phase = found, final_phase

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
        objective=best.cost,
        penalty=penalty,
        nodes=len(layout.nodes),
    )
    del best_phase
    return Solution(tuple(routes), tuple(unassigned), best.cost, stats)


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
        visits: list[Visit] = []
        pos = 1
        while pos < len(full) - 1:
            node = layout.nodes[full[pos]]
            group_end = pos
            while (
                group_end + 1 < len(full) - 1
                and layout.nodes[full[group_end + 1]].location == node.location
                and layout.nodes[full[group_end + 1]].kind == node.kind
            ):
                group_end += 1
            last = layout.nodes[full[group_end]]
            nxt = layout.nodes[full[group_end + 1]]
            departure = t[group_end] + last.handling
            if nxt.location != last.location:
                departure += problem.stop_time
            job_ids = tuple(j for p in range(pos, group_end + 1) for j in layout.nodes[full[p]].job_ids)
            visits.append(
                Visit(
                    kind=node.kind,  # type: ignore[arg-type]
                    job_ids=job_ids,
                    location=node.location,
                    arrival=int(t[pos]),
                    departure=int(departure),
                    load_weight=int(w[group_end] + last.weight),
                    load_volume=int(vol[group_end] + last.volume),
                )
            )
            pos = group_end + 1
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

