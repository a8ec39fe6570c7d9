"""France's national address base (BAN) through the Géoplateforme geocoding service.

The service answers GeoCodeJSON (GeoJSON features whose properties carry ``label``,
``score`` and ``type``). HTTP goes through the standard library: the product ships
without an HTTP client library. A refusal for too many requests (HTTP 429) is retried
after a short wait; a service that cannot answer raises :class:`GeocoderUnavailable` so
that the next source is tried, while a query the service rejects (another 4xx) simply
finds nothing.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import math
import time
import urllib.error
import urllib.request
from datetime import UTC
from typing import Any, TypeGuard
from urllib.parse import urlencode

from logistics import clock
from logistics.geocoding.candidate import Candidate, GeocoderUnavailable

#: the Géoplateforme geocoding service (BAN addresses by default)
DEFAULT_BAN_URL = "https://data.geopf.fr/geocodage"
#: names the project to the service's operators
USER_AGENT = "douai-delivery (cargo-bike delivery rounds; BAN geocoding client)"
#: result types that are delivery addresses; a whole municipality is not
ADDRESS_TYPES = frozenset({"housenumber", "street", "locality"})
#: first wait after a 429 without Retry-After, doubled at each further attempt
BACKOFF_S = 0.2
#: longest wait before retrying a 429, whatever Retry-After asks
MAX_WAIT_S = 2.0


def retry_wait_s(retry_after: str | None, attempt: int) -> float:
    """Seconds to wait before retrying a 429: the server's Retry-After (seconds or an
    HTTP date) capped at :data:`MAX_WAIT_S`, else :data:`BACKOFF_S` × 2^attempt."""
    if retry_after:
        seconds: float | None = None
        try:
            seconds = float(retry_after)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(retry_after)
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                seconds = (when - clock.now()).total_seconds()
        if seconds is not None and math.isfinite(seconds):
            return min(max(seconds, 0.0), MAX_WAIT_S)
    return min(BACKOFF_S * 2**attempt, MAX_WAIT_S)


class BanGeocoder:
    """A :class:`~logistics.geocoding.candidate.Geocoder` asking the BAN over HTTP.

    ``timeout_s`` bounds each request, ``retries`` is how many times a 429 is retried,
    and search candidates scoring below ``min_score`` are dropped.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BAN_URL,
        timeout_s: float = 5.0,
        retries: int = 2,
        min_score: float = 0.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.retries = max(0, retries)
        self.min_score = min_score

    def search(self, text: str, limit: int = 5, *, postcode: str | None = None) -> list[Candidate]:
        """Addresses matching ``text``, best first (the service's order), at most
        ``limit``; ``postcode`` restricts them to one postal code."""
        query = text.strip()
        if not query or limit <= 0:
            return []
        params: dict[str, str | int] = {"q": query, "limit": limit}
        if postcode:
            params["postcode"] = postcode
        answer = self._get("search", params)
        if answer is None:
            return []
        found = [c for c in _candidates(answer) if c.score >= self.min_score]
        return found[:limit]

    def reverse(self, lon: float, lat: float) -> Candidate | None:
        """The address nearest the point (WGS 84), or None when the service knows none."""
        answer = self._get("reverse", {"lon": lon, "lat": lat, "limit": 1})
        if answer is None:
            return None
        return next(iter(_candidates(answer)), None)

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """The decoded answer of ``GET {base}/{path}?{params}``, None when the service
        rejects the query (a 4xx other than 429); raises GeocoderUnavailable otherwise."""
        url = f"{self.base_url}/{path}?{urlencode(params)}"
        request = urllib.request.Request(
            url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
        )
        attempt = 0
        while True:
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    body = response.read()
            except urllib.error.HTTPError as err:
                status = err.code
                retry_after = err.headers.get("Retry-After") if err.headers else None
                with contextlib.suppress(AttributeError, OSError, ValueError):
                    err.close()
                if status == 429:
                    if attempt < self.retries:
                        time.sleep(retry_wait_s(retry_after, attempt))
                        attempt += 1
                        continue
                    raise GeocoderUnavailable(
                        f"BAN refused too many requests (HTTP 429, {attempt + 1} tries)"
                    ) from err
                if status >= 500:
                    raise GeocoderUnavailable(f"BAN server error (HTTP {status})") from err
                return None
            except TimeoutError as err:
                raise GeocoderUnavailable(
                    f"BAN did not answer within {self.timeout_s:g} s"
                ) from err
            except urllib.error.URLError as err:
                if isinstance(err.reason, TimeoutError):
                    raise GeocoderUnavailable(
                        f"BAN did not answer within {self.timeout_s:g} s"
                    ) from err
                raise GeocoderUnavailable(f"cannot reach BAN ({err.reason})") from err
            except (OSError, http.client.HTTPException) as err:
                raise GeocoderUnavailable(
                    f"BAN connection failed ({err or type(err).__name__})"
                ) from err
            return _decode(body)


def _decode(body: bytes) -> dict[str, Any]:
    """The GeoCodeJSON object of an answer; GeocoderUnavailable when it is not one."""
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise GeocoderUnavailable("BAN answered something that is not JSON") from err
    if not isinstance(answer, dict) or not isinstance(answer.get("features"), list):
        raise GeocoderUnavailable("BAN answered JSON without a list of features")
    return answer


def _candidates(answer: dict[str, Any]) -> list[Candidate]:
    """The address candidates of a GeoCodeJSON answer, in its order; features without a
    point, a label or an address type are skipped."""
    found: list[Candidate] = []
    for feature in answer["features"]:
        candidate = _candidate(feature)
        if candidate is not None:
            found.append(candidate)
    return found


def _candidate(feature: Any) -> Candidate | None:
    """One feature as a candidate, or None when it is not a usable address."""
    if not isinstance(feature, dict):
        return None
    props = feature.get("properties")
    geometry = feature.get("geometry")
    if not isinstance(props, dict) or not isinstance(geometry, dict):
        return None
    if props.get("type") not in ADDRESS_TYPES:
        return None
    label = props.get("label")
    coords = geometry.get("coordinates")
    if not isinstance(label, str) or not label.strip():
        return None
    if not isinstance(coords, list) or len(coords) < 2 or not all(map(_is_number, coords[:2])):
        return None
    lon, lat = float(coords[0]), float(coords[1])
    raw_score = props.get("score")
    score = min(max(float(raw_score), 0.0), 1.0) if _is_number(raw_score) else 0.0
    return Candidate(label=label, score=score, lon=lon, lat=lat, source="ban")


def _is_number(value: object) -> TypeGuard[int | float]:
    """A finite JSON number (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
