"""Small OSM extracts with addresses, written by the tests: French, German and Danish
address forms, a building way, an interpolation line, and a street with no address."""

from __future__ import annotations

from pathlib import Path

#: (node id, lon, lat, tags) of the address nodes of Douai's stand-in
DOUAI = [
    (1, 3.0795, 50.3705, {"addr:housenumber": "12", "addr:street": "Rue de Bellain",
                          "addr:postcode": "59500", "addr:city": "Douai"}),
    (2, 3.0797, 50.3706, {"addr:housenumber": "14", "addr:street": "Rue de Bellain",
                          "addr:postcode": "59500", "addr:city": "Douai"}),
    (3, 3.0801, 50.3701, {"addr:housenumber": "5", "addr:street": "Place d'Armes",
                          "addr:postcode": "59500", "addr:city": "Douai"}),
    (4, 3.0850, 50.3690, {"addr:housenumber": "3 bis", "addr:street": "Rue Saint-Jacques",
                          "addr:postcode": "59500", "addr:city": "Douai"}),
    (5, 3.0700, 50.3750, {"addr:housenumber": "22", "addr:street": "Rue de Bellain",
                          "addr:postcode": "59187", "addr:city": "Dechy"}),
    (6, 8.6900, 49.4100, {"addr:housenumber": "12", "addr:street": "Hindenburgstraße",
                          "addr:postcode": "69117", "addr:city": "Heidelberg"}),
    (7, 12.5600, 55.6800, {"addr:housenumber": "22", "addr:street": "Rømersgade",
                           "addr:postcode": "1362", "addr:city": "København K"}),
    # the ends of an interpolation line: 1 to 9, odd numbers
    (10, 3.0900, 50.3600, {"addr:housenumber": "1", "addr:street": "Rue des Wetz",
                           "addr:postcode": "59500", "addr:city": "Douai"}),
    (11, 3.0940, 50.3600, {"addr:housenumber": "9", "addr:street": "Rue des Wetz",
                           "addr:postcode": "59500", "addr:city": "Douai"}),
]
#: plain nodes of ways (a building's corners)
CORNERS = [(20, 3.0810, 50.3710), (21, 3.0812, 50.3710), (22, 3.0812, 50.3712), (23, 3.0810, 50.3712)]


def _tags(tags: dict[str, str]) -> str:
    esc = {"&": "&amp;", "<": "&lt;", '"': "&quot;", "'": "&apos;"}
    return "".join(f'<tag k="{k}" v="{"".join(esc.get(c, c) for c in v)}"/>' for k, v in tags.items())


def write_extract(path: Path) -> Path:
    """The extract as OSM XML at ``path``."""
    nodes = [f'<node id="{i}" version="1" lon="{x}" lat="{y}">{_tags(t)}</node>' for i, x, y, t in DOUAI]
    nodes += [f'<node id="{i}" version="1" lon="{x}" lat="{y}"/>' for i, x, y in CORNERS]
    building = {"building": "yes", "addr:housenumber": "7", "addr:street": "Rue de la Mairie",
                "addr:postcode": "59500", "addr:city": "Douai"}
    ways = [
        '<way id="100" version="1">' + "".join(f'<nd ref="{n}"/>' for n in (20, 21, 22, 23, 20))
        + _tags(building) + "</way>",
        '<way id="101" version="1"><nd ref="10"/><nd ref="11"/>'
        + _tags({"addr:interpolation": "odd"}) + "</way>",
    ]
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="tests">\n'
                    + "\n".join(nodes + ways) + "\n</osm>\n", encoding="utf-8")
    return path
