"""Every git step of a dispatch run, through ``taskgov.git.process`` (fail closed).

Worktrees of a run live in ``<git common dir>/taskgov/dispatch/<run>/``: ``merge/`` holds the
integration branch, where the merge queue merges (never the user's work tree), and
``worktrees/<id>-<attempt>/`` one task each. A merge commit names its task in a
``Dispatch-Task:`` trailer: that is how a resumed run reads, from git itself, what is done.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from taskgov.git.process import git_outcome, probe_git, rev_parse, run_git

TRAILER = "Dispatch-Task"


def integration_branch(run: str) -> str:
    return f"taskgov/dispatch/{run}"


def task_branch(task_id: str) -> str:
    return f"task/{task_id}"


def common_dir(root: Path) -> Path:
    found = Path(run_git(root, "rev-parse", "--git-common-dir").strip())
    return Path(os.path.realpath(found if found.is_absolute() else root / found))


def runs_dir(root: Path) -> Path:
    return common_dir(root) / "taskgov" / "dispatch"


def branch_tip(root: Path, branch: str) -> str | None:
    return rev_parse(root, f"refs/heads/{branch}")


def create_branch(root: Path, branch: str, start: str) -> None:
    run_git(root, "branch", "--no-track", branch, start)


def delete_branch(root: Path, branch: str) -> None:
    if branch_tip(root, branch) is not None:
        run_git(root, "branch", "-D", branch)


def add_worktree(root: Path, path: Path, branch: str, start: str | None = None) -> None:
    """A worktree at ``path`` on ``branch`` (created from ``start`` when given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if start is None:
        run_git(root, "worktree", "add", "--quiet", str(path), branch)
    else:
        run_git(root, "worktree", "add", "--quiet", "--no-track", "-b", branch, str(path), start)


def remove_worktree(root: Path, path: Path) -> None:
    """Remove a worktree and whatever is left of its directory (ours, under the run)."""
    git_outcome(root, "worktree", "remove", "--force", "--force", str(path))
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
    run_git(root, "worktree", "prune")


def worktrees(root: Path) -> list[Path]:
    listed = run_git(root, "worktree", "list", "--porcelain")
    return [Path(line[9:]) for line in listed.splitlines() if line.startswith("worktree ")]


def worktree_git_dir(path: Path) -> Path:
    """The worktree's private git directory: files there are never committed."""
    return Path(run_git(path, "rev-parse", "--absolute-git-dir").strip())


def commits_ahead(root: Path, base: str, branch: str) -> int:
    return int(run_git(root, "rev-list", "--count", f"{base}..{branch}").strip() or 0)


def dirty(path: Path) -> bool:
    return bool(run_git(path, "status", "--porcelain", "--untracked-files=normal").strip())


@dataclass(frozen=True)
class Merge:
    ok: bool
    commit: str = ""
    conflicts: tuple[str, ...] = ()
    error: str = ""


def merge(worktree: Path, branch: str, message: str) -> Merge:
    """Merge ``branch`` into the worktree's branch (always a merge commit). A conflict or a
    refusal (a hook) is aborted, so the integration branch is never left half-merged."""
    code, out, err = git_outcome(worktree, "merge", "--no-ff", "--no-edit", "-m", message, branch)
    if code == 0:
        return Merge(True, commit=run_git(worktree, "rev-parse", "HEAD").strip())
    conflicts = tuple(run_git(worktree, "diff", "--name-only", "--diff-filter=U").splitlines())
    settle(worktree)
    if conflicts:
        return Merge(False, conflicts=conflicts)
    lines = [line.strip() for line in (err + "\n" + out).splitlines() if line.strip()]
    return Merge(False, error="git merge: " + (lines[0] if lines else f"exit {code}"))


def settle(worktree: Path) -> None:
    """Leave the merge worktree exactly at its branch tip: abort a merge in progress (one a
    signal interrupted included) and drop anything else. Only ever run on ``merge/``."""
    if probe_git(worktree, "rev-parse", "-q", "--verify", "MERGE_HEAD") is not None:
        git_outcome(worktree, "merge", "--abort")
    run_git(worktree, "reset", "--quiet", "--hard", "HEAD")
    run_git(worktree, "clean", "-q", "-fdx")


def merged_tasks(root: Path, base: str, branch: str) -> set[str]:
    """The tasks merged into ``branch`` since ``base``, read from the merge commits."""
    found = run_git(
        root,
        "log",
        "--first-parent",
        f"--format=%(trailers:key={TRAILER},valueonly,separator=%x0a)",
        f"{base}..refs/heads/{branch}",
    )
    return {line.strip() for line in found.splitlines() if line.strip()}
