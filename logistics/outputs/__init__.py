"""What a plan leaves on disk: the plan itself, its rounds as GeoJSON and a map to look at.

:func:`write_plan_outputs` is the one entry point; the modules below hold one format each.
"""

from __future__ import annotations

from logistics.outputs.files import write_plan_outputs
from logistics.outputs.geojson import COLOURS, courier_colour, plan_geojson
from logistics.outputs.html_map import render_map
from logistics.outputs.plan_json import plan_json

__all__ = [
    "COLOURS",
    "courier_colour",
    "plan_geojson",
    "plan_json",
    "render_map",
    "write_plan_outputs",
]
