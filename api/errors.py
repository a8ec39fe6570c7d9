"""Errors as JSON ``{"error": ..., "detail": ...}`` with the status that says what went wrong.

400 for a body that is not JSON, 401 without a valid token, 403 for a role that may not
call the endpoint, 404 for what does not exist *or is not the caller's* (a shop never
learns that another shop's order exists) and for a path that does not exist, 405 for a
method the path does not take, 409 for a clash with what is stored, 422 for a body
wrong in itself (``detail`` lists each field and its problem), 429 for too many
attempts, 500 for a failure of the API itself (logged with its traceback; the answer
tells nothing of the server, not even a file path), 503 when the database (or another
service the request needs) does not answer.
"""

import logging
import uuid
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logistics.errors import DomainError, ErrorKind
from logistics.refusal_wording import worded

log = logging.getLogger(__name__)

#: the HTTP status of each kind of refusal
STATUS = {ErrorKind.INVALID: 422, ErrorKind.CONFLICT: 409, ErrorKind.NOT_FOUND: 404,
          ErrorKind.TOO_LARGE: 413, ErrorKind.UNSUPPORTED: 415}


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
    elif exc.kind in (ErrorKind.CONFLICT, ErrorKind.TOO_LARGE, ErrorKind.UNSUPPORTED):
        detail = str(exc)
    else:
        detail = exc.problem
    # with its code, figures and the French sentence the pages show
    body: dict[str, object] = {"error": exc.kind.value, "detail": detail,
                               **worded(exc.code, exc.params)}
    return STATUS[exc.kind], body


#: the ``error`` code of the HTTP layer's own refusals, by status
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 429: "too_many_requests"}
#: the database errors that mean "it does not answer (in time)", not "the request is wrong"
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def error_response(status: int, error: str, detail: object,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The one body of every error: ``{"error", "detail"}``."""
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


#: the methods probed for ``Allow``
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request, default: str = "") -> str:
    """Every method some route takes at the request's path (Starlette names only those
    of the first route of that path: ``GET`` and ``POST /api/plans`` said ``POST``);
    ``default`` under a mount (the static files say for themselves)."""
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    methods = [m for m in _METHODS
               if any(r.matches({**request.scope, "method": m})[0] is Match.FULL for r in routes)]
    return ", ".join(methods) or default


def _http_detail(request: Request, exc: HTTPException, headers: dict[str, str]) -> str:
    """Starlette's own words ("Not Found") say less than the path and method do."""
    default = HTTPStatus(exc.status_code).phrase
    if exc.detail != default:
        return str(exc.detail)
    if exc.status_code == 404:
        return f"nothing at {request.url.path}"
    if exc.status_code == 405:
        allowed = headers.get("Allow", "")
        return f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}"
    return default


def _json_problem(exc: RequestValidationError) -> str | None:
    """What is wrong with a body that is not JSON at all, else None."""
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            where = [x for x in err.get("loc", ()) if isinstance(x, int)]
            why = str((err.get("ctx") or {}).get("error", "invalid JSON"))
            at = f" at character {where[0]}" if where else ""
            return f"the body is not valid JSON: {why}{at}"
    return None


class InternalErrors:
    """The last resort: an exception no handler took is logged with its traceback and
    answered 500 ``{"error": "internal"}`` on the same connection (Starlette's own
    handler re-raises it, and the server then drops the connection)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as e:
            if started:
                raise  # half a response is out: nothing sound can follow
            reference = uuid.uuid4().hex[:12]
            log.error("unexpected error %s on %s %s", reference, scope.get("method"),
                      scope.get("path"), exc_info=e)
            response = error_response(
                500, "internal",
                f"the API failed unexpectedly; the failure is logged as {reference}")
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Render :class:`~logistics.errors.DomainError`, :class:`ApiError`, validation
    errors, a database that does not answer, the HTTP layer's own errors and any
    unexpected failure as JSON, each by one handler."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        status, body = domain_body(exc)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.error, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        malformed = _json_problem(exc)
        if malformed is not None:
            return error_response(400, "bad_request", malformed)
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
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code) or HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
        return error_response(exc.status_code, code, _http_detail(request, exc, headers), headers)

    for unavailable in UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_down)

    app.add_middleware(InternalErrors)


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    # The driver's words name hosts and ports: they go to the log, not to the caller.
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    return error_response(
        503, "unavailable", "the database does not answer in time; try again in a moment",
        {"Retry-After": "5"})
