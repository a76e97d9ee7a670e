"""Branches: HEAD and the target branch ``Closes:`` counts on, and the default branch."""

from __future__ import annotations

import sys
from pathlib import Path

from taskgov.config import POLICY_PATH
from taskgov.git.process import GitError, NotARepository, probe_git, rev_parse, run_git

_warned: set[tuple[str, str]] = set()


def head_and_target(root: Path, target_branch: str) -> tuple[str, str] | None:
    """HEAD's commit id and the target branch's, in one git process when both exist.

    The target is the local branch ``target_branch``, else its remote-tracking branch
    (``origin/<target_branch>``, as in a CI checkout). When neither exists, the target is
    ``""`` and a warning line goes to stderr once per process: nothing then counts as merged
    into the target branch (a ``Closes:`` on a side branch must not complete a task).

    An empty ``target_branch`` (the policy does not name one) is found in the repository:
    the branch origin's HEAD names, else ``main``, else ``master`` (local, then origin's).

    ``None`` when ``root`` is not in a git repository or HEAD has no commits yet; any other
    git failure (git missing, a repository git refuses, corruption) raises ``GitError``.
    """
    if not target_branch:
        try:
            target_branch = usual_target(root) or ""
        except NotARepository:
            return None
        if not target_branch:
            head = rev_parse(root, "HEAD")
            if head is None:
                return None
            _warn_missing(root, "")
            return head, ""
    try:
        try:
            both = run_git(
                root, "rev-parse", "--end-of-options", "HEAD^{commit}", target_branch + "^{commit}"
            ).split()
        except NotARepository:
            raise
        except GitError:
            both = []  # one of them is missing; the slow path below says which, or why
        if len(both) == 2:
            return both[0], both[1]
        head = rev_parse(root, "HEAD")
    except NotARepository:
        return None
    if head is None:
        return None
    target = rev_parse(root, target_branch) or rev_parse(
        root, f"refs/remotes/origin/{target_branch}"
    )
    if target is None:
        _warn_missing(root, target_branch)
    return head, target or ""


_USUAL = (
    "refs/heads/main",
    "refs/heads/master",
    "refs/remotes/origin/main",
    "refs/remotes/origin/master",
)


def usual_target(root: Path) -> str | None:
    """The branch work is merged into when the policy does not say: the one origin's HEAD
    names, else ``main``, else ``master``. One ``git for-each-ref``; ``None`` when none of
    them exists."""
    listed = run_git(
        root,
        "for-each-ref",
        "--format=%(refname) %(symref)",
        "refs/remotes/origin/HEAD",
        *_USUAL,
    )
    found: dict[str, str] = {}
    for line in listed.splitlines():
        name, _, points = line.partition(" ")
        found[name] = points.strip()
    remote_head = found.get("refs/remotes/origin/HEAD", "")
    if remote_head.startswith("refs/remotes/origin/"):
        branch = remote_head.removeprefix("refs/remotes/origin/")
        return branch
    for ref in _USUAL:
        if ref in found:
            return ref.rsplit("/", 1)[-1]
    return None


def _warn_missing(root: Path, target_branch: str) -> None:
    key = (str(root), target_branch)
    if key in _warned:
        return
    _warned.add(key)
    listed = probe_git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads")
    branches = ", ".join((listed or "").split()) or "none"
    missing = (
        f"target_branch {target_branch!r} does not exist"
        if target_branch
        else "no target branch: the policy names none and there is no main or master"
    )
    print(
        f"taskgov: warning: {missing} (branches: {branches}), so no Closes: trailer counts; "
        f"set target_branch in {POLICY_PATH}",
        file=sys.stderr,
    )


def default_branch(root: Path) -> str | None:
    """The branch a repository works on, for ``init`` to write as ``target_branch``: the
    remote's default branch (``refs/remotes/origin/HEAD``), else HEAD's branch (named even
    before the first commit), else ``init.defaultBranch``. ``None`` outside git."""
    try:
        current = probe_git(root, "symbolic-ref", "-q", "--short", "HEAD")
        remote = probe_git(root, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD")
    except NotARepository:
        return None
    if remote and remote.strip():  # a side branch checked out must not become the target
        return remote.strip().removeprefix("origin/")
    if current and current.strip():
        return current.strip()
    configured = probe_git(root, "config", "--get", "init.defaultBranch")
    return configured.strip() if configured and configured.strip() else None


def author_identity(root: Path) -> str:
    """``Name <email>`` of the author of the commit being made (honours ``--author`` and the
    ``GIT_AUTHOR_*`` variables git sets for hooks); ``""`` when git cannot say."""
    try:
        ident = probe_git(root, "var", "GIT_AUTHOR_IDENT") or ""
    except GitError:
        return ""
    # "Name <email> 1700000000 +0100": drop the timestamp and zone.
    return ident.strip().rsplit(" ", 2)[0] if ident.count(" ") >= 2 else ident.strip()
