"""VROOM and PyVRP on a generated day: the very :class:`~routing.problem.Problem` our
planner solves, and one evaluator for all three solvers.

What each peer gets, from the same Problem object:

- one travel profile per courier mode (``cargo_bike``, ``foot``) with that mode's integer
  durations and distances (seconds, metres), and each vehicle on its mode's profile;
- capacities and amounts as ``[grams, millilitres]``, the Problem's own units;
- each courier's shift as the vehicle's time window, its start and end points;
- one shipment per order (pick-up at the shop or the hub, delivery at the door) with
  both windows and service times per parcel;
- the once-per-stop time (``Problem.stop_time``, paid on leaving a place for another)
  folded into the travel durations: every arc leaving a non-depot place for a different
  place is ``stop_time`` longer. The starts and ends are copies of their places with
  arcs of their own, so leaving the start costs no stop time, as in our model;
- the objective of ours: a fixed cost per courier used (``vehicle_cost``, in seconds)
  plus one per second of route time. PyVRP: ``fixed_cost`` and ``unit_duration_cost=1``
  (route duration, waiting included). VROOM: ``fixed`` and the durations as its cost
  matrix (travel and stop time; VROOM does not cost waiting).
- Every order may be left out. VROOM serves as many as it can first, by design; PyVRP
  gets each order as an optional shipment whose prize is our own drop penalty
  (twice the vehicle cost plus four times the longest arc, plus one).

Baskets (several orders handed over together at one door): our solver delivers a basket
in one stop; the peers get one shipment per order to the same door, and a basket
split over several stops is counted in the note, not judged infeasible.

Not expressed: a job kept to some couriers (``Job.vehicles``: a plan in force; never on a
generated day); for VROOM, a parcel already at the courier's start (``pickup=None``)
ready only later in the day (PyVRP: ``release_time``). Generated days have neither.

The evaluator (:func:`evaluate`) rebuilds every route as a
:class:`~routing.solution.Route` from its sequence of pick-ups and deliveries alone, with
the same timing rule for all solvers (leave the start as late as possible without
arriving later at the end), and judges it with :func:`routing.checks.check_solution`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

import numpy as np

from routing.checks import check_solution
from routing.problem import HORIZON, Job, Problem, TravelMatrix, Vehicle
from routing.solution import Reason, Route, Solution, Unassigned, Visit

Kind = Literal["pickup", "delivery"]
#: one stop of a solver's route: what is done, for which job
Step = tuple[Kind, str]
#: a solver's answer: (vehicle id, its steps), empty routes left out
DayRoutes = list[tuple[str, list[Step]]]

BASKET_NOTE = "peers: one shipment per basket order to the same door (ours: one stop per basket)"


@dataclass(frozen=True)
class PeerMatrices:
    """The Problem's places plus one copy per start/end point, per profile.

    Locations ``0 .. n-1`` are the Problem's; ``depot_of[loc]`` is the copy of place
    ``loc`` used as a start or end. Durations include the stop time on leaving a place.
    """

    durations: dict[str, np.ndarray]
    distances: dict[str, np.ndarray]
    depot_of: dict[int, int]
    places: tuple[int, ...]  # extended location -> the Problem's place


def peer_matrices(problem: Problem) -> PeerMatrices:
    """Per-profile matrices over the places and start/end copies (see the module)."""
    n = problem.num_locations
    ends = sorted({v.start for v in problem.vehicles} | {v.end for v in problem.vehicles})
    depot_of = {loc: n + k for k, loc in enumerate(ends)}
    places = np.array(list(range(n)) + ends, dtype=np.int64)
    is_depot = np.zeros(len(places), dtype=bool)
    is_depot[n:] = True
    same = places[:, None] == places[None, :]
    stop = np.where(~is_depot[:, None] & ~same, problem.stop_time, 0)
    durations, distances = {}, {}
    for profile, m in problem.matrices.items():
        d = m.durations[np.ix_(places, places)].astype(np.int64)
        durations[profile] = np.minimum(d + stop, TravelMatrix.UNREACHABLE + problem.stop_time)
        distances[profile] = m.distances[np.ix_(places, places)].astype(np.int64)
    return PeerMatrices(durations, distances, depot_of, tuple(int(p) for p in places))


def drop_prize(problem: Problem, vehicle_cost: int) -> int:
    """Our solver's default penalty for leaving an order out (``routing._model``)."""
    longest = 0
    for m in problem.matrices.values():
        finite = m.durations[m.durations < TravelMatrix.UNREACHABLE]
        if finite.size:
            longest = max(longest, int(finite.max()) + problem.stop_time)
    return 2 * vehicle_cost + 4 * longest + 1


def solve_day_vroom(
    problem: Problem,
    time_limit_s: float,
    *,
    vehicle_cost: int,
    exploration_level: int = 5,
    threads: int = 1,
) -> DayRoutes:
    """VROOM (pyvroom) on ``problem``: level 5, one thread, capped by ``time_limit_s``."""
    import vroom

    pm = peer_matrices(problem)
    inp = vroom.Input()
    for profile in problem.matrices:
        inp.set_durations_matrix(profile, pm.durations[profile].astype(np.uint32))
        inp.set_distances_matrix(profile, pm.distances[profile].astype(np.uint32))
        inp.set_costs_matrix(profile, pm.durations[profile].astype(np.uint32))
    vehicles: dict[int, str] = {}
    for k, v in enumerate(problem.vehicles):
        vehicles[k + 1] = v.id
        inp.add_vehicle(vroom.Vehicle(
            k + 1, start=pm.depot_of[v.start], end=pm.depot_of[v.end], profile=v.profile,
            capacity=[v.capacity_weight, v.capacity_volume],
            time_window=vroom.TimeWindow(v.shift.start, v.shift.end),
            costs=vroom.VehicleCosts(fixed=vehicle_cost),
        ))
    ids: dict[int, str] = {}
    for i, job in enumerate(problem.jobs):
        ids[i + 1] = job.id
        dw = [vroom.TimeWindow(job.delivery_window.start, job.delivery_window.end)]
        if job.pickup is None:
            inp.add_job(vroom.Job(
                i + 1, location=job.delivery, default_service=job.delivery_service,
                delivery=[job.weight, job.volume], time_windows=dw,
            ))
            continue
        inp.add_job(vroom.Shipment(
            vroom.ShipmentStep(
                i + 1, location=job.pickup, default_service=job.pickup_service,
                time_windows=[vroom.TimeWindow(job.pickup_window.start, job.pickup_window.end)],
            ),
            vroom.ShipmentStep(
                i + 1, location=job.delivery, default_service=job.delivery_service, time_windows=dw,
            ),
            amount=[job.weight, job.volume],
        ))
    sol = inp.solve(
        exploration_level=exploration_level, nb_threads=threads,
        timeout=timedelta(seconds=time_limit_s),
    )
    routes: DayRoutes = []
    for r in sol.to_dict()["routes"]:
        steps: list[Step] = []
        for s in r["steps"]:
            if s["type"] == "pickup":
                steps.append(("pickup", ids[int(s["id"])]))
            elif s["type"] in ("delivery", "job"):
                steps.append(("delivery", ids[int(s["id"])]))
        if steps:
            routes.append((vehicles[int(r["vehicle"])], steps))
    return routes


def solve_day_pyvrp(
    problem: Problem,
    time_limit_s: float,
    *,
    vehicle_cost: int,
    seed: int = 0,
) -> DayRoutes:
    """PyVRP 0.14 on ``problem``, stopped by ``MaxRuntime(time_limit_s)``."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    pm = peer_matrices(problem)
    profiles = list(problem.matrices)
    prize = drop_prize(problem, vehicle_cost)
    locations = [pyvrp.Location(0.0, 0.0) for _ in pm.places]
    depot_locs = sorted(pm.depot_of.values())
    depot_index = {loc: k for k, loc in enumerate(depot_locs)}
    depots = [pyvrp.Depot(loc, tw_early=0, tw_late=HORIZON) for loc in depot_locs]
    vehicle_types = [
        pyvrp.VehicleType(
            1, capacity=[v.capacity_weight, v.capacity_volume],
            start_depot=depot_index[pm.depot_of[v.start]], end_depot=depot_index[pm.depot_of[v.end]],
            fixed_cost=vehicle_cost, tw_early=v.shift.start, tw_late=v.shift.end,
            unit_distance_cost=0, unit_duration_cost=1, profile=profiles.index(v.profile), name=v.id,
        )
        for v in problem.vehicles
    ]
    clients, shipments = [], []
    client_jobs: list[str] = []
    shipment_jobs: list[str] = []
    for job in problem.jobs:
        dw = job.delivery_window
        if job.pickup is None:
            clients.append(pyvrp.Client(
                job.delivery, delivery=[job.weight, job.volume], service_duration=job.delivery_service,
                tw_early=dw.start, tw_late=dw.end, release_time=job.pickup_window.start,
                prize=prize, required=False, name=job.id,
            ))
            client_jobs.append(job.id)
            continue
        pw = job.pickup_window
        shipments.append(pyvrp.Shipment(
            job.pickup, job.delivery,
            pickup_tw_early=pw.start, pickup_tw_late=pw.end, pickup_service_duration=job.pickup_service,
            delivery_tw_early=dw.start, delivery_tw_late=dw.end,
            delivery_service_duration=job.delivery_service,
            amount=[job.weight, job.volume], prize=prize, required=False, name=job.id,
        ))
        shipment_jobs.append(job.id)
    data = pyvrp.ProblemData(
        locations=locations, clients=clients, depots=depots, vehicle_types=vehicle_types,
        distance_matrices=[pm.distances[p] for p in profiles],  # type: ignore[misc]
        duration_matrices=[pm.durations[p] for p in profiles],  # type: ignore[misc]
        shipments=shipments,
    )
    result = pyvrp.solve(data, MaxRuntime(time_limit_s), seed=seed, collect_stats=False)
    kind = pyvrp.ActivityType
    routes: DayRoutes = []
    for route in result.best.routes():
        steps: list[Step] = []
        for act in route.schedule():
            if act.type == kind.CLIENT:
                steps.append(("delivery", client_jobs[act.idx]))
            elif act.type == kind.PICKUP:
                steps.append(("pickup", shipment_jobs[act.idx]))
            elif act.type == kind.DELIVERY:
                steps.append(("delivery", shipment_jobs[act.idx]))
        if steps:
            routes.append((problem.vehicles[route.vehicle_type()].id, steps))
    return routes


def routes_of(solution: Solution) -> DayRoutes:
    """Our solution as sequences of steps, to be judged like the peers'."""
    return [
        (r.vehicle_id, [(v.kind, j) for v in r.visits for j in v.job_ids])
        for r in solution.routes
    ]


# --- one evaluator for every solver ---------------------------------------------------


def _visits(problem: Problem, steps: Sequence[Step]) -> list[tuple[Kind, int, list[Job]]]:
    """Steps grouped into stops: consecutive steps of one kind at one place."""
    jobs = {j.id: j for j in problem.jobs}
    out: list[tuple[Kind, int, list[Job]]] = []
    for kind, job_id in steps:
        job = jobs[job_id]
        loc = job.delivery if kind == "delivery" else job.pickup
        if loc is None:
            msg = f"{job_id}: a pick-up step for a job loaded at the start."
            raise ValueError(msg)
        if out and out[-1][0] == kind and out[-1][1] == loc:
            out[-1][2].append(job)
        else:
            out.append((kind, loc, [job]))
    return out


def _timed(
    problem: Problem, v: Vehicle, visits: list[tuple[Kind, int, list[Job]]], start: int
) -> tuple[Route, bool]:
    """The route leaving at ``start``, and whether it keeps every window and the shift."""
    m = problem.matrices[v.profile]
    hub = [j for kind, _, js in visits if kind == "delivery" for j in js if j.pickup is None]
    load_w, load_v = sum(j.weight for j in hub), sum(j.volume for j in hub)
    start_w, start_v = load_w, load_v
    ok = True
    t, here, dist, travel = start, v.start, 0, 0
    out: list[Visit] = []
    for n, (kind, loc, js) in enumerate(visits):
        leg = int(m.durations[here, loc])
        reach, dist, travel = t + leg, dist + int(m.distances[here, loc]), travel + leg
        first = js[0].delivery_window if kind == "delivery" else js[0].pickup_window
        arrival = max(reach, first.start)
        clock = reach
        for j in js:
            window = j.delivery_window if kind == "delivery" else j.pickup_window
            clock = max(clock, window.start)
            ok &= clock <= window.end
            clock += j.delivery_service if kind == "delivery" else j.pickup_service
            sign = -1 if kind == "delivery" else 1
            load_w += sign * j.weight
            load_v += sign * j.volume
        nxt = visits[n + 1][1] if n + 1 < len(visits) else v.end
        departure = clock + (problem.stop_time if nxt != loc else 0)
        out.append(Visit(kind, tuple(j.id for j in js), loc, arrival, departure, load_w, load_v))
        t, here = departure, loc
    leg = int(m.durations[here, v.end])
    end = t + leg
    ok &= end <= v.shift.end
    route = Route(
        v.id, start, end, tuple(out), start_w, start_v,
        dist + int(m.distances[here, v.end]), travel + leg,
    )
    return route, ok


def schedule_route(problem: Problem, vehicle_id: str, steps: Sequence[Step]) -> Route:
    """The route of ``steps``, leaving as late as possible without ending later.

    With the earliest start (the shift's start, or the last hub parcel's ready time)
    the route ends at some time E; the start is then pushed to the latest second that
    still ends at E and keeps every window, so no solver is charged for waiting that a
    later departure avoids. An infeasible route keeps the earliest start.
    """
    v = next(x for x in problem.vehicles if x.id == vehicle_id)
    visits = _visits(problem, steps)
    ready = [j.pickup_window.start for kind, _, js in visits if kind == "delivery"
             for j in js if j.pickup is None]
    earliest = max([v.shift.start, *ready])
    route, ok = _timed(problem, v, visits, earliest)
    if not ok:
        return route
    lo, hi = earliest, max(earliest, v.shift.end)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        later, later_ok = _timed(problem, v, visits, mid)
        if later_ok and later.end_time == route.end_time:
            lo = mid
        else:
            hi = mid - 1
    return _timed(problem, v, visits, lo)[0]


@dataclass(frozen=True)
class DayScore:
    """One solver's day, judged on our side."""

    served: int
    couriers: int
    km: float
    hours: float
    errors: tuple[str, ...]
    split_baskets: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def feasible(self) -> bool:
        """No violation found by :func:`routing.checks.check_solution`."""
        return not self.errors


def evaluate(problem: Problem, routes: DayRoutes, *, baskets_in_one_stop: bool = True) -> DayScore:
    """Orders served, couriers used, km, hours (route durations, waiting included).

    ``baskets_in_one_stop=False`` (the peers) does not require a basket's orders to be
    handed over together; the baskets split over several stops are counted instead.
    """
    built = tuple(schedule_route(problem, vid, steps) for vid, steps in routes if steps)
    served = {j for r in built for j in r.job_ids}
    check_problem = problem
    if not baskets_in_one_stop:
        check_problem = problem.replace(
            jobs=tuple(dataclasses.replace(j, basket=None) for j in problem.jobs)
        )
    left = tuple(
        Unassigned(j.id, Reason.NO_COURIER_LEFT, "not served")
        for j in problem.jobs if j.id not in served
    )
    errors = check_solution(check_problem, Solution(built, left, cost=0))
    split = 0
    baskets: dict[str, set[str]] = {}
    for j in problem.jobs:
        if j.basket is not None and j.id in served:
            baskets.setdefault(j.basket, set()).add(j.id)
    stops = [set(v.job_ids) for r in built for v in r.visits if v.kind == "delivery"]
    for members in baskets.values():
        if len(members) > 1 and not any(members <= s for s in stops):
            split += 1
    return DayScore(
        served=len(served),
        couriers=len(built),
        km=round(sum(r.distance for r in built) / 1000, 1),
        hours=round(sum(r.duration for r in built) / 3600, 2),
        errors=tuple(errors),
        split_baskets=split,
    )


PEER_SOLVERS = {"vroom": solve_day_vroom, "pyvrp": solve_day_pyvrp}


def run_peer(
    name: str, problem: Problem, time_limit_s: float, *, vehicle_cost: int, threads: int = 1, seed: int = 0
) -> tuple[DayRoutes, float, str]:
    """Solve ``problem`` with the peer ``name``: its routes, seconds, and a note."""
    started = time.perf_counter()
    if name == "vroom":
        routes = solve_day_vroom(problem, time_limit_s, vehicle_cost=vehicle_cost, threads=threads)
        note = "exploration level 5"
    elif name == "pyvrp":
        routes = solve_day_pyvrp(problem, time_limit_s, vehicle_cost=vehicle_cost, seed=seed)
        note = "orders optional, prize = our drop penalty"
    else:
        msg = f"unknown peer {name!r}; known: {', '.join(PEER_SOLVERS)}."
        raise ValueError(msg)
    return routes, round(time.perf_counter() - started, 2), note


def score_row(n_orders: int, solver: str, score: DayScore, seconds: float, note: str) -> dict:
    """One CSV row of the day table."""
    notes = [note] if note else []
    if score.split_baskets:
        notes.append(f"{score.split_baskets} baskets over several stops")
    if score.errors:
        notes.append(f"{len(score.errors)} violations, first: {score.errors[0]}")
    return {
        "orders": n_orders,
        "solver": solver,
        "served": score.served,
        "couriers": score.couriers,
        "km": score.km,
        "hours": score.hours,
        "seconds": seconds,
        "feasible": score.feasible,
        "note": "; ".join(notes),
    }
