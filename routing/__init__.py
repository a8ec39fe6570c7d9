"""The pure routing core: street networks, the problem, the solver and its checks.

``routing.solve(problem, params) -> Solution`` is the entry point (see
:mod:`routing.solver`); it is loaded on first use, so that importing the street network
does not import OR-Tools.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "solve":
        from routing.solver import solve

        return solve
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
