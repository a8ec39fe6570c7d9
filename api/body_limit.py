"""A bound on what a request body may weigh: ``MAX_BODY_BYTES`` (1 MB by default) for
every request, and a path's own bound for the few that take files (the CSV import).

A body announced larger (``Content-Length``) is refused before anything is read, the
token included. A body sent without a length (chunked) is counted as the API reads it
and refused the moment it passes the bound, so no request holds more than that in
memory. Either way the answer is 413 with the one error body (:mod:`api.errors`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response


class BodyTooLarge(HTTPException):
    """A body past its bound, met while it is read: the app's handler of HTTP errors
    renders it (a route reading the body itself lets it through, as FastAPI does)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(413, too_large(limit))


def too_large(limit: int) -> str:
    """The 413's words: the body, and its bound."""
    return f"body: at most {limit} bytes"


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # the server refuses it; counting still bounds what is read


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (over ``paths[path]`` on those paths)
    with 413, by ``Content-Length`` up front and by counting what is read."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, paths: Mapping[str, int] | None = None) -> None:
        self.app, self.max_bytes = app, max_bytes
        #: path patterns (regular expressions matching the whole path) -> their bound
        self.paths = [(re.compile(p), n) for p, n in (paths or {}).items()]

    def limit_of(self, path: str) -> int:
        return next((n for p, n in self.paths if p.fullmatch(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope["path"])
        length = _content_length(scope)
        if length is not None and length > limit:
            await error_response(413, "too_large", too_large(limit))(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except BodyTooLarge as e:
            if started:
                raise
            # Reached here only where no handler of the app took it.
            await error_response(413, "too_large", too_large(e.limit))(scope, receive, send)
