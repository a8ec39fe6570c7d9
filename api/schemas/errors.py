"""The bodies of the API's refusals (rendered by :mod:`api.errors`), and the
``responses=`` entries that document them on each route."""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Worded(BaseModel):
    """What a refusal of the platform's rules may add: a stable ``code`` of the case with
    its figures (``params``), and ``message``, the French sentence the pages show."""

    code: str | None = None
    params: dict[str, Any] | None = None
    message: str | None = None


class ErrorBody(Worded):
    """A refusal: a code (``unauthorized``, ``forbidden``, ``not_found``, ``conflict``,
    ``too_large``, ...) and what went wrong, in words."""

    error: str
    detail: str


class Problem(Worded):
    """One field of a request and its problem (a CSV import adds the file ``row``, and
    the refusal's ``code``, ``params`` and French ``message`` when it has them)."""

    model_config = ConfigDict(extra="allow")

    field: str
    problem: str


class InvalidBody(Worded):
    """A request wrong in itself (422): each field named with its problem."""

    error: Literal["invalid"]
    detail: list[Problem]


#: what each refusal means, when a route says nothing more precise
_MEANING = {
    401: "No valid bearer token.",
    403: "The token's role (or its shop or courier) may not do this.",
    404: "Nothing of that id, or nothing the caller may see.",
    409: "It clashes with what is stored.",
    413: "The request body is too large.",
    415: "The body's media type is not one the operation takes.",
    422: "The request is wrong in itself: each field named with its problem.",
}


def error_responses(
    *statuses: int, notes: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for these refusal statuses, each with the model of its body;
    ``notes`` words a status for the route (``{404: "no plan of that id"}``)."""
    notes = notes or {}
    return {
        status: {
            "model": InvalidBody if status == 422 else ErrorBody,
            "description": notes.get(status, _MEANING.get(status, "Refused.")),
        }
        for status in statuses
    }
