"""Errors as JSON ``{"error": ..., "detail": ...}`` with the status that says what went wrong.

401 without a valid token, 403 for a role that may not call the endpoint, 404 for what
does not exist *or is not the caller's* (a shop never learns that another shop's order
exists), 409 for a clash with what is stored, 422 for a malformed body (``detail``
lists each field and its problem), 503 when a service the request needs is down.
"""

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from logistics.errors import DomainError, ErrorKind

#: the HTTP status of each kind of refusal
STATUS = {ErrorKind.INVALID: 422, ErrorKind.CONFLICT: 409, ErrorKind.NOT_FOUND: 404}


class ApiError(Exception):
    """A failure of the HTTP layer itself (no token, wrong role, a body too large, a
    service down), with its status; the platform's refusals are
    :class:`~logistics.errors.DomainError`."""

    def __init__(self, status: int, error: str, detail: object) -> None:
        self.status, self.error, self.detail = status, error, detail
        super().__init__(f"{error}: {detail}")


def not_found(field: str, problem: str) -> DomainError:
    """A 404: what the field names does not exist, or is not the caller's."""
    return DomainError(field, problem, kind=ErrorKind.NOT_FOUND)


def conflict(field: str, problem: str) -> DomainError:
    """A 409: the field clashes with what is stored."""
    return DomainError(field, problem, kind=ErrorKind.CONFLICT)


def invalid(field: str, problem: str) -> DomainError:
    """A 422 naming one field, like every other 422."""
    return DomainError(field, problem)


def domain_body(exc: DomainError) -> tuple[int, dict[str, object]]:
    """The status and body of a refusal: 422 lists ``{"field", "problem"}``; 409 says
    ``"field: problem"``; 404 says the problem."""
    if exc.kind is ErrorKind.INVALID:
        detail: object = [exc.as_problem()]
    elif exc.kind is ErrorKind.CONFLICT:
        detail = str(exc)
    else:
        detail = exc.problem
    return STATUS[exc.kind], {"error": exc.kind.value, "detail": detail}


def install_error_handlers(app: FastAPI) -> None:
    """Render :class:`~logistics.errors.DomainError`, :class:`ApiError`, validation
    errors and FastAPI's own errors as JSON, each by one handler."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        status, body = domain_body(exc)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ()) if x not in ("body",)]
            message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            # Validators name their field as "field: problem"; that name wins.
            field, sep, rest = message.partition(": ")
            if sep and " " not in field:
                loc, message = [field], rest
            fields.append({"field": ".".join(loc) or "body", "problem": message})
        return JSONResponse({"error": "invalid", "detail": fields}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": "http", "detail": exc.detail}, status_code=exc.status_code)
