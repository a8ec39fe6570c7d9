"""The one module that speaks OR-Tools: a :class:`Problem` in, a :class:`Solution` out.

The model follows the OR-Tools routing samples: one node per pick-up and per delivery
(a basket's delivery is one node), integer transit matrices registered in C++ (no
Python callback in the search loop), a time dimension with windows, two capacity
dimensions (weight and volume), a pick-up-and-delivery pair per job and a disjunction
per delivery so that an order that cannot fit is dropped at a known cost instead of
making the whole plan infeasible.

Everything else is plain Python in its own module, so that only this one imports
OR-Tools: the node model (:mod:`routing._model`), the phases of a solve and their
order (:mod:`routing._phases`), the time each phase gets (:mod:`routing.budget`) and
the reading of the best plan back into a :class:`Solution` (:mod:`routing._result`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ._model import DELIVERY, PICKUP, Layout, Model, NodeMatrices, build_model
from ._phases import Found, SearchOutcome, run_phases
from ._result import assemble_solution
from .budget import SearchTime, TimeBudget
from .feasibility import screen_jobs
from .params import SolveParams
from .problem import HORIZON, Problem
from .solution import Solution

#: above this many jobs with pick-ups, "AUTO" starts from local cheapest insertion
PARALLEL_INSERTION_MAX_JOBS = 500


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
    budget = TimeBudget.for_params(params)
    screens = screen_jobs(problem)
    screened_out = tuple(s.unassigned for s in screens if s.unassigned is not None)
    phases: list[dict[str, object]] = []
    stats: dict[str, object] = {"screened_out": len(screened_out), "phases": phases}
    model = build_model(problem, params, screens)
    if model is None:
        return Solution((), screened_out, 0, stats)
    best = run_phases(model, _OrToolsSearch(model), budget, phases)
    return assemble_solution(model, best, budget, stats)


class _OrToolsSearch:
    """The :class:`routing._phases.Search` of a solve: a fresh OR-Tools model per search."""

    def __init__(self, model: Model) -> None:
        self.model = model

    def __call__(
        self,
        allotted: SearchTime,
        *,
        vehicle_cost: int,
        forbidden: frozenset[int] = frozenset(),
        initial: Found | None = None,
    ) -> SearchOutcome:
        """Build the model, search for at most ``allotted`` and keep what it found."""
        m = self.model
        phase = _Phase(
            m.problem, m.layout, m.mats, m.params, m.penalty(vehicle_cost), forbidden, vehicle_cost
        )
        start_routes = None
        if initial is not None:
            to_index = phase.manager.NodeToIndex
            start_routes = [
                [to_index(n) for n in r] if k not in forbidden else []
                for k, r in enumerate(initial.routes)
            ]
        # The soft limit counts from here: building the model is not searching.
        t0 = time.monotonic()
        soft_stop = allotted.soft_deadline()
        assignment = phase.run(allotted.seconds, m.params.solution_limit, start_routes, soft_stop)
        facts: dict[str, object] = {
            "seconds": round(time.monotonic() - t0, 3),
            "forbidden": len(forbidden),
            "status": int(phase.routing.status()),
            "found": assignment is not None,
            "warm_start": getattr(phase, "read_initial", None),
        }
        found = None if assignment is None else _capture(phase, assignment)
        return SearchOutcome(found, facts)


class _Phase:
    """One OR-Tools model and search; forbidden vehicles stay empty."""

    def __init__(
        self,
        problem: Problem,
        layout: Layout,
        mats: NodeMatrices,
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
            if node.kind in (PICKUP, DELIVERY):
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
            has_pickups = any(n.kind == PICKUP for n in self.layout.nodes)
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
        soft_stop: Callable[[], bool] | None = None,
    ):
        """Search, from ``initial`` routes (routing indices) when given.

        With ``soft_stop`` (a stopping criterion such as a
        :class:`~routing.budget.Deadline`), the search stops at the first solution found
        once it is true: the first solution is always complete, however long building
        it takes within ``seconds``.
        """
        routing = self.routing
        if soft_stop is not None:
            def _stop_when_late() -> None:
                if soft_stop():
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


def _capture(phase: _Phase, assignment) -> Found:
    """The plan in ``assignment``, kept apart from the model that found it."""
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
    return Found(
        routes, values, assignment.ObjectiveValue(), phase.dropped(assignment), phase.vehicle_cost
    )
