"""Writing a plan's three output files into a folder."""

from __future__ import annotations

import json
from pathlib import Path

from logistics.outputs.geojson import plan_geojson
from logistics.outputs.html_map import render_map
from logistics.outputs.plan_json import PlanLike, as_json, plan_json

#: Output file names, keyed as in :func:`write_plan_outputs`'s result.
OUTPUT_FILES = {"plan": "plan.json", "geojson": "rounds.geojson", "map": "map.html"}


def write_plan_outputs(plan: PlanLike, out_dir: Path, title: str) -> dict[str, Path]:
    """Write ``plan.json``, ``rounds.geojson`` and ``map.html`` into ``out_dir``.

    The folder is created if needed. Returns the written paths keyed by ``"plan"``,
    ``"geojson"`` and ``"map"``.
    """
    plan = as_json(plan)  # once, for the three files
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {key: out / name for key, name in OUTPUT_FILES.items()}
    paths["plan"].write_text(plan_json(plan), encoding="utf-8")
    geojson = json.dumps(plan_geojson(plan), ensure_ascii=False, separators=(",", ":"))
    paths["geojson"].write_text(geojson + "\n", encoding="utf-8")
    paths["map"].write_text(render_map(plan, title), encoding="utf-8")
    return paths
