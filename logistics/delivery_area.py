"""The delivery area: the polygon (``DELIVERY_AREA``, a GeoJSON file) outside which the
platform takes no customer, e.g. the commune of Douai (``data/areas/douai.geojson``).

Read once per file (again if it changes); a file that is not a polygon is a settings
error in one line, naming the setting.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.prepared import PreparedGeometry, prep

from logistics.errors import DomainError
from logistics.settings import SettingsError, get_settings


@lru_cache(maxsize=4)
def _area(path: str, mtime: float) -> tuple[BaseGeometry, PreparedGeometry]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        parts = data.get("features") or [data]
        shapes = [shape(f.get("geometry", f)) for f in parts]
        polygons = [s for s in shapes if s.geom_type in ("Polygon", "MultiPolygon")]
        if not polygons:
            raise ValueError("it holds no Polygon or MultiPolygon")
        area = unary_union(polygons)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        msg = f"DELIVERY_AREA: {path} is not a GeoJSON polygon ({e})"
        raise SettingsError(msg) from None
    return area, prep(area)


def delivery_area() -> tuple[BaseGeometry, PreparedGeometry] | None:
    """The area of the settings, or None when none is set."""
    path = get_settings().delivery_area
    if not path:
        return None
    p = Path(path)
    if not p.is_file():
        msg = f"DELIVERY_AREA: no such file: {path}"
        raise SettingsError(msg)
    return _area(str(p.resolve()), p.stat().st_mtime)


def outside_area(lon: float, lat: float) -> bool:
    """Whether a point lies outside the delivery area (never, without one)."""
    area = delivery_area()
    return area is not None and not area[1].covers(Point(lon, lat))


def check_delivery_area(field: str, lon: float, lat: float, what: str | None = None) -> None:
    """Refuse (422 ``outside_area``, naming ``field``) a customer outside the area."""
    if outside_area(lon, lat):
        where = what or f"({lon:.6f}, {lat:.6f})"
        raise DomainError(field, f"{where} is outside the delivery area", code="outside_area",
                          params={"where": where})
