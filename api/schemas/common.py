"""Types the API's schemas share: coordinates, instants, clock texts, a street path."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, WithJsonSchema

from logistics.timeofday import parse_clock

#: a longitude in a request (WGS 84 degrees)
Lon = Annotated[float, Field(ge=-180, le=180)]
#: a latitude in a request (WGS 84 degrees)
Lat = Annotated[float, Field(ge=-90, le=90)]

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
                    "description": "a time of day, HH:MM (24:00: the end of the day)"}),
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
