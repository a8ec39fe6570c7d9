"""An independent check of a solver :class:`Solution` against its :class:`Problem`.

It re-derives every time and load from the matrices and the jobs, without any solver
code, so that the invariants a plan must keep can be asserted by the tests and the
benchmarks alike: each job once, pick-up before delivery on the same route, baskets
handed over in one stop, capacity held at every stop, windows and shifts held.
"""

from __future__ import annotations

from routing.problem import Problem
from routing.solution import Solution


def check_solution(problem: Problem, solution: Solution) -> list[str]:
    """Every violation found, as readable lines; empty when the solution is sound."""
    errors: list[str] = []
    jobs = {j.id: j for j in problem.jobs}
    vehicles = {v.id: v for v in problem.vehicles}
    seen: dict[str, str] = {}
    for u in solution.unassigned:
        if u.job_id in seen:
            errors.append(f"{u.job_id} listed twice")
        seen[u.job_id] = "unassigned"
    used_vehicles = set()
    for route in solution.routes:
        if route.vehicle_id in used_vehicles:
            errors.append(f"vehicle {route.vehicle_id} has two routes")
        used_vehicles.add(route.vehicle_id)
        v = vehicles[route.vehicle_id]
        m = problem.matrices[v.profile]
        where = f"route {v.id}"
        for job_id in route.job_ids:
            allowed = jobs[job_id].vehicles
            if allowed is not None and v.id not in allowed:
                errors.append(f"{where}: carries {job_id}, which is kept to {allowed}")
        if route.start_time < v.shift.start:
            errors.append(f"{where}: starts {route.start_time} before its shift {v.shift.start}")
        hub_jobs = [
            jobs[j] for visit in route.visits if visit.kind == "delivery"
            for j in visit.job_ids if jobs[j].pickup is None
        ]
        load_w = sum(j.weight for j in hub_jobs)
        load_v = sum(j.volume for j in hub_jobs)
        if (load_w, load_v) != (route.start_load_weight, route.start_load_volume):
            errors.append(f"{where}: start load {route.start_load_weight} should be {load_w}")
        for hub_job in hub_jobs:
            if route.start_time < hub_job.pickup_window.start:
                errors.append(f"{where}: leaves before hub parcel {hub_job.id} is ready")
        if load_w > v.capacity_weight or load_v > v.capacity_volume:
            errors.append(f"{where}: overloaded at the start")
        t, here = route.start_time, v.start
        picked: set[str] = set()
        distance = 0
        for n, visit in enumerate(route.visits):
            reach = t + int(m.durations[here, visit.location])
            distance += int(m.distances[here, visit.location])
            if visit.arrival < reach:
                errors.append(f"{where} stop {n}: arrival {visit.arrival} before it can get there ({reach})")
            clock = visit.arrival
            # A basket is handed over together: its parcels' hand-over starts once, when
            # the first of them is handed over (the slot bounds that start, as the
            # solver's does), and their handling times follow one another.
            handed: dict[str, int] = {}
            for job_id in visit.job_ids:
                job = jobs.get(job_id)
                if job is None:
                    errors.append(f"{where}: unknown job {job_id}")
                    continue
                key = f"{visit.kind}:{job_id}"
                if key in seen:
                    errors.append(f"{job_id}: {visit.kind} twice")
                seen[key] = where
                if visit.kind == "pickup":
                    if job.pickup != visit.location:
                        errors.append(f"{job_id}: picked up at the wrong place")
                    window, handling = job.pickup_window, job.pickup_service
                    picked.add(job_id)
                    load_w += job.weight
                    load_v += job.volume
                else:
                    if job.delivery != visit.location:
                        errors.append(f"{job_id}: delivered at the wrong place")
                    if job.pickup is not None and job_id not in picked:
                        errors.append(f"{job_id}: delivered before it was picked up on {where}")
                    window, handling = job.delivery_window, job.delivery_service
                    load_w -= job.weight
                    load_v -= job.volume
                clock = max(clock, window.start)
                begun = clock
                if visit.kind == "delivery" and job.basket is not None:
                    begun = handed.setdefault(job.basket, clock)
                if begun > window.end:
                    errors.append(f"{job_id}: {visit.kind} at {begun} after its window ends {window.end}")
                clock += handling
            if load_w > v.capacity_weight or load_v > v.capacity_volume or load_w < 0 or load_v < 0:
                errors.append(f"{where} stop {n}: load {load_w} g / {load_v} ml out of bounds")
            if (load_w, load_v) != (visit.load_weight, visit.load_volume):
                errors.append(f"{where} stop {n}: reported load differs from the jobs' loads")
            nxt = route.visits[n + 1].location if n + 1 < len(route.visits) else v.end
            leave = clock + (problem.stop_time if nxt != visit.location else 0)
            if visit.departure < leave:
                errors.append(f"{where} stop {n}: leaves at {visit.departure}, service ends {leave}")
            t, here = visit.departure, visit.location
        back = t + int(m.durations[here, v.end])
        distance += int(m.distances[here, v.end])
        if route.end_time < back or route.end_time > v.shift.end:
            errors.append(f"{where}: ends at {route.end_time}, back at {back}, shift ends {v.shift.end}")
        if distance != route.distance:
            errors.append(f"{where}: distance {route.distance}, recomputed {distance}")
        if load_w != 0 or load_v != 0:
            errors.append(f"{where}: comes back loaded")
    for job in problem.jobs:
        delivered = f"delivery:{job.id}" in seen
        if seen.get(job.id) == "unassigned":
            if delivered:
                errors.append(f"{job.id}: both planned and unassigned")
            continue
        if not delivered:
            errors.append(f"{job.id}: neither planned nor unassigned")
        if job.pickup is not None and seen.get(f"pickup:{job.id}") != seen.get(f"delivery:{job.id}"):
            errors.append(f"{job.id}: picked up and delivered on different routes")
    # Baskets: all planned members handed over in the same visit.
    for route in solution.routes:
        for visit in route.visits:
            baskets = {jobs[j].basket for j in visit.job_ids if visit.kind == "delivery"}
            for b in baskets - {None}:
                members = {j.id for j in problem.jobs if j.basket == b}
                planned = {m for m in members if seen.get(m) != "unassigned"}
                if not planned <= set(visit.job_ids):
                    errors.append(f"basket {b}: not handed over in one stop")
    return errors
