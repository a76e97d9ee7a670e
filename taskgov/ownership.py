"""Git's ``safe.directory`` rule, applied before taskgov trusts a repository it found by walking
up from the working directory (its policy, its caches under ``.git/taskgov/``).

Git refuses a repository whose work tree, ``.git`` or git directory belongs to another user,
unless ``safe.directory`` (global or system configuration, ``*`` for all) names it; root run
through sudo may also use the repositories of the user in ``SUDO_UID``. The common case, every
path owned by the current user, is decided here with a few ``stat`` calls. Only when an owner
differs is git asked (``git rev-parse``), so that ``safe.directory`` is matched exactly as the
installed git matches it.
"""

from __future__ import annotations

import os
from pathlib import Path

from taskgov.errors import InputError

_DECIDED: dict[str, bool] = {}


def _user_ids() -> set[int]:
    euid = os.geteuid()
    ids = {euid}
    sudo = os.environ.get("SUDO_UID", "")
    if euid == 0 and sudo.isdigit():
        ids.add(int(sudo))
    return ids


def _owned(paths: list[Path]) -> bool:
    ids = _user_ids()
    for path in paths:
        try:
            if os.stat(path).st_uid not in ids:
                return False
        except OSError:  # gone or unreadable: git decides
            return False
    return True


def _git_accepts(worktree: Path) -> bool:
    import subprocess  # not at import: the commit-msg hook loads this module on every commit

    try:
        done = subprocess.run(
            ["git", "-C", str(worktree), "rev-parse", "--git-dir"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no git to ask: not trusted
        return False
    return done.returncode == 0


def is_trusted(worktree: Path, git_dir: Path | None = None) -> bool:
    """Whether git would work in the repository at ``worktree`` (``git_dir``: where its
    ``.git`` file points, for worktrees and submodules)."""
    if not hasattr(os, "geteuid"):  # Windows: git's rule there is about SIDs, not uids
        return True
    key = f"{worktree}\0{git_dir}"
    found = _DECIDED.get(key)
    if found is None:
        paths = [worktree, worktree / ".git"] + ([git_dir] if git_dir is not None else [])
        found = _DECIDED[key] = _owned(paths) or _git_accepts(worktree)
    return found


def ensure_trusted(worktree: Path) -> None:
    """Raise ``InputError`` when git would refuse the repository at ``worktree``."""
    if not is_trusted(worktree):
        raise InputError(
            f"{worktree}: the repository belongs to another user, so git and taskgov refuse "
            f"it (to trust it: git config --global --add safe.directory {worktree})"
        )
