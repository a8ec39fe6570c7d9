"""Why a message could not be sent: for now (tried again later) or for good."""

from __future__ import annotations


class SendError(Exception):
    """A message not sent. ``permanent``: trying again cannot help (a refused address,
    a rejected key); else the server was away or busy and a later try may pass."""

    def __init__(self, problem: str, *, permanent: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.permanent = permanent
