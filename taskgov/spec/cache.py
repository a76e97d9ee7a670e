"""Parsed specs cached by git blob id, so that a warm run parses nothing.

The cache lives in the git directory (``.git/taskgov/specs.cache``), never in the work tree.
Entries are keyed by (path, blob id): the id of the file's content as git computes it, so a
checkout of another branch reuses whatever it can. A stat shortcut (size, mtime, inode) skips
even reading files that did not change; like git's index, it is not trusted for files modified
within the last two seconds of the cache being written ("racy" entries).
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import Any

from taskgov import __version__

FORMAT = 10  # 10: unreadable placeholders, partial validation, text hygiene (TG146/TG147)
RACY_NS = 2_000_000_000


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (what ``git hash-object`` prints)."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # worktrees and submodules: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text.split(":", 1)[1].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


class SpecCache:
    """Maps (path, blob id) to a parsed ``FileResult``; loaded and saved as one file."""

    def __init__(self, location: Path | None, fingerprint: str) -> None:
        self.location = location
        self.key = (FORMAT, __version__, fingerprint)
        self.results: dict[tuple[str, str], Any] = {}
        self.stats: dict[str, tuple[int, int, int, str]] = {}
        self.dirty = False
        self.hits = 0
        if location is not None:
            self._load(location)

    @classmethod
    def for_root(cls, root: Path, fingerprint: str, enabled: bool = True) -> SpecCache:
        directory = git_dir(root) if enabled and not os.environ.get("TASKGOV_NO_CACHE") else None
        return cls(directory / "taskgov" / "specs.cache" if directory else None, fingerprint)

    def _load(self, location: Path) -> None:
        stored = _read_pickle(location)
        if isinstance(stored, dict) and stored.get("key") == self.key:
            self.results = stored["results"]
            self.stats = stored["stats"]

    def known_blob(self, relpath: str, stat: os.stat_result) -> str | None:
        entry = self.stats.get(relpath)
        if entry and entry[:3] == (stat.st_size, stat.st_mtime_ns, stat.st_ino):
            return entry[3]
        return None

    def get(self, relpath: str, blob: str) -> Any:
        result = self.results.get((relpath, blob))
        if result is not None:
            self.hits += 1
        return result

    def put(self, relpath: str, blob: str, stat: os.stat_result | None, result: Any) -> None:
        self.results[(relpath, blob)] = result
        if stat is not None:
            self.stats[relpath] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, blob)
        self.dirty = True

    def save(self, live: set[str]) -> None:
        """Write the cache, keeping only entries for files that still exist."""
        if self.location is None:
            return
        stale = [key for key in self.results if key[0] not in live]
        if not self.dirty and not stale:
            return
        for key in stale:
            del self.results[key]
        cutoff = time.time_ns() - RACY_NS
        stats = {
            path: entry
            for path, entry in self.stats.items()
            if path in live and entry[1] < cutoff and (path, entry[3]) in self.results
        }
        _write_pickle(self.location, {"key": self.key, "results": self.results, "stats": stats})


def _read_pickle(location: Path) -> Any:
    """The object stored at ``location``; ``None`` when missing or damaged (a damaged cache
    only makes a run slower)."""
    try:
        with location.open("rb") as handle:
            return pickle.load(handle)
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        ValueError,
        TypeError,
    ):
        return None


def _write_pickle(location: Path, payload: object) -> None:
    """Replace ``location`` atomically; a read-only git directory just means no cache."""
    try:
        location.parent.mkdir(parents=True, exist_ok=True)
        tmp = location.with_name(f"{location.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, location)
    except OSError:
        pass


def _memo_path(root: Path, name: str) -> Path | None:
    if os.environ.get("TASKGOV_NO_CACHE"):
        return None
    directory = git_dir(root)
    return directory / "taskgov" / name if directory else None


def memo_get(root: Path, name: str, key: object) -> Any:
    """A small value cached under ``name`` for exactly ``key``, else ``None``."""
    location = _memo_path(root, name)
    stored = _read_pickle(location) if location is not None else None
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == (FORMAT, __version__, key):
        return stored[1]
    return None


def memo_put(root: Path, name: str, key: object, value: object) -> None:
    location = _memo_path(root, name)
    if location is not None:
        _write_pickle(location, ((FORMAT, __version__, key), value))
