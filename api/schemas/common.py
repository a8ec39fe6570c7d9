"""Types the API's schemas share: coordinates, sizes, ids and texts with the platform's
bounds (:mod:`logistics.limits`), days and instants in its window, instants, clock
texts, a street path, and the ids of the paths."""

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema

from logistics import limits, parcels
from logistics.timeofday import parse_clock


def _storable(value: str) -> str:
    """A text the store can keep: PostgreSQL refuses the NUL character."""
    if "\x00" in value:
        msg = "contains a NUL character (\\x00), which cannot be stored"
        raise ValueError(msg)
    return value


def _day(value: dt.date) -> dt.date:
    problem = limits.day_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _instant(value: dt.datetime) -> dt.datetime:
    problem = limits.instant_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


#: a longitude in a request (WGS 84 degrees, finite)
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
#: a latitude in a request (WGS 84 degrees, finite)
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
#: an order's weight (kg)
Weight = Annotated[float, Field(ge=0, le=limits.MAX_WEIGHT_KG, allow_inf_nan=False)]
#: an order's volume (litres)
Volume = Annotated[float, Field(ge=0, le=limits.MAX_VOLUME_L, allow_inf_nan=False)]
#: what a courier carries at most (kg)
CapacityKg = Annotated[float, Field(ge=0, le=limits.MAX_CAPACITY_KG, allow_inf_nan=False)]
#: what a courier carries at most (litres)
CapacityL = Annotated[float, Field(ge=0, le=limits.MAX_CAPACITY_L, allow_inf_nan=False)]
#: a shop, order, basket or courier id (``varchar(64)``), naming one that exists
Ident = Annotated[str, Field(min_length=1, max_length=limits.ID_LENGTH), AfterValidator(_storable)]


def _new_id(value: str) -> str:
    problem = limits.id_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


#: the id of a new shop, courier, order or basket: also only the characters of
#: :data:`logistics.limits.ID_PATTERN` (no ``:``: it joins a shop's id and its own
#: references into public ids, :mod:`logistics.ids`)
NewIdent = Annotated[
    str,
    Field(min_length=1, max_length=limits.ID_LENGTH,
          json_schema_extra={"pattern": f"^{limits.ID_PATTERN}$"}),
    AfterValidator(_new_id),
]
#: a platform-wide order id (``<shop_id>:<ref>``, ``~hub:<ref>``), or a shop's own reference
OrderIdent = Annotated[
    str, Field(min_length=1, max_length=limits.PUBLIC_ID_LENGTH), AfterValidator(_storable)
]
#: a shop's name (``varchar(200)``)
Name = Annotated[str, Field(min_length=1, max_length=limits.NAME_LENGTH), AfterValidator(_storable)]
#: a street address
Address = Annotated[str, Field(max_length=limits.ADDRESS_LENGTH), AfterValidator(_storable)]


def _preset(code: str) -> str:
    if code not in parcels.CODES:
        raise ValueError(f"unknown parcel {code!r}: one of {', '.join(parcels.CODES)}")
    return code


#: a parcel preset's code ("petit_colis", "sac", "carton")
ParcelCode = Annotated[str, AfterValidator(_preset),
                       WithJsonSchema({"type": "string", "enum": list(parcels.CODES)})]
#: why an order is cancelled or a stop failed
Reason = Annotated[str, Field(min_length=1, max_length=limits.REASON_LENGTH), AfterValidator(_storable)]
#: a day the platform takes (a year back to five years ahead)
Day = Annotated[dt.date, AfterValidator(_day)]
#: an instant the platform takes (on a day it takes); without a zone: local time
Moment = Annotated[dt.datetime, AfterValidator(_instant)]

#: the id of a row the store numbers (a plan, a stop), in a path: PostgreSQL's integer
RowId = Annotated[int, Path(ge=1, le=limits.MAX_ROW_ID)]
#: a shop or courier id in a path
PathIdent = Annotated[
    str, Path(min_length=1, max_length=limits.ID_LENGTH), AfterValidator(_storable)
]
#: an order id in a path: the public id, or a shop's own reference
PathOrderIdent = Annotated[
    str, Path(min_length=1, max_length=limits.PUBLIC_ID_LENGTH), AfterValidator(_storable)
]


def point_problem(lon_field: str, lat_field: str, lon: float, lat: float) -> str | None:
    """``"field: problem"`` of a point that is no place ((0, 0): a missing fix), for a
    model validator (the API names the field before the colon); None when it is fine."""
    problem = limits.point_problem(lon, lat)
    if problem is None:
        return None
    which, text = problem
    return f"{lon_field if which == 'lon' else lat_field}: {text}"

#: an instant as ISO 8601 in the local zone (``DOUAI_TZ``), with its offset
Instant = Annotated[
    str,
    WithJsonSchema({"type": "string", "format": "date-time",
                    "examples": ["2031-05-06T09:30:00+02:00"]}),
]
#: a time of day as ``HH:MM`` (``24:00``: the end of the day); a request's as it was sent
ClockText = Annotated[
    str,
    WithJsonSchema({"type": "string", "examples": ["09:30"],
                    "pattern": "^[0-9]{1,3}:[0-5][0-9](:[0-5][0-9])?$",
                    "description": "a time of day, HH:MM in ASCII digits (24:00: the end "
                                   "of the day; a plan's times after midnight go on: "
                                   "25:30), seconds only when not zero"}),
]

#: a time of day a request sends: ``HH:MM`` (or ``H:MM``, ``HH:MM:SS``) in ASCII digits,
#: ``00:00`` to ``24:00``; the model's validator reads it and names the field when wrong
ClockIn = Annotated[
    str,
    WithJsonSchema({"type": "string", "examples": ["09:30"],
                    "pattern": "^[0-9]{1,2}:[0-5][0-9](:[0-5][0-9])?$",
                    "description": "a time of day, HH:MM in ASCII digits, 00:00 to 24:00"}),
]


def check_clock(value: str, field: str) -> int:
    """Seconds of an ``HH:MM`` text; the error names ``field`` (``"field: problem"``)."""
    try:
        return parse_clock(value)
    except ValueError as e:
        msg = f"{field}: {e}"
        raise ValueError(msg) from None


class LineString(BaseModel):
    """A street path as a GeoJSON LineString (RFC 7946: ``[lon, lat]`` pairs)."""

    type: Literal["LineString"] = "LineString"
    coordinates: list[list[float]]
