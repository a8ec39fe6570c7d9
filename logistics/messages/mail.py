"""E-mail through SMTP, configured by one URL (``SMTP_URL``):

- ``smtp://host:port`` (default port 25): plain, upgraded with STARTTLS when the server
  offers it; ``smtps://host:port`` (default 465): TLS from the start;
- ``user:password@`` before the host logs in (percent-encoded as in any URL).

A refused recipient or sender (5xx) is permanent; a server away, slow or busy (4xx) is
for later.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from .errors import SendError

#: seconds to wait for the SMTP server at each step
TIMEOUT_S = 15.0


def parse_smtp_url(url: str) -> tuple[str, str, int, str | None, str | None]:
    """(scheme, host, port, user, password) of an ``SMTP_URL``; ValueError when it is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"SMTP_URL: {url!r} is not smtp://host[:port] or smtps://host[:port]")
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return parts.scheme, parts.hostname, port, user, password


def build_email(sender: str, to: str, subject: str, text: str, message_id: str) -> EmailMessage:
    """A plain-text French e-mail; ``message_id`` is the outbox key, so a copy is known."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id
    msg["Content-Language"] = "fr"
    msg.set_content(text, charset="utf-8")
    return msg


def send_email(url: str, msg: EmailMessage, timeout: float = TIMEOUT_S) -> None:
    """Hand ``msg`` to the SMTP server of ``url``; :class:`SendError` when it did not take it."""
    scheme, host, port, user, password = parse_smtp_url(url)
    try:
        client: smtplib.SMTP
        if scheme == "smtps":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            client.ehlo()
            if scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if user:
                client.login(user, password or "")
            client.send_message(msg)
    except smtplib.SMTPRecipientsRefused as e:
        codes = [code for code, _ in e.recipients.values()]
        raise SendError(f"recipient refused ({codes})", permanent=all(c >= 500 for c in codes)) from None
    except smtplib.SMTPResponseException as e:
        raise SendError(f"SMTP {e.smtp_code}: {_text(e.smtp_error)}", permanent=e.smtp_code >= 500) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as e:
        raise SendError(f"SMTP server {host}:{port} unreachable ({type(e).__name__})") from None


def _text(raw: bytes | str) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
