"""Errors of the street-network package."""

from __future__ import annotations


class NetworkUnavailable(RuntimeError):  # noqa: N818 (the name is the public API)
    """OpenStreetMap could not be reached to download a place: give a local extract."""
