"""Snap points onto the nearest street of a mode's graph (an edge, not just a node)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

from routing.network.build import GraphArrays
from routing.network.projection import Projector


@dataclass(frozen=True)
class Snap:
    """Where a point (lon, lat) meets a mode's streets.

    ``lon, lat`` is the nearest point on a street, ``distance_m`` the straight line to
    it. ``ok`` is False when that is beyond the limit, ``reason`` then says why.
    ``chain`` and ``offset_m`` locate the point on the graph: the chain index and the
    metres from the chain's start (-1 and 0 when the point is refused).
    """

    ok: bool
    distance_m: float
    lon: float
    lat: float
    reason: str | None = None
    chain: int = -1
    offset_m: float = 0.0


class SnapIndex:
    """An R-tree over the chains of one mode's graph, in projected metres."""

    def __init__(self, arrays: GraphArrays, projector: Projector, mode: str, limit_m: float):
        self._a = arrays
        self._projector = projector
        self._mode = mode
        self._limit = limit_m
        n_chain = arrays.chain_len.size
        owner = np.repeat(np.arange(n_chain), np.diff(arrays.chain_ptr))
        coords = np.column_stack([arrays.coord_x, arrays.coord_y])
        self._lines = shapely.linestrings(coords, indices=owner)
        self._tree = STRtree(self._lines)

    def snap(self, points: Sequence[tuple[float, float]]) -> list[Snap]:
        """Snap each (lon, lat) point onto its nearest street, or refuse it."""
        if len(points) == 0:
            return []
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if not np.isfinite(pts).all():
            msg = "points must be finite (lon, lat) pairs."
            raise ValueError(msg)
        x, y = self._projector.to_xy(pts[:, 0], pts[:, 1])
        geoms = shapely.points(x, y)
        (which, chain), dist = self._tree.query_nearest(
            geoms, return_distance=True, all_matches=False
        )
        best = np.full(len(pts), -1, dtype=np.int64)
        best_d = np.full(len(pts), np.inf)
        best[which] = chain
        best_d[which] = dist
        offsets = shapely.line_locate_point(self._lines[best], geoms)
        lon, lat = interpolate(self._a, best, offsets)
        snaps = []
        for i in range(len(pts)):
            d = float(best_d[i])
            if d <= self._limit:
                snaps.append(Snap(True, d, lon[i], lat[i], None, int(best[i]), float(offsets[i])))
            else:
                reason = (
                    f"{d:.0f} m from the nearest {self._mode} street (limit {self._limit:.0f} m)"
                )
                snaps.append(Snap(False, d, lon[i], lat[i], reason))
        return snaps


def interpolate(
    a: GraphArrays, chains: np.ndarray, offsets: np.ndarray
) -> tuple[list[float], list[float]]:
    """Lon/lat of the points ``offsets`` metres along ``chains`` (linear per segment)."""
    lons, lats = [], []
    for c, off in zip(chains.tolist(), np.asarray(offsets).tolist(), strict=True):
        lon, lat = along(a, c, off, off)
        lons.append(float(lon[0]))
        lats.append(float(lat[0]))
    return lons, lats


def along(a: GraphArrays, chain: int, start: float, stop: float) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat coordinates of chain ``chain`` from ``start`` to ``stop`` metres.

    ``start > stop`` walks the chain backwards. Ends are interpolated.
    """
    lo, hi = a.chain_ptr[chain], a.chain_ptr[chain + 1]
    cum = a.coord_cum[lo:hi]
    lon, lat = a.coord_lon[lo:hi], a.coord_lat[lo:hi]
    a_, b_ = (start, stop) if start <= stop else (stop, start)
    inner = np.flatnonzero((cum > a_) & (cum < b_))
    ends_lon = np.interp([a_, b_], cum, lon)
    ends_lat = np.interp([a_, b_], cum, lat)
    out_lon = np.r_[ends_lon[0], lon[inner], ends_lon[1]]
    out_lat = np.r_[ends_lat[0], lat[inner], ends_lat[1]]
    if start > stop:
        out_lon, out_lat = out_lon[::-1], out_lat[::-1]
    return out_lon, out_lat
