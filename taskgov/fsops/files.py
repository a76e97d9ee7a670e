"""The steps of one durable write: a temporary file written whole and fsynced, then renamed;
and the removal of the temporary files a killed run left."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
from pathlib import Path

from taskgov.fsops.where import Place

TMP_SUFFIX = ".taskgov-tmp"
# Written by earlier versions beside the target: ".TASK-2026-001.yaml.1234.tmp".
_LEGACY_TMP = re.compile(r"^\.(.+\.(?:ya?ml|md|jsonl?))\.(\d+)\.tmp$")
OWN_TMP = re.compile(r"^\.?.+\.(\d+)\.\d+" + re.escape(TMP_SUFFIX) + "$")
counter = itertools.count()


def temp_path(where: Place | None, real_parent: Path, name: str) -> Path:
    unique = f"{os.getpid()}.{next(counter)}"
    if where is not None and where.state is not None:
        directory = where.state / "tmp"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            if os.stat(directory).st_dev == os.stat(real_parent).st_dev:
                return directory / f"{name}.{unique}{TMP_SUFFIX}"
        except OSError:
            pass
    return real_parent / f".{name}.{unique}{TMP_SUFFIX}"


def put(path: Path, data: bytes, mode: int | None = None) -> None:
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


def commit(tmp: Path, target: Path, exclusive: bool) -> None:
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


def fsync_dir(directory: Path) -> None:
    """Make a rename durable; some filesystems cannot sync a directory, which is no error."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale(directory: Path, name: str) -> None:
    """Remove temporary files a killed run left beside ``name`` (this version's or an earlier
    one's), unless a journal still needs them."""
    try:
        entries = [e.name for e in os.scandir(directory) if e.name.startswith(f".{name}.")]
    except OSError:
        return
    for entry in entries:
        match = OWN_TMP.match(entry) or _LEGACY_TMP.match(entry)
        pid = match.group(match.lastindex or 1) if match else None
        if pid is not None and not alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(directory / entry)


def remove_dead(tmp_dir: Path) -> None:
    """Remove the temporary files in the git directory whose writer is gone."""
    try:
        entries = list(os.scandir(tmp_dir))
    except OSError:
        return
    for entry in entries:
        match = OWN_TMP.match(entry.name)
        if match and not alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
