"""Where a write may go: the work tree, resolved, and never the git directory."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from taskgov.errors import InputError

BARE = "a bare repository has no work tree: run taskgov init in a clone"


class Place(NamedTuple):
    """Where writes may go: the real work tree, and taskgov's directory in git (if any)."""

    root: Path  # resolved
    state: Path | None  # <git common dir>/taskgov; None outside git
    git_dir: Path | None
    given: Path  # as the caller named it, for messages


def place(root: Path) -> Place:
    """The repository around ``root``; ``InputError`` for a bare repository."""
    from taskgov.git.process import GitError, run_git

    real = Path(os.path.realpath(root))
    try:
        lines = run_git(
            root, "rev-parse", "--is-bare-repository", "--absolute-git-dir", "--git-common-dir"
        ).splitlines()
    except GitError:  # not a repository (taskgov also works on a plain directory)
        return Place(real, None, None, root)
    if lines[0].strip() == "true":
        raise InputError(BARE)
    common = Path(lines[2])
    common = common if common.is_absolute() else root / common
    git_dir = Path(os.path.realpath(lines[1]))
    if real == git_dir or git_dir in real.parents:
        raise InputError(BARE)
    return Place(real, Path(os.path.realpath(common)) / "taskgov", git_dir, root)


def nearby(path: Path) -> Place | None:
    """The repository an explicit output path lies in, if any: its temporary files then go
    to the git directory too."""
    existing = path.parent
    while not existing.is_dir() and existing != existing.parent:
        existing = existing.parent
    try:
        return place(existing)
    except InputError:
        return None


def display_name(where: Place, path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    for root in (Path(os.path.abspath(where.given)), where.root):
        with contextlib.suppress(ValueError):
            return absolute.relative_to(root).as_posix()
    return str(path)


def contained(where: Place, path: Path, shown: str) -> Path:
    """The real directory ``path`` goes in, created if missing, once it is known to lie in the
    work tree: a link (to a directory above, or the file itself) may lead anywhere."""
    existing = path.parent
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    inside(where, Path(os.path.realpath(existing)), shown)
    with errors(shown):
        path.parent.mkdir(parents=True, exist_ok=True)
    real_parent = Path(os.path.realpath(path.parent))
    inside(where, real_parent, shown)
    if path.is_symlink():
        inside(where, Path(os.path.realpath(path)), shown)
    return real_parent


def inside(where: Place, real: Path, shown: str) -> None:
    if real != where.root and where.root not in real.parents:
        raise InputError(
            f"{shown}: leads outside the repository (to {real}); refusing to write there"
        )
    git_dirs = [d for d in (where.git_dir, where.state and where.state.parent) if d is not None]
    if any(real == d or d in real.parents for d in git_dirs):
        raise InputError(f"{shown}: leads into the git directory ({real}); refusing to write there")


@contextlib.contextmanager
def errors(shown: str) -> Iterator[None]:
    """An ``OSError`` (no space, read-only, permission) as one line naming the file."""
    try:
        yield
    except FileExistsError:
        raise
    except OSError as exc:
        raise InputError(f"cannot write {shown}: {exc.strerror or exc}") from None
