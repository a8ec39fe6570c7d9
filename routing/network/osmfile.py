"""Read the streets of a local OSM extract (``.osm`` XML or ``.osm.pbf``) with pyosmium.

Only ways with a ``highway`` tag and their nodes are kept. Extracts clipped at a
rectangle hold ways whose nodes are partly missing: each way is then kept as its runs
of consecutive present nodes, so that any extract loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium

from routing.network.rules import NODE_TAGS

_EXTENSIONS = (".osm", ".osm.pbf", ".pbf", ".osm.xml", ".xml", ".osm.bz2", ".osm.gz")


@dataclass(frozen=True)
class Way:
    """One OSM way: id, tags and its runs of present nodes (indices into the nodes)."""

    id: int
    tags: dict[str, str]
    runs: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class OsmData:
    """The streets of an extract: node coordinates, tagged nodes and highway ways."""

    node_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    node_tags: dict[int, dict[str, str]]
    ways: tuple[Way, ...]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the nodes the ways use."""
        used = np.unique(np.concatenate([r for w in self.ways for r in w.runs]))
        if used.size == 0:
            msg = "the extract holds no street."
            raise ValueError(msg)
        lon, lat = self.lon[used], self.lat[used]
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def is_osm_file_name(name: str) -> bool:
    """Whether a name looks like an OSM extract file (by its extension)."""
    return name.lower().endswith(_EXTENSIONS)


def read_osm(path: str | Path) -> OsmData:
    """Read the highway ways of an OSM file, keeping each way's runs of present nodes."""
    path = Path(path)
    if not path.is_file():
        msg = f"no OSM file at {path}."
        raise FileNotFoundError(msg)
    ids: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    tagged: dict[int, dict[str, str]] = {}
    raw_ways: list[tuple[int, dict[str, str], list[int]]] = []
    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        for obj in processor:
            if isinstance(obj, osmium.osm.Node):
                loc = obj.location
                if not loc.valid():
                    continue
                ids.append(obj.id)
                lons.append(loc.lon)
                lats.append(loc.lat)
                if len(obj.tags) and any(k in obj.tags for k in NODE_TAGS):
                    tagged[obj.id] = dict(obj.tags)
            elif isinstance(obj, osmium.osm.Way) and "highway" in obj.tags:
                raw_ways.append((obj.id, dict(obj.tags), [n.ref for n in obj.nodes]))
    except RuntimeError as exc:
        msg = f"cannot read OSM file {path}: {exc}"
        raise ValueError(msg) from exc
    node_ids = np.asarray(ids, dtype=np.int64)
    order = np.argsort(node_ids, kind="stable")
    node_ids = node_ids[order]
    lon = np.asarray(lons, dtype=np.float64)[order]
    lat = np.asarray(lats, dtype=np.float64)[order]
    ways = tuple(_way(wid, tags, refs, node_ids) for wid, tags, refs in raw_ways)
    index = {int(i): k for k, i in enumerate(node_ids)} if tagged else {}
    node_tags = {index[i]: t for i, t in tagged.items()}
    return OsmData(node_ids, lon, lat, node_tags, tuple(w for w in ways if w.runs))


def _way(wid: int, tags: dict[str, str], refs: list[int], node_ids: np.ndarray) -> Way:
    """A way cut into its runs of at least two consecutive present nodes."""
    ref = np.asarray(refs, dtype=np.int64)
    if ref.size > 1:
        ref = ref[np.r_[True, ref[1:] != ref[:-1]]]  # repeated consecutive refs
    if node_ids.size == 0 or ref.size < 2:
        return Way(wid, tags, ())
    pos = np.searchsorted(node_ids, ref).clip(0, node_ids.size - 1)
    present = node_ids[pos] == ref
    if present.all():
        return Way(wid, tags, (pos.astype(np.int64),))
    runs = []
    edges = np.flatnonzero(np.diff(np.r_[0, present.astype(np.int8), 0]))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start >= 2:
            runs.append(pos[start:stop].astype(np.int64))
    return Way(wid, tags, tuple(runs))
