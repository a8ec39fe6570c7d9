"""The platform's bounds (logistics.limits): sizes, texts, points, the service area
with its margin, and the window of days, shared by the API, the files and the planner."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from logistics import limits
from logistics.errors import DomainError

TOWN = (3.070, 50.362, 3.0973, 50.3802)


@pytest.mark.parametrize(
    ("value", "problem"),
    [(math.inf, "not a finite"), (math.nan, "not a finite"), (-1.0, "negative"),
     (1e308, "more than the 1000 kg"), (1000.5, "more than the 1000 kg")],
)
def test_sizes_out_of_bounds(value: float, problem: str) -> None:
    found = limits.number_problem(value, limits.MAX_WEIGHT_KG, "kg")
    assert found is not None
    assert problem in found


def test_sizes_within_bounds() -> None:
    for value in (0.0, 2.5, limits.MAX_WEIGHT_KG):
        assert limits.number_problem(value, limits.MAX_WEIGHT_KG, "kg") is None


def test_texts() -> None:
    assert limits.text_problem("a" * 64, limits.ID_LENGTH) is None
    assert "at most 64" in limits.text_problem("a" * 65, limits.ID_LENGTH)
    assert "NUL" in limits.text_problem("a\x00b", limits.ID_LENGTH)


@pytest.mark.parametrize(
    ("lon", "lat", "which", "problem"),
    [(0.0, 0.0, "lon", "(0, 0)"), (math.inf, 50.0, "lon", "finite"), (3.0, math.nan, "lat", "finite"),
     (181.0, 50.0, "lon", "longitude"), (3.0, -91.0, "lat", "latitude")],
)
def test_points(lon: float, lat: float, which: str, problem: str) -> None:
    found = limits.point_problem(lon, lat)
    assert found is not None
    assert found[0] == which
    assert problem in found[1]
    assert limits.point_problem(0.0, 50.0) is None  # on the meridian: a place


def test_the_service_area_takes_a_margin_of_about_two_km() -> None:
    area = limits.with_margin(TOWN)
    # 1.9 km west of the town's edge is in, 2.1 km is out (a degree of lon is ~71 km here).
    km_lon = 1 / (111.32 * math.cos(math.radians(50.38)))
    assert limits.area_problem(area, TOWN[0] - 1.9 * km_lon, 50.37) is None
    which, problem = limits.area_problem(area, TOWN[0] - 2.1 * km_lon, 50.37)
    assert which == "lon"
    assert "outside the service area" in problem
    which, problem = limits.area_problem(area, 3.08, TOWN[3] + 2.1 / 111.32)
    assert which == "lat"


def test_swapped_points_are_said_to_look_swapped() -> None:
    which, problem = limits.area_problem(limits.with_margin(TOWN), 50.37, 3.08)
    assert "look" in problem
    assert "swapped" in problem


def test_the_window_of_days(clock) -> None:
    """A year back (366 days) to five years ahead of today, local."""
    clock.on("2030-06-03", "10:00")
    assert limits.date_window() == (dt.date(2029, 6, 2), dt.date(2035, 6, 3))
    assert limits.date_window(dt.date(2028, 2, 29))[1] == dt.date(2033, 2, 28)
    assert limits.day_problem(dt.date(2031, 1, 1)) is None
    for day in (dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2029, 6, 1), dt.date(2035, 6, 4)):
        assert "outside the days" in limits.day_problem(day)
    with pytest.raises(DomainError) as e:
        limits.check_day("date", dt.date(9999, 12, 31))
    assert e.value.field == "date"


def test_instants_in_the_window(clock) -> None:
    clock.on("2030-06-03", "10:00")
    utc = dt.UTC
    assert limits.instant_problem(dt.datetime(2030, 6, 3, 9, 0)) is None
    assert limits.instant_problem(dt.datetime(2030, 6, 3, 9, 0, tzinfo=utc)) is None
    for at in (dt.datetime(1, 1, 1, tzinfo=utc), dt.datetime(9999, 12, 31, 23, 59, tzinfo=utc),
               dt.datetime(1, 1, 1), dt.datetime(2040, 1, 1)):
        assert "outside the days" in limits.instant_problem(at)
