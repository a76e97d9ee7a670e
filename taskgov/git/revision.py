"""The files of one revision, read straight from git's object store (no checkout, no work
tree): what ``taskgov review`` compares. Works on a shallow clone, as long as both commits
were fetched.

GitPython does the reading: one ``Repo`` keeps a single ``git cat-file --batch`` process
for every tree and blob of both revisions, and its tree objects give the traversal. Its
import (about a tenth of a second) is paid only here, never by the hooks or ``ready``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from taskgov.errors import NotFoundError
from taskgov.git.process import GitError

if TYPE_CHECKING:
    import git

SYMLINK_MODE = 0o120000


class RevisionFiles(NamedTuple):
    """What a revision holds under the directories asked for, and the named files."""

    revision: str  # as given on the command line
    commit: str  # the full commit id
    files: dict[str, tuple[str, bytes]]  # path -> (blob id, content)
    links: tuple[str, ...] = ()  # symbolic links found (their content is no spec)


class MissingRevision(NotFoundError):
    """A revision the repository does not have (not fetched, mistyped). Exit code 2."""


def open_repo(root: Path) -> git.Repo:
    """The repository at ``root`` for GitPython (close it, or use it in a ``with``)."""
    import git

    try:
        return git.Repo(root, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(f"git: not a git repository: {root}") from None


def read_revision(
    repo: git.Repo,
    revision: str,
    directories: Iterable[str],
    names: Iterable[str] = (),
    suffixes: tuple[str, ...] = (".yaml", ".yml"),
) -> RevisionFiles:
    """Every blob ending in ``suffixes`` under ``directories`` (recursively) and the files
    ``names``, at ``revision``. A revision that names no commit raises ``MissingRevision``."""
    commit = _commit(repo, revision)
    files: dict[str, tuple[str, bytes]] = {}
    links: list[str] = []
    tree = commit.tree
    wanted: list[tuple[str, Any]] = []
    for directory in directories:
        found = _lookup(tree, directory)
        if found is not None and found.type == "tree":
            items: Iterable[Any] = found.traverse()
            wanted.extend((item.path, item) for item in items if item.type == "blob")
    for name in names:
        found = _lookup(tree, name)
        if found is not None and found.type == "blob":
            wanted.append((name, found))
    for path, blob in wanted:
        if path in files or (path not in names and not path.endswith(suffixes)):
            continue
        if blob.mode == SYMLINK_MODE:
            links.append(path)
            continue
        files[path] = (blob.hexsha, _data(repo, blob.binsha, revision))
    return RevisionFiles(revision, commit.hexsha, files, tuple(links))


def _commit(repo: git.Repo, revision: str) -> git.Commit:
    import git
    from gitdb.exc import BadName, BadObject  # type: ignore[import-untyped]

    if not revision or revision.startswith("-"):
        raise MissingRevision(f"{revision!r} is not a revision")
    try:
        found = repo.rev_parse(revision)
        commit = found if found.type == "commit" else repo.commit(revision)
        commit.tree  # noqa: B018  (a shallow clone may have the id but not the commit)
    except (BadName, BadObject, ValueError, git.GitCommandError, IndexError):
        raise MissingRevision(
            f"no commit {revision!r} in this repository (fetch it first, e.g. "
            f"git fetch --depth=1 origin {revision})"
        ) from None
    return commit


def _lookup(tree: git.Tree, path: str) -> git.Tree | git.Blob | None:
    path = path.strip("/")
    if path in ("", "."):
        return tree
    try:
        return tree / path
    except KeyError:
        return None


def _data(repo: git.Repo, binsha: bytes, revision: str) -> bytes:
    try:
        return repo.odb.stream(binsha).read()  # type: ignore[no-any-return]
    except Exception as exc:  # gitdb raises several types for a missing or corrupt object
        raise GitError(
            f"git: cannot read object {binsha.hex()} of {revision}: {exc}; the repository "
            "is incomplete (a partial clone?)"
        ) from None
