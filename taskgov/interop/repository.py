"""A new git repository holding imported files: written once, committed reproducibly.

Importers build file texts; :func:`create_repository` refuses any directory that is not empty,
writes the files and commits them with a fixed identity and date, so the same import gives the
same commit id on every machine.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from taskgov.errors import UsageError
from taskgov.git.history import git_command

DATE = "2026-01-01T00:00:00Z"  # commit dates and imported specs' created_at
IDENTITY = ("taskgov import", "import@taskgov.invalid")
# Variables that would point git at another repository (a hook or script around us may set them).
_REPOSITORY_VARIABLES = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
    }
)
# Settings that would change the commit (signing, line endings) or run code (hooks).
_FIXED = ("-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", "-c", "core.hooksPath=")


def create_repository(root: Path, files: Mapping[str, str], message: str) -> list[Path]:
    """Write ``files`` (relative path: text) into ``root``, which must be absent or empty,
    ``git init`` it (branch main) and commit everything. Returns the paths written."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(f"{root}: exists and is not an empty directory; nothing written")
    written = []
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    steps = (
        ("init", "--quiet", "--initial-branch=main", "--template="),
        ("add", "--", *files),
        ("commit", "--quiet", "--no-verify", "-m", message),
    )
    for args in steps:
        run_git(root, *args)
    return written


def git_init(root: Path) -> None:
    """``git init`` ``root`` (branch main, no template: no sample hooks)."""
    run_git(root, "init", "--quiet", "--initial-branch=main", "--template=")


def commit_everything(root: Path, message: str) -> None:
    """Stage every file under ``root`` and commit it with the fixed identity and date."""
    run_git(root, "add", "-A")
    run_git(root, "commit", "--quiet", "--no-verify", "-m", message)


def run_git(root: Path, *args: str) -> None:
    """One git command in ``root`` with the fixed identity and date and no hooks; any failure
    is one line with git's message."""
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    env.update(
        GIT_AUTHOR_NAME=IDENTITY[0],
        GIT_AUTHOR_EMAIL=IDENTITY[1],
        GIT_COMMITTER_NAME=IDENTITY[0],
        GIT_COMMITTER_EMAIL=IDENTITY[1],
        GIT_AUTHOR_DATE=DATE,
        GIT_COMMITTER_DATE=DATE,
    )
    try:
        done = subprocess.run(
            git_command(root, *_FIXED, *args), env=env, capture_output=True, check=False
        )
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode:
        complaint = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} in {root}: {complaint[0] if complaint else 'failed'}")
