"""The month files: read, append exactly once, repair, rewrite; one writer at a time.

A month's records are in ``YYYY-MM.jsonl``; a busy month continues in ``YYYY-MM.2.jsonl``,
``YYYY-MM.3.jsonl``... once a part holds ``PART_BYTES``. Every commit's hook hands the file
it appends to to ``git add``, which hashes and compresses all of it: parts keep that cost
flat however busy the month (a month with a commit every ten minutes is 2.4 MB). The rule is
the same for appends and rewrites (a line goes to the month's last part unless that part
already holds ``PART_BYTES``), so appending records one by one and rewriting them all give
the same files. Readers take every ``*.jsonl`` in the directory.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from taskgov.errors import InputError
from taskgov.log.records import month_of


def _part_bytes() -> int:
    """256 KiB; the tests set ``TASKGOV_TEST_LOG_PART_BYTES`` to see parts with few commits."""
    given = os.environ.get("TASKGOV_TEST_LOG_PART_BYTES", "")
    return int(given) if given.isdigit() and int(given) > 0 else 256 * 1024


PART_BYTES = _part_bytes()


def part_name(month: str, part: int) -> str:
    return f"{month}.jsonl" if part == 1 else f"{month}.{part}.jsonl"


def part_key(path: Path) -> tuple[str, int]:
    """Reading order: by month, then part (``2026-12.jsonl`` before ``2026-12.2.jsonl``)."""
    month, _, part = path.name.removesuffix(".jsonl").partition(".")
    if not part:
        return (month, 1)
    return (month, int(part)) if part.isdigit() else (path.name, 0)


def fill(lines: list[str], part: int, size: int) -> list[tuple[int, list[str]]]:
    """Which part each of ``lines`` goes to, continuing part ``part`` that already holds
    ``size`` bytes: (part, lines) in order."""
    parts: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for line in lines:
        if size >= PART_BYTES:
            if current:
                parts.append((part, current))
            part, size, current = part + 1, 0, []
        current.append(line)
        size += len(line.encode("utf-8")) + 1
    if current:
        parts.append((part, current))
    return parts


class LoggedRecord(NamedTuple):
    record: dict[str, Any]
    path: str  # relative to the repository root
    line: int


class BadLine(NamedTuple):
    path: str
    line: int
    reason: str


def dumps(record: dict[str, Any]) -> str:
    """One line in the seed's style (``{"date": ..., "commit": ...}``), keys in field order."""
    return json.dumps(record, ensure_ascii=False)


class LogStore:
    def __init__(self, root: Path, directory: str, lock_dir: Path | None) -> None:
        self.root = root
        self.relative = directory.rstrip("/")
        self.directory = root / directory
        self.lock_path = (lock_dir / "log.lock") if lock_dir else None

    def check_inside(self) -> None:
        """Refuse to write when the log directory (or a directory above it) is a symbolic link
        that leads outside the repository: a cloned repository must not make taskgov write or
        delete files elsewhere."""
        root = self.root.resolve()
        target = self.directory.resolve()
        if target != root and root not in target.parents:
            raise InputError(
                f"{self.relative}: leads outside the repository (to {target}); "
                "refusing to write the contribution log there"
            )

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive for the duration: concurrent syncs wait for each other."""
        if self.lock_path is None:
            yield
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a+") as handle:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - not POSIX
                yield
                return
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(
            (p for p in self.directory.glob("*.jsonl") if p.is_file() and not p.is_symlink()),
            key=part_key,
        )

    def _last_part(self, month: str) -> tuple[int, int]:
        """The month's last part and its size in bytes (part 1, 0 bytes: none yet)."""
        part, size = 1, 0
        while True:
            try:
                size = os.stat(self.directory / part_name(month, part)).st_size
            except FileNotFoundError:
                return (part - 1, size) if part > 1 else (1, 0)
            part += 1

    def read(self) -> tuple[list[LoggedRecord], list[BadLine]]:
        records: list[LoggedRecord] = []
        bad: list[BadLine] = []
        if self.directory.is_dir():
            self.check_inside()
        for path in self.files():
            shown = f"{self.relative}/{path.name}"
            data = path.read_bytes()
            lines = data.split(b"\n")
            for number, raw in enumerate(lines, start=1):
                if not raw.strip():
                    continue
                torn = number == len(lines) and not data.endswith(b"\n")
                try:
                    value = json.loads(raw)
                except (ValueError, UnicodeDecodeError):
                    reason = "torn last line (an interrupted write)" if torn else "not JSON"
                    bad.append(BadLine(shown, number, reason))
                    continue
                if not isinstance(value, dict) or not isinstance(value.get("commit"), str):
                    bad.append(BadLine(shown, number, "not a record with a commit id"))
                    continue
                records.append(LoggedRecord(value, shown, number))
        return records, bad

    def repair(self) -> list[str]:
        """Cut a torn last line (an interrupted append) from each file; returns those files.
        Only the incomplete tail is removed: it is re-derived by the sync that follows."""
        self.check_inside()
        repaired = []
        for path in self.files():
            with path.open("rb") as handle:  # the last byte says it all, mostly: no full read
                size = handle.seek(0, os.SEEK_END)
                if size == 0:
                    continue
                handle.seek(size - 1)
                if handle.read(1) == b"\n":
                    continue
            data = path.read_bytes()
            last = data.rsplit(b"\n", 1)[-1]
            try:
                json.loads(last)
            except (ValueError, UnicodeDecodeError):
                keep = len(data) - len(last)
                with path.open("r+b") as handle:
                    handle.truncate(keep)
                repaired.append(path.name)
            else:
                with path.open("ab") as handle:  # complete but unterminated: terminate it
                    handle.write(b"\n")
        return repaired

    def append(self, records: list[dict[str, Any]]) -> None:
        """Append records (oldest first) to their month files, each file in one write."""
        self.check_inside()
        by_month: dict[str, list[str]] = {}
        for record in records:
            by_month.setdefault(month_of(record), []).append(dumps(record))
        self.directory.mkdir(parents=True, exist_ok=True)
        for month, lines in sorted(by_month.items()):
            for part, chunk in fill(lines, *self._last_part(month)):
                self._append_to(part_name(month, part), chunk)

    def _append_to(self, name: str, lines: list[str]) -> None:
        payload = ("\n".join(lines) + "\n").encode("utf-8")
        fd = os.open(
            self.directory / name,
            os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW,
            0o644,
        )
        try:
            view = memoryview(payload)
            while view:  # a short write is continued, never taken for the whole
                written = os.write(fd, view)
                if written <= 0:  # no progress: the disk is full (as fsops.files.put)
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)

    def rewrite(self, records: list[dict[str, Any]]) -> list[str]:
        """Make the month files hold exactly ``records`` (in order). Only files whose content
        changes are written (a file left as it was keeps its stat data, so git and the caches
        see no change); a month left without records is removed. Returns the files written."""
        self.check_inside()
        by_month: dict[str, list[str]] = {}
        for record in records:
            by_month.setdefault(month_of(record), []).append(dumps(record))
        from taskgov.spec.yamlio import atomic_write

        written, wanted = [], set()
        for month, lines in sorted(by_month.items()):
            for part, chunk in fill(lines, 1, 0):
                path = self.directory / part_name(month, part)
                wanted.add(path.name)
                text = "\n".join(chunk) + "\n"
                try:
                    same = path.read_bytes() == text.encode("utf-8")
                except OSError:
                    same = False
                if not same:
                    self.directory.mkdir(parents=True, exist_ok=True)
                    atomic_write(path, text, root=self.root)
                    written.append(path.name)
        for path in self.files():
            if path.name not in wanted:
                path.unlink()
                written.append(path.name)
        return written
