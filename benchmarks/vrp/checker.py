"""An independent feasibility and distance checker for Solomon and Li & Lim solutions.

It uses neither our solver nor OR-Tools nor any scaled matrix: only the instance's
coordinates in double precision, one arc at a time, with the benchmarks' conventions
(travel time equals distance, whatever speed a file names; a vehicle leaves the
depot when it opens, may wait for a window to open, must start service by the due
time and be back at the depot by the depot's due time).

A solution is a list of routes, each the list of the customers' node numbers in
visiting order, the depot left out at both ends.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from benchmarks.vrp.instances import Instance

#: Slack allowed on time and load comparisons, for the rounding of double sums only.
#: Instance data are integers, so a genuine violation is never this small in practice.
TOLERANCE = 1e-9


class ViolationKind(StrEnum):
    """What can be wrong with a solution."""

    UNKNOWN_NODE = "unknown_node"
    DUPLICATE = "duplicate"
    MISSING = "missing"
    CAPACITY = "capacity"
    PAIR_SPLIT = "pair_split"
    PRECEDENCE = "precedence"
    TIME_WINDOW = "time_window"
    DEPOT_DUE = "depot_due"
    FLEET = "fleet"


@dataclass(frozen=True)
class Violation:
    """One broken rule; ``route`` is 0-based among the routes given, None if global."""

    kind: ViolationKind
    route: int | None
    node: int | None
    detail: str

    def __str__(self) -> str:
        where = "" if self.route is None else f"route {self.route + 1}: "
        return f"{self.kind}: {where}{self.detail}"


@dataclass(frozen=True)
class CheckResult:
    """The verdict on a solution, with its distance recomputed in double precision."""

    vehicles: int
    distance: float
    route_distances: tuple[float, ...]
    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @property
    def feasible(self) -> bool:
        """True when no rule is broken."""
        return not self.violations

    def kinds(self) -> set[ViolationKind]:
        """The kinds of violation found."""
        return {v.kind for v in self.violations}

    def summary(self) -> str:
        """One line for logs."""
        verdict = "feasible" if self.feasible else f"{len(self.violations)} violations"
        return f"{self.vehicles} vehicles, distance {self.distance:.2f}, {verdict}"


def arc_length(instance: Instance, i: int, j: int) -> float:
    """Euclidean distance between nodes ``i`` and ``j`` in double precision."""
    a, b = instance.nodes[i], instance.nodes[j]
    dx, dy = a.x - b.x, a.y - b.y
    return math.sqrt(dx * dx + dy * dy)


def route_distance(instance: Instance, route: Sequence[int]) -> float:
    """Length of depot → route → depot, summed one arc at a time."""
    total, prev = 0.0, 0
    for node in route:
        total += arc_length(instance, prev, node)
        prev = node
    return total + arc_length(instance, prev, 0) if route else 0.0


def check_solution(
    instance: Instance,
    routes: Sequence[Sequence[int]],
    *,
    max_vehicles: int | None = None,
    tol: float = TOLERANCE,
) -> CheckResult:
    """Check every rule of the instance and recompute the distance.

    Parameters
    ----------
    instance
        The instance the solution is for.
    routes
        Node numbers per route, depot left out; empty routes are ignored.
    max_vehicles
        Fleet size to enforce; by default the instance's vehicle count.
    tol
        Slack on time and load comparisons, only to absorb double rounding.

    Returns
    -------
    CheckResult
        Vehicles used, total and per-route distance, and every violation found.
    """
    given: list[list[object]] = [[_as_node(v) for v in r] for r in routes if len(r) > 0]
    n = len(instance.nodes)
    fleet = instance.vehicles if max_vehicles is None else max_vehicles
    violations: list[Violation] = []
    seen: dict[int, tuple[int, int]] = {}  # node -> (route, position)

    for r, route in enumerate(given):
        for pos, node in enumerate(route):
            if not isinstance(node, int) or not 0 < node < n:
                violations.append(
                    Violation(
                        ViolationKind.UNKNOWN_NODE, r, None, f"node {node!r} is not a customer"
                    )
                )
                continue
            if node in seen:
                violations.append(
                    Violation(ViolationKind.DUPLICATE, r, node, f"node {node} is served again")
                )
                continue
            seen[node] = (r, pos)
    missing = [i for i in range(1, n) if i not in seen]
    for i in missing:
        violations.append(Violation(ViolationKind.MISSING, None, i, f"node {i} is not served"))
    if len(given) > fleet:
        violations.append(
            Violation(ViolationKind.FLEET, None, None, f"{len(given)} routes for {fleet} vehicles")
        )

    depot = instance.depot
    distances = []
    for r, route in enumerate(given):
        valid = [v for v in route if isinstance(v, int) and 0 < v < n]
        distances.append(route_distance(instance, valid))
        violations.extend(_check_route(instance, r, valid, seen, tol))
        # time: leave the depot when it opens, wait for windows, serve by the due time
        t, prev = depot.ready, 0
        for node in valid:
            c = instance.nodes[node]
            t = max(t + arc_length(instance, prev, node), c.ready)
            if t > c.due + tol:
                violations.append(
                    Violation(
                        ViolationKind.TIME_WINDOW,
                        r,
                        node,
                        f"service at node {node} starts at {t:.6f}, after its due time {c.due:g}",
                    )
                )
            t += c.service
            prev = node
        t += arc_length(instance, prev, 0)
        if t > depot.due + tol:
            violations.append(
                Violation(
                    ViolationKind.DEPOT_DUE,
                    r,
                    None,
                    f"back at the depot at {t:.6f}, after its due time {depot.due:g}",
                )
            )
    return CheckResult(
        vehicles=len(given),
        distance=sum(distances),
        route_distances=tuple(distances),
        violations=tuple(violations),
    )


def _check_route(
    instance: Instance,
    r: int,
    route: list[int],
    seen: dict[int, tuple[int, int]],
    tol: float,
) -> list[Violation]:
    """Capacity along the route and pickup-before-delivery on the same route."""
    out: list[Violation] = []
    # Solomon customers are loaded at the depot; Li & Lim pickups load on the way.
    load = float(sum(instance.nodes[v].demand for v in route if not _paired(instance, v)))
    if load > instance.capacity + tol:
        out.append(
            Violation(
                ViolationKind.CAPACITY,
                r,
                None,
                f"leaves the depot with {load:g} for a capacity of {instance.capacity}",
            )
        )
    for node in route:
        c = instance.nodes[node]
        if c.is_pickup or c.is_delivery:
            load += c.demand  # signed: pickups positive, deliveries negative
        else:
            load -= c.demand
        if load > instance.capacity + tol:
            out.append(
                Violation(
                    ViolationKind.CAPACITY,
                    r,
                    node,
                    f"carries {load:g} after node {node}, capacity {instance.capacity}",
                )
            )
        if c.is_delivery:
            assert c.pickup is not None
            where = seen.get(c.pickup)
            if where is None:
                continue  # reported as missing
            if where[0] != r:
                out.append(
                    Violation(
                        ViolationKind.PAIR_SPLIT,
                        r,
                        node,
                        f"delivery {node} is on another route than its pickup {c.pickup}",
                    )
                )
            elif where[1] > seen[node][1]:
                out.append(
                    Violation(
                        ViolationKind.PRECEDENCE,
                        r,
                        node,
                        f"delivery {node} comes before its pickup {c.pickup}",
                    )
                )
    return out


def _as_node(value: object) -> object:
    """An int for anything integral (numpy integers too), the value itself otherwise."""
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return value


def _paired(instance: Instance, node: int) -> bool:
    c = instance.nodes[node]
    return c.is_pickup or c.is_delivery
