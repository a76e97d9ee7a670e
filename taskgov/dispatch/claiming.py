"""Claims around each task of a run: none on one machine, or on a remote shared by several
dispatchers (``RemoteClaimer``, see ``taskgov.claims``)."""

from __future__ import annotations

from pathlib import Path

from taskgov.claims.model import Claim
from taskgov.git.process import GitError, rev_parse


class Claimer:
    """No claims: this dispatcher is the only one."""

    remote: str | None = None
    renew_every: float | None = None  # seconds between renewals of a running task's claim

    def ours(self, claim: Claim | None) -> bool:
        return False

    def claim(self, task_id: str) -> str:
        """``""`` when this run may start the task, else why not."""
        return ""

    def renew(self, task_id: str) -> str:
        """Extend the claim of a task still running: ``""``, else why it is no longer ours."""
        return ""

    def finished(self, task_id: str, commit: str, branch: str) -> None:
        """The task is merged: say so where other dispatchers look, then release it."""

    def release(self, task_id: str) -> None:
        """The task ended without being merged."""


DONE_REFS = "refs/taskgov/dispatched/"


class RemoteClaimer(Claimer):
    """Claims on a remote several dispatchers share: a task is claimed (compare-and-swap,
    ``taskgov.claims``) before it starts. Once merged, the run's integration branch is pushed
    and ``refs/taskgov/dispatched/<id>`` is created on the remote, pointing at the merge,
    before the claim is released; a dispatcher that wins a claim then finds that ref and
    lets the task be. So each task starts exactly once across machines.

    A running task's claim is renewed every half lease, so a task may run longer than one
    lease; a dispatcher that dies stops renewing, and its claims run out."""

    def __init__(
        self, root: Path, remote: str, run: str, lease: float, grace: float | None = None
    ) -> None:
        from taskgov.claims.model import DEFAULT_GRACE
        from taskgov.claims.ops import claims_location, git_identity

        self.root, self.run, self.lease = root, run, lease
        self.grace = DEFAULT_GRACE if grace is None else grace  # the policy's claims.grace
        self.where = claims_location(root, remote=remote)
        self.remote = self.where.remote
        self.holder = holder_name(run)
        self.identity = git_identity(root)
        self.renew_every = lease / 2

    def ours(self, claim: Claim | None) -> bool:
        return claim is not None and claim.holder == self.holder

    def claim(self, task_id: str) -> str:
        from taskgov.claims.ops import claim_task

        outcome = claim_task(
            self.root,
            task_id,
            self.holder,
            where=self.where,
            identity=self.identity,
            lease=self.lease,
            grace=self.grace,
        )
        if outcome.action == "held":
            holder = outcome.claim.holder if outcome.claim else "someone"
            return f"claimed by {holder}"
        self._fetch_done()
        done = rev_parse(self.root, DONE_REFS + task_id)
        if done is not None:
            self.release(task_id)
            return f"done by another dispatcher (merge {done[:12]})"
        return ""

    def renew(self, task_id: str) -> str:
        from taskgov.claims.ops import claim_task
        from taskgov.errors import UsageError

        try:
            outcome = claim_task(
                self.root,
                task_id,
                self.holder,
                where=self.where,
                identity=self.identity,
                lease=self.lease,
                grace=self.grace,
                renew_only=True,
            )
        except UsageError:  # the claim is gone (released or expired and pruned by someone)
            return "its claim is gone"
        if outcome.action == "held":
            holder = outcome.claim.holder if outcome.claim else "someone"
            return f"its claim was taken over by {holder}"
        return ""

    def finished(self, task_id: str, commit: str, branch: str) -> None:
        from taskgov.claims.refs import network_git, push_cas, unreachable

        assert self.remote is not None
        refspec = f"refs/heads/{branch}:refs/heads/{branch}"
        code, _, err = network_git(
            self.root, self.remote, "push", "--quiet", "--", self.remote, refspec
        )
        if code != 0:
            raise unreachable(self.root, self.remote, err, code)
        pushed = push_cas(self.root, self.remote, DONE_REFS + task_id, commit, None)
        if not pushed.ok:
            raise GitError(f"remote {self.remote!r} refused {DONE_REFS}{task_id}: {pushed.reason}")
        self.release(task_id)

    def release(self, task_id: str) -> None:
        from taskgov.claims.ops import release_task

        release_task(self.root, task_id, self.holder, where=self.where)

    def _fetch_done(self) -> None:
        from taskgov.claims.refs import network_git, unreachable

        assert self.remote is not None
        code, _, err = network_git(
            self.root,
            self.remote,
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--",
            self.remote,
            f"{DONE_REFS}*:{DONE_REFS}*",
        )
        if code != 0:
            raise unreachable(self.root, self.remote, err, code)


def holder_name(run: str) -> str:
    """The name a run holds its claims under."""
    import socket

    return f"dispatch:{socket.gethostname()}:{run}"
