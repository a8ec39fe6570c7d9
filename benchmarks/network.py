"""Time the travel matrices of a street network, for the project's bench command."""

from __future__ import annotations

import resource
import time
from collections.abc import Sequence

import numpy as np

from routing.network.network import StreetNetwork
from routing.network.settings import MODES


def sample_points(
    net: StreetNetwork, mode: str, size: int, seed: int = 0
) -> list[tuple[float, float]]:
    """``size`` points near random nodes of a mode's graph (within about 30 m)."""
    rng = np.random.default_rng(seed)
    nodes = net.graph(mode).node_coordinates()
    picked = nodes[rng.integers(0, len(nodes), size)]
    jitter = rng.normal(scale=0.0002, size=picked.shape)  # ~ 15-20 m
    return [(float(lon), float(lat)) for lon, lat in picked + jitter]


def matrix_timings(
    net: StreetNetwork,
    sizes: Sequence[int] = (100, 500, 2000),
    modes: Sequence[str] = MODES,
    seed: int = 0,
) -> list[dict[str, object]]:
    """Seconds to compute an n-point matrix per mode and size (graph built beforehand).

    Each row: ``mode``, ``points``, ``seconds``, ``build_seconds`` (the mode's graph,
    0 when it was already built), ``nodes``, ``edges``, ``unreachable`` (pairs) and
    ``peak_mb`` (the process's peak resident memory so far).
    """
    rows: list[dict[str, object]] = []
    for mode in modes:
        start = time.perf_counter()
        graph = net.graph(mode)
        build = time.perf_counter() - start
        for size in sizes:
            points = sample_points(net, mode, size, seed)
            start = time.perf_counter()
            seconds, _ = graph.matrix(points)
            elapsed = time.perf_counter() - start
            rows.append(
                {
                    "mode": mode,
                    "points": size,
                    "seconds": round(elapsed, 3),
                    "build_seconds": round(build, 3),
                    "nodes": graph.num_nodes,
                    "edges": graph.num_edges,
                    "unreachable": int(np.isinf(seconds).sum()),
                    "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                }
            )
            build = 0.0
    return rows
