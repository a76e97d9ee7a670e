"""The only code that runs git. Everything else asks this package."""

from __future__ import annotations

from pathlib import Path


def config_value(root: Path, key: str) -> str | None:
    """A git config value, or ``None`` when unset or git is unavailable."""
    from taskgov.git.history import GitError, run_git  # not at import: hooks import this package

    try:
        value = run_git(root, "config", "--get", key).strip()
    except GitError:
        return None
    return value or None
