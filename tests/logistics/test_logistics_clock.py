"""The one clock: the local zone whatever the server's, ``DOUAI_CLOCK`` stopped or running
from a file that other processes read too, the plan clock of a day across the changes of
hour in Europe/Paris, and the 24:00 rule."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest
from clock_fixtures import DEFAULT

from logistics import clock as douai_clock

PARIS = ZoneInfo("Europe/Paris")
SPRING, AUTUMN = dt.date(2031, 3, 30), dt.date(2031, 10, 26)  # 23 and 25 hours long


def paris(day: dt.date, h: int, m: int = 0, *, fold: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m, fold=fold), tzinfo=PARIS)


def test_each_test_starts_at_the_default_instant_and_the_clock_runs_on():
    first = douai_clock.now()
    assert DEFAULT <= first < DEFAULT + dt.timedelta(minutes=1)
    time.sleep(0.05)
    assert douai_clock.now() > first
    assert douai_clock.now().tzinfo is not None
    assert douai_clock.today() == DEFAULT.date()


def test_a_stopped_clock_from_an_instant(env):
    env(DOUAI_CLOCK="2031-05-06T19:40:00+02:00")
    assert douai_clock.now() == paris(dt.date(2031, 5, 6), 19, 40)
    time.sleep(0.02)
    assert douai_clock.now() == paris(dt.date(2031, 5, 6), 19, 40)
    # 23:30 UTC is already the next day in Douai.
    env(DOUAI_CLOCK="2031-05-06T23:30:00+00:00")
    assert douai_clock.today() == dt.date(2031, 5, 7)
    assert douai_clock.tomorrow() == dt.date(2031, 5, 8)
    assert douai_clock.now().utcoffset() == dt.timedelta(hours=2)


def test_the_real_clock_when_unset(env):
    env(DOUAI_CLOCK=None)
    real = dt.datetime.now(dt.UTC)  # the one wall-clock read of the suite: only compared
    assert abs(douai_clock.now() - real) < dt.timedelta(seconds=5)


@pytest.mark.parametrize(("value", "problem"), [
    ("2031-05-06T10:00:00", "with its offset"), ("tomorrow", "not an ISO 8601 instant"),
    ("/nonexistent/clock", "cannot read /nonexistent/clock"),
])
def test_a_bad_clock_setting_is_named(env, value, problem):
    env(DOUAI_CLOCK=value)
    with pytest.raises(douai_clock.ClockError, match="DOUAI_CLOCK") as e:
        douai_clock.now()
    assert problem in str(e.value)


def test_a_bad_zone_is_named(env):
    env(DOUAI_TZ="Mars/Olympus")
    with pytest.raises(douai_clock.ClockError, match="DOUAI_TZ: 'Mars/Olympus'"):
        douai_clock.zone()


def test_another_zone_moves_today(env):
    env(DOUAI_CLOCK="2031-05-06T23:30:00+00:00")
    env(DOUAI_TZ="America/Montreal")
    assert douai_clock.today() == dt.date(2031, 5, 6)
    assert douai_clock.now().utcoffset() == dt.timedelta(hours=-4)


def test_another_process_reads_the_clock_the_test_sets(clock):
    """What a worker or a server started by a test sees: the same instant, running."""
    set_to = clock.on(dt.date(2031, 5, 6), "19:40")
    code = "from logistics import clock; print(clock.now().isoformat())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=os.environ.copy(), timeout=60).stdout
    seen = dt.datetime.fromisoformat(out.strip())
    assert set_to <= seen < set_to + dt.timedelta(seconds=30)
    assert seen.utcoffset() == dt.timedelta(hours=2)


def test_the_local_day_and_time_of_an_instant():
    utc_evening = dt.datetime(2031, 5, 6, 22, 30, tzinfo=dt.UTC)
    assert douai_clock.local_day(utc_evening) == dt.date(2031, 5, 7)
    naive = dt.datetime(2031, 7, 1, 10, 0)  # a phone's clock: local time
    assert douai_clock.local(naive) == paris(dt.date(2031, 7, 1), 10)
    assert douai_clock.local_iso(utc_evening) == "2031-05-07T00:30:00+02:00"


@pytest.mark.parametrize(("day", "hours"), [(SPRING, 23), (AUTUMN, 25), (dt.date(2031, 5, 6), 24)])
def test_a_day_is_23_24_or_25_hours_long(day, hours):
    start, end = douai_clock.day_bounds(day)
    assert start == paris(day, 0)
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=hours)


@pytest.mark.parametrize("day", [SPRING, AUTUMN, dt.date(2031, 5, 6)])
def test_the_plan_clock_counts_wall_time(day):
    """10:00 is 36,000 s on every day, however many hours have passed since midnight."""
    assert douai_clock.seconds_into(day, paris(day, 10)) == 36_000
    assert douai_clock.seconds_into(day, paris(day, 19, 40)) == 19 * 3600 + 40 * 60
    assert douai_clock.seconds_into(day, paris(day, 8, 30).astimezone(dt.UTC)) == 8 * 3600 + 1800
    # After midnight the count goes on past 24:00; before the day it is negative.
    assert douai_clock.seconds_into(day, paris(day + dt.timedelta(days=1), 0, 30)) == 24 * 3600 + 1800
    assert douai_clock.seconds_into(day, paris(day - dt.timedelta(days=1), 19, 40)) == -(4 * 3600 + 20 * 60)
    for s in (0, 36_000, 86_399, 90_000):
        assert douai_clock.seconds_into(day, douai_clock.at_seconds(day, s)) == s


def test_the_hours_the_clocks_skip_and_repeat():
    # 02:30 does not exist on the spring day: it reads as the hour after.
    assert douai_clock.at_seconds(SPRING, 2 * 3600 + 1800) == paris(SPRING, 3, 30)
    # 02:30 happens twice in autumn: both instants read 02:30 on the plan douai_clock.
    first, second = paris(AUTUMN, 2, 30, fold=0), paris(AUTUMN, 2, 30, fold=1)
    assert second.astimezone(dt.UTC) - first.astimezone(dt.UTC) == dt.timedelta(hours=1)
    assert douai_clock.seconds_into(AUTUMN, first) == douai_clock.seconds_into(AUTUMN, second) == 9000


def test_the_24_00_rule():
    assert douai_clock.time_of_day(24 * 3600) == douai_clock.END_OF_DAY == dt.time(23, 59, 59)
    assert douai_clock.time_of_day(9 * 3600 + 5 * 60 + 7) == dt.time(9, 5, 7)
    assert douai_clock.seconds_of_day(douai_clock.END_OF_DAY) == 24 * 3600
    assert douai_clock.seconds_of_day(dt.time(9, 5, 7)) == 32_707
    assert douai_clock.seconds_of_day(None) == 0
    assert douai_clock.hhmm(douai_clock.END_OF_DAY) == "24:00"
    assert douai_clock.hhmm(dt.time(9, 5, 30)) == "09:05"
    assert douai_clock.hhmm(None) is None


def test_a_clock_file_without_a_stamp_runs_from_its_modification_time(env, tmp_path):
    """A file written by hand: the instant alone; a bad one is named."""
    path = tmp_path / "now"
    path.write_text("2031-05-06T19:40:00+02:00\n")
    env(DOUAI_CLOCK=str(path))
    seen = douai_clock.now()
    assert paris(dt.date(2031, 5, 6), 19, 40) <= seen < paris(dt.date(2031, 5, 6), 19, 41)
    path.write_text("2031-05-06T19:40:00+02:00 soon")
    with pytest.raises(douai_clock.ClockError, match="not an instant and a Unix time"):
        douai_clock.now()
