"""Route elimination with an ejection pool, in plain Python.

OR-Tools' local search keeps the routes it starts with: emptying one means moving
every job of that route elsewhere at once, which no single move of its neighbourhoods
does. This module does what the route-minimisation heuristics of the VRP literature do
(Nagata & Bräysy, 2009, "A powerful route minimization heuristic for the vehicle
routing problem with time windows"): take a route out, put its jobs in a pool, and put
them back one by one into the other routes; a job that fits nowhere goes in anyway,
pushing out the cheapest set of at most ``max_ejections`` jobs of one route, judged by
how often each job has been hard to place before. Random feasible relocations between
insertions keep the search from cycling. When the pool empties, the plan has one route
fewer and every job it served. The same pool serves jobs a first plan left out
(:func:`insert_left_out`): they start in the pool and every vehicle may take them.

The model is the solver's node graph (one node per pick-up and per delivery, transit
times that already count handling and stop time), so it knows nothing of OR-Tools. A
job is its delivery node plus, when it has one, its pick-up node; both move together.
Every plan it returns has been checked stop by stop.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: pairs of jobs pushed out together are drawn from this many jobs nearest the placed one
NEAR_JOBS = 10


@dataclass(frozen=True)
class FleetVehicle:
    """What route elimination needs of a vehicle: profile, capacities, start, end, shift."""

    profile: str
    capacity_weight: int
    capacity_volume: int
    start: int
    end: int
    shift_start: int
    shift_end: int


@dataclass(frozen=True)
class NodeGraph:
    """The solver's nodes: windows, loads, pairs, allowed vehicles and transit times.

    ``transit[profile][a][b]`` is the time from the service start at node ``a`` to the
    arrival at node ``b`` (handling at ``a`` included); ``cost`` is the objective's arc
    cost on the same scale. ``pickup_of`` maps every delivery node to its pick-up node,
    or None when the goods are loaded at the start. ``hub_ready`` is the earliest start
    of a vehicle that carries that delivery's parcels from the hub.
    """

    transit: Mapping[str, Sequence[Sequence[int]]]
    cost: Mapping[str, Sequence[Sequence[int]]]
    earliest: Sequence[int]
    latest: Sequence[int]
    weight: Sequence[int]
    volume: Sequence[int]
    pickup_of: Mapping[int, int | None]
    allowed: Mapping[int, frozenset[int]]
    vehicles: Sequence[FleetVehicle]
    hub_ready: Mapping[int, int] = field(default_factory=dict)


@dataclass
class EliminationResult:
    """The routes found (one node list per vehicle, empty when unused) and search facts."""

    routes: list[list[int]]
    iterations: int
    removed: int
    seconds: float


class _Route:
    """One vehicle's route with the arrays that make an insertion check O(1) per place.

    ``arrive[i]`` is the earliest service start at position ``i`` (0 is the start, the
    last is the end), ``latest[i]`` the latest service start that keeps the rest of the
    route on time, ``load_w[i]`` / ``load_v[i]`` the load when leaving position ``i``.
    """

    __slots__ = (
        "k", "nodes", "full", "arrive", "latest", "load_w", "load_v", "cost", "ok", "simple"
    )

    def __init__(self, graph: NodeGraph, k: int, nodes: list[int]) -> None:
        self.k = k
        self.nodes = nodes
        self.refresh(graph)

    def refresh(self, graph: NodeGraph) -> None:
        v = graph.vehicles[self.k]
        tr = graph.transit[v.profile]
        cost = graph.cost[v.profile]
        full = [v.start, *self.nodes, v.end]
        self.full = full
        # Whatever the route delivers and did not pick up on the way is loaded at the
        # start (hub parcels, alone or in a basket with shop parcels).
        start = v.shift_start
        load_w = load_v = 0
        hub_ready = graph.hub_ready
        for n in self.nodes:
            load_w -= graph.weight[n]
            load_v -= graph.volume[n]
            if n in hub_ready:
                start = max(start, hub_ready[n])
        ok = load_w <= v.capacity_weight and load_v <= v.capacity_volume
        arrive = [start]
        lw, lv = [load_w], [load_v]
        t, total = start, 0
        earliest, latest = graph.earliest, graph.latest
        seen: set[int] = set()
        pickups = paired = 0
        for a, b in zip(full, full[1:], strict=False):
            t = t + tr[a][b]
            if b != v.end:
                t = max(t, earliest[b])
                if t > latest[b]:
                    ok = False
                load_w += graph.weight[b]
                load_v += graph.volume[b]
                if not (0 <= load_w <= v.capacity_weight and 0 <= load_v <= v.capacity_volume):
                    ok = False
                p = graph.pickup_of.get(b, -1)
                if p is None:
                    pass
                elif p < 0:
                    pickups += 1
                elif p in seen:
                    paired += 1
                else:
                    ok = False
                seen.add(b)
            arrive.append(t)
            lw.append(load_w)
            lv.append(load_v)
            total += cost[a][b]
        if t > v.shift_end or pickups != paired:
            ok = False
        #: only hub parcels on board: ejections can use the fast search
        self.simple = pickups == 0
        back = [0] * len(full)
        back[-1] = v.shift_end
        for i in range(len(full) - 2, -1, -1):
            node = full[i]
            lim = back[i + 1] - tr[node][full[i + 1]]
            back[i] = min(latest[node], lim) if i > 0 else min(v.shift_end, lim)
        self.arrive, self.latest, self.load_w, self.load_v = arrive, back, lw, lv
        self.cost, self.ok = total, ok


@dataclass(frozen=True)
class _Insertion:
    delta: int
    k: int
    #: positions in the route's full list after which the pick-up and the delivery go
    after_pickup: int
    after_delivery: int


def _best_insertion(graph: NodeGraph, route: _Route, d: int) -> _Insertion | None:
    """The cheapest feasible place for job ``d`` (and its pick-up) in ``route``."""
    v = graph.vehicles[route.k]
    p = graph.pickup_of[d]
    if graph.hub_ready.get(d, 0) > route.arrive[0]:
        return _insertion_by_replay(graph, route, d)
    tr = graph.transit[v.profile]
    cost = graph.cost[v.profile]
    full, arrive, latest = route.full, route.arrive, route.latest
    earliest, late = graph.earliest, graph.latest
    lw, lv = route.load_w, route.load_v
    cw, cv = v.capacity_weight, v.capacity_volume
    best: _Insertion | None = None
    n = len(full)
    if p is None:
        w, vol = -graph.weight[d], -graph.volume[d]
        if lw[0] + w > cw or lv[0] + vol > cv:
            return None
        e_d, l_d = earliest[d], late[d]
        row = tr[d]
        max_w = max_v = -1
        for i in range(n - 1):
            # Hub parcels ride from the start to the delivery: every load before it grows.
            if lw[i] > max_w:
                max_w = lw[i]
            if lv[i] > max_v:
                max_v = lv[i]
            if max_w + w > cw or max_v + vol > cv:
                break
            a = full[i]
            t = arrive[i] + tr[a][d]
            if t < e_d:
                t = e_d
            if t > l_d:
                if arrive[i] > l_d:
                    break
                continue
            b = full[i + 1]
            if t + row[b] > latest[i + 1]:
                continue
            delta = cost[a][d] + cost[d][b] - cost[a][b]
            if best is None or delta < best.delta:
                best = _Insertion(delta, route.k, i, i)
        return best
    # From the pick-up to the delivery the job weighs what the delivery hands over; a
    # basket may also carry hub parcels (the rest), from the start to the pick-up.
    dw, dv = -graph.weight[d], -graph.volume[d]
    hw, hv = dw - graph.weight[p], dv - graph.volume[p]
    e_p, l_p, e_d, l_d = earliest[p], late[p], earliest[d], late[d]
    max_w = max_v = -1
    for i in range(n - 1):
        if arrive[i] > l_p:
            break
        if lw[i] > max_w:
            max_w = lw[i]
        if lv[i] > max_v:
            max_v = lv[i]
        if max_w + hw > cw or max_v + hv > cv:
            break
        a = full[i]
        tp = arrive[i] + tr[a][p]
        if tp < e_p:
            tp = e_p
        if tp > l_p:
            continue
        if lw[i] + dw > cw or lv[i] + dv > cv:
            continue
        # The delivery right after the pick-up.
        td = max(tp + tr[p][d], e_d)
        b = full[i + 1]
        if td <= l_d and td + tr[d][b] <= latest[i + 1]:
            delta = cost[a][p] + cost[p][d] + cost[d][b] - cost[a][b]
            if best is None or delta < best.delta:
                best = _Insertion(delta, route.k, i, i)
        # The delivery later: walk the shifted times forward.
        base = cost[a][p] + cost[p][b] - cost[a][b]
        t, prev = tp, p
        for j in range(i + 1, n - 1):
            x = full[j]
            t = max(t + tr[prev][x], earliest[x])
            if t > late[x] or lw[j] + dw > cw or lv[j] + dv > cv:
                break
            y = full[j + 1]
            td = max(t + tr[x][d], e_d)
            if td <= l_d and td + tr[d][y] <= latest[j + 1]:
                delta = base + cost[x][d] + cost[d][y] - cost[x][y]
                if best is None or delta < best.delta:
                    best = _Insertion(delta, route.k, i, j)
            prev = x
    return best


def _insertion_by_replay(graph: NodeGraph, route: _Route, d: int) -> _Insertion | None:
    """Slow path: try every place and check the whole route (a later vehicle start)."""
    p = graph.pickup_of[d]
    best: _Insertion | None = None
    n = len(route.nodes)
    for i in range(n + 1):
        for j in range(i, n + 1) if p is not None else (i,):
            nodes = _inserted(route.nodes, d, p, i, j)
            trial = _Route(graph, route.k, nodes)
            if trial.ok and (best is None or trial.cost - route.cost < best.delta):
                best = _Insertion(trial.cost - route.cost, route.k, i, j)
    return best


def _inserted(nodes: list[int], d: int, p: int | None, i: int, j: int) -> list[int]:
    """``nodes`` with ``p`` after position ``i`` and ``d`` after position ``j`` (full-list
    positions: 0 is the start)."""
    if p is None:
        return [*nodes[:i], d, *nodes[i:]]
    return [*nodes[:i], p, *nodes[i:j], d, *nodes[j:]]


def _ejections_from_hub_route(
    graph: NodeGraph,
    route: _Route,
    d: int,
    penalty: Mapping[int, int],
    max_ejections: int,
    bound: tuple[int, int] | None,
) -> tuple[tuple[int, int], tuple[int, ...], int] | None:
    """Fast ejection search when ``d`` and every job of ``route`` leave from the hub.

    Walks the route once per choice, in the order of the route (Nagata & Bräysy's
    lexicographic search): each node is kept or pushed out and ``d`` goes in at some
    point; a branch stops as soon as a kept node is late, since pushing out later
    nodes cannot make an earlier one on time, and succeeds as soon as, ``d`` placed,
    a kept node is served early enough for the untouched rest of the route.

    Returns ``((summed penalty, cost change), ejected jobs, index in the route's full
    list before which ``d`` goes)``, the least found under ``bound``, or None.
    """
    v = graph.vehicles[route.k]
    tr, cost = graph.transit[v.profile], graph.cost[v.profile]
    earliest, latest = graph.earliest, graph.latest
    full, z = route.full, route.latest
    n = len(full)
    suffix = [0] * n
    for j in range(n - 2, -1, -1):
        suffix[j] = suffix[j + 1] + cost[full[j]][full[j + 1]]
    total_w = route.load_w[0] - graph.weight[d]
    total_v = route.load_v[0] - graph.volume[d]
    cw, cv = v.capacity_weight, v.capacity_volume
    e_d, l_d = earliest[d], latest[d]
    best_key, best_at = bound, -1
    best_out: tuple[int, ...] = ()
    ejected: list[int] = []

    def record(score: int, new_cost: int, ins: int) -> None:
        nonlocal best_key, best_out, best_at
        key = (score, new_cost - route.cost)
        if best_key is None or key < best_key:
            best_key, best_out, best_at = key, tuple(ejected), ins

    def visit(j: int, t: int, last: int, pc: int, score: int, ins: int, ew: int, ev: int) -> None:
        x = full[j]
        if ins < 0:
            tv = t + tr[last][d]
            if tv < e_d:
                tv = e_d
            if tv <= l_d:
                visit(j, tv, d, pc + cost[last][d], score, j, ew, ev)
        fits = total_w - ew <= cw and total_v - ev <= cv
        if j == n - 1:
            if ins >= 0 and fits and t + tr[last][x] <= v.shift_end:
                record(score, pc + cost[last][x], ins)
            return
        tx = t + tr[last][x]
        if tx < earliest[x]:
            tx = earliest[x]
        if tx <= latest[x]:
            if ins >= 0 and fits and tx <= z[j]:
                record(score, pc + cost[last][x] + suffix[j], ins)
            else:
                visit(j + 1, tx, x, pc + cost[last][x], score, ins, ew, ev)
        if len(ejected) < max_ejections:
            s = score + penalty.get(x, 1)
            if best_key is None or s <= best_key[0]:
                # Pushing x out lowers the load from the start to x by its parcels.
                ejected.append(x)
                visit(j + 1, t, last, pc, s, ins, ew - graph.weight[x], ev - graph.volume[x])
                ejected.pop()

    visit(1, route.arrive[0], full[0], 0, 0, -1, 0, 0)
    if best_at < 0 or best_key is None or not best_out:
        return None
    return best_key, best_out, best_at


def route_is_feasible(graph: NodeGraph, k: int, nodes: list[int]) -> bool:
    """Whether vehicle ``k`` can serve ``nodes`` in that order: windows, loads, pairs, shift."""
    return not nodes or _Route(graph, k, list(nodes)).ok


def _job_nodes(graph: NodeGraph, d: int) -> tuple[int, ...]:
    p = graph.pickup_of[d]
    return (d,) if p is None else (p, d)


class _Search:
    def __init__(self, graph: NodeGraph, routes: list[list[int]], rng: random.Random,
                 max_ejections: int) -> None:
        self.graph, self.rng, self.max_ejections = graph, rng, max_ejections
        self.routes = {k: _Route(graph, k, list(r)) for k, r in enumerate(routes) if r}
        self.penalty: dict[int, int] = {}

    def snapshot(self) -> dict[int, list[int]]:
        return {k: list(r.nodes) for k, r in self.routes.items()}

    def restore(self, snap: Mapping[int, list[int]]) -> None:
        self.routes = {k: _Route(self.graph, k, list(n)) for k, n in snap.items()}

    def deliveries(self, k: int) -> list[int]:
        pickup_of = self.graph.pickup_of
        return [n for n in self.routes[k].nodes if n in pickup_of]

    def allowed_routes(self, d: int) -> list[_Route]:
        ks = self.graph.allowed.get(d)
        return [r for k, r in self.routes.items() if ks is None or k in ks]

    def insert(self, ins: _Insertion, d: int) -> None:
        route = self.routes[ins.k]
        route.nodes = _inserted(
            route.nodes, d, self.graph.pickup_of[d], ins.after_pickup, ins.after_delivery
        )
        route.refresh(self.graph)
        if not route.ok:
            msg = f"route elimination: inserting node {d} broke route {ins.k}."
            raise AssertionError(msg)

    def remove(self, k: int, jobs: Sequence[int]) -> None:
        route = self.routes[k]
        out = {n for d in jobs for n in _job_nodes(self.graph, d)}
        route.nodes = [n for n in route.nodes if n not in out]
        route.refresh(self.graph)

    def nearest(self, d: int, k: int, jobs: Sequence[int]) -> list[int]:
        """The :data:`NEAR_JOBS` jobs of ``jobs`` (on route ``k``) closest to job ``d``.

        Pushing out two jobs at once is tried among these only: pairs grow with the
        square of a route's length, and it is mostly a nearby job whose time or place
        makes room (on a 300-order day a placement took half a second with every pair).
        """
        if len(jobs) <= NEAR_JOBS:
            return list(jobs)
        tr = self.graph.transit[self.graph.vehicles[k].profile]
        mine = _job_nodes(self.graph, d)

        def gap(j: int) -> int:
            return min(min(tr[a][b], tr[b][a]) for a in mine for b in _job_nodes(self.graph, j))

        return sorted(jobs, key=gap)[:NEAR_JOBS]

    def any_insertion(self, d: int) -> _Insertion | None:
        """A feasible place for ``d``: the cheapest one of a route drawn at random among
        those where it fits (a random choice keeps the search from cycling). Empty
        routes (when unused vehicles take part) come only when no used one fits, and
        then the cheapest."""
        routes = self.allowed_routes(d)
        found = [
            ins for route in routes
            if route.nodes and (ins := _best_insertion(self.graph, route, d)) is not None
        ]
        if found:
            return self.rng.choice(found)
        empty = [
            ins for route in routes
            if not route.nodes and (ins := _best_insertion(self.graph, route, d)) is not None
        ]
        return min(empty, key=lambda ins: ins.delta) if empty else None

    def best_ejection(self, d: int) -> tuple[int, tuple[int, ...], _Insertion] | None:
        """The route and the jobs to push out of it, of least summed penalty, so that
        ``d`` fits; ties go to the cheaper insertion."""
        graph, penalty = self.graph, self.penalty
        best: tuple[tuple[int, int], int, tuple[int, ...], _Insertion] | None = None
        hub = graph.pickup_of[d] is None
        ready = graph.hub_ready.get(d, 0)
        for route in self.allowed_routes(d):
            if hub and route.simple and ready <= route.arrive[0]:
                found = _ejections_from_hub_route(
                    graph, route, d, penalty, self.max_ejections,
                    None if best is None else best[0],
                )
                if found is not None:
                    key, out, before = found
                    # ``before`` indexes the full list; count the kept nodes ahead of it.
                    at = sum(1 for n in route.full[1:before] if n not in out)
                    if best is None or key < best[0]:
                        best = (key, route.k, out, _Insertion(key[1], route.k, at, at))
                continue
            jobs = self.deliveries(route.k)
            near = self.nearest(d, route.k, jobs)
            for size in range(1, self.max_ejections + 1):
                for out in itertools.combinations(jobs if size == 1 else near, size):
                    score = sum(penalty.get(j, 1) for j in out)
                    if best is not None and score > best[0][0]:
                        continue
                    drop = {n for j in out for n in _job_nodes(graph, j)}
                    trial = _Route(graph, route.k, [n for n in route.nodes if n not in drop])
                    if not trial.ok:
                        continue
                    ins = _best_insertion(graph, trial, d)
                    if ins is None:
                        continue
                    key = (score, ins.delta + trial.cost - route.cost)
                    if best is None or key < best[0]:
                        best = (key, route.k, out, ins)
        return None if best is None else (best[1], best[2], best[3])

    def place(self, pool: list[int]) -> bool:
        """Place the job on top of ``pool``; True when it fitted without pushing any out.

        A job that fits nowhere goes in anyway, pushing out the jobs of least summed
        penalty (they go to the pool); one that fits nowhere even then goes back to the
        bottom of the pool.
        """
        d = pool.pop()
        ins = self.any_insertion(d)
        if ins is not None:
            self.insert(ins, d)
            return True
        self.penalty[d] = self.penalty.get(d, 1) + 1
        ejection = self.best_ejection(d)
        if ejection is None:
            pool.insert(0, d)
        else:
            target, ejected, ins = ejection
            self.remove(target, ejected)
            self.insert(ins, d)
            pool.extend(ejected)
        return False

    def perturb(self, moves: int) -> None:
        """Random feasible moves between two routes: relocate a job, or swap the two
        routes' tails (2-opt*). Only the plan's shape changes; every job stays served."""
        rng = self.rng
        # Never into an empty route: these moves must not put a vehicle to use.
        keys = [k for k, r in self.routes.items() if r.nodes]
        if len(keys) < 2:
            return
        for _ in range(moves):
            k, k2 = rng.sample(keys, 2)
            if rng.random() < 0.5:
                self._relocate(k, k2)
            else:
                self._two_opt_star(k, k2)

    def _relocate(self, k: int, k2: int) -> None:
        jobs = self.deliveries(k)
        if not jobs:
            return
        d = self.rng.choice(jobs)
        allowed = self.graph.allowed.get(d)
        if allowed is not None and k2 not in allowed:
            return
        ins = _best_insertion(self.graph, self.routes[k2], d)
        if ins is not None:
            self.remove(k, [d])
            self.insert(ins, d)

    def _two_opt_star(self, k: int, k2: int) -> None:
        a, b = self.routes[k].nodes, self.routes[k2].nodes
        i = self.rng.randint(0, len(a))
        j = self.rng.randint(0, len(b))
        na, nb = a[:i] + b[j:], b[:j] + a[i:]
        if not na or not nb:
            return
        allowed = self.graph.allowed
        for nodes, kk in ((b[j:], k), (a[i:], k2)):
            if any(n in allowed and kk not in allowed[n] for n in nodes):
                return
        ra = _Route(self.graph, k, na)
        if not ra.ok:
            return
        rb = _Route(self.graph, k2, nb)
        if rb.ok:
            self.routes[k], self.routes[k2] = ra, rb


def _checked_plan(graph: NodeGraph, snap: Mapping[int, list[int]], phase: str) -> list[list[int]]:
    """One node list per vehicle from ``snap``, every route checked again from scratch."""
    plan = [list(snap.get(k, [])) for k in range(len(graph.vehicles))]
    for k, nodes in enumerate(plan):
        if nodes and not _Route(graph, k, nodes).ok:
            msg = f"{phase} produced an infeasible route for vehicle {k}."
            raise AssertionError(msg)
    return plan


def eliminate_routes(
    graph: NodeGraph,
    routes: Sequence[Sequence[int]],
    *,
    deadline: float,
    max_iterations: int | None = None,
    seed: int = 0,
    floor: int = 1,
    max_ejections: int = 2,
    perturb_moves: int = 20,
    patience: int | None = None,
) -> EliminationResult:
    """Serve the jobs of ``routes`` with as few routes as the time allows.

    Parameters
    ----------
    graph
        The node graph of the problem.
    routes
        A feasible plan: one node list per vehicle (start and end left out), empty
        for an unused vehicle.
    deadline
        ``time.monotonic()`` value at which to stop.
    max_iterations
        Stop after this many placements of a pooled job, so that the result depends
        only on the input and ``seed``; None: the deadline alone stops the search.
    floor
        Never try fewer routes than this (a capacity bound, say).
    patience
        Give up emptying a route after this many placements without a new smallest
        pool, and stop there; None: only the deadline (or ``max_iterations``) does.

    Returns
    -------
    EliminationResult
        A plan with every job of ``routes``, each route checked, using no more
        vehicles than ``routes``.
    """
    started = time.monotonic()
    rng = random.Random(seed)
    search = _Search(graph, [list(r) for r in routes], rng, max_ejections)
    if not all(r.ok for r in search.routes.values()):
        msg = "route elimination needs a feasible plan to start from."
        raise ValueError(msg)
    best = search.snapshot()
    iterations = removed = 0

    def out_of_budget() -> bool:
        if max_iterations is not None and iterations >= max_iterations:
            return True
        return time.monotonic() >= deadline

    while len(search.routes) > floor and not out_of_budget():
        # Take out a route at random; its jobs go to the pool.
        k = rng.choice(sorted(search.routes))
        pool = search.deliveries(k)
        del search.routes[k]
        rng.shuffle(pool)
        search.penalty = {}
        smallest, since = len(pool), 0
        while pool and not out_of_budget():
            if len(pool) < smallest:
                smallest, since = len(pool), 0
            elif patience is not None and since >= patience:
                break
            iterations += 1
            since += 1
            if not search.place(pool):
                search.perturb(perturb_moves)
        if pool:
            search.restore(best)
            break
        best = search.snapshot()
        removed += 1
    plan = _checked_plan(graph, best, "route elimination")
    return EliminationResult(plan, iterations, removed, time.monotonic() - started)


@dataclass
class InsertionResult:
    """The routes after serving left-out jobs, the jobs still left out, and search facts."""

    routes: list[list[int]]
    #: delivery nodes of the jobs still left out
    left_out: list[int]
    iterations: int
    seconds: float


def insert_left_out(
    graph: NodeGraph,
    routes: Sequence[Sequence[int]],
    left_out: Sequence[int],
    *,
    deadline: float,
    max_iterations: int | None = None,
    seed: int = 0,
    max_ejections: int = 2,
    perturb_moves: int = 20,
    patience: int | None = None,
) -> InsertionResult:
    """Serve jobs a plan left out, pushing others out of the way, as route elimination does.

    OR-Tools' local search inserts a left-out pick-up-and-delivery pair only where it
    fits as the routes stand; on a tight day a few orders stay out although moving two
    others would make room (a 100-order day: 5 left out, where VROOM left out 1). Here
    the left-out jobs form the ejection pool and every vehicle, used or not, may take
    them; the pool empties when they are all served. The plan with the fewest jobs left
    out is kept (ties: the first found), so the result never leaves out more than
    ``left_out``.

    Parameters
    ----------
    graph
        The node graph of the problem.
    routes
        A feasible plan: one node list per vehicle (start and end left out).
    left_out
        Delivery nodes of the jobs the plan does not serve.
    deadline, max_iterations, seed, max_ejections, perturb_moves
        As for :func:`eliminate_routes`.
    patience
        Stop after this many placements without fewer jobs left out; None: only the
        deadline (or ``max_iterations``) does.

    Returns
    -------
    InsertionResult
        The routes (each checked) and the jobs they still leave out.
    """
    started = time.monotonic()
    rng = random.Random(seed)
    search = _Search(graph, [list(r) for r in routes], rng, max_ejections)
    # Unused vehicles may take jobs too: serving an order comes before sparing a courier.
    for k in range(len(graph.vehicles)):
        if k not in search.routes:
            search.routes[k] = _Route(graph, k, [])
    if not all(r.ok for r in search.routes.values()):
        msg = "inserting left-out jobs needs a feasible plan to start from."
        raise ValueError(msg)
    pool = list(left_out)
    rng.shuffle(pool)
    best, best_pool = search.snapshot(), list(pool)
    iterations = since = 0
    while pool:
        if max_iterations is not None and iterations >= max_iterations:
            break
        if time.monotonic() >= deadline or (patience is not None and since >= patience):
            break
        iterations += 1
        since += 1
        search.place(pool)
        if len(pool) < len(best_pool):
            best, best_pool, since = search.snapshot(), list(pool), 0
        search.perturb(perturb_moves)
    plan = _checked_plan(graph, best, "inserting left-out jobs")
    return InsertionResult(plan, best_pool, iterations, time.monotonic() - started)
