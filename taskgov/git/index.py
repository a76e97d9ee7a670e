"""What the index knows about a work-tree file, and renames that git records."""

from __future__ import annotations

from pathlib import Path

from taskgov.git.process import NotARepository, run_git


def is_tracked(root: Path, relpath: str) -> bool:
    """Whether ``relpath`` (relative to ``root``) is in the index. False outside a
    repository; any other git failure raises ``GitError``."""
    try:
        listed = run_git(root, "ls-files", "-z", "--full-name", "--", relpath)
    except NotARepository:
        return False
    return bool(listed.strip("\0"))


def git_mv(root: Path, source: str, target: str) -> None:
    """``git mv`` of a tracked file (paths relative to ``root``); git refuses an existing
    target, and any refusal raises ``GitError`` with git's message."""
    run_git(root, "mv", "--", source, target)
