"""Download a place or a bounding box from OpenStreetMap once, and cache it as OSM XML.

osmnx asks Nominatim for the place's boundary and Overpass for every highway way in it
(``network_type="all"``, unsimplified, with every tag the mode rules read), then for the
addresses in it (``addr:housenumber`` on nodes and buildings, kept as one node each at
the building's inside point), so that the offline geocoder reads a downloaded place as
it reads an extract. The result is saved as a plain ``.osm`` file under the cache, then
loaded like any local extract: one code path after loading. osmnx's own HTTP cache goes
to ``<cache>/http``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import socket
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from routing.network.errors import NetworkUnavailable
from routing.network.rules import NODE_TAGS, WAY_TAGS

#: a local extract to suggest when OpenStreetMap cannot be reached
EXAMPLE_EXTRACT = "../shared/osm/heidelberg-centre.osm.pbf"
#: seconds to wait for a connection to OpenStreetMap's servers before giving up
PROBE_SECONDS = 3.0


def slug(text: str) -> str:
    """A file-name-safe lower-case slug: "Douai, France" -> "douai-france"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "place"


def place_path(place: str, cache_dir: Path) -> Path:
    """Where the OSM XML of a place is cached."""
    return Path(cache_dir) / "places" / f"{slug(place)}.osm"


def bbox_path(bbox: tuple[float, float, float, float], cache_dir: Path) -> Path:
    """Where the OSM XML of a (west, south, east, north) box is cached."""
    name = "_".join(f"{v:.5f}" for v in bbox)
    return Path(cache_dir) / "bbox" / f"{name}.osm"


def describe_cached(path: Path, what: str) -> str:
    """One line saying where a cached download came from."""
    meta = path.with_suffix(".json")
    date = None
    if meta.is_file():
        with contextlib.suppress(ValueError, OSError):
            date = json.loads(meta.read_text()).get("downloaded")
    if date is None:
        date = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date().isoformat()
    return f"OpenStreetMap: {what} (downloaded {date}, cached {path})"


def _unavailable(what: str, why: str = "no internet?") -> NetworkUnavailable:
    return NetworkUnavailable(
        f"cannot download {what} from OpenStreetMap ({why}): give a local extract with "
        f"--osm FILE, e.g. --osm {EXAMPLE_EXTRACT}"
    )


def _reachable(url: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether a TCP connection to the URL's host opens within ``timeout`` seconds.

    Runs in a daemon thread because name resolution itself has no timeout. Behind a
    proxy (``HTTPS_PROXY``...), the proxy is probed instead.
    """
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and parts.hostname and not urllib.request.proxy_bypass(parts.hostname):
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    host = parts.hostname
    if not host:
        return False
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ok: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                ok.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(ok)


@contextlib.contextmanager
def _osmnx_settings(cache_dir: Path) -> Iterator[Any]:
    """osmnx settings for one download, restored afterwards."""
    import osmnx as ox

    changes = {
        "use_cache": True,
        "cache_folder": str(Path(cache_dir) / "http"),
        "all_oneway": True,
        "useful_tags_way": sorted(set(ox.settings.useful_tags_way) | set(WAY_TAGS)),
        "useful_tags_node": sorted(set(ox.settings.useful_tags_node) | set(NODE_TAGS)),
    }
    saved = {k: getattr(ox.settings, k) for k in changes}
    try:
        for k, v in changes.items():
            setattr(ox.settings, k, v)
        yield ox
    finally:
        for k, v in saved.items():
            setattr(ox.settings, k, v)


def _addresses(ox: Any, place: str | None, bbox: tuple[float, float, float, float] | None,
               ) -> list[tuple[float, float, dict[str, str]]]:
    """(lon, lat, addr:* tags) of every numbered address of the place or box: a node's
    point, a building's inside point. None there is no error (some towns have none)."""
    tags = {"addr:housenumber": True}
    try:
        found = ox.features_from_place(place, tags) if place else ox.features_from_bbox(bbox, tags)
    except ox._errors.InsufficientResponseError:
        return []
    keys = [c for c in found.columns if isinstance(c, str) and c.startswith("addr:")]
    out = []
    for geom, values in zip(found.geometry, found[keys].itertuples(index=False), strict=True):
        if geom is None or geom.is_empty:
            continue
        at = geom if geom.geom_type == "Point" else geom.representative_point()
        kept = {k: v.strip() for k, v in zip(keys, values, strict=True) if isinstance(v, str) and v.strip()}
        if "addr:housenumber" in kept:
            out.append((float(at.x), float(at.y), kept))
    return out


def _add_nodes(path: Path, nodes: list[tuple[float, float, dict[str, str]]]) -> None:
    """Write ``nodes`` into the OSM XML at ``path``, before its first node, with negative
    ids (new objects, in OSM's convention: never one of the streets' nodes)."""
    if not nodes:
        return
    lines = []
    for i, (lon, lat, tags) in enumerate(nodes, start=1):
        inner = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(tags.items()))
        lines.append(f'  <node id="-{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{inner}</node>\n')
    text = path.read_text(encoding="utf-8")
    at = text.find("<node")
    if at < 0:
        at = text.rfind("</osm>")
    path.write_text(text[:at] + "".join(lines) + "  " + text[at:], encoding="utf-8")


def download(
    what: str,
    path: Path,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> Path:
    """Download a place (or a box) into ``path`` as OSM XML, unless already cached."""
    if path.is_file():
        return path
    import osmnx as ox
    import requests

    urls = [ox.settings.overpass_url] + ([ox.settings.nominatim_url] if place else [])
    if not all(_reachable(u) for u in urls):
        raise _unavailable(what)
    cache_dir = path.parent.parent
    try:
        with _osmnx_settings(cache_dir):
            kwargs: dict[str, Any] = {
                "network_type": "all",
                "simplify": False,
                "retain_all": True,
                "truncate_by_edge": True,
            }
            if place is not None:
                graph = ox.graph_from_place(place, **kwargs)
            else:
                assert bbox is not None
                graph = ox.graph_from_bbox(bbox, **kwargs)
            # osmnx already turned the nodes of oneway=-1 ways around
            for _, _, data in graph.edges(data=True):
                if data.get("oneway") in ("-1", "reverse", "T"):
                    data["oneway"] = "yes"
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".osm.part")
            ox.save_graph_xml(graph, tmp)
            _add_nodes(tmp, _addresses(ox, place, bbox))
    except requests.exceptions.RequestException as exc:
        raise _unavailable(what, type(exc).__name__) from exc
    except ox._errors.InsufficientResponseError as exc:
        msg = f"OpenStreetMap has no streets for {what}: {exc}"
        raise ValueError(msg) from exc
    tmp.replace(path)
    # The download's own date, from the file just written (the platform's clock, which
    # tests set, lives above this pure core and has no say in when a file was fetched).
    fetched = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date()
    meta = {"query": place or list(bbox or ()), "downloaded": fetched.isoformat()}
    path.with_suffix(".json").write_text(json.dumps(meta) + "\n")
    return path
