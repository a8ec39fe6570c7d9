"""Shared fixtures of the logistics tests: street nodes, a demo day and a plan built from it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from logistics_helpers import fake_plan, grid_nodes

from logistics.demo_day import generate_day
from logistics.inputs import DayInputs


@pytest.fixture(scope="session")
def nodes() -> np.ndarray:
    return grid_nodes()


@pytest.fixture(scope="session")
def day(nodes: np.ndarray) -> DayInputs:
    return generate_day(nodes, seed=7)


@pytest.fixture(scope="session")
def plan(day: DayInputs) -> dict[str, Any]:
    return fake_plan(day)
