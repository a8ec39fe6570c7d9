"""A round's path cut into legs at its stops, and which legs were really ridden.

The city counts the kilometres ridden, not the ones planned: a round stopped after two
stops counts the legs to its second stop only. A round's street path (see
:meth:`routing.network.graph.StreetGraph.route_geometry`) runs through every stop's own
point, so it can be cut there: leg ``k`` is the path from stop ``k - 1`` to stop ``k``
(none for the start). The legs' lengths are scaled so that they add up to the round's
street distance, the figure the planner measured on the network.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: (lon, lat) in degrees
Point = tuple[float, float]

#: how far (degrees, about 1 m) a path's vertex may lie from a stop's point and still be
#: that stop: the path's coordinates are rounded to 6 decimals
MATCH_DEG = 1e-5
#: the mean Earth radius (m), for lengths on the sphere
EARTH_M = 6_371_008.8
#: stop kinds where the courier works (the start and the end take no events)
WORK_KINDS = frozenset({"pickup", "delivery", "return"})


@dataclass(frozen=True)
class Leg:
    """The path into a stop from the stop before it, and its length in metres."""

    coords: tuple[Point, ...]
    metres: int


def haversine_m(a: Point, b: Point) -> float:
    """The great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(h)))


def line_m(coords: Sequence[Point]) -> float:
    """The length in metres of a (lon, lat) line."""
    return sum(haversine_m(a, b) for a, b in zip(coords, coords[1:], strict=False))


def _near(a: Point, b: Point) -> bool:
    return abs(a[0] - b[0]) <= MATCH_DEG and abs(a[1] - b[1]) <= MATCH_DEG


def split_legs(line: Sequence[Point], stops: Sequence[Point], distance_m: int) -> list[Leg | None]:
    """The leg into each stop (None for the first), cut from the round's ``line``.

    Each stop is looked for along the line from where the previous one was found. A stop
    the line does not pass (no line, or a line drawn before a stop moved) gets the
    straight segment from the stop before. The lengths are scaled so that they add up to
    ``distance_m`` (shared evenly when the legs have no length); a round of one stop has
    no leg.
    """
    out: list[Leg | None] = [None] if stops else []
    here = 0
    raw: list[tuple[tuple[Point, ...], float]] = []
    for k in range(1, len(stops)):
        prev, stop = stops[k - 1], stops[k]
        at = next((i for i in range(here, len(line)) if _near(line[i], stop)), None)
        if at is None or not line or not _near(line[here], prev):
            coords: tuple[Point, ...] = (tuple(prev), tuple(stop))  # type: ignore[assignment]
        else:
            coords = tuple((float(x), float(y)) for x, y in line[here:at + 1])
            if len(coords) == 1:
                coords = (coords[0], coords[0])
            here = at
        raw.append((coords, line_m(coords)))
    length = sum(m for _, m in raw)
    # every stop at one point: the distance shared evenly
    shares = [m / length if length > 0 else 1 / len(raw) for _, m in raw]
    done, before = 0.0, 0
    for (coords, _), share in zip(raw, shares, strict=True):
        done += share * distance_m
        out.append(Leg(coords, round(done) - before))  # rounded so that the legs add up
        before = round(done)
    return out


def ridden_seqs(stops: Iterable[tuple[int, str, bool, bool]]) -> set[int]:
    """The stops (by ``seq``) whose leg was ridden, from each stop's
    ``(seq, kind, has_event, finished)``.

    A round is ridden up to its last stop with an event (the legs of stops skipped on
    the way count, the courier rode past them), and to its end once every work stop is
    finished: the way back. A round with no event was not ridden at all.
    """
    rows = sorted(stops)
    with_event = [seq for seq, _, has_event, _ in rows if has_event]
    if not with_event:
        return set()
    last = max(with_event)
    ended = all(finished for _, kind, _, finished in rows if kind in WORK_KINDS)
    return {seq for seq, _, _, _ in rows if seq <= last or ended}
