"""Errors as JSON ``{"error": ..., "detail": ...}`` with the status that says what went wrong.

401 without a valid token, 403 for a role that may not call the endpoint, 404 for what
does not exist *or is not the caller's* (a shop never learns that another shop's order
exists), 409 for a clash with what is stored, 422 for a malformed body (``detail``
lists each field and its problem), 503 when a service the request needs is down.
"""

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class ApiError(Exception):
    """An expected failure with its HTTP status; rendered by one handler."""

    def __init__(self, status: int, error: str, detail: object) -> None:
        self.status, self.error, self.detail = status, error, detail
        super().__init__(f"{error}: {detail}")


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", what)


def conflict(detail: object) -> ApiError:
    return ApiError(409, "conflict", detail)


def install_error_handlers(app: FastAPI) -> None:
    """Render :class:`ApiError`, validation errors and FastAPI's own errors as JSON."""

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
