"""Helpers of the planning-job tests."""

from __future__ import annotations

import time

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
