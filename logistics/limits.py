"""The bounds on what the platform is told, in one place: the API's bodies, the CSV
files and the planner share them, so that what one accepts the others can use.

A request or a row outside these bounds is a :class:`~logistics.errors.DomainError`
naming its field (HTTP 422, or one line naming the file, row and field), never a crash
further on: a weight of ``1e308`` kg overflows the planner's integer grams, a NUL
character cannot be stored by PostgreSQL, a date in year 9999 overflows the day after.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from logistics import clock
from logistics.errors import DomainError

# ---- sizes: what one order weighs and takes, what one courier carries

#: the heaviest order (kg): far above any parcel a cargo bike takes, but finite
MAX_WEIGHT_KG = 1000.0
#: the bulkiest order (litres)
MAX_VOLUME_L = 10_000.0
#: the largest capacity of a courier (kg): a cargo bike with a trailer takes far less
MAX_CAPACITY_KG = 1000.0
#: the largest capacity of a courier (litres)
MAX_CAPACITY_L = 10_000.0

# ---- texts: the columns' lengths (ids are varchar(64), shop names varchar(200))

#: shop, order, basket and courier ids
ID_LENGTH = 64
#: the characters an id takes: ASCII letters, digits, ``_``, ``.`` and ``-``, the first a
#: letter or a digit. Never ``:`` (it joins a shop's id and its own reference into the
#: platform-wide id of an order or a basket, :mod:`logistics.ids`) nor ``~`` (it starts
#: the platform's own namespaces), nor anything a path, a CSV cell or a log would need
#: to escape.
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
#: a platform-wide order or basket id: a namespace (a shop id), ``:``, a reference
PUBLIC_ID_LENGTH = 2 * ID_LENGTH + 1
#: a shop's name
NAME_LENGTH = 200
#: a street address (shops, customers)
ADDRESS_LENGTH = 500
#: why an order was cancelled or a stop failed
REASON_LENGTH = 1000

# ---- ids of rows numbered by the store (plans, stops): PostgreSQL's integer

#: the largest ``integer`` (int4) PostgreSQL stores
MAX_ROW_ID = 2**31 - 1

# ---- dates: a day or an instant the platform takes, around today (local)

#: how far back a date may be written (an order, a plan, an event): a year (a leap
#: year included)
PAST_DAYS = 366
#: how far back a date may be read (listings, a round, the city's figures): the
#: history the platform keeps, years of it
HISTORY_YEARS = 20
#: how far ahead a date may be: five years (to the same day; 29 February: the 28th)
FUTURE_YEARS = 5

# ---- the service area: a point must lie near the streets the workers plan on

#: how far outside the street network's bounds a point is still taken (metres): a
#: customer at the edge of town whose door is past the last street of the extract
AREA_MARGIN_M = 2000.0
#: metres in a degree of latitude (and of longitude at the equator)
_M_PER_DEGREE = 111_320.0

#: ``(west, south, east, north)`` in degrees
Bounds = tuple[float, float, float, float]


def text_problem(value: str, max_length: int) -> str | None:
    """What is wrong with a text the store keeps: a NUL character (PostgreSQL refuses
    it) or more characters than its column takes; None when it is fine."""
    if "\x00" in value:
        return "contains a NUL character (\\x00), which cannot be stored"
    if len(value) > max_length:
        return f"is {len(value)} characters long, at most {max_length}"
    return None


#: delivery notes (door code, floor, where to leave it), at most
NOTES_LENGTH = 500
#: the longest customer's details the store keeps, by field
CUSTOMER_LENGTHS = {"customer_name": NAME_LENGTH, "customer_phone": 32, "customer_email": 254,
                    "delivery_notes": NOTES_LENGTH, "customer_address": ADDRESS_LENGTH}
_PHONE = re.compile(r"^\+?[0-9 .()\-]{6,24}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def customer_problem(field: str, value: str) -> str | None:
    """What is wrong with one of the customer's details (``customer_name``,
    ``customer_phone``, ``customer_email``, ``delivery_notes``); None when it is fine."""
    problem = text_problem(value, CUSTOMER_LENGTHS[field])
    if problem is not None:
        return problem
    if field == "customer_phone" and not (_PHONE.match(value) and sum(c.isdigit() for c in value) >= 6):
        return f"{value!r} is not a phone number (digits, spaces, dots, dashes, a leading +)"
    if field == "customer_email" and not _EMAIL.match(value):
        return f"{value!r} is not an e-mail address"
    return None


def customer_code(field: str, value: str) -> tuple[str, dict[str, object]]:
    """The code and figures of what :func:`customer_problem` found in ``value``."""
    if "\x00" in value:
        return "nul_character", {}
    if len(value) > CUSTOMER_LENGTHS[field]:
        return "too_long", {"length": len(value), "maximum": CUSTOMER_LENGTHS[field]}
    return ("bad_phone" if field == "customer_phone" else "bad_email"), {"value": value}


_ID = re.compile(ID_PATTERN)


def id_problem(value: str) -> str | None:
    """What is wrong with a shop, order, basket or courier id: what
    :func:`text_problem` finds with :data:`ID_LENGTH`, then a character outside
    :data:`ID_PATTERN` (named, with its place); None when it is fine."""
    problem = text_problem(value, ID_LENGTH)
    if problem is not None:
        return problem
    if not value:
        return "is empty"
    if _ID.fullmatch(value):
        return None
    allowed = "ids take ASCII letters, digits, '_', '.' and '-', and begin with a letter or a digit"
    if value[0] in "_.-":
        return f"begins with {value[0]!r}: {allowed}"
    at = next(i for i, c in enumerate(value) if not _ID.fullmatch("a" + c))
    return f"holds {value[at]!r} (character {at + 1}): {allowed}"


def number_problem(value: float, maximum: float, unit: str) -> str | None:
    """What is wrong with a size (a weight, a volume, a capacity): not a finite
    number, negative, or above ``maximum``; None when it is fine."""
    if not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if value < 0:
        return f"{value:g} must not be negative"
    if value > maximum:
        return f"{value:g} {unit} is more than the {maximum:g} {unit} the platform takes"
    return None


def null_island(lon: float, lat: float) -> bool:
    """Whether a point is (0, 0): a GPS fix or a spreadsheet cell that was missing,
    not a place (it lies in the Gulf of Guinea)."""
    return lon == 0 and lat == 0


def point_problem(lon: float, lat: float) -> tuple[str, str] | None:
    """The first problem of a (lon, lat) in itself, as ``("lon" | "lat", problem)``:
    not finite, outside -180..180 / -90..90, or (0, 0); None when it is fine."""
    for which, value, limit in (("lon", lon, 180), ("lat", lat, 90)):
        if not math.isfinite(value):
            return which, f"{value!r} is not a finite number"
        if not -limit <= value <= limit:
            name = "longitude" if which == "lon" else "latitude"
            return which, f"{value:g} is not a {name} (-{limit} to {limit})"
    if null_island(lon, lat):
        return "lon", "(0, 0) is not a place: the point is missing"
    return None


def with_margin(bounds: Bounds, margin_m: float = AREA_MARGIN_M) -> Bounds:
    """``bounds`` widened by ``margin_m`` metres on every side (longitude degrees
    measured at the bounds' latitude farthest from the equator, the widest)."""
    west, south, east, north = bounds
    d_lat = margin_m / _M_PER_DEGREE
    widest = min(max(abs(south), abs(north)), 89.0)
    d_lon = margin_m / (_M_PER_DEGREE * math.cos(math.radians(widest)))
    return (max(west - d_lon, -180.0), max(south - d_lat, -90.0),
            min(east + d_lon, 180.0), min(north + d_lat, 90.0))


def inside(bounds: Bounds, lon: float, lat: float) -> bool:
    """Whether (lon, lat) lies within ``bounds`` (edges included)."""
    west, south, east, north = bounds
    return west <= lon <= east and south <= lat <= north


def _deg(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def area_problem(bounds: Bounds, lon: float, lat: float) -> tuple[str, str] | None:
    """Why a point is not in the service area ``bounds`` (already widened by the
    margin), as ``("lon" | "lat", problem)``; the problem says when lon and lat look
    swapped (the point would be inside with them exchanged). None when inside."""
    if inside(bounds, lon, lat):
        return None
    west, south, east, north = bounds
    shown = f"({_deg(lon)}, {_deg(lat)})"
    area = (f"the service area (lon {_deg(west)} to {_deg(east)}, "
            f"lat {_deg(south)} to {_deg(north)})")
    if inside(bounds, lat, lon):
        return "lon", f"{shown} looks like lon and lat are swapped: ({_deg(lat)}, {_deg(lon)}) is in {area}"
    which = "lon" if not west <= lon <= east else "lat"
    return which, f"{shown} is outside {area}"


def date_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day the platform takes: :data:`PAST_DAYS` before today to
    :data:`FUTURE_YEARS` after (local days)."""
    today = today or clock.today()
    try:
        last = today.replace(year=today.year + FUTURE_YEARS)
    except ValueError:  # 29 February, with no 29 February five years on
        last = today.replace(year=today.year + FUTURE_YEARS, day=28)
    return today - dt.timedelta(days=PAST_DAYS), last


def day_problem(day: dt.date) -> str | None:
    """Why the platform does not take ``day`` (outside :func:`date_window`), or None."""
    first, last = date_window()
    if first <= day <= last:
        return None
    return f"{day.isoformat()} is outside the days the platform takes ({first.isoformat()} to {last.isoformat()})"


def instant_problem(at: dt.datetime) -> str | None:
    """Why the platform does not take the instant ``at`` (its local day outside
    :func:`date_window`; without a zone it is local time), or None."""
    # Year 1 and year 9999 cannot be moved across zones (and are outside anyway).
    day = clock.local_day(at) if at.tzinfo is not None and 1 < at.year < 9999 else at.date()
    if day_problem(day) is None:
        return None
    first, last = date_window()
    return (f"{at.isoformat()} is outside the days the platform takes "
            f"({first.isoformat()} to {last.isoformat()})")


def check_day(field: str, day: dt.date) -> dt.date:
    """``day``, if the platform takes it; else a :class:`DomainError` on ``field``."""
    problem = day_problem(day)
    if problem is not None:
        raise DomainError(field, problem)
    return day


def check_read_day(field: str, day: dt.date) -> dt.date:
    """``day``, if a read may ask for it: the window of :func:`date_window` reaching
    :data:`HISTORY_YEARS` back (the city compares years); else a :class:`DomainError`."""
    _, last = date_window()
    first = dt.date(max(clock.today().year - HISTORY_YEARS, 1), 1, 1)
    if not first <= day <= last:
        raise DomainError(field, f"{day.isoformat()} is outside the days the platform keeps "
                                 f"({first.isoformat()} to {last.isoformat()})")
    return day
