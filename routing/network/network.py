"""Load a street network (local extract, place name or bounding box) and its mode graphs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from routing.network import download as dl
from routing.network.build import build_graph
from routing.network.graph import ModeGraph
from routing.network.osmfile import OsmData, is_osm_file_name, read_osm
from routing.network.projection import Projector
from routing.network.settings import MODES, NetworkSettings

Source = str | Path | tuple[float, float, float, float]


class StreetNetwork:
    """The streets of an area, and one directed graph per mode built on first use."""

    def __init__(self, data: OsmData, source: str, settings: NetworkSettings):
        self.data = data
        self.source = source
        self.settings = settings
        self.bounds = data.bounds
        west, south, east, north = self.bounds
        self.projector = Projector((west + east) / 2, (south + north) / 2)
        self._x, self._y = self.projector.to_xy(data.lon, data.lat)
        self._graphs: dict[str, ModeGraph] = {}

    def __repr__(self) -> str:
        return f"StreetNetwork({self.source!r})"

    def graph(self, mode: str) -> ModeGraph:
        """The graph of ``mode`` (one of ``MODES``), built once then kept."""
        if mode not in MODES:
            msg = f"unknown mode {mode!r}: expected one of {', '.join(MODES)}."
            raise ValueError(msg)
        if mode not in self._graphs:
            arrays = build_graph(self.data, self._x, self._y, mode, self.settings)
            self._graphs[mode] = ModeGraph(mode, arrays, self.projector, self.settings.max_snap_m)
        return self._graphs[mode]


def _as_bbox(source: object) -> tuple[float, float, float, float] | None:
    if isinstance(source, (tuple, list)) and len(source) == 4:
        west, south, east, north = (float(v) for v in source)
        if not (west < east and south < north and np.all(np.isfinite([west, south, east, north]))):
            msg = "a bounding box is (west, south, east, north) with west < east, south < north."
            raise ValueError(msg)
        return west, south, east, north
    return None


def load_network(
    source: Source = "Douai, France",
    settings: NetworkSettings | None = None,
    cache_dir: str | Path = Path("data/osm"),
) -> StreetNetwork:
    """Load the streets of a local OSM file, a place name or a (west, south, east, north) box.

    A ``Path``, or a string naming an existing file or ending in ``.osm``/``.pbf``, is
    read as a local extract. A place or box is downloaded once with osmnx and cached as
    OSM XML under ``cache_dir`` (then read like a local extract); without internet that
    fails at once with ``NetworkUnavailable``.
    """
    settings = settings or NetworkSettings()
    cache_dir = Path(cache_dir)
    bbox = _as_bbox(source)
    if bbox is not None:
        what = "box ({:.5f}, {:.5f}, {:.5f}, {:.5f})".format(*bbox)
        path = dl.download(what, dl.bbox_path(bbox, cache_dir), bbox=bbox)
        return StreetNetwork(read_osm(path), dl.describe_cached(path, what), settings)
    if isinstance(source, Path) or (
        isinstance(source, str) and (Path(source).is_file() or is_osm_file_name(source))
    ):
        path = Path(source)
        return StreetNetwork(read_osm(path), f"file {path.name}", settings)
    if not isinstance(source, str) or not source.strip():
        msg = "source must be a place name, an OSM file path or a (west, south, east, north) box."
        raise ValueError(msg)
    what = repr(source)
    path = dl.download(what, dl.place_path(source, cache_dir), place=source)
    return StreetNetwork(read_osm(path), dl.describe_cached(path, what), settings)
