"""Clock text and seconds since midnight."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.clock import DAY
from logistics.timeofday import format_clock, parse_clock


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("00:00", 0), ("9:05", 32700), ("09:05:07", 32707), (" 18:30 ", 66600), ("24:00", DAY)],
)
def test_parse(text: str, seconds: int) -> None:
    assert parse_clock(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "9", "9h00", "09:5", "24:01", "25:00", "12:60", "12:00:60", "-1:00"]
)
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="time"):
        parse_clock(text)


@pytest.mark.parametrize("text", ["１０:００", "10:００", "٠٩:٣٠", "09:30:٠٠"])
def test_only_ascii_digits_make_a_time(text: str) -> None:
    """Python's ``\\d`` and ``int()`` take any Unicode digit; a time is ASCII."""
    with pytest.raises(ValueError, match="time"):
        parse_clock(text)


def test_format() -> None:
    assert format_clock(32700) == "09:05"
    assert format_clock(32707) == "09:05:07"
    assert format_clock(32700, with_seconds=True) == "09:05:00"
    assert format_clock(DAY + 1800) == "24:30"
    with pytest.raises(ValueError, match="negative"):
        format_clock(-1)


@given(st.integers(0, DAY))
def test_round_trip(seconds: int) -> None:
    assert parse_clock(format_clock(seconds)) == seconds
