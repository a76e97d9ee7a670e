"""Claim refs in git: write a claim commit, read every claim, and compare-and-swap a ref.

Nothing here touches the work tree or the index: a claim commit is made with
``git hash-object``, ``git mktree`` and ``git commit-tree``.

Every change is a compare-and-swap against the exact value seen before it:

* on a remote, ``git push --force-with-lease=<ref>:<expected>`` with an explicit expected value
  (empty: the ref must not exist) and never a ``+`` on the refspec (a ``+`` silently drops the
  lease). The expected value is never left to git to guess from a remote-tracking ref, which
  any background fetch moves. The server applies the update only if the ref still holds the
  old value, so of several pushes racing from the same old value exactly one wins.
* without a remote, ``git update-ref <ref> <new> <old>`` (the null id: must not exist), which
  every worktree of the repository shares.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import NamedTuple

from taskgov.claims.model import (
    DEFAULT_GRACE,
    REF_PREFIX,
    Claim,
    ClaimFormatError,
    claim_ref,
    parse_claim,
)
from taskgov.git.process import (
    GitError,
    NotARepository,
    git_bytes,
    git_outcome,
    probe_git,
    run_git,
)

CLAIM_FILE = "claim.json"
FETCH_REFSPEC = f"+{REF_PREFIX}*:{REF_PREFIX}*"
NETWORK_TIMEOUT = 120.0  # seconds a push or fetch may take before the remote counts as unreachable
# A remote never asks on a terminal for a password in the middle of a claim.
NETWORK_ENV = {"GIT_TERMINAL_PROMPT": "0"}
_NULL_IDS: dict[Path, str] = {}


class ClaimSet(NamedTuple):
    """Every claim ref of a repository: the claims, and the refs that hold no readable claim
    (task id -> (commit, why))."""

    claims: dict[str, Claim]
    unreadable: dict[str, tuple[str, str]]

    def sha(self, task_id: str) -> str | None:
        claim = self.claims.get(task_id)
        if claim is not None:
            return claim.sha
        bad = self.unreadable.get(task_id)
        return bad[0] if bad else None


def null_id(root: Path) -> str:
    """git's id for "no object", in the repository's hash length (40 or 64 zeros)."""
    if root not in _NULL_IDS:
        kind = run_git(root, "rev-parse", "--show-object-format").strip()
        _NULL_IDS[root] = "0" * (64 if kind == "sha256" else 40)
    return _NULL_IDS[root]


def new_nonce() -> str:
    import secrets
    import socket

    return f"{socket.gethostname()[:40]}:{secrets.token_hex(8)}"


def read_claims(root: Path, task_id: str | None = None) -> ClaimSet:
    """Every claim ref (or only ``task_id``'s) with what its commit records: one
    ``git for-each-ref``. Empty outside a git repository; any other git failure raises."""
    pattern = claim_ref(task_id) if task_id else REF_PREFIX.rstrip("/")
    try:
        listing = run_git(
            root,
            "for-each-ref",
            "--format=%(refname)%00%(objectname)%00%(objecttype)%00%(contents:body)%00",
            pattern,
        )
    except NotARepository:
        return ClaimSet({}, {})
    claims: dict[str, Claim] = {}
    unreadable: dict[str, tuple[str, str]] = {}
    fields = listing.split("\0")
    for start in range(0, len(fields) - 4, 4):
        refname, sha, kind, body = fields[start : start + 4]
        refname = refname.lstrip("\n")
        name = refname.removeprefix(REF_PREFIX)
        if not refname.startswith(REF_PREFIX) or (task_id and name != task_id):
            continue
        if kind != "commit":
            unreadable[name] = (sha, f"{refname} points at a {kind}, not a claim commit")
            continue
        try:
            claims[name] = parse_claim(body, sha, refname)
        except ClaimFormatError as exc:
            unreadable[name] = (sha, str(exc))
    return ClaimSet(claims, unreadable)


def live_claims(
    claims: ClaimSet, now: float | None = None, grace: float = DEFAULT_GRACE
) -> dict[str, Claim]:
    """The claims whose lease is not over by ``now`` (this machine's clock)."""
    moment = time.time() if now is None else now
    return {k: c for k, c in claims.claims.items() if not c.expired(moment, grace)}


def repository_claims(root: Path, grace: float = DEFAULT_GRACE) -> dict[str, Claim]:
    """The live claims this repository's refs hold (a clone's copy of the remote's, as last
    fetched): one ``git for-each-ref``."""
    return live_claims(read_claims(root), grace=grace)


def write_claim(root: Path, claim: Claim) -> str:
    """Write ``claim`` as a parentless commit (blob, tree, commit); returns its id."""
    body = claim.message().split("\n\n", 1)[1]
    blob = git_bytes(root, "hash-object", "-w", "--stdin", stdin=body.encode()).decode().strip()
    tree = (
        git_bytes(root, "mktree", stdin=f"100644 blob {blob}\t{CLAIM_FILE}\n".encode())
        .decode()
        .strip()
    )
    name, email = _split_identity(claim.identity, claim.holder)
    when = f"@{claim.renewed_at or claim.claimed_at} +0000"
    returncode, out, err = git_outcome(
        root,
        "commit-tree",
        "--no-gpg-sign",  # a claim is never signed, whatever the configuration says
        tree,
        stdin=claim.message().encode(),
        env={
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": when,
        },
    )
    if returncode != 0:
        raise GitError(f"git: {_first_complaint(err) or 'commit-tree failed'}")
    return out.strip()


def _split_identity(identity: str, holder: str) -> tuple[str, str]:
    if identity.endswith(">") and " <" in identity:
        name, _, email = identity[:-1].rpartition(" <")
        return name or holder, email
    return holder, ""


def cas_local(root: Path, ref: str, new: str | None, old: str | None) -> bool:
    """Move ``ref`` from ``old`` (``None``: absent) to ``new`` (``None``: delete) in this
    repository, only if it still holds ``old``. ``False`` when another writer got there
    first; ``GitError`` for anything else."""
    expected = old or null_id(root)
    for _ in range(20):  # a ref lock another writer holds for a moment: try again
        if new is None:
            args = ("update-ref", "-d", ref, expected)
        else:
            args = ("update-ref", ref, new, expected)
        returncode, _, err = git_outcome(root, *args)
        if returncode == 0:
            return True
        current = local_sha(root, ref)
        if current != old:
            return False  # someone else changed it: the swap lost
        if "lock" not in err:
            raise GitError(f"git: {_first_complaint(err) or 'update-ref failed'}")
        time.sleep(0.02)
    raise GitError(f"git: cannot lock {ref}: another process keeps it locked")


def set_local(root: Path, ref: str, new: str | None) -> None:
    """Make this clone's copy of ``ref`` say what the remote now says (a mirror: no CAS)."""
    if new is None:
        returncode, _, err = git_outcome(root, "update-ref", "-d", ref)
    else:
        returncode, _, err = git_outcome(root, "update-ref", ref, new)
    if returncode != 0 and (new is not None or local_sha(root, ref) is not None):
        raise GitError(f"git: {_first_complaint(err) or 'update-ref failed'}")


def local_sha(root: Path, ref: str) -> str | None:
    found = probe_git(root, "rev-parse", "--verify", "-q", ref)
    return found.strip() if found and found.strip() else None


class Pushed(NamedTuple):
    """What a lease-protected push did: ``ok``, or rejected (``reason`` from git)."""

    ok: bool
    reason: str = ""


def push_cas(root: Path, remote: str, ref: str, new: str | None, old: str | None) -> Pushed:
    """Ask ``remote`` to move ``ref`` from ``old`` (``None``: must be absent) to ``new``
    (``None``: delete). Rejected is an answer (``ok`` false); a remote that cannot be reached
    raises ``GitError`` naming it."""
    source = new or ""
    returncode, out, err = network_git(
        root,
        remote,
        "push",
        "--porcelain",
        "--no-verify",  # a claim is not code: the commit policy's hooks have nothing to check
        "--no-signed",  # push.gpgSign would ask for a key
        f"--force-with-lease={ref}:{old or ''}",
        "--",
        remote,
        f"{source}:{ref}",  # no '+': that would drop the lease
    )
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1].endswith(f":{ref}"):
            flag, summary = parts[0], parts[2]
            if flag in ("*", "+", "-", " ", "="):
                return Pushed(True)
            if flag == "!":
                return Pushed(False, summary.strip())
    raise unreachable(root, remote, err, returncode)


def fetch_claims(root: Path, remote: str) -> None:
    """Mirror the remote's claim refs into this clone: new and moved ones are copied, and
    claims the remote no longer has are removed (``--prune``)."""
    returncode, _, err = network_git(
        root,
        remote,
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--prune",
        "--no-recurse-submodules",
        "--",
        remote,
        FETCH_REFSPEC,
    )
    if returncode != 0:
        raise unreachable(root, remote, err, returncode)


def network_git(root: Path, remote: str, *args: str) -> tuple[int, str, str]:
    """A push or fetch: no password prompt, and a remote that does not answer in time is
    unreachable, by name."""
    try:
        return git_outcome(root, *args, env=NETWORK_ENV, timeout=NETWORK_TIMEOUT)
    except GitError as exc:
        raise GitError(f"cannot reach remote {remote!r}: {exc.message}") from None


def unreachable(root: Path, remote: str, stderr: str, returncode: int) -> GitError:
    url = probe_git(root, "remote", "get-url", "--", remote) if remote_names(root) else None
    where = f"remote {remote!r}" + (f" ({url.strip()})" if url and url.strip() else "")
    said = _first_complaint(stderr) or f"git exited with {returncode}"
    if any(sign in stderr for sign in _UNREACHABLE):
        return GitError(f"cannot reach {where}: {said}")
    return GitError(f"{where} failed: {said}")


# What git says when it cannot talk to a remote at all (offline, wrong URL, no access).
_UNREACHABLE = (
    "Could not read from remote",
    "does not appear to be a git repository",
    "unable to access",
    "Could not resolve",
    "Connection",
    "timed out",
    "not found",
    "Permission denied",
    "Authentication failed",
    "terminal prompts disabled",
)


def remote_names(root: Path) -> list[str]:
    return run_git(root, "remote").split()


def _first_complaint(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    chosen = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    return chosen or (lines[0] if lines else "")
