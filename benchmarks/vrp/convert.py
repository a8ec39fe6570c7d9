"""Benchmark instance → our integer :class:`~routing.problem.Problem`, and back to routes.

Scaling
-------
Our solver (and VROOM) work in integers; the benchmarks in real numbers. Every value
is multiplied by a factor ``scale`` and made an integer in the direction that keeps a
schedule feasible in integers feasible in exact arithmetic:

* travel time ``ceil(scale * d)`` per arc (never shorter than the real arc),
* service time ``ceil(scale * s)`` (never shorter),
* window start ``ceil(scale * ready)`` (never earlier), window end and the depot's due
  time ``floor(scale * due)`` (never later).

By induction along a route, every integer arrival is then at least ``scale`` times
the real arrival, so an integer schedule meeting every scaled due time meets the real
ones. The data being integers, only the travel times are actually rounded; the price
is at most ``1 / scale`` of time per arc, which can at worst make a route that is
feasible but exactly tight in real numbers look infeasible to the solver.

Distances, the cost, are ``round(scale * d)``: unbiased, and never used to judge
feasibility. The distance reported is always recomputed by
:mod:`benchmarks.vrp.checker` in double precision from the node sequence.

The factor is chosen per instance (:func:`choose_scale`): the largest of 1, 2, 5,
10, 20, 50... up to ``max_scale`` that keeps every scaled time below
:data:`routing.problem.HORIZON`, the model's "no limit" value.

Location indices in the :class:`Problem` are the instance's node numbers, node 0 the
depot, so a :class:`~routing.solution.Visit`'s location is the node it serves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.vrp.checker import arc_length
from benchmarks.vrp.instances import Instance
from routing.problem import HORIZON, Job, Problem, TravelMatrix, Vehicle, Window
from routing.solution import Solution

#: The travel profile every benchmark vehicle uses.
PROFILE = "euclid"
#: The finest scale used by default: a ten-thousandth of a distance unit.
MAX_SCALE = 10_000


def choose_scale(instance: Instance, max_scale: int = MAX_SCALE, limit: int = HORIZON) -> int:
    """The largest 1-2-5 factor up to ``max_scale`` keeping scaled times below ``limit``.

    The bound covers the depot's due time plus one service and one arc, above any
    time a feasible schedule reaches.
    """
    longest = max(arc_length(instance, 0, i) for i in range(1, len(instance.nodes)))
    service = max(n.service for n in instance.nodes)
    span = max(instance.depot.due, max(n.due for n in instance.nodes))
    bound = span + service + 2 * longest
    best = 1
    for exponent in range(0, 12):
        for mantissa in (1, 2, 5):
            k = mantissa * 10**exponent
            if k <= max_scale and k * bound < limit:
                best = max(best, k)
    return best


@dataclass(frozen=True)
class ScaledInstance:
    """An instance's data in integers, rounded as explained in the module docstring.

    Shared by our solver and the peers so that all three see the same numbers.
    """

    scale: int
    durations: np.ndarray  # ceil, per arc
    distances: np.ndarray  # round, per arc
    ready: tuple[int, ...]  # ceil
    due: tuple[int, ...]  # floor
    service: tuple[int, ...]  # ceil

    @property
    def depot_window(self) -> Window:
        """The depot's opening hours, scaled."""
        return Window(self.ready[0], self.due[0])

    def window(self, node: int) -> Window:
        """A node's time window, scaled (never empty: the data are integers)."""
        return Window(self.ready[node], max(self.ready[node], self.due[node]))


def scale_instance(instance: Instance, scale: int | None = None) -> ScaledInstance:
    """Integer matrices and node data for ``instance`` (scale chosen if not given)."""
    k = choose_scale(instance) if scale is None else int(scale)
    if k <= 0:
        msg = "scale must be positive."
        raise ValueError(msg)
    n = len(instance.nodes)
    durations = np.zeros((n, n), dtype=np.int64)
    distances = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(n):
            if i != j:
                d = arc_length(instance, i, j)
                durations[i, j] = math.ceil(k * d)
                distances[i, j] = round(k * d)
    nodes = instance.nodes
    return ScaledInstance(
        scale=k,
        durations=durations,
        distances=distances,
        ready=tuple(math.ceil(k * c.ready) for c in nodes),
        due=tuple(math.floor(k * c.due) for c in nodes),
        service=tuple(math.ceil(k * c.service) for c in nodes),
    )


def vehicle_cost_bound(instance: Instance, scaled: ScaledInstance) -> int:
    """A fixed cost per vehicle above the scaled distance of any solution.

    Every visited node is left once along its longest arc at most, and the depot once
    per vehicle: so one vehicle fewer always pays, whatever the extra distance.
    """
    d = scaled.distances
    customers = int(d[1:].max(axis=1).sum())
    return customers + instance.vehicles * int(d[0].max()) + 1


@dataclass(frozen=True)
class Conversion:
    """The problem built from an instance, with what is needed to read its solution."""

    instance: Instance
    problem: Problem
    scaled: ScaledInstance
    #: job id → (pickup node or None, delivery node)
    job_nodes: dict[str, tuple[int | None, int]]

    @property
    def scale(self) -> int:
        """The scaling factor of times and distances."""
        return self.scaled.scale


def job_id(instance: Instance, node: int) -> str:
    """The job id of a Solomon customer, or of the Li & Lim pair a node belongs to."""
    c = instance.nodes[node]
    if c.is_pickup:
        return f"{node}-{c.delivery}"
    if c.is_delivery:
        return f"{c.pickup}-{node}"
    return str(node)


def to_problem(
    instance: Instance,
    *,
    scale: int | None = None,
    vehicles: int | None = None,
    profile: str = PROFILE,
) -> Conversion:
    """Build our :class:`Problem` for a benchmark instance.

    Parameters
    ----------
    instance
        A Solomon or Li & Lim instance.
    scale
        Factor on times and distances; by default :func:`choose_scale`.
    vehicles
        Fleet size; by default the instance's vehicle count.
    profile
        Name of the single travel profile.

    Returns
    -------
    Conversion
        The problem, the scaled data, and the job-to-node mapping.
    """
    s = scale_instance(instance, scale)
    jobs: list[Job] = []
    job_nodes: dict[str, tuple[int | None, int]] = {}
    for c in instance.customers:
        if c.is_delivery:
            continue  # made with its pickup
        if c.is_pickup:
            assert c.delivery is not None
            d = c.delivery
            job = Job(
                id=job_id(instance, c.id),
                pickup=c.id,
                delivery=d,
                weight=c.demand,
                pickup_window=s.window(c.id),
                delivery_window=s.window(d),
                pickup_service=s.service[c.id],
                delivery_service=s.service[d],
            )
        else:
            # a Solomon customer: the goods are loaded at the depot
            job = Job(
                id=job_id(instance, c.id),
                pickup=None,
                delivery=c.id,
                weight=c.demand,
                delivery_window=s.window(c.id),
                delivery_service=s.service[c.id],
            )
        jobs.append(job)
        job_nodes[job.id] = (job.pickup, job.delivery)
    fleet = instance.vehicles if vehicles is None else vehicles
    vehs = tuple(
        Vehicle(
            id=f"v{k + 1}",
            profile=profile,
            capacity_weight=instance.capacity,
            capacity_volume=0,
            shift=s.depot_window,
            start=0,
            end=0,
        )
        for k in range(fleet)
    )
    problem = Problem(
        jobs=tuple(jobs),
        vehicles=vehs,
        matrices={profile: TravelMatrix(durations=s.durations, distances=s.distances)},
        stop_time=0,
    )
    return Conversion(instance=instance, problem=problem, scaled=s, job_nodes=job_nodes)


def routes_from_solution(solution: Solution, conversion: Conversion) -> list[list[int]]:
    """Node numbers per route, depot left out, in visiting order.

    Raises
    ------
    ValueError
        When a visit names an unknown job or a location that is not that job's node.
    """
    out: list[list[int]] = []
    for route in solution.routes:
        nodes: list[int] = []
        for visit in route.visits:
            for jid in visit.job_ids:
                if jid not in conversion.job_nodes:
                    msg = f"the solution names an unknown job {jid!r}."
                    raise ValueError(msg)
                pickup, delivery = conversion.job_nodes[jid]
                node = pickup if visit.kind == "pickup" else delivery
                if node is None or node != visit.location:
                    msg = (
                        f"job {jid}: {visit.kind} visit at location {visit.location}, "
                        f"expected node {node}."
                    )
                    raise ValueError(msg)
                if not nodes or nodes[-1] != node:
                    nodes.append(node)
        if nodes:
            out.append(nodes)
    return out


def unassigned_nodes(solution: Solution, conversion: Conversion) -> list[int]:
    """Nodes of the jobs the solver left out."""
    out: list[int] = []
    for u in solution.unassigned:
        pickup, delivery = conversion.job_nodes[u.job_id]
        out.extend(n for n in (pickup, delivery) if n is not None)
    return sorted(out)


def integer_schedule_ok(conversion: Conversion, route: Sequence[int]) -> bool:
    """Whether a route meets every scaled window and the depot's due time in integers.

    The mirror of :func:`benchmarks.vrp.checker.check_solution`'s time rule on the
    scaled data: what the solver sees. Loads and pairs are not looked at.
    """
    s = conversion.scaled
    t, prev = s.ready[0], 0
    for node in route:
        t = max(t + int(s.durations[prev, node]), s.ready[node])
        if t > s.due[node]:
            return False
        t += s.service[node]
        prev = node
    return t + int(s.durations[prev, 0]) <= s.due[0]
