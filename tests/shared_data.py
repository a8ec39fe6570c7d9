"""Where the read-only ``../shared`` material lies, for tests that use it.

It sits beside the repository (``$DOUAI_SHARED_DIR`` overrides). Tests that need it skip,
with the missing path as the reason, where it is absent; CI always has it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``../shared`` beside the repository, or ``$DOUAI_SHARED_DIR``."""
    env = os.environ.get("DOUAI_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def shared_file(*parts: str) -> Path:
    """The path of a file under ``../shared``, or skip the calling test."""
    path = shared_dir().joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"../shared/{'/'.join(parts)} not present")
    return path
