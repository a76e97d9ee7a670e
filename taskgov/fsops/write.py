"""``write_files``: one file or several, all or none."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from taskgov.fsops.files import (
    commit,
    counter,
    fsync_dir,
    put,
    remove_dead,
    remove_stale,
    temp_path,
)
from taskgov.fsops.lock import locked
from taskgov.fsops.where import Place, contained, display_name, errors, nearby, place


class Write(NamedTuple):
    """One file to write: ``exclusive`` never replaces an existing file."""

    path: Path
    data: str | bytes
    exclusive: bool = False


def write_files(root: Path | None, writes: Sequence[Write]) -> None:
    """Write every file in ``writes`` or none (see the module docstring). ``root`` None: an
    explicit output path the user chose, written safely but not held to a repository.

    Raises ``FileExistsError`` when an ``exclusive`` target exists (nothing is written),
    ``InputError`` for a path outside the repository or a failed write."""
    if root is None:
        _write_all(nearby(writes[0].path) if writes else None, writes, contain=False)
    elif len(writes) > 1:
        with locked(root) as where:
            _write_all(where, writes)
    else:
        _write_all(place(root), writes)


Staged = tuple[Path, Path, bool, str]  # (temporary file, target, exclusive, name shown)


def _write_all(where: Place | None, writes: Sequence[Write], contain: bool = True) -> None:
    staged: list[Staged] = []
    journaled: list[bool] = []
    try:
        for write in writes:
            if where is None or not contain:
                shown = str(write.path)
                with errors(shown):
                    write.path.parent.mkdir(parents=True, exist_ok=True)
                real_parent = Path(os.path.realpath(write.path.parent))
            else:
                shown = display_name(where, write.path)
                real_parent = contained(where, write.path, shown)
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
        journal = where.state / "journal" / f"{os.getpid()}.{next(counter)}.json"
        with errors(str(journal)):
            _journal(journal, json.dumps(entries).encode())
    delay = float(os.environ.get("TASKGOV_TEST_RENAME_DELAY", "0") or 0)  # crash tests only
    # Exclusive targets first: if one exists, nothing has been renamed yet.
    ordered = sorted(staged, key=lambda s: not s[2])
    for index, (tmp, target, exclusive, shown) in enumerate(ordered):
        if delay and (index or len(ordered) == 1):  # after the temporary file, before a rename
            time.sleep(delay)
        try:
            with errors(shown):
                commit(tmp, target, exclusive)
        except BaseException:
            if journal is None or index == 0:
                if journal is not None:
                    os.unlink(journal)
            else:
                journaled.append(True)
            raise
        fsync_dir(target.parent)
    if journal is not None:
        with contextlib.suppress(OSError):
            os.unlink(journal)


def _journal(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    put(path, data)
    fsync_dir(path.parent)


def _prepare(
    where: Place | None, write: Write, real_parent: Path, shown: str
) -> tuple[Path, Path, bool, str]:
    """Write the content to a complete, fsynced temporary file; (tmp, target, exclusive, shown)."""
    data = write.data.encode("utf-8") if isinstance(write.data, str) else write.data
    target = real_parent / write.path.name
    mode = None
    with contextlib.suppress(OSError):
        mode = os.stat(target).st_mode & 0o7777  # keep an existing file's permissions
    if where is None or where.state is None:
        remove_stale(real_parent, write.path.name)
    elif not any((where.state / "journal").glob("*")):  # else a journal may still need them
        remove_stale(real_parent, write.path.name)
        remove_dead(where.state / "tmp")
    tmp = temp_path(where, real_parent, write.path.name)
    with errors(shown):
        put(tmp, data, mode)
    return tmp, target, write.exclusive, shown
