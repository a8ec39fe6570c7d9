"""One mode's street graph: snapping, matrices and route geometry on real streets."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np

from routing.network.build import GraphArrays
from routing.network.paths import augment, matrices, route_edges
from routing.network.projection import Projector
from routing.network.snap import Snap, SnapIndex, along


class ModeGraph:
    """The directed street graph of one mode, over its largest strongly connected part.

    Points are (lon, lat). They are snapped onto the nearest street of the graph; the
    straight connector from a point to its street counts in times and distances, at the
    speed of that street for this mode.
    """

    def __init__(self, mode: str, arrays: GraphArrays, projector: Projector, max_snap_m: float):
        self.mode = mode
        self.arrays = arrays
        self._index = SnapIndex(arrays, projector, mode, max_snap_m)

    def __repr__(self) -> str:
        return f"ModeGraph({self.mode!r}, {self.num_nodes} nodes, {self.num_edges} edges)"

    @property
    def num_nodes(self) -> int:
        """Number of nodes (junctions and dead ends)."""
        return self.arrays.num_nodes

    @property
    def num_edges(self) -> int:
        """Number of directed edges (street stretches between junctions, per direction)."""
        return self.arrays.num_edges

    def node_coordinates(self) -> np.ndarray:
        """Lon/lat of the nodes, shape (n, 2): every one reachable from every other."""
        return np.column_stack([self.arrays.node_lon, self.arrays.node_lat])

    def snap(self, points: Sequence[tuple[float, float]]) -> list[Snap]:
        """Snap each (lon, lat) point onto the nearest street, or refuse it with a reason."""
        return self._index.snap(points)

    def _snapped(
        self, points: Sequence[tuple[float, float]], numbers: Sequence[int] | None = None
    ) -> list[Snap]:
        """Snaps of all points, or ValueError naming the first point refused.

        ``numbers`` are the points' numbers in the caller's list (default 0, 1, ...).
        """
        snaps = self.snap(points)
        for i, s in enumerate(snaps):
            if not s.ok:
                lon, lat = points[i]
                number = i if numbers is None else numbers[i]
                msg = f"point {number} ({lon:.6f}, {lat:.6f}) is {s.reason}."
                raise ValueError(msg)
        return snaps

    def matrix(self, points: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Travel times (s) and distances (m) between all points along the streets.

        ``[i, j]`` goes from point ``i`` to point ``j`` by the fastest path, connectors
        included; equal points are 0 apart and unreachable pairs are ``inf``. Raises
        ValueError naming the first point that does not snap.
        """
        n = len(points)
        if n == 0:
            return np.zeros((0, 0)), np.zeros((0, 0))
        pts = np.asarray(points, dtype=np.float64).reshape(n, 2)
        unique, first, inverse = np.unique(pts, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(first)  # unique points in the order they first appear
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        snaps = self._snapped([tuple(p) for p in unique[order].tolist()], first[order].tolist())
        where = rank[inverse]
        chains = np.array([s.chain for s in snaps], dtype=np.int64)
        offsets = np.array([s.offset_m for s in snaps])
        seconds, metres = matrices(augment(self.arrays, chains, offsets))
        c_metres = np.array([s.distance_m for s in snaps])
        c_seconds = c_metres / self.arrays.chain_mps[chains]
        seconds += c_seconds[:, None] + c_seconds[None, :]
        metres += c_metres[:, None] + c_metres[None, :]
        np.fill_diagonal(seconds, 0.0)
        np.fill_diagonal(metres, 0.0)
        return seconds[np.ix_(where, where)], metres[np.ix_(where, where)]

    def route_geometry(self, points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        """A lon/lat line through the points in order, following the streets.

        Each leg goes from the point to its street, along the fastest path, and from the
        street to the next point. Raises ValueError when a point does not snap or a leg
        cannot be travelled.
        """
        if len(points) == 0:
            return []
        snaps = self._snapped(points)
        chains = np.array([s.chain for s in snaps], dtype=np.int64)
        offsets = np.array([s.offset_m for s in snaps])
        aug = augment(self.arrays, chains, offsets)
        pairs = [(i, i + 1) for i in range(len(points) - 1)]
        legs = route_edges(aug, pairs)
        line: list[tuple[float, float]] = [(float(points[0][0]), float(points[0][1]))]

        def extend(coords: list[tuple[float, float]]) -> None:
            for c in coords:
                if c != line[-1]:
                    line.append(c)

        for (i, j), rows in zip(pairs, legs, strict=True):
            if (snaps[i].chain, snaps[i].offset_m) == (snaps[j].chain, snaps[j].offset_m):
                rows = np.zeros(0, dtype=np.int64)
            elif rows is None:
                msg = f"no {self.mode} path from point {i} to point {j}."
                raise ValueError(msg)
            extend([(snaps[i].lon, snaps[i].lat)])
            for r in rows.tolist():
                lon, lat = along(self.arrays, int(aug.chain[r]), aug.start[r], aug.stop[r])
                extend(list(zip(lon.tolist(), lat.tolist(), strict=True)))
            extend([(snaps[j].lon, snaps[j].lat), (float(points[j][0]), float(points[j][1]))])
        return line

    def to_networkx(self) -> nx.DiGraph:
        """The graph as networkx (edge attributes ``seconds`` and ``metres``), for checks."""
        a = self.arrays
        g = nx.DiGraph()
        g.add_nodes_from(range(a.num_nodes))
        g.add_edges_from(
            (int(u), int(v), {"seconds": float(s), "metres": float(m)})
            for u, v, s, m in zip(a.edge_u, a.edge_v, a.edge_s, a.edge_m, strict=True)
        )
        return g
