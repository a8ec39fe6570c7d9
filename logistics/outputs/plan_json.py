"""The plan as pretty JSON: complete, UTF-8, numbers rounded to what a map can show."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from logistics.plan_document import PlanDocument

#: what the outputs take: the typed plan, or its JSON form (``plan.json`` read back)
PlanLike = PlanDocument | Mapping[str, Any]

#: Decimals kept for every float: 6 decimal degrees is about 0.1 m.
DECIMALS = 6

# a JSON array of exactly two numbers, as ``json.dumps(indent=...)`` spreads it on four lines
_PAIR = re.compile(r"\[\s+(-?[0-9][0-9.eE+-]*),\s+(-?[0-9][0-9.eE+-]*)\s+\]")


def rounded(value: Any, decimals: int = DECIMALS) -> Any:
    """A copy of a JSON-like value with floats rounded and NaN or infinities made null."""
    if isinstance(value, float):
        return round(value, decimals) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: rounded(v, decimals) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v, decimals) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return rounded(value.item(), decimals)
    return value


def as_json(plan: PlanLike) -> dict[str, Any]:
    """The plan's JSON form (times ``HH:MM:SS``), whichever form it came in."""
    if isinstance(plan, PlanDocument):
        return plan.model_dump(mode="json")
    return dict(plan)


def plan_json(plan: PlanLike) -> str:
    """The plan as indented JSON text with each [lon, lat] pair kept on one line."""
    text = json.dumps(rounded(as_json(plan)), indent=2, ensure_ascii=False, allow_nan=False)
    return _PAIR.sub(r"[\1, \2]", text) + "\n"
