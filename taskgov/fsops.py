"""Writes that stay inside the repository, survive crashes, and wait for each other.

Every file taskgov writes in a work tree goes through ``write_files``:

* the target's directory (and the target, when it is a link) is resolved first and must lie in
  the work tree and outside the git directory; a bare repository is refused;
* the new content goes to a temporary file in ``<git common dir>/taskgov/tmp/`` (git never
  shows it), or beside the target as ``.NAME.PID.taskgov-tmp`` when the git directory is on
  another filesystem (a rename cannot cross filesystems); stale ones are removed later;
* every ``os.write`` is checked (a short write is retried, no progress is an error), the file
  and its directory are fsynced, then it is renamed over the target (linked, for a file that
  must not exist yet), so a reader sees the old file or the new one, never a part;
* several files are written all or none: each is complete in its temporary file before a
  journal naming them is written; the renames follow, and a run interrupted between them is
  completed by the next ``locked`` section;
* any ``OSError`` (no space, read-only, permission) is one ``InputError`` line naming the file.

``locked`` is one ``flock`` per repository, in the git common directory however git found it
(``GIT_DIR``/``GIT_WORK_TREE``, worktrees), held around every read-modify-write of a spec or
a decision record.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from taskgov.errors import InputError

BARE = "a bare repository has no work tree: run taskgov init in a clone"
TMP_SUFFIX = ".taskgov-tmp"
# Written by earlier versions beside the target: ".TASK-2026-001.yaml.1234.tmp".
_LEGACY_TMP = re.compile(r"^\.(.+\.(?:ya?ml|md|jsonl?))\.(\d+)\.tmp$")
_OWN_TMP = re.compile(r"^\.?.+\.(\d+)\.\d+" + re.escape(TMP_SUFFIX) + "$")
_counter = itertools.count()
_held: dict[str, int] = {}  # lock files this process holds, with their nesting depth


class Write(NamedTuple):
    """One file to write: ``exclusive`` never replaces an existing file."""

    path: Path
    data: str | bytes
    exclusive: bool = False


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


@contextlib.contextmanager
def locked(root: Path) -> Iterator[Place]:
    """Hold the repository's write lock (re-entrant within a process); on entry, finish any
    multi-file write a killed run left half done and remove its stale temporary files."""
    where = place(root)
    target = where.state / "write.lock" if where.state else where.root
    key = str(target)
    if key in _held:
        _held[key] += 1
        try:
            yield where
        finally:
            _held[key] -= 1
        return
    try:
        if where.state is not None:
            where.state.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        else:  # outside git: lock the directory itself, leaving no file behind
            fd = os.open(target, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(f"cannot lock {target}: {exc.strerror or exc}") from None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            fcntl = None  # type: ignore[assignment]
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        _held[key] = 1
        try:
            if where.state is not None:
                _recover(where.state)
            yield where
        finally:
            del _held[key]
    finally:
        os.close(fd)  # closing releases the flock


def write_files(root: Path | None, writes: Sequence[Write]) -> None:
    """Write every file in ``writes`` or none (see the module docstring). ``root`` None: an
    explicit output path the user chose, written safely but not held to a repository.

    Raises ``FileExistsError`` when an ``exclusive`` target exists (nothing is written),
    ``InputError`` for a path outside the repository or a failed write."""
    if root is None:
        _write_all(_nearby(writes[0].path) if writes else None, writes, contain=False)
    elif len(writes) > 1:
        with locked(root) as where:
            _write_all(where, writes)
    else:
        _write_all(place(root), writes)


Staged = tuple[Path, Path, bool, str]  # (temporary file, target, exclusive, name shown)


def _nearby(path: Path) -> Place | None:
    """The repository an explicit output path lies in, if any: its temporary files then go
    to the git directory too."""
    existing = path.parent
    while not existing.is_dir() and existing != existing.parent:
        existing = existing.parent
    try:
        return place(existing)
    except InputError:
        return None


def _write_all(where: Place | None, writes: Sequence[Write], contain: bool = True) -> None:
    staged: list[Staged] = []
    journaled: list[bool] = []
    try:
        for write in writes:
            if where is None or not contain:
                shown = str(write.path)
                with _errors(shown):
                    write.path.parent.mkdir(parents=True, exist_ok=True)
                real_parent = Path(os.path.realpath(write.path.parent))
            else:
                shown = _shown(where, write.path)
                real_parent = _contained(where, write.path, shown)
            staged.append(_prepare(where, write, real_parent, shown))
        _commit_all(where, staged, journaled)
    finally:
        for tmp, *_ in [] if journaled else staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _commit_all(where: Place | None, staged: list[Staged], journaled: list[bool]) -> None:
    """Rename every staged file into place. A failure part-way leaves the journal (and the
    temporary files it names, marked in ``journaled``) for the next run to complete."""
    journal = None
    if where is not None and where.state is not None and len(staged) > 1:
        entries = [{"tmp": str(t), "target": str(p), "exclusive": x} for t, p, x, _ in staged]
        journal = where.state / "journal" / f"{os.getpid()}.{next(_counter)}.json"
        with _errors(str(journal)):
            _journal(journal, json.dumps(entries).encode())
    delay = float(os.environ.get("TASKGOV_TEST_RENAME_DELAY", "0") or 0)  # crash tests only
    # Exclusive targets first: if one exists, nothing has been renamed yet.
    ordered = sorted(staged, key=lambda s: not s[2])
    for index, (tmp, target, exclusive, shown) in enumerate(ordered):
        if index and delay:
            time.sleep(delay)
        try:
            with _errors(shown):
                _commit(tmp, target, exclusive)
        except BaseException:
            if journal is None or index == 0:
                if journal is not None:
                    os.unlink(journal)
            else:
                journaled.append(True)
            raise
        _fsync_dir(target.parent)
    if journal is not None:
        with contextlib.suppress(OSError):
            os.unlink(journal)


def _journal(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _put(path, data)
    _fsync_dir(path.parent)


def _shown(where: Place, path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    for root in (Path(os.path.abspath(where.given)), where.root):
        with contextlib.suppress(ValueError):
            return absolute.relative_to(root).as_posix()
    return str(path)


def _contained(where: Place, path: Path, shown: str) -> Path:
    """The real directory ``path`` goes in, created if missing, once it is known to lie in the
    work tree: a link (to a directory above, or the file itself) may lead anywhere."""
    existing = path.parent
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    _inside(where, Path(os.path.realpath(existing)), shown)
    with _errors(shown):
        path.parent.mkdir(parents=True, exist_ok=True)
    real_parent = Path(os.path.realpath(path.parent))
    _inside(where, real_parent, shown)
    if path.is_symlink():
        _inside(where, Path(os.path.realpath(path)), shown)
    return real_parent


def _inside(where: Place, real: Path, shown: str) -> None:
    if real != where.root and where.root not in real.parents:
        raise InputError(
            f"{shown}: leads outside the repository (to {real}); refusing to write there"
        )
    if where.git_dir is not None and (real == where.git_dir or where.git_dir in real.parents):
        raise InputError(f"{shown}: leads into the git directory ({real}); refusing to write there")


def _prepare(
    where: Place | None, write: Write, real_parent: Path, shown: str
) -> tuple[Path, Path, bool, str]:
    """Write the content to a complete, fsynced temporary file; (tmp, target, exclusive, shown)."""
    data = write.data.encode("utf-8") if isinstance(write.data, str) else write.data
    target = real_parent / write.path.name
    mode = None
    with contextlib.suppress(OSError):
        mode = os.stat(target).st_mode & 0o7777  # keep an existing file's permissions
    if where is None or where.state is None or not any((where.state / "journal").glob("*")):
        _remove_stale(real_parent, write.path.name)  # unless a journal still needs them
    tmp = _temp_path(where, real_parent, write.path.name)
    with _errors(shown):
        _put(tmp, data, mode)
    return tmp, target, write.exclusive, shown


def _temp_path(where: Place | None, real_parent: Path, name: str) -> Path:
    unique = f"{os.getpid()}.{next(_counter)}"
    if where is not None and where.state is not None:
        directory = where.state / "tmp"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            if os.stat(directory).st_dev == os.stat(real_parent).st_dev:
                return directory / f"{name}.{unique}{TMP_SUFFIX}"
        except OSError:
            pass
    return real_parent / f".{name}.{unique}{TMP_SUFFIX}"


def _put(path: Path, data: bytes, mode: int | None = None) -> None:
    """Create ``path`` with exactly ``data``, on disk before returning; removed on failure."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            if written <= 0:  # no progress: the disk is full
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            view = view[written:]
        if mode is not None:
            os.fchmod(fd, mode)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def _commit(tmp: Path, target: Path, exclusive: bool) -> None:
    if not exclusive:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if the target exists: no check-then-write race
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if os.path.lexists(target):  # a filesystem without hard links: the lock serialises
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.replace(tmp, target)
    else:
        os.unlink(tmp)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable; some filesystems cannot sync a directory, which is no error."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _errors(shown: str) -> Iterator[None]:
    """An ``OSError`` (no space, read-only, permission) as one line naming the file."""
    try:
        yield
    except FileExistsError:
        raise
    except OSError as exc:
        raise InputError(f"cannot write {shown}: {exc.strerror or exc}") from None


def _recover(state: Path) -> None:
    """Complete the renames of a multi-file write that was killed after its journal was
    written (every temporary file in it is complete); then drop dead runs' temporary files."""
    for journal in sorted((state / "journal").glob("*.json")):
        try:
            entries = json.loads(journal.read_bytes())
        except ValueError:  # torn while being written: no rename had started
            entries = []
        except OSError:
            continue
        try:
            for entry in entries:
                tmp, target = Path(entry["tmp"]), Path(entry["target"])
                if not tmp.exists():
                    continue
                if entry["exclusive"] and os.path.lexists(target):
                    os.unlink(tmp)  # linked before the crash
                else:
                    _commit(tmp, target, bool(entry["exclusive"]))
                _fsync_dir(target.parent)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # left for the next run rather than half-applied twice
        with contextlib.suppress(OSError):
            journal.unlink()
    tmp_dir = state / "tmp"
    if tmp_dir.is_dir():
        for entry in os.scandir(tmp_dir):
            match = _OWN_TMP.match(entry.name)
            if match and not _alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _remove_stale(directory: Path, name: str) -> None:
    """Remove temporary files a killed run left beside ``name`` (this version's or an earlier
    one's), unless a journal still needs them."""
    try:
        entries = [e.name for e in os.scandir(directory) if e.name.startswith(f".{name}.")]
    except OSError:
        return
    for entry in entries:
        match = _OWN_TMP.match(entry) or _LEGACY_TMP.match(entry)
        pid = match.group(match.lastindex or 1) if match else None
        if pid is not None and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(directory / entry)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
