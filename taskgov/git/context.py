"""Where a clone keeps its private state, and which branch a commit is being made on.

One ``git rev-parse`` answers all of it, so a hook pays for one process. The branch is read
from the HEAD file itself (it works before the first commit); during a rebase HEAD is
detached and the branch being rebased is in the rebase state directory, so a commit picked
by a rebase is still attributed to the branch it belongs to.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from taskgov.git.history import run_git


class RepoContext(NamedTuple):
    git_dir: Path  # this worktree's private directory (HEAD, index)
    common_dir: Path  # shared by every worktree of the repository (refs, objects, taskgov/)
    branch: str | None  # the branch HEAD is on, or being rebased; None when detached
    shallow: bool

    @property
    def state_dir(self) -> Path:
        """taskgov's own files for this repository (journal, caches, locks)."""
        return self.common_dir / "taskgov"


def repo_context(root: Path) -> RepoContext:
    """``GitError`` when ``root`` is not in a repository git accepts."""
    lines = run_git(
        root,
        "rev-parse",
        "--absolute-git-dir",
        "--git-common-dir",
        "--is-shallow-repository",
        "--git-path",
        "rebase-merge/head-name",
        "--git-path",
        "rebase-apply/head-name",
    ).splitlines()
    git_dir = Path(lines[0])
    common = Path(lines[1])
    common = common if common.is_absolute() else (root / common).resolve()
    branch = _branch(git_dir / "HEAD")
    if branch is None:
        for written in lines[3:5]:
            path = Path(written) if Path(written).is_absolute() else root / written
            branch = _ref_name(_read(path))
            if branch:
                break
    return RepoContext(git_dir, common, branch, lines[2].strip() == "true")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _branch(head_file: Path) -> str | None:
    text = _read(head_file)
    return _ref_name(text.removeprefix("ref:").strip()) if text.startswith("ref:") else None


def _ref_name(ref: str) -> str | None:
    return ref.removeprefix("refs/heads/") or None if ref.startswith("refs/heads/") else None
