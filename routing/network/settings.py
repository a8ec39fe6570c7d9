"""Travel modes and the speeds and limits used to build their street graphs."""

from __future__ import annotations

from dataclasses import dataclass

#: The travel modes a street network is read for, in the order the API lists them.
MODES: tuple[str, ...] = ("cargo_bike", "foot", "car")


@dataclass(frozen=True)
class NetworkSettings:
    """Speeds (km/h) and limits used to turn OSM ways into timed graphs.

    ``cargo_bike_kmh`` and ``foot_kmh`` are cruising speeds on any street those modes
    may use. Where a cargo bike must be pushed (``bicycle=dismount``, and pedestrian
    zones when ``push_bikes_in_pedestrian_zones``) it goes at ``dismount_kmh``, both
    ways, like a walker. ``car_kmh_by_highway`` gives a car's speed when a way has no
    usable ``maxspeed``; every car speed is then capped at ``car_max_kmh`` (a town) and
    multiplied by ``car_speed_factor`` (junctions, lights, parking: an average, not the
    limit). Steps are walked at ``foot_kmh * steps_factor``. A point farther than
    ``max_snap_m`` from every street of a mode is refused.
    """

    cargo_bike_kmh: float = 15.0
    foot_kmh: float = 4.5
    dismount_kmh: float = 4.5
    steps_factor: float = 0.5
    car_max_kmh: float = 50.0
    car_speed_factor: float = 1.0
    car_kmh_by_highway: tuple[tuple[str, float], ...] = (
        ("motorway", 110.0),
        ("motorway_link", 70.0),
        ("trunk", 90.0),
        ("trunk_link", 50.0),
        ("primary", 50.0),
        ("primary_link", 40.0),
        ("secondary", 50.0),
        ("secondary_link", 40.0),
        ("tertiary", 40.0),
        ("tertiary_link", 30.0),
        ("unclassified", 30.0),
        ("residential", 30.0),
        ("road", 30.0),
        ("living_street", 20.0),
        ("service", 15.0),
    )
    push_bikes_in_pedestrian_zones: bool = True
    max_snap_m: float = 250.0

    def __post_init__(self) -> None:
        speeds = [self.cargo_bike_kmh, self.foot_kmh, self.dismount_kmh, self.car_max_kmh]
        speeds += [kmh for _, kmh in self.car_kmh_by_highway]
        if min(speeds) <= 0 or self.steps_factor <= 0 or self.car_speed_factor <= 0:
            msg = "speeds and speed factors must be positive."
            raise ValueError(msg)
        if self.max_snap_m < 0:
            msg = "max_snap_m must not be negative."
            raise ValueError(msg)

    def car_default_kmh(self, highway: str) -> float | None:
        """The car speed on a ``highway`` class without ``maxspeed``; None: no cars."""
        return dict(self.car_kmh_by_highway).get(highway)
