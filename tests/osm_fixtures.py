"""Small OpenStreetMap files the tests write themselves: OSM XML from nodes and ways,
and a grid of streets near Douai for the tests that need a whole town."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr


def osm_xml(
    nodes: Mapping[int, tuple[float, float]],
    ways: Sequence[tuple[int, Sequence[int], Mapping[str, str]]],
    node_tags: Mapping[int, Mapping[str, str]] | None = None,
) -> str:
    """An OSM XML document: nodes {id: (lon, lat)}, ways [(id, refs, tags)]."""
    node_tags = node_tags or {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (lon, lat) in nodes.items():
        tags = node_tags.get(nid, {})
        attrs = f'id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"'
        if not tags:
            lines.append(f"  <node {attrs}/>")
            continue
        lines.append(f"  <node {attrs}>")
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </node>")
    for wid, refs, tags in ways:
        lines.append(f'  <way id="{wid}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def grid_town(path: Path, n: int = 14, west: float = 3.070, south: float = 50.362,
              step_lon: float = 0.0021, step_lat: float = 0.0014) -> Path:
    """An ``n`` x ``n`` grid of two-way residential streets (blocks of about 150 x 155 m)
    near Douai, written as OSM XML to ``path``; every mode can use every street."""
    nodes = {
        1 + i * n + j: (west + j * step_lon, south + i * step_lat)
        for i in range(n) for j in range(n)
    }
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    for i in range(n):
        ways.append((10_000 + i, [1 + i * n + j for j in range(n)],
                     {"highway": "residential", "name": f"Rue {i + 1}"}))
        ways.append((20_000 + i, [1 + j * n + i for j in range(n)],
                     {"highway": "residential", "name": f"Avenue {i + 1}"}))
    path.write_text(osm_xml(nodes, ways), encoding="utf-8")
    return path
