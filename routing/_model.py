"""The solver's node model, free of OR-Tools: nodes, their links, and the matrices.

One node per pick-up and per delivery (a basket's delivery is one node, its pick-ups
one node with a step per shop), then node-to-node transit, travel, distance and cost
matrices per travel profile. The OR-Tools model (:mod:`routing.solver`), route
elimination (:mod:`routing.route_elimination`) and the reading of routes back
(:mod:`routing._result`) all work on this one model.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .feasibility import JobScreen
from .params import SolveParams
from .problem import HORIZON, Job, Problem, TravelMatrix, Window
from .route_elimination import FleetVehicle, NodeGraph
from .solution import Reason, Unassigned

START, END, PICKUP, DELIVERY = "start", "end", "pickup", "delivery"


@dataclass(frozen=True)
class Step:
    """One place where a node is served: a location, its handling time and its load."""

    location: int
    handling: int
    weight: int
    volume: int
    window: Window
    job_ids: tuple[str, ...]


@dataclass(frozen=True)
class Node:
    """One node of the OR-Tools model.

    A basket's pick-ups are one node with several steps, one per shop, served in a
    fixed order without waiting in between: the routing model then keeps them on one
    route, before the delivery, all or none, with its own pick-up-and-delivery moves.
    (Side constraints linking several pick-up nodes blind OR-Tools' first-solution
    heuristics, and a node may belong to one pick-up-and-delivery pair only.)
    """

    kind: str
    steps: tuple[Step, ...]
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
class Layout:
    """Nodes and the links between them, shared by every phase of one solve."""

    nodes: list[Node]
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
        return [i for i, n in enumerate(self.nodes) if n.kind == DELIVERY]


def _chain_timing(
    steps: Sequence[Step], m: TravelMatrix, stop_time: int
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
    steps: Sequence[Step], offsets_by_profile: Sequence[Sequence[int]]
) -> Window | None:
    """Arrival times at the first step that keep every step in its window, every profile."""
    lo, hi = 0, HORIZON
    for offsets in offsets_by_profile:
        for step, off in zip(steps, offsets, strict=True):
            lo = max(lo, step.window.start - off)
            hi = min(hi, step.window.end - off)
    return Window(lo, hi) if lo <= hi else None


def _pickup_steps(members: Sequence[Job], problem: Problem) -> list[Step]:
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
            Step(
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
    steps: list[Step], problem: Problem, profiles: Sequence[str]
) -> tuple[tuple[Step, ...], Window] | None:
    """The order of a basket's shops with the least inner time that fits the windows."""
    if len(steps) <= 1:
        chains: Iterable[tuple[Step, ...]] = [tuple(steps)]
    elif len(steps) <= 5:
        chains = itertools.permutations(steps)
    else:
        chains = [tuple(sorted(steps, key=lambda s: s.window.end))]
    best: tuple[int, tuple[Step, ...], Window] | None = None
    for chain in chains:
        timings = [_chain_timing(chain, problem.matrices[p], problem.stop_time) for p in profiles]
        window = _chain_window(chain, [t[0] for t in timings])
        if window is None:
            continue
        total = sum(t[1][0] for t in timings)
        if best is None or total < best[0]:
            best = (total, chain, window)
    return None if best is None else (best[1], best[2])


def build_layout(
    problem: Problem, jobs: Sequence[Job], allowed: dict[str, tuple[int, ...]]
) -> tuple[Layout, list[Unassigned]]:
    """The nodes of ``jobs`` (vehicles' starts and ends first), and the jobs refused.

    A basket whose shops cannot all be visited in one go, within their hours, is
    refused whole.
    """
    nodes: list[Node] = []
    for v in problem.vehicles:
        nodes.append(Node(START, (Step(v.start, 0, 0, 0, v.shift, ()),), v.shift))
    for v in problem.vehicles:
        nodes.append(Node(END, (Step(v.end, 0, 0, 0, v.shift, ()),), v.shift))
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
            nodes.append(Node(PICKUP, chain, window))
        first = members[0]
        d = len(nodes)
        nodes.append(
            Node(
                DELIVERY,
                (
                    Step(
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
    layout = Layout(
        nodes, len(problem.vehicles), pickup_of, allowed_nodes, hub_ready, offsets, inner
    )
    return layout, refused


class NodeMatrices:
    """Node-to-node transit, travel and cost matrices per profile, as numpy arrays."""

    def __init__(self, problem: Problem, layout: Layout, params: SolveParams) -> None:
        nodes = layout.nodes
        entry = np.array([n.location for n in nodes], dtype=np.int64)
        exit_ = np.array([n.exit for n in nodes], dtype=np.int64)
        moves = exit_[:, None] != entry[None, :]
        # Leaving a start or end node costs no stop time: the courier is already there.
        stops = np.array(
            [problem.stop_time if n.kind in (PICKUP, DELIVERY) else 0 for n in nodes],
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
        """The largest finite arc cost of any profile."""
        return int(max(c[c < HORIZON].max(initial=0) for c in self.cost.values()))


def node_graph(problem: Problem, layout: Layout, mats: NodeMatrices) -> NodeGraph:
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

@dataclass(frozen=True)
class Model:
    """What every phase of one solve shares: the input, its nodes and its matrices.

    ``jobs`` are the jobs the search may plan; ``unassigned`` the jobs left out before
    it (screened out, or in a basket whose shops cannot all be visited) with the reason.
    """

    problem: Problem
    params: SolveParams
    layout: Layout
    mats: NodeMatrices
    jobs: tuple[Job, ...]
    unassigned: tuple[Unassigned, ...]

    def penalty(self, vehicle_cost: int) -> int:
        """The cost of leaving a job out, in a search where a vehicle costs ``vehicle_cost``.

        A job left out must cost more than a vehicle and the detour to serve it. The
        penalty follows each phase's vehicle cost: guided local search scales its own
        penalties with the objective, so needless magnitude there blunts the search.
        """
        return self.params.drop_penalty or 2 * vehicle_cost + 4 * self.mats.max_cost() + 1

    @functools.cached_property
    def node_graph(self) -> NodeGraph:
        """The model as the ejection pool sees it (built once, on demand: it is large)."""
        return node_graph(self.problem, self.layout, self.mats)


def build_model(
    problem: Problem, params: SolveParams, screens: Sequence[JobScreen]
) -> Model | None:
    """The node model of the jobs that passed screening, or None when nothing can be planned.

    Parameters
    ----------
    problem
        The problem being solved.
    params
        The solve's settings (they set the cost matrices).
    screens
        :func:`routing.feasibility.screen_jobs` of ``problem``.

    Returns
    -------
    Model or None
        The model; None when no job passed screening or there is no vehicle.
    """
    unassigned = [s.unassigned for s in screens if s.unassigned is not None]
    jobs = [s.job for s in screens if s.unassigned is None]
    allowed = {s.job.id: s.vehicles for s in screens if s.unassigned is None}
    if not jobs or not problem.vehicles:
        return None
    layout, refused = build_layout(problem, jobs, allowed)
    refused_ids = {u.job_id for u in refused}
    return Model(
        problem,
        params,
        layout,
        NodeMatrices(problem, layout, params),
        tuple(j for j in jobs if j.id not in refused_ids),
        (*unassigned, *refused),
    )
