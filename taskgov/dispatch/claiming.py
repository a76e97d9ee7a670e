"""Claims around each task of a run: none on one machine, or on a remote shared by several
dispatchers (``RemoteClaimer``, see ``taskgov.claims``)."""

from __future__ import annotations

from taskgov.claims.model import Claim


class Claimer:
    """No claims: this dispatcher is the only one."""

    remote: str | None = None

    def ours(self, claim: Claim | None) -> bool:
        return False

    def claim(self, task_id: str) -> str:
        """``""`` when this run may start the task, else why not."""
        return ""

    def finished(self, task_id: str, commit: str, branch: str) -> None:
        """The task is merged: say so where other dispatchers look, then release it."""

    def release(self, task_id: str) -> None:
        """The task ended without being merged."""
