"""One lock per repository, in the git common directory, and the recovery that runs under it."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from taskgov.errors import InputError
from taskgov.fsops.files import commit, fsync_dir, remove_dead
from taskgov.fsops.where import Place, place

_held: dict[str, int] = {}  # lock files this process holds, with their nesting depth


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
        raise InputError(f"cannot lock {target} for writing: {exc.strerror or exc}") from None
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
                    commit(tmp, target, bool(entry["exclusive"]))
                fsync_dir(target.parent)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # left for the next run rather than half-applied twice
        with contextlib.suppress(OSError):
            journal.unlink()
    remove_dead(state / "tmp")
