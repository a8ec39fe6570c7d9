"""The one error type of the platform's rules: a field, its problem, and a kind.

Every refusal of the store, the planner's requests and the couriers' events is a
:class:`DomainError` (or a subclass naming where it comes from). The kind says what
went wrong for a caller: ``invalid`` (the input is wrong in itself, HTTP 422),
``conflict`` (it clashes with what is stored, 409) or ``not_found`` (404). The API
renders all of them with one handler (:mod:`api.errors`), the command line as one line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    """What a refusal means to the caller (the API's ``error`` code)."""

    INVALID = "invalid"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported_media_type"


class DomainError(ValueError):
    """A refusal by the platform's rules: ``field`` names the culprit, ``problem`` says
    what is wrong with it (one line, with the figures), ``kind`` what it means.

    Subclasses set their usual kind; a raise may say another. ``extra`` holds more
    context for the caller (a CSV row number, for instance). ``code`` and ``params``: a
    stable code of the refusal and its figures, which the API passes on with the French
    sentence of :mod:`logistics.refusal_wording` for the pages.
    """

    default_kind = ErrorKind.INVALID

    def __init__(
        self, field: str, problem: str, *, kind: ErrorKind | None = None,
        code: str | None = None, params: dict[str, Any] | None = None, **extra: Any,
    ) -> None:
        self.field, self.problem = field, problem
        self.kind = ErrorKind(kind or self.default_kind)
        self.code, self.params = code, dict(params or {})
        self.extra = extra
        super().__init__(f"{field}: {problem}")

    @property
    def conflict(self) -> bool:
        """Whether it clashes with what is stored (rather than being wrong in itself)."""
        return self.kind is ErrorKind.CONFLICT

    def as_problem(self) -> dict[str, Any]:
        """``{"field", "problem", ...extra}``: one entry of a 422 body's ``detail``."""
        return {"field": self.field, "problem": self.problem, **self.extra}
