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
from collections.abc import Callable, Sequence

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ._model import DELIVERY, PICKUP, Layout, Model, NodeMatrices, build_model
from ._phases import Found, SearchOutcome, run_from_start, run_phases
from ._result import assemble_solution
from .budget import SearchTime, TimeBudget
from .feasibility import screen_jobs
from .params import SolveParams
from .problem import HORIZON, Problem
from .solution import Solution, StartRoute
from .warm_start import start_plan

#: above this many jobs with pick-ups, "AUTO" starts from local cheapest insertion
PARALLEL_INSERTION_MAX_JOBS = 500
#: with iterated local search, the most of a warm-started search's time the greedy
#: descent from the given routes may take (it stops at its local optimum, most often
#: far sooner)
DESCENT_SHARE = 0.3
#: below this much time after the descent, iterated local search does not run
MIN_ILS_S = 0.5


def solve(
    problem: Problem, params: SolveParams | None = None, start: Sequence[StartRoute] | None = None
) -> Solution:
    """Plan routes for ``problem``.

    Parameters
    ----------
    problem
        Jobs, vehicles and travel matrices.
    params
        Search settings; the defaults suit a day of deliveries.
    start
        The plan in force, to change rather than plan again: every job it serves that
        still fits where it is stays served; the other jobs are placed around them and
        the whole is improved from there (:mod:`routing.warm_start`).

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
    search = _OrToolsSearch(model)
    if start is None:
        best = run_phases(model, search, budget, phases)
    else:
        best = run_from_start(model, search, budget, phases, start_plan(model, start))
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
        keep: frozenset[int] = frozenset(),
    ) -> SearchOutcome:
        """Build the model, search for at most ``allotted`` and keep what it found.

        OR-Tools' iterated local search cannot start from given routes (it builds its
        own first solution and ignores a hint) and does not stop at the soft limit, so
        it runs in warm-started searches only: it gets the time a greedy descent from
        ``initial`` leaves, and the better plan of the two is kept. Not when jobs must
        be kept (a plan in force): a search from scratch may serve others instead.
        """
        params = self.model.params
        t0 = time.monotonic()
        use_ils = params.iterated_local_search
        if use_ils is None:
            use_ils = not any(n.kind == PICKUP for n in self.model.layout.nodes)
        if not (use_ils and initial is not None) or keep:
            plain = params.replace(iterated_local_search=False)
            found, facts = self._search(plain, allotted, vehicle_cost, forbidden, initial, keep)
            facts["seconds"] = round(time.monotonic() - t0, 3)
            return SearchOutcome(found, facts)
        descent = params.replace(iterated_local_search=False, metaheuristic="GREEDY_DESCENT")
        found, facts = self._search(
            descent, SearchTime(allotted.seconds * DESCENT_SHARE), vehicle_cost, forbidden, initial
        )
        left = allotted.seconds - (time.monotonic() - t0)
        if left > MIN_ILS_S:
            ils_params = params.replace(iterated_local_search=True)
            ils, _ = self._search(ils_params, SearchTime(left), vehicle_cost, forbidden, None)
            better = ils is not None and (
                found is None
                or (ils.dropped, ils.used, ils.cost) < (found.dropped, found.used, found.cost)
            )
            facts["ils_better"] = better
            if better:
                found = ils
        facts["seconds"] = round(time.monotonic() - t0, 3)
        return SearchOutcome(found, facts)

    def _search(
        self,
        params: SolveParams,
        allotted: SearchTime,
        vehicle_cost: int,
        forbidden: frozenset[int],
        initial: Found | None,
        keep: frozenset[int] = frozenset(),
    ) -> tuple[Found | None, dict[str, object]]:
        m = self.model
        phase = _Phase(
            m.problem, m.layout, m.mats, params, m.penalty(vehicle_cost), forbidden, vehicle_cost,
            keep,
        )
        start_routes = None
        if initial is not None:
            to_index = phase.manager.NodeToIndex
            start_routes = [
                [to_index(n) for n in r] if k not in forbidden else []
                for k, r in enumerate(initial.routes)
            ]
        # The soft limit counts from here: building the model is not searching.
        soft_stop = allotted.soft_deadline()
        assignment = phase.run(allotted.seconds, params.solution_limit, start_routes, soft_stop)
        facts: dict[str, object] = {
            "forbidden": len(forbidden),
            "status": int(phase.routing.status()),
            "found": assignment is not None,
            "warm_start": getattr(phase, "read_initial", None),
        }
        found = None if assignment is None else _capture(phase, assignment)
        return found, facts


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
        keep: frozenset[int] = frozenset(),
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

        # Leaving out a kept job costs more than leaving out all the others together.
        kept_penalty = penalty * (sum(len(nodes[d].job_ids) for d in layout.pickup_of) + 1)
        for d, p in layout.pickup_of.items():
            di = index(d)
            routing.AddDisjunction(
                [di], (kept_penalty if d in keep else penalty) * len(nodes[d].job_ids)
            )
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
        p.ls_operator_neighbors_ratio = self.params.ls_neighbors_ratio
        p.ls_operator_min_neighbors = self.params.ls_min_neighbors
        if self.params.close_nodes_lns:
            ops = p.local_search_operators
            ops.use_global_cheapest_insertion_close_nodes_lns = _enum(
                ops, "use_global_cheapest_insertion_close_nodes_lns", "BOOL_TRUE"
            )
            ops.use_local_cheapest_insertion_close_nodes_lns = _enum(
                ops, "use_local_cheapest_insertion_close_nodes_lns", "BOOL_TRUE"
            )
        if self.params.iterated_local_search:
            _set_iterated_local_search(p, self.params)
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
            if self.params.iterated_local_search:
                return routing.SolveWithIteratedLocalSearch(params)
            return routing.SolveWithParameters(params)
        start = routing.ReadAssignmentFromRoutes(initial, True)
        self.read_initial = start is not None
        if start is None:
            return routing.SolveWithParameters(params)
        return routing.SolveFromAssignmentWithParameters(start, params)


def _enum(message, field: str, name: str) -> int:
    """The number of enum value ``name`` of ``message.field``.

    The 9.15 wheel has no Python module for ``ils.proto`` or ``optional_boolean.proto``
    (their enums reach Python only through the descriptors of the search parameters).
    """
    enum_type = message.DESCRIPTOR.fields_by_name[field].enum_type
    return int(enum_type.values_by_name[name].number)


def _set_iterated_local_search(p, params: SolveParams) -> None:
    """Turn on OR-Tools' iterated local search in the search parameters ``p``."""
    p.use_iterated_local_search = True
    ils = p.iterated_local_search_parameters
    ils.perturbation_strategy = _enum(ils, "perturbation_strategy", "RUIN_AND_RECREATE")
    rr = ils.ruin_recreate_parameters
    del rr.ruin_strategies[:]
    kinds = (
        ("SISR", "RANDOM_WALK", "SPATIALLY_CLOSE_ROUTES")
        if params.ruin_strategy == "ALL"
        else (params.ruin_strategy,)
    )
    for kind in kinds:
        ruin = rr.ruin_strategies.add()
        if kind == "SISR":
            ruin.sisr.avg_num_removed_visits = params.ruin_size
            ruin.sisr.max_removed_sequence_size = 10
            ruin.sisr.bypass_factor = 0.01
        elif kind == "RANDOM_WALK":
            ruin.random_walk.num_removed_visits = params.ruin_size
        else:
            ruin.spatially_close_routes.num_ruined_routes = max(1, params.ruin_size // 10)
    if len(kinds) > 1:
        rr.ruin_composition_strategy = _enum(rr, "ruin_composition_strategy", "RUN_ONE_RANDOMLY")
    rr.recreate_strategy.heuristic = routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    ils.improve_perturbed_solution = True
    reference = ils.reference_solution_acceptance_strategy
    if params.ils_acceptance == "SIMULATED_ANNEALING":
        sa = reference.simulated_annealing
        sa.cooling_schedule_strategy = _enum(sa, "cooling_schedule_strategy", "EXPONENTIAL")
        # Temperatures from the mean arc cost, whatever the unit of the costs.
        sa.automatic_temperatures = True
    else:
        reference.greedy_descent.SetInParent()
    ils.best_solution_acceptance_strategy.greedy_descent.SetInParent()


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
