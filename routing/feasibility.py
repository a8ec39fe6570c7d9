"""Checks each job alone against each vehicle, before any search.

A job that no vehicle could serve even on a route of its own is left out with a
reason (too heavy, slot impossible, unreachable...) instead of being handed to the
search, and each remaining job is restricted to the vehicles that could serve it.
This keeps one bad order from spoiling the plan and gives the search fewer dead ends.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .problem import Job, Problem, TravelMatrix, Vehicle, Window
from .solution import Reason, Unassigned


@dataclass(frozen=True)
class JobScreen:
    """What one job (or one basket, for the jobs in it) may use.

    ``vehicles`` lists the indices of the vehicles that could serve the job on a route
    of its own; it is empty when ``unassigned`` says why.
    """

    job: Job
    vehicles: tuple[int, ...]
    unassigned: Unassigned | None


def _leave(arrival: int, window: Window, handling: int, stop_time: int) -> int | None:
    """Departure time from a stop reached at ``arrival``, or None if the window is missed."""
    start = max(arrival, window.start)
    if start > window.end:
        return None
    return start + handling + stop_time


def single_route_timing(
    problem: Problem, vehicle: Vehicle, job: Job
) -> tuple[bool, dict[str, int]]:
    """Whether ``vehicle`` can serve ``job`` alone: start, pick-up, delivery, end.

    Returns the verdict and the facts behind it (earliest arrival at the delivery,
    the window end, which leg failed), used to explain a refusal.
    """
    m: TravelMatrix = problem.matrices[vehicle.profile]
    unreachable = TravelMatrix.UNREACHABLE
    t = vehicle.shift.start
    here = vehicle.start
    if job.pickup is None:
        # Loaded at the start: the vehicle may leave only when the parcel is ready.
        t = max(t, job.pickup_window.start)
        if t > min(job.pickup_window.end, vehicle.shift.end):
            return False, {"leg": 0, "ready": job.pickup_window.start}
    else:
        leg = int(m.durations[here, job.pickup])
        if leg >= unreachable:
            return False, {"leg": 1, "unreachable": 1}
        left = _leave(t + leg, job.pickup_window, job.pickup_service, problem.stop_time)
        if left is None:
            return False, {
                "leg": 1,
                "earliest_pickup": t + leg,
                "pickup_end": job.pickup_window.end,
            }
        t, here = left, job.pickup
    leg = int(m.durations[here, job.delivery])
    if leg >= unreachable:
        return False, {"leg": 2, "unreachable": 1}
    arrival = t + leg
    left = _leave(arrival, job.delivery_window, job.delivery_service, problem.stop_time)
    if left is None:
        return False, {
            "leg": 2,
            "earliest_arrival": arrival,
            "window_end": job.delivery_window.end,
        }
    leg = int(m.durations[job.delivery, vehicle.end])
    if leg >= unreachable:
        return False, {"leg": 3, "unreachable": 1}
    if left + leg > vehicle.shift.end:
        return False, {"leg": 3, "back_at": left + leg, "shift_end": vehicle.shift.end}
    return True, {"earliest_arrival": arrival}


def _explain(problem: Problem, job: Job, load: tuple[int, int]) -> Unassigned:
    """The most telling reason why no vehicle can take ``job`` (or its basket)."""
    weight, volume = load
    vehicles = problem.vehicles
    if not vehicles:
        return Unassigned(job.id, Reason.NO_COURIER_LEFT, "there is no courier at all")
    max_w = max(v.capacity_weight for v in vehicles)
    max_v = max(v.capacity_volume for v in vehicles)
    if weight > max_w:
        return Unassigned(
            job.id, Reason.TOO_HEAVY, "heavier than any courier can carry",
            {"weight": weight, "max_capacity": max_w},
        )
    if volume > max_v:
        return Unassigned(
            job.id, Reason.TOO_BULKY, "bulkier than any courier can carry",
            {"volume": volume, "max_capacity": max_v},
        )
    fitting = [
        v for v in vehicles if weight <= v.capacity_weight and volume <= v.capacity_volume
    ]
    if not fitting:
        return Unassigned(
            job.id, Reason.TOO_HEAVY, "no single courier can carry both its weight and volume",
            {"weight": weight, "volume": volume},
        )
    window = job.delivery_window
    on_shift = [v for v in fitting if v.shift.intersect(window) is not None]
    if not on_shift:
        return Unassigned(
            job.id, Reason.NO_COURIER_LEFT, "no courier that can carry it works during its slot",
            {"window_start": window.start, "window_end": window.end},
        )
    verdicts = [single_route_timing(problem, v, job)[1] for v in on_shift]
    if all(f.get("unreachable") for f in verdicts):
        return Unassigned(
            job.id, Reason.UNREACHABLE, "no street path links it to any courier's start",
        )
    timed = [f for f in verdicts if not f.get("unreachable")]
    pickup_misses = [f for f in timed if "earliest_pickup" in f]
    if pickup_misses and len(pickup_misses) == len(timed):
        best = min(pickup_misses, key=lambda f: f["earliest_pickup"])
        return Unassigned(
            job.id, Reason.SHOP_CLOSED,
            "no courier can reach the shop before it closes or the parcel is gone",
            {"earliest_pickup": best["earliest_pickup"], "pickup_end": best["pickup_end"]},
        )
    slot_misses = [f for f in timed if "earliest_arrival" in f]
    if slot_misses:
        best = min(slot_misses, key=lambda f: f["earliest_arrival"])
        return Unassigned(
            job.id, Reason.SLOT_IMPOSSIBLE, "no courier can reach the customer within the slot",
            {"earliest_arrival": best["earliest_arrival"], "window_end": best["window_end"]},
        )
    back = [f for f in timed if "back_at" in f]
    if back:
        best = min(back, key=lambda f: f["back_at"])
        return Unassigned(
            job.id, Reason.SLOT_IMPOSSIBLE, "no courier could deliver it and be back before the end of the shift",
            {"back_at": best["back_at"], "shift_end": best["shift_end"]},
        )
    return Unassigned(
        job.id, Reason.SLOT_IMPOSSIBLE, "no courier's shift covers the parcel's ready time",
        dict(timed[0]) if timed else {},
    )


def _explain_pinned(problem: Problem, job: Job) -> Unassigned:
    """Why none of the vehicles a job is kept to can take it (the reason as if they
    were the whole fleet, said of them)."""
    assert job.vehicles is not None
    pinned = tuple(v for v in problem.vehicles if v.id in job.vehicles)
    alone = Problem((job,), pinned, problem.matrices, problem.stop_time)
    why = _explain(alone, dataclasses.replace(job, vehicles=None), (job.weight, job.volume))
    names = ", ".join(job.vehicles)
    return Unassigned(job.id, why.reason, f"{why.detail} (kept to {names})", why.facts)


def screen_jobs(problem: Problem) -> list[JobScreen]:
    """Screen every job; a basket fails as a whole only for what it shares.

    A job fails on its own (its weight, its shop's hours); its basket then goes on
    without it. The basket's combined load must fit one vehicle, since it is handed
    over in one stop: if it does not, every job in it is left out as too heavy.
    """
    n_vehicles = len(problem.vehicles)
    screens: dict[str, JobScreen] = {}
    for job in problem.jobs:
        allowed: list[int] = []
        for k, v in enumerate(problem.vehicles):
            if job.vehicles is not None and v.id not in job.vehicles:
                continue
            if job.weight > v.capacity_weight or job.volume > v.capacity_volume:
                continue
            if single_route_timing(problem, v, job)[0]:
                allowed.append(k)
        if allowed or n_vehicles == 0:
            bad = None if allowed else _explain(problem, job, (job.weight, job.volume))
        elif job.vehicles is not None:
            bad = _explain_pinned(problem, job)
        else:
            bad = _explain(problem, job, (job.weight, job.volume))
        screens[job.id] = JobScreen(job, tuple(allowed), bad)

    # Baskets: what survives must fit, together, on one vehicle that suits every member.
    baskets: dict[str, list[Job]] = {}
    for job in problem.jobs:
        if job.basket is not None and screens[job.id].unassigned is None:
            baskets.setdefault(job.basket, []).append(job)
    for members in baskets.values():
        if len(members) < 2:
            continue
        weight = sum(j.weight for j in members)
        volume = sum(j.volume for j in members)
        common = set.intersection(*(set(screens[j.id].vehicles) for j in members))
        common = {
            k for k in common
            if problem.vehicles[k].capacity_weight >= weight
            and problem.vehicles[k].capacity_volume >= volume
        }
        for j in members:
            if common:
                screens[j.id] = JobScreen(j, tuple(sorted(common)), None)
            else:
                why = _explain(problem, j, (weight, volume))
                if why.reason not in (Reason.TOO_HEAVY, Reason.TOO_BULKY):
                    why = Unassigned(
                        j.id, Reason.SLOT_IMPOSSIBLE,
                        "no single courier can collect every parcel of its basket in time",
                    )
                else:
                    why = Unassigned(
                        j.id, why.reason,
                        "its basket, handed over in one stop, is too big for any one courier",
                        why.facts,
                    )
                screens[j.id] = JobScreen(j, (), why)
    return [screens[j.id] for j in problem.jobs]
