"""The tests' clock: no test reads the wall clock.

Before any test runs, ``DOUAI_CLOCK`` names a file of this session holding
:data:`DEFAULT` (see :mod:`logistics.clock`), so this process, the worker and the API
servers the tests start all read the same clock. Each test starts at :data:`DEFAULT`;
the ``clock`` fixture sets it elsewhere (``clock.set(...)``, ``clock.on(day, "19:40")``)
and it runs on from there, in every process at once.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from logistics import clock as platform_clock
from logistics.settings import reload_settings

PARIS = ZoneInfo("Europe/Paris")
#: where every test's clock starts: a fixed instant, before every day the tests plan
DEFAULT = dt.datetime(2030, 6, 3, 10, 0, tzinfo=PARIS)
#: a morning and an evening hour, for the flows that depend on the hour
MORNING, EVENING = "08:30", "19:40"


class TestClock:
    """The clock every process of the test session reads, set by rewriting one file."""

    __test__ = False  # not a test class

    def __init__(self, path: Path) -> None:
        self.path = path

    def set(self, at: dt.datetime) -> dt.datetime:
        """Set the clock to ``at`` (an aware instant); it runs on from there."""
        if at.tzinfo is None:
            raise ValueError("set the test clock to an instant with its zone")
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(f"{at.isoformat()} {time.time()}")  # the instant, and when it was set
        os.replace(tmp, self.path)  # one write: a reader sees the old instant or the new
        return at

    def on(self, day: dt.date | str, hhmm: str) -> dt.datetime:
        """Set the clock to ``hhmm`` local time on ``day`` (Europe/Paris)."""
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        h, m = (int(x) for x in hhmm.split(":"))
        return self.set(dt.datetime.combine(day, dt.time(h, m), tzinfo=PARIS))

    def now(self) -> dt.datetime:
        """What the platform reads now."""
        return platform_clock.now()


def install() -> TestClock:
    """Point ``DOUAI_CLOCK`` at a new file set to :data:`DEFAULT` (before any process
    of the session starts, so that all of them inherit it)."""
    folder = Path(tempfile.mkdtemp(prefix="douai-clock-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    test_clock = TestClock(folder / "now")
    test_clock.set(DEFAULT)
    os.environ["DOUAI_CLOCK"] = str(test_clock.path)
    os.environ["DOUAI_TZ"] = "Europe/Paris"
    # Tokens made at the default instant must still work on the days the tests set,
    # years later: ten years, the longest a token may live.
    os.environ.setdefault("TOKEN_TTL_DAYS", "3650")
    reload_settings()
    return test_clock


SESSION_CLOCK = install()


@pytest.fixture(autouse=True)
def _clock_at_default() -> None:
    """Every test starts with the clock at :data:`DEFAULT`."""
    SESSION_CLOCK.set(DEFAULT)


@pytest.fixture(autouse=True, scope="module")
def _clock_at_default_for_the_module() -> None:
    """So do a module's own fixtures (set up before any test's): the module before may
    have left the clock on another day."""
    SESSION_CLOCK.set(DEFAULT)


@pytest.fixture(scope="session")
def clock() -> TestClock:
    """The session's clock, to set in a test or a fixture (back at :data:`DEFAULT` when
    the next test starts)."""
    return SESSION_CLOCK


@pytest.fixture
def env(monkeypatch):
    """Set (a value) or unset (None) environment variables for this test; the settings
    are read again now and once more after the test, when the variables are back."""

    def set_env(**values: str | None) -> None:
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        reload_settings()

    yield set_env
    monkeypatch.undo()
    reload_settings()
