"""Rate limits on what anyone may try without a valid token: guessing tokens, and
asking the anonymous health check.

Each client address (:func:`api.security.client_address`: ``X-Forwarded-For`` only
from a trusted proxy) has two token buckets, kept in this process:

- failed authentications: every 401 takes one; once the bucket is empty, every request
  under ``/api/`` from that address is answered 429 *before its token is looked at*
  (a refusal that came after the look-up would still let a guess that hits through);
- ``GET /api/health``: every request takes one, 429 once empty.

A bucket holds a minute's worth (``AUTH_FAILURES_PER_MINUTE``,
``HEALTH_CHECKS_PER_MINUTE``) and refills at that rate; 429 says in ``Retry-After``
when one more is allowed. With several server processes, each keeps its own buckets.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response
from .security import Network, client_address

HEALTH_PATH = "/api/health"
#: paths under /api/ that need no token
OPEN_PATHS = frozenset({HEALTH_PATH, "/api/openapi.json"})
#: buckets kept at most; past that, the full ones (nothing to remember) are dropped
MAX_CLIENTS = 10_000


@dataclass
class TokenBuckets:
    """One bucket per key, of ``per_minute`` tokens refilled continuously."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def _level(self, key: str, now: float) -> float:
        tokens, since = self._buckets.get(key, (float(self.per_minute), now))
        return min(float(self.per_minute), tokens + (now - since) * self.per_minute / 60)

    def wait_s(self, key: str) -> float:
        """Seconds until ``key`` has a whole token (0: it has one now)."""
        level = self._level(key, self.clock())
        return 0.0 if level >= 1 else (1 - level) * 60 / self.per_minute

    def take(self, key: str) -> float:
        """Take a token of ``key`` if it has one: 0; else the seconds to wait."""
        now = self.clock()
        level = self._level(key, now)
        if level < 1:
            return (1 - level) * 60 / self.per_minute
        if len(self._buckets) >= MAX_CLIENTS and key not in self._buckets:
            self._forget_full(now)
        self._buckets[key] = (level - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        full = [k for k in self._buckets if self._level(k, now) >= self.per_minute]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= MAX_CLIENTS:  # all busy: forget the oldest
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k][1])
            for k in oldest[: len(oldest) // 2]:
                del self._buckets[k]


def _too_many(what: str, wait_s: float) -> JSONResponse:
    seconds = max(1, math.ceil(wait_s))
    return error_response(429, "too_many_requests",
                          f"too many {what} from this address; try again in {seconds} s",
                          {"Retry-After": str(seconds)})


class RateLimits:
    """The ASGI middleware that applies both limits (0 per minute: that limit is off)."""

    def __init__(self, app: ASGIApp, *, auth_failures_per_minute: int,
                 health_checks_per_minute: int, trusted: tuple[Network, ...] = ()) -> None:
        self.app, self.trusted = app, trusted
        self.failures = TokenBuckets(auth_failures_per_minute) if auth_failures_per_minute else None
        self.health = TokenBuckets(health_checks_per_minute) if health_checks_per_minute else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        who = client_address(scope, self.trusted)
        if path == HEALTH_PATH and self.health is not None:
            wait = self.health.take(who)
            if wait:
                await _too_many("health checks", wait)(scope, receive, send)
                return
        failures = self.failures
        if failures is None or path in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        wait = failures.wait_s(who)
        if wait:
            await _too_many("failed authentications", wait)(scope, receive, send)
            return

        async def count_failures(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                failures.take(who)
            await send(message)

        await self.app(scope, receive, count_failures)
