"""Fixtures of the couriers' tests: a freshly seeded day per test (its own ids and its own
date, since only one plan per day can be in force in the shared database)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from courier_seed import SeededDay, seed_day
from sqlalchemy import Engine

#: the couriers' tests take their days from 2031 on, one per seeded day
_DAYS = itertools.count()
_FIRST = dt.date(2031, 1, 1)


def next_day() -> tuple[str, dt.date]:
    """A prefix and a date no other seeded day of this session uses."""
    n = next(_DAYS)
    return f"cx{n}", _FIRST + dt.timedelta(days=n)


@pytest.fixture
def seeded(engine: Engine, clock) -> SeededDay:
    """A day with a published plan: courier 1's round of six stops, courier 2's of four;
    the clock is at 14:00 on that day, while the couriers ride."""
    prefix, day = next_day()
    clock.on(day, "14:00")
    return seed_day(engine, prefix, day)


@pytest.fixture
def unpublished(engine: Engine) -> SeededDay:
    """A day whose plan is solved but not published (so not in force)."""
    prefix, day = next_day()
    return seed_day(engine, prefix, day, published=False)
