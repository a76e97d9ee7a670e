"""The only code that runs git. Everything else asks this package."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(root: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``git -C root args...`` and capture its output as text."""
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=check,
    )


def config_value(root: Path, key: str) -> str | None:
    """A git config value, or ``None`` when unset or git is unavailable."""
    try:
        result = git(root, "config", "--get", key)
    except OSError:
        return None
    value = result.stdout.strip()
    return value if result.returncode == 0 and value else None
