"""A webhook delivery: the raw JSON body POSTed to the hook's URL, signed.

Headers: ``X-Douai-Signature: sha256=<hex HMAC-SHA256 of the raw body with the hook's
secret>``, ``X-Douai-Event-Id`` (the same on every retry: the receiver drops copies)
and ``X-Douai-Timestamp`` (Unix seconds of this try; the body carries the event's own
time). Any 2xx is delivered; anything else is tried again later.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request

from .errors import SendError

TIMEOUT_S = 10.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (not 2xx: tried again later), never followed: the signed
    body goes only where the hook says."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def signature(secret: str, raw: bytes) -> str:
    """The ``X-Douai-Signature`` of ``raw``."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post_webhook(url: str, secret: str, raw: bytes, event_id: str, timestamp: int,
                 timeout: float = TIMEOUT_S) -> int:
    """POST ``raw`` to ``url``; the status when 2xx, else :class:`SendError` (for later)."""
    request = urllib.request.Request(url, data=raw, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "douai-delivery-webhooks",
        "X-Douai-Signature": signature(secret, raw), "X-Douai-Event-Id": event_id,
        "X-Douai-Timestamp": str(timestamp)})
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as e:
        raise SendError(f"the receiver answered {e.code}") from None
    except (urllib.error.URLError, OSError) as e:
        raise SendError(f"the receiver is unreachable ({type(e).__name__})") from None
