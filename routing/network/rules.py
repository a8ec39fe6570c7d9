"""Which OSM ways and nodes each mode may use, in which direction, at what speed.

The rules read the tags as a courier in a French town would:

- ``foot`` walks every street and path except motorways and trunk roads, cycleways
  (unless ``foot=yes``) and bus-only ways, and ignores one-ways.
- ``cargo_bike`` rides streets, cycleways, paths and tracks, never steps, motorways or
  trunk roads. A one-way street is one-way for it unless bikes may ride against it
  (``oneway:bicycle=no``, ``cycleway[:left|:right|:both]=opposite*`` or a contraflow
  cycle lane), as in most French 30 zones. On footways it rides only with
  ``bicycle=yes|designated|permissive``; where it must be pushed (``bicycle=dismount``,
  and pedestrian zones without a bicycle tag when
  ``NetworkSettings.push_bikes_in_pedestrian_zones``) it goes at walking pace, both ways.
- ``car`` drives roads only (not footway, cycleway, path, pedestrian, steps, track,
  bridleway, busway), follows one-ways (``oneway=-1`` too; roundabouts and motorways
  are one-way unless tagged otherwise), at ``maxspeed`` or a speed by road class,
  capped for a town.
- Nobody uses ``access=no|private`` unless the mode's own tag (``foot``, ``bicycle``,
  ``motor_vehicle``...) allows it; ``destination`` and ``delivery`` count as allowed,
  deliveries being our job. Areas (``area=yes``) and ways not in use (construction,
  proposed, platform...) are skipped. A node with a barrier stops cars when it is a
  bollard-like barrier, and any mode whose access tags on the node say no.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from routing.network.settings import NetworkSettings

#: ``highway`` values that are not ways anyone travels today.
NOT_IN_USE = frozenset(
    {
        "abandoned", "construction", "proposed", "planned", "platform", "raceway",
        "razed", "no", "disused", "rest_area", "services", "elevator", "bus_stop",
        "emergency_bay", "escape", "via_ferrata", "traffic_island", "crossing",
    }
)  # fmt: skip
MOTOR_ROADS = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
NO_CAR = frozenset(
    {
        "footway", "cycleway", "path", "pedestrian", "steps", "track", "bridleway",
        "busway", "bus_guideway", "corridor", "sidewalk", "crossing",
    }
)  # fmt: skip
YES = frozenset({"yes", "designated", "permissive", "destination", "delivery", "official"})
NO = frozenset({"no", "private", "agricultural", "forestry", "discouraged", "customers"})
#: barriers a car cannot pass without an explicit access tag on the node
CAR_BARRIERS = frozenset(
    {
        "bollard", "block", "jersey_barrier", "chain", "kerb", "stile", "turnstile",
        "kissing_gate", "cycle_barrier", "motorcycle_barrier", "bar", "log", "fence",
        "wall", "planter", "bump_gate", "full-height_turnstile", "swing_gate",
    }
)  # fmt: skip
#: barriers no one passes without an explicit access tag
WALLS = frozenset({"fence", "wall", "hedge", "retaining_wall", "city_wall", "ditch"})

#: tag keys the rules read on ways, from the most specific to the most general, per mode
ACCESS_KEYS: Mapping[str, tuple[str, ...]] = {
    "foot": ("foot", "access"),
    "cargo_bike": ("cargo_bike", "bicycle", "vehicle", "access"),
    "car": ("motorcar", "motor_vehicle", "vehicle", "access"),
}
#: every way tag the rules read (osmnx must keep them when it downloads a place)
WAY_TAGS: tuple[str, ...] = (
    "highway", "area", "access", "foot", "bicycle", "cargo_bike", "vehicle",
    "motor_vehicle", "motorcar", "oneway", "oneway:bicycle", "oneway:conditional",
    "junction", "cycleway", "cycleway:left", "cycleway:right", "cycleway:both",
    "cycleway:left:oneway", "cycleway:right:oneway", "maxspeed", "name", "service",
)  # fmt: skip
#: node tags the rules read
NODE_TAGS: tuple[str, ...] = (
    "barrier", "access", "foot", "bicycle", "vehicle", "motor_vehicle", "motorcar",
)  # fmt: skip

_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?\s*$")
_ZONE_SPEEDS = {"walk": 6.0, "urban": 50.0, "zone30": 30.0, "zone20": 20.0, "living_street": 20.0}


@dataclass(frozen=True)
class WayRule:
    """How one mode may travel along a way: directions allowed and speed in km/h."""

    forward: bool
    backward: bool
    kmh: float


def access(mode: str, tags: Mapping[str, str]) -> bool | None:
    """The most specific access tag for ``mode``: True allowed, False denied, None silent."""
    for key in ACCESS_KEYS[mode]:
        value = tags.get(key)
        if value is None:
            continue
        value = value.split(";")[0].strip()
        if value in YES or (value == "dismount" and key in ("bicycle", "cargo_bike")):
            return True
        if value in NO:
            return False
    return None


def parse_maxspeed(value: str | None) -> float | None:
    """A ``maxspeed`` value in km/h ("30", "20 mph", "FR:zone30", "walk"), or None."""
    if not value:
        return None
    value = value.split(";")[0].strip().lower()
    match = _SPEED.match(value)
    if match:
        kmh = float(match.group(1))
        return kmh * 1.609344 if match.group(2) == "mph" else kmh
    zone = value.split(":")[-1]
    return _ZONE_SPEEDS.get(zone)


def _oneway(tags: Mapping[str, str], key: str = "oneway") -> int | None:
    """1 forward only, -1 backward only, 0 both ways, None when the tag is absent."""
    value = tags.get(key)
    if value is None:
        return None
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if value in ("no", "false", "0"):
        return 0
    return None  # "alternating", "reversible", conditional: treat as untagged


def vehicle_oneway(tags: Mapping[str, str]) -> int:
    """The one-way direction for vehicles, with roundabouts and motorways implied."""
    direction = _oneway(tags)
    if direction is not None:
        return direction
    if tags.get("junction") in ("roundabout", "circular"):
        return 1
    if tags.get("highway") in ("motorway", "motorway_link"):
        return 1
    return 0


def bike_contraflow(tags: Mapping[str, str]) -> bool:
    """Whether bikes may ride against the one-way direction (French contraflow)."""
    if _oneway(tags, "oneway:bicycle") == 0:
        return True
    for key in ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both"):
        if tags.get(key, "").startswith("opposite"):
            return True
    for key in ("cycleway:left:oneway", "cycleway:right:oneway", "cycleway:both:oneway"):
        if tags.get(key) in ("-1", "no"):
            return True
    return False


def _directions(direction: int) -> tuple[bool, bool]:
    return direction >= 0, direction <= 0


def way_rule(mode: str, tags: Mapping[str, str], settings: NetworkSettings) -> WayRule | None:
    """How ``mode`` travels along a way with these tags, or None when it may not."""
    if mode not in ACCESS_KEYS:
        msg = f"unknown mode {mode!r}."
        raise ValueError(msg)
    highway = tags.get("highway")
    if highway is None or highway in NOT_IN_USE or tags.get("area") == "yes":
        return None
    allowed = access(mode, tags)
    if allowed is False:
        return None
    if mode == "foot":
        return _foot_rule(highway, tags, allowed, settings)
    if mode == "cargo_bike":
        return _bike_rule(highway, tags, allowed, settings)
    return _car_rule(highway, tags, allowed, settings)


def _foot_rule(
    highway: str, tags: Mapping[str, str], allowed: bool | None, settings: NetworkSettings
) -> WayRule | None:
    if highway in MOTOR_ROADS and allowed is not True:
        return None
    if highway in ("cycleway", "busway", "bus_guideway") and allowed is not True:
        return None
    kmh = settings.foot_kmh * (settings.steps_factor if highway == "steps" else 1.0)
    return WayRule(True, True, kmh)


def _bike_rule(
    highway: str, tags: Mapping[str, str], allowed: bool | None, settings: NetworkSettings
) -> WayRule | None:
    if highway in MOTOR_ROADS or highway in ("steps", "busway", "bus_guideway", "corridor"):
        return None
    bicycle = tags.get("cargo_bike", tags.get("bicycle", ""))
    pushed = bicycle == "dismount"
    if highway in ("footway", "pedestrian", "bridleway") and allowed is not True:
        if highway == "pedestrian" and settings.push_bikes_in_pedestrian_zones:
            pushed = True
        else:
            return None
    if pushed:  # walking beside the bike: a pedestrian, both ways
        return WayRule(True, True, settings.dismount_kmh)
    direction = _oneway(tags, "oneway:bicycle")
    if direction is None:
        direction = 0 if bike_contraflow(tags) else vehicle_oneway(tags)
    forward, backward = _directions(direction)
    kmh = settings.cargo_bike_kmh
    limit = parse_maxspeed(tags.get("maxspeed"))
    if limit is not None:
        kmh = min(kmh, limit)
    return WayRule(forward, backward, kmh)


def _car_rule(
    highway: str, tags: Mapping[str, str], allowed: bool | None, settings: NetworkSettings
) -> WayRule | None:
    default = settings.car_default_kmh(highway)
    if highway in NO_CAR or (default is None and allowed is not True):
        return None
    kmh = parse_maxspeed(tags.get("maxspeed")) or default or 30.0
    kmh = min(kmh, settings.car_max_kmh) * settings.car_speed_factor
    forward, backward = _directions(vehicle_oneway(tags))
    return WayRule(forward, backward, kmh)


def node_blocks(mode: str, tags: Mapping[str, str]) -> bool:
    """Whether a node (a barrier, usually) stops ``mode`` from passing through it."""
    allowed = access(mode, tags)
    if allowed is not None:
        return not allowed
    barrier = tags.get("barrier")
    if barrier in WALLS:
        return True
    return mode == "car" and barrier in CAR_BARRIERS
