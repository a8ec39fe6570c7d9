"""The plan as one self-contained HTML page: a Leaflet map of the rounds with a legend.

Leaflet (BSD-2-Clause, vendored in ``logistics/static/vendor/leaflet``) and the plan's
data are inlined, so the page opens from a file or an e-mail with no network. The
OpenStreetMap tiles are a bonus layer that simply stays blank offline: routes, stops and
the legend are drawn from the inlined data on a plain light background.

User text (names, ids, reasons) reaches the page only as JSON read by the script and put
in the page with ``textContent``, never as markup.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from typing import Any

from logistics.outputs.geojson import courier_colour, round_line
from logistics.outputs.plan_json import PlanLike, as_json, rounded

#: Decimals of the coordinates drawn on the map: 5 decimal degrees is about 1 m.
MAP_DECIMALS = 5

_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


def _static(*parts: str) -> str:
    return resources.files("logistics").joinpath("static", *parts).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """Text that cannot close or confuse the ``<script>`` or ``<style>`` element it sits in."""
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.IGNORECASE)


def _json_for_script(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def map_data(plan: PlanLike, title: str) -> dict[str, Any]:
    """What the page's script draws: rounds with colour and path, unassigned, summary."""
    plan = as_json(plan)
    rounds = []
    for i, r in enumerate(plan.get("rounds", [])):
        stops = r.get("stops", [])
        delivered = {
            o for s in stops if s.get("kind") == "delivery" for o in s.get("order_ids") or []
        }
        rounds.append(
            {
                "courier_id": r.get("courier_id"),
                "mode": r.get("mode"),
                "colour": courier_colour(i),
                "distance_m": r.get("distance_m"),
                "duration_s": r.get("duration_s"),
                "start": r.get("start"),
                "end": r.get("end"),
                "orders": len(delivered),
                "line": round_line(r),
                "stops": [
                    {
                        key: s.get(key)
                        for key in (
                            "kind",
                            "order_ids",
                            "shop_id",
                            "lon",
                            "lat",
                            "arrival",
                            "departure",
                            "load_kg",
                            "load_l",
                        )  # fmt: skip
                    }
                    for s in stops
                ],
            }
        )
    data = {
        "title": title,
        "rounds": rounds,
        "unassigned": plan.get("unassigned", []),
        "summary": plan.get("summary", {}),
        "network": plan.get("network", {}),
        "impact_method": (plan.get("impact") or {}).get("method"),
    }
    return rounded(data, MAP_DECIMALS)


def render_map(plan: PlanLike, title: str) -> str:
    """The HTML text of the map page for a plan."""
    values = {
        "TITLE": html.escape(title),
        "LEAFLET_CSS": _script_safe(_static("vendor", "leaflet", "leaflet.css")),
        "LEAFLET_JS": _script_safe(_static("vendor", "leaflet", "leaflet.js")),
        "PLAN_DATA": _json_for_script(map_data(plan, title)),
    }
    template = resources.files("logistics.outputs").joinpath("map_template.html")
    # one pass, so that nothing inserted is ever read as a placeholder
    return _PLACEHOLDER.sub(lambda m: values[m[1]], template.read_text(encoding="utf-8"))
