"""The routing problem in integer units, free of any database, HTTP or OR-Tools type.

A :class:`Problem` is what the solver needs and nothing more: jobs to carry from a
pick-up location to a delivery location, vehicles with their travel profile, capacity
and shift, and one travel matrix per profile. Locations are indices into the matrices.
Units are integers so that the solver sees exactly what the checker sees: times in
seconds (or the benchmark's scaled units), distances in metres, weight in grams and
volume in millilitres.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

#: Upper bound of any time value, about 100 days in seconds; "no limit".
HORIZON = 10_000_000


@dataclass(frozen=True)
class Window:
    """A closed time interval ``[start, end]`` in seconds since midnight."""

    start: int = 0
    end: int = HORIZON

    def __post_init__(self) -> None:
        if self.end < self.start:
            msg = f"window ends ({self.end}) before it starts ({self.start})."
            raise ValueError(msg)

    def intersect(self, other: Window) -> Window | None:
        """The common part of two windows, or None when they do not meet."""
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Window(start, end) if start <= end else None


@dataclass(frozen=True)
class TravelMatrix:
    """Travel durations and distances between every pair of locations, for one profile.

    ``durations[i, j]`` is the time to go from location ``i`` to location ``j`` and
    ``distances[i, j]`` the length of that same path. A value of ``UNREACHABLE`` or more
    means there is no path.
    """

    durations: np.ndarray
    distances: np.ndarray

    UNREACHABLE = HORIZON

    def __post_init__(self) -> None:
        d, m = np.asarray(self.durations), np.asarray(self.distances)
        if d.ndim != 2 or d.shape[0] != d.shape[1] or d.shape != m.shape:
            msg = "durations and distances must be square matrices of the same size."
            raise ValueError(msg)
        if (d < 0).any() or (m < 0).any():
            msg = "travel durations and distances must not be negative."
            raise ValueError(msg)
        d = d.astype(np.int64, copy=True)
        m = m.astype(np.int64, copy=True)
        d.setflags(write=False)
        m.setflags(write=False)
        object.__setattr__(self, "durations", d)
        object.__setattr__(self, "distances", m)

    @property
    def size(self) -> int:
        """Number of locations."""
        return int(self.durations.shape[0])


@dataclass(frozen=True)
class Job:
    """One order: picked up, then delivered by the same vehicle.

    ``pickup`` is None when the goods are already at the vehicle's start (the hub): the
    vehicle then loads them there before it leaves. Jobs sharing a ``basket`` go to the
    same customer and are handed over together, in one stop, after all their pick-ups;
    they must then share the delivery location and window.
    """

    id: str
    delivery: int
    pickup: int | None = None
    basket: str | None = None
    weight: int = 0
    volume: int = 0
    #: when the shop can hand the parcel over (opening hours and ready time combined)
    pickup_window: Window = field(default_factory=Window)
    #: the customer's slot, bounding the arrival at the delivery
    delivery_window: Window = field(default_factory=Window)
    #: handling time per parcel at the pick-up and at the delivery
    pickup_service: int = 0
    delivery_service: int = 0
    #: ids of the only vehicles that may serve the job (None: any); a plan in force
    #: keeps an order with its courier, or a dispatcher moves it to another
    vehicles: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.id:
            msg = "a job needs an id."
            raise ValueError(msg)
        if self.weight < 0 or self.volume < 0:
            msg = f"job {self.id}: weight and volume must not be negative."
            raise ValueError(msg)
        if self.pickup_service < 0 or self.delivery_service < 0:
            msg = f"job {self.id}: service times must not be negative."
            raise ValueError(msg)


@dataclass(frozen=True)
class Vehicle:
    """A courier and what they ride or push: profile, capacity, shift, start and end."""

    id: str
    profile: str
    capacity_weight: int
    capacity_volume: int
    shift: Window
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.capacity_weight < 0 or self.capacity_volume < 0:
            msg = f"vehicle {self.id}: capacities must not be negative."
            raise ValueError(msg)


@dataclass(frozen=True)
class Problem:
    """Jobs, vehicles and travel matrices: everything one solve needs.

    ``stop_time`` is the fixed time spent once per visit to a location (parking the
    bike, finding the door); the jobs' own service times come on top of it, per parcel.
    """

    jobs: tuple[Job, ...]
    vehicles: tuple[Vehicle, ...]
    matrices: Mapping[str, TravelMatrix]
    stop_time: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "jobs", tuple(self.jobs))
        object.__setattr__(self, "vehicles", tuple(self.vehicles))
        if not self.matrices:
            msg = "a problem needs at least one travel matrix."
            raise ValueError(msg)
        sizes = {m.size for m in self.matrices.values()}
        if len(sizes) != 1:
            msg = "every travel matrix must cover the same locations."
            raise ValueError(msg)
        n = sizes.pop()
        ids = [j.id for j in self.jobs]
        if len(set(ids)) != len(ids):
            msg = "job ids must be unique."
            raise ValueError(msg)
        vids = [v.id for v in self.vehicles]
        if len(set(vids)) != len(vids):
            msg = "vehicle ids must be unique."
            raise ValueError(msg)
        known = set(vids)
        for j in self.jobs:
            if j.vehicles is not None and not set(j.vehicles) <= known:
                msg = f"job {j.id}: vehicles {sorted(set(j.vehicles) - known)} are not in the problem."
                raise ValueError(msg)
        for j in self.jobs:
            for loc in (j.delivery, j.pickup):
                if loc is not None and not 0 <= loc < n:
                    msg = f"job {j.id}: location {loc} is not in the matrices."
                    raise ValueError(msg)
        for v in self.vehicles:
            if v.profile not in self.matrices:
                msg = f"vehicle {v.id}: no travel matrix for profile {v.profile!r}."
                raise ValueError(msg)
            if not (0 <= v.start < n and 0 <= v.end < n):
                msg = f"vehicle {v.id}: start or end is not in the matrices."
                raise ValueError(msg)
        baskets: dict[str, Job] = {}
        for j in self.jobs:
            if j.basket is None:
                continue
            first = baskets.setdefault(j.basket, j)
            if first.delivery != j.delivery or first.delivery_window != j.delivery_window:
                msg = (
                    f"basket {j.basket}: jobs {first.id} and {j.id} must share the "
                    "delivery location and window."
                )
                raise ValueError(msg)
        if self.stop_time < 0:
            msg = "stop_time must not be negative."
            raise ValueError(msg)

    @property
    def num_locations(self) -> int:
        """Number of locations the matrices cover."""
        return next(iter(self.matrices.values())).size

    def replace(self, **changes: object) -> Problem:
        """A copy with some fields changed, validated again."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
