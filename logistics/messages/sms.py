"""SMS through Brevo's transactional SMS API (``POST /v3/transactionalSMS/sms``, an
``api-key`` header, JSON ``{sender, recipient, content, type}``; 201 with a
``reference``). Settings: ``SMS_PROVIDER=brevo``, ``SMS_API_KEY``, ``SMS_SENDER`` (at most
11 letters and digits) and ``SMS_API_URL`` (Brevo's by default; tests point it at a local
server). Over ``urllib``: the product takes no HTTP client library.

Numbers are sent as Brevo wants them, the country code first without ``+``; a French
national number (``06 12 34 56 78``) takes the ``SMS_COUNTRY_CODE`` (33).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

from .errors import SendError

BREVO_URL = "https://api.brevo.com/v3/transactionalSMS/sms"
TIMEOUT_S = 15.0
PROVIDERS = ("brevo",)


def international(phone: str, country_code: str = "33") -> str | None:
    """``phone`` as country code and number, digits only (``33612345678``); None when it
    cannot be a mobile number."""
    digits = re.sub(r"[\s.\-()/]", "", phone)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = country_code + digits[1:]
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        return None
    return digits


def send_sms(api_url: str, api_key: str, sender: str, recipient: str, text: str,
             timeout: float = TIMEOUT_S) -> str:
    """Send ``text`` to ``recipient`` (see :func:`international`); Brevo's reference.
    :class:`SendError` when not sent: permanent for a refused request (4xx but 429)."""
    body = json.dumps({"sender": sender, "recipient": recipient, "content": text,
                       "type": "transactional", "unicodeEnabled": True}).encode()
    request = urllib.request.Request(api_url, data=body, method="POST", headers={
        "api-key": api_key, "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the setting's URL
            raw = answer.read()
    except urllib.error.HTTPError as e:
        detail = e.read()[:200].decode(errors="replace")
        raise SendError(f"SMS provider answered {e.code}: {detail}",
                        permanent=400 <= e.code < 500 and e.code != 429) from None
    except (urllib.error.URLError, OSError) as e:
        raise SendError(f"SMS provider unreachable ({type(e).__name__})") from None
    try:
        return str(json.loads(raw or b"{}").get("reference") or "")
    except (ValueError, AttributeError):
        return ""
