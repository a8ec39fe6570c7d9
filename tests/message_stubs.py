"""Local stand-ins for what the platform's messages reach outside: an SMTP server, the
Brevo SMS API and a shop's webhook receiver, each on 127.0.0.1, each keeping what it
received, and each able to be down, slow or failing as a test needs.

The SMTP server speaks enough RFC 5321 for ``smtplib``: EHLO/HELO, MAIL, RCPT, DATA
(dot-stuffed), RSET, NOOP, QUIT. With ``stall`` set it stops answering after DATA's end
line, holding the message unaccepted (a client killed then never had it taken).
"""

from __future__ import annotations

import email
import email.policy
import json
import select
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _closed(conn: socket.socket) -> bool:
    """Whether the peer closed ``conn`` (readable with nothing to read)."""
    readable, _, _ = select.select([conn], [], [], 0)
    if not readable:
        return False
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


@dataclass
class SmtpStub:
    """What the SMTP stand-in received (``messages``: parsed e-mails) and its state."""

    port: int = 0
    messages: list = field(default_factory=list)
    refuse_rcpt: set = field(default_factory=set)  # addresses answered 550
    busy: bool = False  # 421 on connect
    stall: threading.Event | None = None  # set: DATA's end waits until it is cleared
    sessions: int = 0
    held: int = 0  # messages held unaccepted by the stall (so far)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@contextmanager
def smtp_stub() -> Iterator[SmtpStub]:
    stub = SmtpStub()

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write((line + "\r\n").encode())
            self.wfile.flush()

        def handle(self) -> None:
            stub.sessions += 1
            if stub.busy:
                self.reply("421 4.3.2 busy, try later")
                return
            self.reply("220 stub ESMTP")
            rcpts: list[str] = []
            while True:
                raw = self.rfile.readline()
                if not raw:
                    return
                line = raw.decode(errors="replace").rstrip("\r\n")
                verb = line[:4].upper()
                if verb == "EHLO":
                    self.reply("250-stub")
                    self.reply("250-8BITMIME")
                    self.reply("250 SMTPUTF8")
                elif verb == "HELO":
                    self.reply("250 stub")
                elif verb == "MAIL":
                    rcpts = []
                    self.reply("250 2.1.0 ok")
                elif verb == "RCPT":
                    to = line.split(":", 1)[1].strip().strip("<>").split(">")[0]
                    if to in stub.refuse_rcpt:
                        self.reply("550 5.1.1 no such user")
                    else:
                        rcpts.append(to)
                        self.reply("250 2.1.5 ok")
                elif verb == "DATA":
                    self.reply("354 end with .")
                    lines = []
                    while True:
                        part = self.rfile.readline()
                        if not part:
                            return  # the client went away: nothing taken
                        if part in (b".\r\n", b".\n"):
                            break
                        lines.append(part[1:] if part.startswith(b"..") else part)
                    if stub.stall is not None and stub.stall.is_set():
                        stub.held += 1
                    while stub.stall is not None and stub.stall.is_set():
                        if _closed(self.connection):
                            return  # the client died before the end: nothing taken
                        time.sleep(0.05)
                    if _closed(self.connection):
                        return  # gone while held: the server never took it
                    msg = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                    stub.messages.append(msg)
                    self.reply("250 2.0.0 queued")
                elif verb == "RSET":
                    rcpts = []
                    self.reply("250 ok")
                elif verb == "NOOP":
                    self.reply("250 ok")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("502 5.5.2 not implemented")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        if stub.stall is not None:
            stub.stall.clear()
        server.shutdown()
        server.server_close()


@dataclass
class HttpStub:
    """A receiver of POSTs (Brevo's SMS API, a shop's webhook endpoint): each request's
    path, headers and raw body; ``statuses`` answers the next requests (then 201/200)."""

    port: int = 0
    received: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    ok_status: int = 200
    answer: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def http_stub(ok_status: int = 200, answer: dict | None = None) -> Iterator[HttpStub]:
    stub = HttpStub(ok_status=ok_status, answer=answer or {})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            stub.received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                  "body": raw})
            status = stub.statuses.pop(0) if stub.statuses else stub.ok_status
            data = json.dumps(stub.answer if status < 300 else {"code": "error"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
