"""The city's open data: a month of deliveries per 500 m cell, as CSV and GeoJSON.

Cells are those of a standard grid: INSPIRE's ETRS89-LAEA (EPSG:3035) in Europe, where
the statistics offices publish theirs, else the UTM zone of the town; a cell is named by
its size and its south-west corner (``CRS3035RES500mN3040000E3900000``), so the files
join with other gridded data. No household may be singled out: a cell with fewer than
``min_count`` deliveries is not published alone; the small cells of one 1 km cell are
put together (a row of 1000 m, the union of those cells), and a group still under the
threshold is left out, only its number of deliveries said. Nothing in the files is finer
than a cell: each figure is a sum, each shape a cell or a union of cells.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping
from shapely.ops import unary_union

#: the side of a cell, metres
CELL_M = 500
#: where EPSG:3035 applies (lon min, lat min, lon max, lat max), from its EPSG record
EUROPE = (-35.58, 24.6, 44.83, 84.73)
#: what each column holds, in French, as the files say it
COLUMN_TEXT = {
    "month": "le mois (AAAA-MM)",
    "cell_id": "le carreau : grille, taille et coin sud-ouest (N, E) en mètres",
    "cell_m": "la taille du carreau en mètres (1000 : des carreaux de 500 m réunis)",
    "cells": "le nombre de carreaux de 500 m de la ligne",
    "deliveries": "les commandes livrées",
    "share_on_foot": "la part des livraisons faites à pied (0 à 1)",
    "car_km_avoided": "les km en voiture évités (bruts)",
    "car_km_avoided_net": "les km en voiture évités (nets)",
    "bike_km": "les km parcourus à vélo cargo dans le carreau",
}

#: the columns of the CSV, in order (also the GeoJSON's properties)
COLUMNS = tuple(COLUMN_TEXT)

#: one cell: its column and row in the grid (the south-west corner divided by CELL_M)
Cell = tuple[int, int]


def grid_srid(lon: float, lat: float) -> int:
    """The grid's EPSG code for a town at (lon, lat): 3035 in Europe, else its UTM zone."""
    if EUROPE[0] <= lon <= EUROPE[2] and EUROPE[1] <= lat <= EUROPE[3]:
        return 3035
    zone = min(60, max(1, int((lon + 180) // 6) + 1))
    return (32600 if lat >= 0 else 32700) + zone


def cell_id(srid: int, cell: Cell, size: int = CELL_M) -> str:
    """The INSPIRE-style name of a cell: CRS, size, then its south-west corner (N, E)."""
    x, y = cell
    return f"CRS{srid}RES{size}mN{y * size}E{x * size}"


@dataclass(frozen=True)
class CellFigures:
    """What a cell (or a group of cells) holds in the month; km unrounded."""

    deliveries: int = 0
    on_foot: int = 0
    car_km: float = 0.0
    bike_km: float = 0.0

    def __add__(self, other: CellFigures) -> CellFigures:
        return CellFigures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class Area:
    """A published row: one cell, or the small cells of one 1 km cell put together."""

    cell_id: str
    size: int
    cells: tuple[Cell, ...]
    figures: CellFigures


@dataclass(frozen=True)
class Published:
    """The rows a month publishes, and what was left out under the threshold: its
    deliveries and the number of groups (of cells with deliveries) they were in."""

    srid: int
    areas: tuple[Area, ...]
    suppressed_deliveries: int
    suppressed_groups: int


def publish(srid: int, cells: Mapping[Cell, CellFigures], min_count: int) -> Published:
    """The rows of a month from its cells' figures (cells with nothing are ignored).

    A cell with at least ``min_count`` deliveries is a row; the others are grouped by
    their 1 km cell, and a group with at least ``min_count`` deliveries is a row of
    1000 m covering only those cells; the rest is left out.
    """
    areas: list[Area] = []
    small: dict[Cell, list[Cell]] = {}
    for cell in sorted(cells, key=lambda c: (c[1], c[0])):
        f = cells[cell]
        if f.deliveries >= min_count:
            areas.append(Area(cell_id(srid, cell), CELL_M, (cell,), f))
        elif f != CellFigures():
            small.setdefault((cell[0] // 2, cell[1] // 2), []).append(cell)
    left_out, groups = 0, 0
    for parent, members in small.items():
        total = sum((cells[c] for c in members), CellFigures())
        if total.deliveries >= min_count:
            areas.append(Area(cell_id(srid, parent, 2 * CELL_M), 2 * CELL_M, tuple(members), total))
        elif total.deliveries:
            left_out += total.deliveries
            groups += 1
    areas.sort(key=lambda a: (a.size, a.cell_id))
    return Published(srid, tuple(areas), left_out, groups)


def _row(month: str, area: Area, share: float) -> dict[str, Any]:
    f = area.figures
    return {
        "month": month, "cell_id": area.cell_id, "cell_m": area.size, "cells": len(area.cells),
        "deliveries": f.deliveries,
        "share_on_foot": round(f.on_foot / f.deliveries, 3) if f.deliveries else 0.0,
        "car_km_avoided": round(f.car_km, 3), "car_km_avoided_net": round(f.car_km * share, 3),
        "bike_km": round(f.bike_km, 3),
    }


@dataclass(frozen=True)
class Header:
    """What the files say about themselves: title, producer, licence, method."""

    title: str
    producer: str
    licence: str
    method: str


def method_text(srid: int, min_count: int, share: float, share_source: str) -> str:
    """The method, in French, as the files carry it."""
    source = (f"réponses des clients ({share_source.removeprefix('survey: ').split()[0]})"
              if share_source.startswith("survey") else share_source.removeprefix("default: "))
    return (
        "Agrégats mensuels des livraisons faites à vélo cargo et à pied, les jours où un plan "
        "de tournées était en vigueur. Chaque commande livrée compte dans le carreau de "
        f"{CELL_M} m (grille EPSG:{srid}, nommé par son coin sud-ouest) du domicile du client. "
        "car_km_avoided : l'aller-retour en voiture domicile - boutique(s) que la livraison "
        "remplace (un seul trajet par panier), mesuré sur les rues ouvertes aux voitures "
        "(OpenStreetMap), compté dans le carreau du domicile. car_km_avoided_net : le même "
        f"multiplié par la part des livraisons qui ont remplacé un trajet en voiture, "
        f"{share * 100:.1f} % ({source}). bike_km : la distance parcourue à vélo cargo dans "
        "le carreau, jusqu'au dernier arrêt pointé de chaque tournée, et le retour quand la "
        "tournée est finie. share_on_foot : la part des livraisons du carreau faites à pied. "
        f"Secret statistique : un carreau de moins de {min_count} livraisons n'est pas publié "
        "seul ; les petits carreaux d'un même carreau de 1 km sont réunis (cell_m = 1000, "
        "cells = le nombre de carreaux de 500 m réunis, la forme est leur union) ; un groupe "
        f"qui reste sous {min_count} livraisons n'est pas publié."
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def to_csv(month: str, published: Published, share: float, header: Header) -> str:
    """The CSV: lines starting with ``#`` (title, producer, licence, method, what was left
    out), then a header row and one row per area."""
    buf = io.StringIO()
    for line in (header.title, f"Producteur : {header.producer}", f"Licence : {header.licence}",
                 f"Méthode : {header.method}",
                 "Colonnes : " + " ; ".join(f"{k} = {v}" for k, v in COLUMN_TEXT.items()),
                 f"Non publié (secret statistique) : {_count(published.suppressed_deliveries, 'livraison')} "
                 f"dans {_count(published.suppressed_groups, 'groupe')} de carreaux"):
        buf.write(f"# {line}\n")
    out = csv.DictWriter(buf, COLUMNS, lineterminator="\n")
    out.writeheader()
    for area in published.areas:
        out.writerow(_row(month, area, share))
    return buf.getvalue()


def to_geojson(month: str, published: Published, share: float, header: Header) -> dict[str, Any]:
    """The GeoJSON (RFC 7946, WGS84): one feature per area, its shape the cell or the union
    of its cells; title, producer, licence and method as members of the collection."""
    to_wgs84 = Transformer.from_crs(published.srid, 4326, always_xy=True).transform
    features = []
    for area in published.areas:
        shape = unary_union([box(x * CELL_M, y * CELL_M, (x + 1) * CELL_M, (y + 1) * CELL_M)
                             for x, y in area.cells])
        geometry = _rounded(mapping(shapely.transform(shape, to_wgs84, interleaved=False)))
        features.append({"type": "Feature", "id": area.cell_id, "geometry": geometry,
                         "properties": _row(month, area, share)})
    return {
        "type": "FeatureCollection", "name": header.title, "producer": header.producer,
        "licence": header.licence, "method": header.method, "month": month,
        "grid": {"crs": f"EPSG:{published.srid}", "cell_m": CELL_M},
        "columns": dict(COLUMN_TEXT),
        "suppressed": {"deliveries": published.suppressed_deliveries,
                       "groups": published.suppressed_groups},
        "features": features,
    }


def _rounded(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """A GeoJSON geometry with its coordinates to 7 decimals (about 1 cm), as lists."""
    def walk(c: Any) -> Any:
        if isinstance(c, Sequence) and c and isinstance(c[0], float | int):
            return [round(float(v), 7) for v in c]
        return [walk(x) for x in c]
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def passages_geojson(lines: Iterable[tuple[Sequence[Sequence[tuple[float, float]]], int]],
                     header: Header, first: str, last: str, min_count: int) -> dict[str, Any]:
    """The bikes' map: one feature per run of street segments with the same number of
    cargo-bike passages (a MultiLineString of lon/lat lines)."""
    features = [{"type": "Feature",
                 "geometry": {"type": "MultiLineString",
                              "coordinates": [[list(p) for p in part] for part in parts]},
                 "properties": {"passages": n}} for parts, n in lines]
    return {"type": "FeatureCollection", "name": header.title, "producer": header.producer,
            "licence": header.licence, "method": header.method, "from": first, "to": last,
            "min_passages": min_count, "features": features}


def dumps(document: Mapping[str, Any]) -> str:
    """A GeoJSON document as compact UTF-8 text."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
