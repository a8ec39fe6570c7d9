"""The street network a worker plans on, loaded once per process from ``OSM_SOURCE``.

``OSM_SOURCE`` is a place name (downloaded once with osmnx and cached under
``OSM_CACHE_DIR``, default ``data/osm``) or the path of an ``.osm`` / ``.osm.pbf``
file; without it, "Douai, France".
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from routing.network import NetworkSettings, StreetNetwork, load_network

DEFAULT_PLACE = "Douai, France"

_lock = threading.Lock()
_loaded: dict[str, StreetNetwork] = {}


def network_source() -> str:
    """``$OSM_SOURCE``, else Douai."""
    return (os.environ.get("OSM_SOURCE") or "").strip() or DEFAULT_PLACE


def street_network() -> StreetNetwork:
    """The network of :func:`network_source`, loaded on first use and kept."""
    source = network_source()
    with _lock:
        if source not in _loaded:
            cache = Path(os.environ.get("OSM_CACHE_DIR") or "data/osm")
            _loaded[source] = load_network(source, NetworkSettings(), cache_dir=cache)
        return _loaded[source]
