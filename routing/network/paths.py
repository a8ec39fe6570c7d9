"""Shortest paths between snapped points: travel-time and distance matrices, routes.

Each snapped point becomes two virtual nodes splitting its chain: a *source* with edges
out to the chain's ends and a *target* with edges in from them, each only in the
directions the chain may be travelled, timed pro rata. Sources have no incoming and
targets no outgoing edge, so they add no shortcut between other nodes. Two points on
the same chain are also joined directly along it. Dijkstra (scipy) then runs from the
sources in batches, on travel time; the distance of each fastest path is summed along
its predecessor tree by pointer jumping (log-depth, vectorised).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.network.build import MIN_SECONDS, GraphArrays, dedupe

#: sources per Dijkstra batch (bounds the memory: batch x nodes floats and ints)
BATCH = 128
#: a point this close to a chain's end (metres) is at the node there
AT_NODE_M = 1e-3


@dataclass(frozen=True)
class Augmented:
    """A mode's graph plus the virtual source and target nodes of some points."""

    csr: csr_matrix
    sources: np.ndarray
    targets: np.ndarray
    keys: np.ndarray
    metres: np.ndarray
    chain: np.ndarray
    start: np.ndarray
    stop: np.ndarray

    def edge_rows(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Rows of the edges ``tail -> head`` (the fastest of any parallel ones)."""
        n = self.csr.shape[0]
        return np.searchsorted(self.keys, tail.astype(np.int64) * n + head)


def augment(a: GraphArrays, chains: np.ndarray, offsets: np.ndarray) -> Augmented:
    """Add a source and a target node per point (``chains[i]``, ``offsets[i]`` metres)."""
    n, k = a.num_nodes, chains.size
    src = n + np.arange(k)
    tgt = n + k + np.arange(k)
    length = a.chain_len[chains]
    off = np.clip(offsets, 0.0, length)
    mps = a.chain_mps[chains]
    f, b = a.chain_fwd[chains], a.chain_bwd[chains]
    # a point at a chain's end is at its node: any edge there may leave or reach it
    at_u, at_v = off <= AT_NODE_M, off >= length - AT_NODE_M
    cu, cv = a.chain_u[chains], a.chain_v[chains]
    tails, heads, metres, chain, start, stop = [], [], [], [], [], []

    def add(mask, t, h, m, s0, s1, c=chains):  # type: ignore[no-untyped-def]
        tails.append(t[mask])
        heads.append(h[mask])
        metres.append(m[mask])
        chain.append(c[mask])
        start.append(s0[mask])
        stop.append(s1[mask])

    # graph edges: along (0 -> len) or against (len -> 0) their chain
    glen = a.chain_len[a.edge_chain]
    along = a.edge_dir > 0
    tails.append(a.edge_u)
    heads.append(a.edge_v)
    metres.append(a.edge_m)
    chain.append(a.edge_chain)
    start.append(np.where(along, 0.0, glen))
    stop.append(np.where(along, glen, 0.0))
    seconds = [a.edge_s]
    rest = length - off
    zero = np.zeros(k)
    out_v, out_u, in_u, in_v = f | at_v, b | at_u, f | at_u, b | at_v
    add(out_v, src, cv, rest, off, length)  # source -> chain end, along
    add(out_u, src, cu, off, off, zero)  # source -> chain start, against
    add(in_u, cu, tgt, off, zero, off)  # chain start -> target, along
    add(in_v, cv, tgt, rest, length, off)  # chain end -> target, against
    for m_arr, mask in ((rest, out_v), (off, out_u), (off, in_u), (rest, in_v)):
        seconds.append(m_arr[mask] / mps[mask])

    # points sharing a chain: directly along it
    order = np.lexsort((off, chains))
    sc, so = chains[order], off[order]
    runs = np.flatnonzero(np.diff(np.r_[-1, sc, -1]))
    for lo, hi in zip(runs[:-1], runs[1:], strict=True):
        if hi - lo < 2:
            continue
        idx, group_off = order[lo:hi], so[lo:hi]
        i, j = np.triu_indices(idx.size, 1)
        pi, pj = idx[i], idx[j]  # offsets of pi <= offsets of pj
        oi, oj = group_off[i], group_off[j]
        c = int(sc[lo])
        d = oj - oi
        ones = np.ones(d.size, dtype=bool)
        cc = np.full(d.size, c)
        if a.chain_fwd[c]:
            add(ones, src[pi], tgt[pj], d, oi, oj, cc)
            seconds.append(d / a.chain_mps[c])
        if a.chain_bwd[c]:
            add(ones, src[pj], tgt[pi], d, oj, oi, cc)
            seconds.append(d / a.chain_mps[c])

    eu, ev = np.concatenate(tails), np.concatenate(heads)
    es = np.maximum(np.concatenate(seconds), MIN_SECONDS)
    total = n + 2 * k
    eu, ev, es, em, ec, e0, e1 = dedupe(
        eu, ev, es, *(np.concatenate(x) for x in (metres, chain, start, stop))
    )
    csr = csr_matrix((es, (eu, ev)), shape=(total, total))
    return Augmented(csr, src, tgt, eu * total + ev, em, ec, e0, e1)


def matrices(aug: Augmented, batch: int = BATCH) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and metres of the fastest path from every source to every target."""
    k = aug.sources.size
    total = aug.csr.shape[0]
    seconds = np.empty((k, k))
    metres = np.empty((k, k))
    cols = np.arange(total)
    for lo in range(0, k, batch):
        rows = aug.sources[lo : lo + batch]
        dist, pred = dijkstra(aug.csr, indices=rows, return_predecessors=True)
        seconds[lo : lo + rows.size] = dist[:, aug.targets]
        # metres of the edge from each node's predecessor; roots point to themselves
        has = pred >= 0
        step = np.zeros(pred.shape)
        step[has] = aug.metres[aug.edge_rows(pred[has], np.broadcast_to(cols, pred.shape)[has])]
        jump = np.where(has, pred, cols).astype(np.int32)
        while True:
            nxt = np.take_along_axis(jump, jump, axis=1)
            if np.array_equal(nxt, jump):
                break
            step += np.take_along_axis(step, jump, axis=1)
            jump = nxt
        metres[lo : lo + rows.size] = step[:, aug.targets]
    metres[~np.isfinite(seconds)] = np.inf
    return seconds, metres


def route_edges(aug: Augmented, pairs: Sequence[tuple[int, int]]) -> list[np.ndarray | None]:
    """Rows of the edges of the fastest path for each (source point, target point) pair.

    None when the target cannot be reached.
    """
    if not pairs:
        return []
    wanted = sorted({i for i, _ in pairs})
    _, pred = dijkstra(aug.csr, indices=aug.sources[wanted], return_predecessors=True)
    row_of = {p: r for r, p in enumerate(wanted)}
    out: list[np.ndarray | None] = []
    for i, j in pairs:
        p = pred[row_of[i]]
        node, goal = int(aug.targets[j]), int(aug.sources[i])
        path = [node]
        while node != goal:
            node = int(p[node])
            if node < 0:
                break
            path.append(node)
        if node != goal:
            out.append(None)
            continue
        path.reverse()
        nodes = np.asarray(path, dtype=np.int64)
        out.append(aug.edge_rows(nodes[:-1], nodes[1:]))
    return out
