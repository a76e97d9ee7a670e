"""The month files: read, append exactly once, repair, rewrite; one writer at a time."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from taskgov.errors import InputError
from taskgov.log.records import month_of


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
            p for p in self.directory.glob("*.jsonl") if p.is_file() and not p.is_symlink()
        )

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
            payload = ("\n".join(lines) + "\n").encode("utf-8")
            fd = os.open(
                self.directory / f"{month}.jsonl",
                os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW,
                0o644,
            )
            try:
                os.write(fd, payload)
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

        written = []
        for month, lines in sorted(by_month.items()):
            path = self.directory / f"{month}.jsonl"
            text = "\n".join(lines) + "\n"
            try:
                same = path.read_bytes() == text.encode("utf-8")
            except OSError:
                same = False
            if not same:
                self.directory.mkdir(parents=True, exist_ok=True)
                atomic_write(path, text, root=self.root)
                written.append(path.name)
        for path in self.files():
            if path.stem not in by_month:
                path.unlink()
                written.append(path.name)
        return written
