"""The platform's one clock: the local zone, "now", "today", the local day of an
instant, where an instant falls on a plan's day, and the 24:00 rule.

Shops' hours, customers' slots and rounds are local wall-clock times of one day
(``DOUAI_TZ``, default ``Europe/Paris``); nothing else in the code reads the system clock
or the server's zone, so a server running on UTC and a test running at 23:00 see the
same days as a courier in Douai.

``DOUAI_CLOCK`` (read with the other settings, :mod:`logistics.settings`) sets the
clock, for tests and replays:

- unset or empty: the real clock;
- an ISO 8601 instant with its offset (``2031-05-06T09:30:00+02:00``): a stopped clock;
- the path of a file holding such an instant, optionally followed by the Unix time it
  was set at (else the file's modification time): a clock that runs from that instant
  since then. A test rewrites the file to move the clock of every process that reads
  it, a worker or a server it started included.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .settings import get_settings

#: seconds in a day of the plan's clock (``24:00``)
DAY = 24 * 3600
#: how a ``TIME`` column stores ``24:00`` (open until midnight): the day's last second
END_OF_DAY = dt.time(23, 59, 59)


class ClockError(ValueError):
    """``DOUAI_TZ`` or ``DOUAI_CLOCK`` holds something that is not a zone or an instant."""


def zone_name() -> str:
    """The local zone's name (``DOUAI_TZ``)."""
    return get_settings().tz


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"DOUAI_TZ: {name!r} is not a time zone (e.g. Europe/Paris)"
        raise ClockError(msg) from None


def zone() -> ZoneInfo:
    """The local zone."""
    return _zone(zone_name())


def _instant(text: str, source: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        msg = f"DOUAI_CLOCK: {source} {text.strip()!r} is not an ISO 8601 instant with its offset"
        raise ClockError(msg)
    return at


def _set_clock() -> dt.datetime | None:
    """The instant ``DOUAI_CLOCK`` sets now, or None for the real clock."""
    setting = get_settings().clock
    if not setting:
        return None
    if not setting.startswith("/"):
        return _instant(setting, "the value")
    path = Path(setting)
    try:
        text = path.read_text()
        instant, _, stamp = text.strip().partition(" ")
        set_at = float(stamp) if stamp.strip() else path.stat().st_mtime
    except OSError as e:
        msg = f"DOUAI_CLOCK: cannot read {path}: {e.strerror}"
        raise ClockError(msg) from None
    except ValueError:
        msg = f"DOUAI_CLOCK: the file {path} holds {text.strip()!r}, not an instant and a Unix time"
        raise ClockError(msg) from None
    since = max(time.time() - set_at, 0.0)
    return _instant(instant, f"the file {path} holds") + dt.timedelta(seconds=since)


def now() -> dt.datetime:
    """The current instant, in the local zone."""
    at = _set_clock()
    return (at or dt.datetime.now(dt.UTC)).astimezone(zone())


def today() -> dt.date:
    """Today in the local zone (not the server's, which may run on UTC)."""
    return now().date()


def tomorrow() -> dt.date:
    """The local day after today."""
    return today() + dt.timedelta(days=1)


def local(at: dt.datetime | None = None) -> dt.datetime:
    """``at`` in the local zone: now when None; local wall time when it has no zone (a
    phone's clock says local time)."""
    if at is None:
        return now()
    if at.tzinfo is None:
        return at.replace(tzinfo=zone())
    return at.astimezone(zone())


def local_day(at: dt.datetime) -> dt.date:
    """The local day an instant falls on."""
    return local(at).date()


def local_iso(at: dt.datetime) -> str:
    """An instant as ISO 8601 in the local zone."""
    return local(at).isoformat()


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local day as an interval of instants, start included (23 or 25 hours long
    when the clocks change)."""
    return day_start(day), day_start(day + dt.timedelta(days=1))


def seconds_into(day: dt.date, at: dt.datetime) -> int:
    """Where an instant falls on the plan clock of ``day``: the wall-clock seconds since
    its 00:00, counting on past midnight (``25:30`` is 01:30 the next day) and negative
    before the day begins.

    Plans count wall-clock time, as the shops' hours do: on the day the clocks go
    forward, 10:00 is 36,000 s even though only nine hours have passed since midnight.
    """
    wall = local(at)
    days = (wall.date() - day).days
    return days * DAY + wall.hour * 3600 + wall.minute * 60 + wall.second


def at_seconds(day: dt.date, seconds: int) -> dt.datetime:
    """The instant at ``seconds`` on the plan clock of ``day`` (the inverse of
    :func:`seconds_into`; a wall time the clocks skip reads as the hour after)."""
    days, rest = divmod(int(seconds), DAY)
    h, rest = divmod(rest, 3600)
    naive = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(h, *divmod(rest, 60)))
    # Through UTC, so that a wall time the clocks skip (02:30 on the spring change)
    # lands after the change rather than before it.
    return naive.replace(tzinfo=zone()).astimezone(dt.UTC).astimezone(zone())


# ---- the 24:00 rule: a day's times are 00:00 to 24:00; a TIME column stops at 23:59:59


def time_of_day(seconds: int) -> dt.time:
    """A time of day as stored in a ``TIME`` column; ``24:00`` (open until midnight)
    becomes the day's last second, :data:`END_OF_DAY`."""
    h, rest = divmod(min(max(int(seconds), 0), DAY - 1), 3600)
    return dt.time(h, *divmod(rest, 60))


def seconds_of_day(t: dt.time | None) -> int:
    """Seconds since midnight of a stored time; :data:`END_OF_DAY` reads ``24:00``
    (None reads 0)."""
    if t is None:
        return 0
    s = t.hour * 3600 + t.minute * 60 + t.second
    return DAY if s == DAY - 1 else s


def hhmm(t: dt.time | None) -> str | None:
    """``HH:MM`` of a stored time; :data:`END_OF_DAY` reads ``24:00``."""
    if t is None:
        return None
    return "24:00" if t == END_OF_DAY else t.strftime("%H:%M")
