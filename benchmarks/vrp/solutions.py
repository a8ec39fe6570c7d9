"""Solution files: ``Route 1 : 3 5 7`` lines of instance node numbers, depot left out.

The format of CVRPLIB and the SINTEF tables; other lines (``Cost 828.94``) are comments
to a reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

_ROUTE_RE = re.compile(r"^\s*Route\s*#?\s*\d+\s*:(.*)$", re.IGNORECASE)


def format_solution(routes: Sequence[Sequence[int]], distance: float | None = None) -> str:
    """The text of a solution file; empty routes are left out and the rest renumbered."""
    lines = []
    for k, route in enumerate((r for r in routes if len(r) > 0), start=1):
        lines.append(f"Route {k} : " + " ".join(str(int(v)) for v in route))
    if distance is not None:
        lines.append(f"Cost {distance:.2f}")
    return "\n".join(lines) + "\n"


def write_solution(
    path: str | Path, routes: Sequence[Sequence[int]], distance: float | None = None
) -> Path:
    """Write a solution file (parent folders made as needed) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(format_solution(routes, distance))
    return path


def parse_solution(text: str) -> list[list[int]]:
    """Routes from the text of a solution file; lines that are not routes are skipped."""
    routes = []
    for line in text.splitlines():
        m = _ROUTE_RE.match(line)
        if m:
            routes.append([int(v) for v in m.group(1).split()])
    return routes


def read_solution(path: str | Path) -> list[list[int]]:
    """Routes from a solution file."""
    return parse_solution(Path(path).read_text())
