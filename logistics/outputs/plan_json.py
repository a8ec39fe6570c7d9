"""The plan as pretty JSON: complete, UTF-8, numbers rounded to what a map can show."""

from __future__ import annotations

import json
import math
import re
from typing import Any

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


def plan_json(plan: dict[str, Any]) -> str:
    """The plan as indented JSON text with each [lon, lat] pair kept on one line."""
    text = json.dumps(rounded(plan), indent=2, ensure_ascii=False, allow_nan=False)
    return _PAIR.sub(r"[\1, \2]", text) + "\n"
