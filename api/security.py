"""Security headers on every response, and who the client is behind a reverse proxy.

Every answer says: run only this site's own scripts and styles, show images from here
and the map tiles of tile.openstreetmap.org, never inside a frame
(``Content-Security-Policy``, ``X-Frame-Options``), no content sniffing, and only the
site's origin as referrer (never a path; the tile servers of OpenStreetMap refuse
requests that name no referrer at all, so ``no-referrer`` would blank the maps). ``/docs`` (Swagger UI) runs one inline script: its page carries a policy of its
own with a nonce for it (:func:`docs_policy`), which this middleware leaves as it is.
``Strict-Transport-Security`` goes only on answers to HTTPS requests: the scheme, or
``X-Forwarded-Proto: https`` from a trusted proxy (``TRUSTED_PROXIES``).

``X-Forwarded-For`` too is believed only from a trusted proxy (:func:`client_address`),
so that nobody picks their own address for the rate limits by sending the header.
"""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: where the map's background tiles come from (images only)
TILES = "https://tile.openstreetmap.org"
_COMMON = ("object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'")
#: the pages' policy: their own scripts, styles and data; the tiles as images (Leaflet
#: blanks a tile with a data: GIF); markers coloured per courier by a style attribute
PAGE_POLICY = "; ".join((
    "default-src 'self'", f"img-src 'self' data: {TILES}", "style-src 'self'",
    "style-src-attr 'unsafe-inline'", *_COMMON,
))
#: a year, once a browser has seen the site over HTTPS
HSTS = "max-age=31536000"
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin",
    "x-frame-options": "DENY",
}


def docs_policy(nonce: str) -> str:
    """The policy of a Swagger UI page: its inline script by ``nonce``, the inline
    styles and SVG images (``data:``) that Swagger UI itself uses."""
    return "; ".join((
        "default-src 'self'", f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", *_COMMON,
    ))


def _trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    if not trusted:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """The client's IP: the peer's, unless the peer is a trusted proxy; then the last
    address of ``X-Forwarded-For`` that is not a trusted proxy (the one the proxies
    saw; what comes before it the client may have written itself)."""
    peer = scope["client"][0] if scope.get("client") else ""
    if not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in Headers(scope=scope).get("x-forwarded-for", "").split(",")]
    hops = [h for h in hops if h]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def is_https(scope: Scope, trusted: tuple[Network, ...]) -> bool:
    """Whether the client reached us over HTTPS (directly, or through a trusted proxy
    that says so in ``X-Forwarded-Proto``)."""
    if scope.get("scheme") == "https":
        return True
    peer = scope["client"][0] if scope.get("client") else ""
    proto = Headers(scope=scope).get("x-forwarded-proto", "")
    return _trusted(peer, trusted) and proto.split(",")[0].strip().lower() == "https"


class SecurityHeaders:
    """Add the security headers to every HTTP response (a route's own
    ``Content-Security-Policy`` stays)."""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...] = ()) -> None:
        self.app, self.trusted = app, trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = is_https(scope, self.trusted)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["content-security-policy"] = PAGE_POLICY
                if https:
                    headers["strict-transport-security"] = HSTS
            await send(message)

        await self.app(scope, receive, with_headers)
