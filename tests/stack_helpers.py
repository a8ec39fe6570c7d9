"""Helpers of the planning-job tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def wait_for(check, timeout: float = 90.0, every: float = 0.3):
    """Poll ``check()`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"still waiting after {timeout} s")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(command: list[str], *, log: Path, port: int, **popen) -> Iterator[str]:
    """Run a ``douai-delivery serve`` command (listening on ``port``) until the block
    ends; yields its base URL once ``/api/health`` answers. Its output goes to ``log``."""
    import subprocess

    import httpx

    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **popen)
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/api/health", timeout=5).status_code in (200, 503)
        except httpx.TransportError:
            assert proc.poll() is None, f"the API server stopped: {log.read_text()[-2000:]}"
            return False

    try:
        wait_for(answers, timeout=60)
        yield base
    finally:
        proc.terminate()
        proc.wait(15)
