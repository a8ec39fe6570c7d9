"""A :class:`Solution` from the best plan of the search, free of OR-Tools.

The search keeps plans as node ids and cumul values per vehicle (:class:`Found`);
here they become routes of visits, with the jobs left out and why, the cost and the
facts about the search. A basket's pick-up node, one node with a step per shop,
becomes one visit per shop; steps at the same place in a row become one visit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .solution import Reason, Route, Solution, Unassigned, Visit

if TYPE_CHECKING:
    from ._model import Layout, Model, NodeMatrices, Step
    from ._phases import Found
    from .budget import TimeBudget
    from .problem import Problem


def assemble_solution(
    model: Model, best: Found | None, budget: TimeBudget, stats: dict[str, object]
) -> Solution:
    """The solution for ``best``: its non-empty routes, every job left out, the cost.

    Parameters
    ----------
    model
        The node model the search ran on.
    best
        The best plan found; None when the search found none.
    budget
        The solve's time, for the seconds it took.
    stats
        Facts about the search so far; the solve's totals are added to it.

    Returns
    -------
    Solution
        The routes, each job not on one with the reason, and ``stats``.
    """
    unassigned = list(model.unassigned)
    if best is None:
        # Should not happen: every job is optional. Keep the plan empty and say so.
        for job in model.jobs:
            unassigned.append(Unassigned(job.id, Reason.NO_COURIER_LEFT, "the search found no plan"))
        stats["seconds"] = round(budget.elapsed(), 3)
        return Solution((), tuple(unassigned), 0, stats)
    params = model.params
    routes = _routes(model.problem, model.layout, model.mats, best)
    served = {j for r in routes for j in r.job_ids}
    for job in model.jobs:
        if job.id not in served:
            unassigned.append(
                Unassigned(
                    job.id, Reason.NO_COURIER_LEFT,
                    "no courier had room or time left for it in this plan",
                )
            )
    cost = best.base_cost + params.vehicle_cost * best.used
    stats.update(
        seconds=round(budget.elapsed(), 3),
        vehicles=best.used,
        objective=cost,
        penalty=model.penalty(params.vehicle_cost),
        nodes=len(model.layout.nodes),
    )
    return Solution(tuple(routes), tuple(unassigned), cost, stats)


def _routes(problem: Problem, layout: Layout, mats: NodeMatrices, found: Found) -> list[Route]:
    """The non-empty routes of ``found``, with times and loads read from its cumuls."""
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
        served: list[tuple[str, Step, int, int, int]] = []
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
