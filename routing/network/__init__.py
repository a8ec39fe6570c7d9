"""Street networks from OpenStreetMap: one graph per travel mode, snapping, matrices, routes.

Load an area with :func:`load_network` (a local ``.osm``/``.osm.pbf`` extract, a place
name or a bounding box, downloaded once and cached), then ask its
:meth:`StreetNetwork.graph` for a mode in :data:`MODES` to snap points, compute travel
time and distance matrices along the streets, and draw routes.
"""

from routing.network.errors import NetworkUnavailable
from routing.network.graph import ModeGraph
from routing.network.network import StreetNetwork, load_network
from routing.network.settings import MODES, NetworkSettings
from routing.network.snap import Snap

__all__ = [
    "MODES",
    "ModeGraph",
    "NetworkSettings",
    "NetworkUnavailable",
    "Snap",
    "StreetNetwork",
    "load_network",
]
