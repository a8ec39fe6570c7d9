"""Turn the highway ways of an extract into one mode's directed graph, as arrays.

Each way the mode may use is cut at its junctions (nodes shared with another usable way,
run ends, and barriers the mode cannot pass) into *chains*: polylines that keep the
way's geometry. A chain gives at most two directed edges (along and against the way),
timed at the mode's speed on that way. Only the largest strongly connected component is
kept: everywhere in it can be reached from everywhere else, so no point is snapped onto
an island it could not leave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from routing.network.osmfile import OsmData
from routing.network.rules import node_blocks, way_rule
from routing.network.settings import NetworkSettings

#: the smallest travel time of an edge, in seconds (sparse graphs need weights > 0)
MIN_SECONDS = 1e-6


@dataclass(frozen=True)
class GraphArrays:
    """One mode's graph over its largest strongly connected component.

    Nodes ``0..n-1`` sit at ``node_lon/node_lat``. Chain ``c`` runs from node
    ``chain_u[c]`` to ``chain_v[c]`` along the coordinates
    ``coord_*[chain_ptr[c]:chain_ptr[c + 1]]`` (``coord_cum`` holds the metres from the
    chain's start), may be travelled forward and/or backward, at ``chain_mps`` m/s.
    Edges are the directed, deduplicated (fastest kept) chain traversals, sorted by
    ``(edge_u, edge_v)``; ``edge_dir`` is +1 along the chain, -1 against it.
    """

    node_lon: np.ndarray
    node_lat: np.ndarray
    chain_u: np.ndarray
    chain_v: np.ndarray
    chain_ptr: np.ndarray
    coord_lon: np.ndarray
    coord_lat: np.ndarray
    coord_x: np.ndarray
    coord_y: np.ndarray
    coord_cum: np.ndarray
    chain_len: np.ndarray
    chain_mps: np.ndarray
    chain_fwd: np.ndarray
    chain_bwd: np.ndarray
    chain_way: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_s: np.ndarray
    edge_m: np.ndarray
    edge_chain: np.ndarray
    edge_dir: np.ndarray

    @property
    def num_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_lon.size)

    @property
    def num_edges(self) -> int:
        """Number of directed edges after deduplication."""
        return int(self.edge_u.size)

    def csr(self, n: int | None = None) -> csr_matrix:
        """Travel times as a sparse matrix (``n`` rows and columns, default all nodes)."""
        n = self.num_nodes if n is None else n
        return csr_matrix((self.edge_s, (self.edge_u, self.edge_v)), shape=(n, n))


def build_graph(
    data: OsmData, x: np.ndarray, y: np.ndarray, mode: str, settings: NetworkSettings
) -> GraphArrays:
    """Build ``mode``'s graph from an extract whose nodes project to ``x, y`` metres."""
    n_osm = data.node_ids.size
    blocked = np.zeros(n_osm, dtype=bool)
    for idx, tags in data.node_tags.items():
        blocked[idx] = node_blocks(mode, tags)
    runs: list[np.ndarray] = []
    run_rule: list[tuple[bool, bool, float, int]] = []
    for way_no, way in enumerate(data.ways):
        rule = way_rule(mode, way.tags, settings)
        if rule is None or not (rule.forward or rule.backward):
            continue
        for run in way.runs:
            runs.append(run)
            run_rule.append((rule.forward, rule.backward, rule.kmh / 3.6, way_no))
    if not runs:
        msg = f"the extract has no street a {mode} may use."
        raise ValueError(msg)
    all_nodes = np.concatenate(runs)
    junction = np.bincount(all_nodes, minlength=n_osm) >= 2
    junction |= blocked
    for run in runs:
        junction[run[0]] = junction[run[-1]] = True

    # cut runs into chains at junctions
    pieces: list[np.ndarray] = []
    piece_rule: list[tuple[bool, bool, float, int]] = []
    for run, how in zip(runs, run_rule, strict=True):
        cuts = np.flatnonzero(junction[run])
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            pieces.append(run[a : b + 1])
            piece_rule.append(how)
    n_chain = len(pieces)
    sizes = np.fromiter((p.size for p in pieces), dtype=np.int64, count=n_chain)
    ptr = np.zeros(n_chain + 1, dtype=np.int64)
    np.cumsum(sizes, out=ptr[1:])
    nodes = np.concatenate(pieces)
    fwd = np.fromiter((r[0] for r in piece_rule), dtype=bool, count=n_chain)
    bwd = np.fromiter((r[1] for r in piece_rule), dtype=bool, count=n_chain)
    mps = np.fromiter((r[2] for r in piece_rule), dtype=np.float64, count=n_chain)
    way_of = np.fromiter((r[3] for r in piece_rule), dtype=np.int64, count=n_chain)

    # graph nodes: one per junction; a blocked node is a separate dead end per chain
    first, last = nodes[ptr[:-1]], nodes[ptr[1:] - 1]
    junction_ids = np.unique(np.concatenate([first[~blocked[first]], last[~blocked[last]]]))
    gid = np.full(n_osm, -1, dtype=np.int64)
    gid[junction_ids] = np.arange(junction_ids.size)
    u, v = gid[first], gid[last]
    next_id = junction_ids.size
    osm_of = list(junction_ids)
    for ends in (u, v):
        lost = np.flatnonzero(ends < 0)
        ends[lost] = np.arange(next_id, next_id + lost.size)
        next_id += lost.size
    osm_of.extend(first[u >= junction_ids.size].tolist())
    osm_of.extend(last[v >= junction_ids.size].tolist())
    osm_of_arr = np.asarray(osm_of, dtype=np.int64)
    n_nodes = next_id

    # geometry and lengths
    cx, cy = x[nodes], y[nodes]
    seg = np.hypot(np.diff(cx), np.diff(cy))
    seg[ptr[1:-1] - 1] = 0.0  # no segment between consecutive chains
    cum = np.zeros(nodes.size)
    np.cumsum(seg, out=cum[1:])
    cum -= np.repeat(cum[ptr[:-1]], sizes)
    length = cum[ptr[1:] - 1]

    # largest strongly connected component
    eu, ev, es, em, ec, ed = _edges(u, v, length, mps, fwd, bwd)
    graph = csr_matrix((es, (eu, ev)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=True, connection="strong")
    biggest = np.argmax(np.bincount(labels))
    keep_node = labels == biggest
    new_id = np.full(n_nodes, -1, dtype=np.int64)
    new_id[keep_node] = np.arange(int(keep_node.sum()))
    keep_chain = keep_node[u] & keep_node[v]
    keep_edge = keep_node[eu] & keep_node[ev]

    chains = np.flatnonzero(keep_chain)
    c_sizes = sizes[chains]
    c_ptr = np.zeros(chains.size + 1, dtype=np.int64)
    np.cumsum(c_sizes, out=c_ptr[1:])
    coord_idx = np.concatenate([np.arange(ptr[c], ptr[c + 1]) for c in chains])
    chain_new = np.full(n_chain, -1, dtype=np.int64)
    chain_new[chains] = np.arange(chains.size)
    node_osm = osm_of_arr[keep_node]
    c_nodes = nodes[coord_idx]
    return GraphArrays(
        node_lon=data.lon[node_osm],
        node_lat=data.lat[node_osm],
        chain_u=new_id[u[chains]],
        chain_v=new_id[v[chains]],
        chain_ptr=c_ptr,
        coord_lon=data.lon[c_nodes],
        coord_lat=data.lat[c_nodes],
        coord_x=cx[coord_idx],
        coord_y=cy[coord_idx],
        coord_cum=cum[coord_idx],
        chain_len=length[chains],
        chain_mps=mps[chains],
        chain_fwd=fwd[chains],
        chain_bwd=bwd[chains],
        chain_way=way_of[chains],
        edge_u=new_id[eu[keep_edge]],
        edge_v=new_id[ev[keep_edge]],
        edge_s=es[keep_edge],
        edge_m=em[keep_edge],
        edge_chain=chain_new[ec[keep_edge]],
        edge_dir=ed[keep_edge],
    )


def _edges(
    u: np.ndarray,
    v: np.ndarray,
    length: np.ndarray,
    mps: np.ndarray,
    fwd: np.ndarray,
    bwd: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Directed edges of the chains, self-loops dropped, the fastest of parallel edges kept."""
    chain = np.arange(u.size)
    seconds = np.maximum(length / mps, MIN_SECONDS)
    f = fwd & (u != v)
    b = bwd & (u != v)
    eu = np.concatenate([u[f], v[b]])
    ev = np.concatenate([v[f], u[b]])
    es = np.concatenate([seconds[f], seconds[b]])
    em = np.concatenate([length[f], length[b]])
    ec = np.concatenate([chain[f], chain[b]])
    ed = np.concatenate([np.ones(int(f.sum()), np.int8), -np.ones(int(b.sum()), np.int8)])
    return dedupe(eu, ev, es, em, ec, ed)


def dedupe(
    eu: np.ndarray, ev: np.ndarray, es: np.ndarray, *rest: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Sort edges by (u, v) and keep the fastest of each parallel group.

    A sparse matrix would add the weights of duplicate entries; the fastest is the
    one any shortest path takes.
    """
    if eu.size == 0:
        return (eu, ev, es, *rest)
    order = np.lexsort((es, ev, eu))
    eu, ev = eu[order], ev[order]
    first = np.r_[True, (eu[1:] != eu[:-1]) | (ev[1:] != ev[:-1])]
    picked = order[first]
    return (eu[first], ev[first], es[picked], *(r[picked] for r in rest))
