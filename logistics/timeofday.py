"""Clock times of one day as seconds since midnight, and back to ``HH:MM`` text.

Input files and plans speak ``HH:MM`` (or ``HH:MM:SS``); the planner counts seconds.
``24:00`` is accepted as the end of the day, so that a window can close at midnight;
how such a time is stored and read back is :mod:`logistics.clock`'s 24:00 rule.
"""

from __future__ import annotations

import re

#: ASCII digits only: ``\d`` would take any Unicode digit (``"１０:００"``, full width)
_CLOCK = re.compile(r"([0-9]{1,3}):([0-9]{2})(?::([0-9]{2}))?")


def parse_clock(text: str, *, past_midnight: bool = False) -> int:
    """Seconds since midnight of ``H:MM``, ``HH:MM`` or ``HH:MM:SS``.

    Raises ValueError with a short reason when the text is not a time of day between
    ``00:00`` and ``24:00``; with ``past_midnight``, a plan's time after midnight
    (``25:30``, as :func:`format_clock` writes it) is read too.
    """
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        msg = "is not a time (expected HH:MM)"
        raise ValueError(msg)
    h, m, s = int(match[1]), int(match[2]), int(match[3] or 0)
    if past_midnight and m <= 59 and s <= 59:
        return h * 3600 + m * 60 + s
    if m > 59 or s > 59 or h > 24 or (h == 24 and (m or s)):
        msg = "is not a time of day between 00:00 and 24:00"
        raise ValueError(msg)
    return h * 3600 + m * 60 + s


def format_clock(seconds: int, *, with_seconds: bool | None = None) -> str:
    """``HH:MM`` text of a time of day; ``HH:MM:SS`` when asked or when it has seconds.

    ``with_seconds=None`` (the default) writes seconds only when they are not zero, so
    that ``parse_clock(format_clock(t)) == t`` for every whole second. Times past
    midnight keep counting hours (``25:30``) rather than wrapping.
    """
    seconds = int(round(seconds))
    if seconds < 0:
        msg = f"a time of day cannot be negative: {seconds}"
        raise ValueError(msg)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if with_seconds or (with_seconds is None and s):
        return f"{h:02d}:{m:02d}:{s:02d}"
    return f"{h:02d}:{m:02d}"
