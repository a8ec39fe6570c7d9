"""The plan in force as the start of a search: given routes turned into node routes.

A change to a published day (an order moved, late orders, a courier absent) starts
from the routes couriers were told, not from scratch: the search that follows keeps
every job those routes serve, so a change can never lose a planned order. Here the
routes, given by job ids (:class:`~routing.solution.StartRoute`), become node lists of
the solve's model; what cannot stay where it was goes to the pool of jobs to place:

- a job the vehicle may no longer take (an order moved to another courier, a vehicle
  missing from the problem);
- a job whose pick-up is missing from the route, or comes after its delivery;
- a job that no longer fits in time or load where it was (a courier running late):
  the route keeps, in their order, the jobs that fit one after the other.

Jobs of the problem that no start route holds (late orders) join that pool too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ._model import DELIVERY, PICKUP, Model
from .route_elimination import route_is_feasible
from .solution import StartRoute


@dataclass(frozen=True)
class StartPlan:
    """Node routes per vehicle (empty when unused) and the delivery nodes left to place."""

    routes: list[list[int]]
    pool: list[int]
    #: delivery nodes taken off their start route because they no longer fit there
    displaced: list[int]


def start_plan(model: Model, start: Sequence[StartRoute]) -> StartPlan:
    """The node routes of ``start`` on ``model``, each feasible, and the pool of the rest.

    Parameters
    ----------
    model
        The solve's node model.
    start
        Routes by vehicle id; visits of jobs the model does not plan are passed over,
        and so are routes of vehicles the problem does not have (their jobs are pooled).

    Returns
    -------
    StartPlan
        One feasible node list per vehicle and the delivery nodes of every job the
        model plans that those routes do not serve.
    """
    layout = model.layout
    node_of: dict[tuple[str, str], int] = {}
    for i, node in enumerate(layout.nodes):
        if node.kind in (PICKUP, DELIVERY):
            for job_id in node.job_ids:
                node_of[node.kind, job_id] = i
    vehicle_index = {v.id: k for k, v in enumerate(model.problem.vehicles)}
    routes: list[list[int]] = [[] for _ in model.problem.vehicles]
    placed: set[int] = set()
    displaced: list[int] = []
    for route in start:
        k = vehicle_index.get(route.vehicle_id)
        if k is None or routes[k]:
            continue
        nodes: list[int] = []
        for kind, job_id in route.visits:
            n = node_of.get((kind, job_id))
            if n is None or n in placed:
                continue
            placed.add(n)
            nodes.append(n)
        kept, out = _feasible_part(model, k, nodes)
        routes[k] = kept
        displaced.extend(out)
    served = {n for r in routes for n in r}
    pool = [d for d in layout.pickup_of if d not in served]
    return StartPlan(routes, pool, displaced)


def _feasible_part(model: Model, k: int, nodes: list[int]) -> tuple[list[int], list[int]]:
    """The jobs of ``nodes`` that vehicle ``k`` keeps, in their order, and the delivery
    nodes of those it cannot: a job goes when the vehicle may not take it, when its
    pick-up is not before its delivery on the route, or when it does not fit in time or
    load after the jobs kept before it."""
    graph = model.node_graph
    pickup_of = graph.pickup_of
    position = {n: i for i, n in enumerate(nodes)}
    jobs: list[int] = []
    out: list[int] = []
    for d in nodes:
        if d not in pickup_of:
            continue
        p = pickup_of[d]
        allowed = graph.allowed.get(d)
        if (allowed is not None and k not in allowed) or (
            p is not None and position.get(p, len(nodes)) > position[d]
        ):
            out.append(d)
        else:
            jobs.append(d)
    kept: set[int] = set()
    for d in jobs:
        trial = kept | {d}
        members = {n for j in trial for n in _nodes_of(pickup_of, j)}
        if route_is_feasible(graph, k, [n for n in nodes if n in members]):
            kept = trial
        else:
            out.append(d)
    members = {n for j in kept for n in _nodes_of(pickup_of, j)}
    return [n for n in nodes if n in members], out


def _nodes_of(pickup_of: Mapping[int, int | None], d: int) -> tuple[int, ...]:
    p = pickup_of[d]
    return (d,) if p is None else (p, d)
