"""Asking for a plan: settings a request may give are checked, and a bad one is a
refusal naming ``settings`` (never a bare ValueError)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from logistics.errors import ErrorKind
from logistics.store.plans import PlanError, request_plan


@pytest.mark.parametrize("settings", [{"stop_time_s": -1}, {"vehicle_cost_s": -60},
                                      {"time_limit_s": "soon"}])
def test_bad_plan_settings_are_an_invalid_request_naming_settings(engine, settings):
    with Session(engine) as s, pytest.raises(PlanError) as e:
        request_plan(s, dt.date(2034, 1, 2), settings=settings)
    assert (e.value.field, e.value.kind) == ("settings", ErrorKind.INVALID)
