"""The street network a worker plans on, loaded once per process from ``OSM_SOURCE``.

``OSM_SOURCE`` is a place name (downloaded once with osmnx and cached under
``OSM_CACHE_DIR``, default ``data/osm``) or the path of an ``.osm`` / ``.osm.pbf``
file; without it, "Douai, France".
"""

from __future__ import annotations

import threading

from logistics.settings import get_settings
from routing.network import NetworkSettings, StreetNetwork, load_network

_lock = threading.Lock()
_loaded: dict[str, StreetNetwork] = {}


def network_source() -> str:
    """``$OSM_SOURCE``, else Douai."""
    return get_settings().osm_source


def street_network() -> StreetNetwork:
    """The network of :func:`network_source`, loaded on first use and kept."""
    source = network_source()
    with _lock:
        if source not in _loaded:
            cache = get_settings().osm_cache_dir
            _loaded[source] = load_network(source, NetworkSettings(), cache_dir=cache)
        return _loaded[source]
