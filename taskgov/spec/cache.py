"""Parsed specs cached by git blob id, so that a warm run parses nothing.

The caches live in the git directory (``.git/taskgov/``), never in the work tree, and hold JSON
only: reading one can never run code, and a file that does not parse, comes from another
version of taskgov or has the wrong shape is a miss, never an error. A repository owned by
another user is not trusted with caches at all (git's ``safe.directory`` rule).

Parse results are keyed by (path, blob id): the id of the file's content as git computes it,
so a checkout of another branch reuses whatever it can. A stat shortcut (size, mtime, inode)
skips even reading files that did not change; like git's index, it is not trusted for files
modified within the last two seconds of the cache being written ("racy" entries).

``specs.cache`` is JSON lines: a header, then one line per entry, ``[path, blob, stat]``, a tab
and the result (JSON never holds a raw tab). Reading it parses the heads only; a result is
parsed when asked for, so a run that needs the blob ids of 10,000 files and the results of
two parses two. A run that parsed a few files appends their lines instead of rewriting 10,000
(later lines win); the file is rewritten once the lines it no longer needs outnumber a
quarter of the rest.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from taskgov import __version__
from taskgov.spec.plain import PlainError, decoder, encoder, schema, to_plain

FORMAT = 9
RACY_NS = 2_000_000_000
_GIT_DIRS: dict[Path, Path | None] = {}


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (what ``git hash-object`` prints)."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def git_dir(root: Path) -> Path | None:
    """The git directory of the repository at ``root``; ``None`` outside git and for a
    repository git would refuse (owned by another user, not in ``safe.directory``)."""
    if root in _GIT_DIRS:  # asked once per command for every cache: remember what was found
        return _GIT_DIRS[root]
    from taskgov.ownership import is_trusted

    found: Path | None = None
    dot_git = root / ".git"
    if dot_git.is_dir():
        found = dot_git if is_trusted(root) else None
    elif dot_git.is_file():  # worktrees and submodules: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text.split(":", 1)[1].strip())
            target = target if target.is_absolute() else (root / target).resolve()
            found = target if is_trusted(root, target) else None
    if found is not None:
        _GIT_DIRS[root] = found
    return found


@contextmanager
def paused_gc() -> Iterator[None]:
    """Build many objects at once without the collector scanning them over and over (it
    costs as much as the building: none of them form cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class SpecCache:
    """Maps (path, blob id) to a parsed ``FileResult``; loaded and saved as one file."""

    def __init__(self, location: Path | None, fingerprint: str) -> None:
        from taskgov.spec.loader import FileResult

        self.location = location
        self.kind = FileResult
        self.header = {
            "format": FORMAT,
            "version": __version__,
            "fingerprint": fingerprint,
            "schema": schema(FileResult),
        }
        self.stored: dict[tuple[str, str], bytes] = {}  # results as read, parsed on use
        self.results: dict[tuple[str, str], Any] = {}
        self.stats: dict[str, tuple[int, int, int, str]] = {}
        self.added: list[tuple[str, str]] = []
        self.used: set[tuple[str, str]] = set()  # entries this run looked up or added
        self.lines = 0  # entry lines in the file; None: the file must be rewritten
        self.rewrite = True
        self.hits = 0
        if location is not None:
            self._load(location)

    @classmethod
    def for_root(cls, root: Path, fingerprint: str, enabled: bool = True) -> SpecCache:
        directory = git_dir(root) if enabled and not os.environ.get("TASKGOV_NO_CACHE") else None
        return cls(directory / "taskgov" / "specs.cache" if directory else None, fingerprint)

    @property
    def dirty(self) -> bool:
        return bool(self.added)

    def _load(self, location: Path) -> None:
        try:
            data = location.read_bytes()
            head, _, body = data.partition(b"\n")
            if json.loads(head) != self.header:
                return
            lines = body.split(b"\n")
            if lines[-1]:
                return  # torn by an interrupted append: start again
            del lines[-1]
            splits = [line.partition(b"\t") for line in lines]
            heads = json.loads(b"[" + b",".join([part[0] for part in splits]) + b"]")
            for (path, blob, stat), (_, _, result) in zip(heads, splits, strict=True):
                self.stored[(path, blob)] = result
                if stat is None:
                    self.stats.pop(path, None)
                else:
                    size, mtime, inode = stat
                    self.stats[path] = (size, mtime, inode, blob)
        except (OSError, ValueError, TypeError):  # missing, damaged, or not ours
            self.stored.clear()
            self.stats.clear()
            return
        self.lines = len(lines)
        self.rewrite = False

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self.results or key in self.stored

    def known_blob(self, relpath: str, stat: os.stat_result) -> str | None:
        entry = self.stats.get(relpath)
        if entry and entry[:3] == (stat.st_size, stat.st_mtime_ns, stat.st_ino):
            return entry[3]
        return None

    def get(self, relpath: str, blob: str) -> Any:
        key = (relpath, blob)
        result = self.results.get(key)
        if result is None and key in self.stored:
            try:
                plain = json.loads(self.stored[key])
                result = self.results[key] = decoder(self.kind)(plain)
            except (PlainError, TypeError, ValueError, KeyError, AttributeError):
                del self.stored[key]  # the wrong shape: parse the file again
                self.stats.pop(relpath, None)
                return None
        if result is not None:
            self.hits += 1
            self.used.add(key)
        return result

    def put(self, relpath: str, blob: str, stat: os.stat_result | None, result: Any) -> None:
        self.results[(relpath, blob)] = result
        if stat is not None:
            self.stats[relpath] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, blob)
        else:
            self.stats.pop(relpath, None)
        self.added.append((relpath, blob))
        self.used.add((relpath, blob))

    def save(self, live: set[str], complete: bool = True) -> None:
        """Write what changed. ``complete``: this run looked up every spec in ``live``, so a
        rewrite may keep only what it used (entries of deleted files and older contents go);
        otherwise new entries are only appended."""
        if self.location is None or not self.added:
            return
        kept = [key for key in self.used if key[0] in live]
        garbage = self.lines + len(self.added) - len(kept)
        if not complete:
            if not self.rewrite:
                _write(self.location, [self._line(key) for key in self.added], append=True)
        elif self.rewrite or garbage > len(kept) // 4 + 64:
            lines = [_dumps(self.header) + "\n", *(self._line(key) for key in sorted(kept))]
            _write(self.location, lines, append=False)
        elif self.added:
            _write(self.location, [self._line(key) for key in self.added], append=True)

    def _line(self, key: tuple[str, str]) -> str:
        path, blob = key
        entry = self.stats.get(path)
        stat = None
        if entry is not None and entry[3] == blob and entry[1] < time.time_ns() - RACY_NS:
            stat = list(entry[:3])
        result = self.results.get(key)
        if result is None:
            plain = self.stored[key].decode("utf-8")
        else:
            plain = _dumps(encoder(self.kind)(result))
        return f"{_dumps([path, blob, stat])}\t{plain}\n"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _write(location: Path, lines: list[str], append: bool) -> None:
    """Write lines: appended, or replacing ``location`` atomically. A read-only git
    directory just means no cache."""
    try:
        location.parent.mkdir(parents=True, exist_ok=True)
        if append:
            with location.open("a", encoding="utf-8") as handle:
                handle.write("".join(lines))
            return
        tmp = location.with_name(f"{location.name}.{os.getpid()}.tmp")
        tmp.write_text("".join(lines), encoding="utf-8")
        os.replace(tmp, location)
    except OSError:
        pass


def _memo_path(root: Path, name: str) -> Path | None:
    if os.environ.get("TASKGOV_NO_CACHE"):
        return None
    directory = git_dir(root)
    return directory / "taskgov" / name if directory else None


def _memo_key(key: object) -> str:
    import hashlib

    # repr is stable for what keys are made of (str, bytes, numbers, tuples of them).
    return hashlib.sha1(f"{FORMAT}\0{__version__}\0{key!r}".encode()).hexdigest()


def memo_get(root: Path, name: str, key: object) -> Any:
    """A small value cached under ``name`` for exactly ``key``, else ``None``. A record
    (dataclass or NamedTuple) comes back as its class only if that class's module is
    already imported: nothing is imported because a cache file names it."""
    import sys

    location = _memo_path(root, name)
    try:
        stored = json.loads(location.read_bytes()) if location is not None else None
        if not isinstance(stored, dict) or stored.get("key") != _memo_key(key):
            return None
        kind = stored.get("type")
        if kind is None:
            return stored.get("value")
        module, _, qualname = str(kind).partition(":")
        cls = getattr(sys.modules[module], qualname) if module.startswith("taskgov.") else None
        if not isinstance(cls, type) or stored.get("schema") != schema(cls):
            return None
        return decoder(cls)(stored["value"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError, PlainError):
        return None


def memo_put(root: Path, name: str, key: object, value: object) -> None:
    location = _memo_path(root, name)
    if location is None:
        return
    plain = to_plain(value)
    cls = type(value)
    typed = plain is not value
    stored = {
        "key": _memo_key(key),
        "type": f"{cls.__module__}:{cls.__qualname__}" if typed else None,
        "schema": schema(cls) if typed else None,
        "value": plain,
    }
    try:
        text = _dumps(stored)
    except (TypeError, ValueError):  # no JSON form: not cached
        return
    _write(location, [text], append=False)
