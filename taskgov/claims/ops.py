"""Claim, renew and release a task, atomically, on the shared remote or in this repository.

Which place holds the claims (``claims_location``): ``--local`` or ``--remote NAME`` when
given; else ``claims.remote`` in policy.yaml (a remote's name, or ``local``); else ``origin``;
else the only remote there is; else, with no remote at all, this repository (every worktree
sees its refs). Several remotes and none of them ``origin`` is an error: a claim made where the
others do not look would protect nothing. A remote that cannot be reached is an error too,
never a reason to claim locally.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from taskgov.claims.model import DEFAULT_GRACE, DEFAULT_LEASE, Claim, claim_ref, safe_id
from taskgov.claims.refs import (
    ClaimSet,
    cas_local,
    fetch_claims,
    new_nonce,
    push_cas,
    read_claims,
    remote_names,
    set_local,
    write_claim,
)
from taskgov.config import POLICY_PATH
from taskgov.errors import InputError, UsageError
from taskgov.git.process import GitError, probe_git

LOCAL = "local"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
ATTEMPTS = 5  # a claim deleted under us while we raced is tried again, this many times


@dataclass(frozen=True)
class Where:
    """Where claims live: a remote's name, or ``None`` for this repository's own refs."""

    remote: str | None

    def describe(self) -> str:
        return f"remote {self.remote!r}" if self.remote else "this repository (no remote)"


@dataclass(frozen=True)
class Outcome:
    """What ``claim`` or ``release`` did. ``action``: ``claimed``, ``renewed``, ``taken_over``
    or ``held`` (someone else holds the task); for release ``released``, ``not_claimed`` or
    ``held``. ``claim`` is the claim that stands now (``None`` once released), ``previous`` the
    one replaced or removed."""

    task: str
    action: str
    holder: str
    claim: Claim | None
    where: Where
    previous: Claim | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.action == "held" else 0

    def as_dict(self, now: float, grace: float) -> dict[str, object]:
        return {
            "task": self.task,
            "action": self.action,
            "holder": self.holder,
            "held_by_you": self.action in ("claimed", "renewed", "taken_over"),
            "claim": self.claim.as_dict(now, grace) if self.claim else None,
            "previous": self.previous.as_dict(now, grace) if self.previous else None,
            "remote": self.where.remote,
            "ref": claim_ref(self.task),
        }


def claims_location(
    root: Path, configured: str = "", remote: str | None = None, local: bool = False
) -> Where:
    """Where claims are made and read (see the module's rule)."""
    if local and remote:
        raise UsageError("--local and --remote are exclusive")
    if local:
        return Where(None)
    wanted = remote or (configured if configured != LOCAL else None)
    if not remote and configured == LOCAL:
        return Where(None)
    names = remote_names(root)
    if wanted:
        if wanted not in names:
            known = ", ".join(names) or "none"
            source = "--remote" if remote else f"claims.remote in {POLICY_PATH}"
            raise UsageError(f"{source}: no remote named {wanted!r} (remotes: {known})")
        return Where(wanted)
    if "origin" in names:
        return Where("origin")
    if len(names) == 1:
        return Where(names[0])
    if names:
        raise UsageError(
            f"several remotes ({', '.join(names)}) and none is origin: pass --remote NAME, "
            f"or set claims.remote in {POLICY_PATH}"
        )
    return Where(None)


def git_identity(root: Path) -> str:
    """``Name <email>`` of this repository's git user; ``""`` when git has none."""
    try:
        ident = probe_git(root, "var", "GIT_COMMITTER_IDENT") or ""
    except GitError:
        return ""
    ident = ident.strip()
    return ident.rsplit(" ", 2)[0] if ident.count(" ") >= 2 else ident


def check_holder(name: str) -> str:
    """A holder name as given, if it is one line of printable text."""
    cleaned = name.strip()
    if not cleaned:
        raise UsageError("--as: the holder name is empty")
    if _CONTROL.search(cleaned):
        raise UsageError("--as: the holder name holds a control character")
    if len(cleaned) > 200:
        raise UsageError("--as: the holder name is longer than 200 characters")
    return cleaned


def check_claim_id(task_id: str) -> str:
    if not safe_id(task_id):
        raise UsageError(f"{task_id!r} cannot name a claim (letters, digits, '.', '_', '-')")
    return task_id


def current_claims(root: Path, where: Where, task_id: str | None = None) -> ClaimSet:
    """The claims as they stand where they live: fetched first from a remote."""
    if where.remote:
        fetch_claims(root, where.remote)
    return read_claims(root, task_id)


def claim_task(
    root: Path,
    task_id: str,
    holder: str,
    *,
    where: Where,
    identity: str = "",
    lease: float | None = None,
    grace: float = DEFAULT_GRACE,
    default_lease: float = DEFAULT_LEASE,
    renew_only: bool = False,
    now: float | None = None,
) -> Outcome:
    """Take ``task_id`` for ``holder``, or renew the lease when ``holder`` already has it.

    Returns ``held`` with the holder's claim when someone else holds a lease that is not
    over (by this machine's clock, ``grace`` seconds allowed for clock difference). An expired
    lease is taken over by compare-and-swap against the very claim that was read, so of
    several takers exactly one wins; the others get ``held`` with the winner's claim."""
    check_claim_id(task_id)
    ref = claim_ref(task_id)
    for _ in range(ATTEMPTS):
        moment = int(time.time() if now is None else now)
        seen = _seen(root, where, task_id)
        if seen is None:
            if renew_only:
                raise UsageError(
                    f"{task_id} is not claimed: nothing to renew (taskgov claim {task_id})"
                )
            seconds = int(lease or default_lease)
            new = Claim(task_id, holder, identity, moment, moment + seconds, seconds)
            action, previous = "claimed", None
        elif seen.holder == holder:
            new = seen.renewed(moment, int(lease or seen.lease_seconds), "")
            new = new._replace(identity=identity or seen.identity)
            action, previous = "renewed", None
        elif seen.expired(moment, grace) and not renew_only:
            seconds = int(lease or default_lease)
            new = Claim(task_id, holder, identity, moment, moment + seconds, seconds)
            action, previous = "taken_over", seen
        else:
            return Outcome(task_id, "held", holder, seen, where)
        new = new._replace(nonce=new_nonce())
        sha = write_claim(root, new)
        if _swap(root, where, task_id, sha, seen.sha if seen else None):
            return Outcome(task_id, action, holder, new._replace(sha=sha), where, previous)
        after = _seen(root, None, task_id)  # _swap has just read what won
        if after is None:
            continue  # released while we raced: try again
        if after.holder == holder:  # another process of ours won: we hold it all the same
            return Outcome(task_id, "renewed" if seen else "claimed", holder, after, where)
        return Outcome(task_id, "held", holder, after, where)
    raise GitError(f"{ref} changed {ATTEMPTS} times while claiming it: try again")


def release_task(
    root: Path, task_id: str, holder: str, *, where: Where, force: bool = False
) -> Outcome:
    """Remove ``holder``'s claim of ``task_id`` (anyone's with ``force``), by
    compare-and-swap against the claim that was read."""
    check_claim_id(task_id)
    ref = claim_ref(task_id)
    for _ in range(ATTEMPTS):
        claims = current_claims(root, where, task_id)
        seen = claims.claims.get(task_id)
        sha = claims.sha(task_id)
        if sha is None:
            return Outcome(task_id, "not_claimed", holder, None, where)
        if seen is None and not force:
            raise InputError(
                f"{claims.unreadable[task_id][1]}; taskgov release --force {task_id} removes it"
            )
        if seen is not None and seen.holder != holder and not force:
            return Outcome(task_id, "held", holder, seen, where)
        if _swap(root, where, task_id, None, sha):
            return Outcome(task_id, "released", holder, None, where, previous=seen)
        after = _seen(root, None, task_id)
        if after is not None and after.holder != holder and not force:
            return Outcome(task_id, "held", holder, after, where)
    raise GitError(f"{ref} changed {ATTEMPTS} times while releasing it: try again")


def _seen(root: Path, where: Where | None, task_id: str) -> Claim | None:
    """The claim of ``task_id`` as it stands (``where`` ``None``: as last read, no fetch)."""
    claims = current_claims(root, where, task_id) if where else read_claims(root, task_id)
    if task_id in claims.unreadable:
        raise InputError(
            f"{claims.unreadable[task_id][1]}; taskgov release --force {task_id} removes it"
        )
    return claims.claims.get(task_id)


def _swap(root: Path, where: Where, task_id: str, new: str | None, old: str | None) -> bool:
    """Compare-and-swap the claim ref of ``task_id`` from ``old`` to ``new`` where claims
    live. ``False`` when another writer changed it first (this clone's copy then says what
    won); a remote that refuses for another reason raises."""
    ref = claim_ref(task_id)
    if where.remote is None:
        return cas_local(root, ref, new, old)
    for _ in range(3):
        pushed = push_cas(root, where.remote, ref, new, old)
        if pushed.ok:
            set_local(root, ref, new)
            return True
        fetch_claims(root, where.remote)
        current = read_claims(root, task_id).sha(task_id)
        if current != old:
            return False  # the lease saw another value: someone else's swap came first
        if "lock" not in pushed.reason:
            raise GitError(f"remote {where.remote!r} refused {ref}: {pushed.reason}")
    raise GitError(f"remote {where.remote!r} kept {ref} locked: try again")
