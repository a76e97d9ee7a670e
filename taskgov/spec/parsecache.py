"""Parsed specs cached by git blob id, so that a warm run parses nothing.

Parse results are keyed by (path, blob id): the id of the file's content as git computes it,
so a checkout of another branch reuses whatever it can. A stat shortcut (size, mtime, inode)
skips even reading files that did not change; like git's index, it is not trusted for files
modified within the last two seconds of the cache being written ("racy" entries).

``specs.index`` and ``specs.cache`` are JSON lines (see ``SpecCache``). A run that parsed a
few files appends their lines instead of rewriting 10,000 (later lines win); the files are
rewritten once the lines no longer needed outnumber a quarter of the rest.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from taskgov import __version__
from taskgov.spec.cache import FORMAT, RACY_NS, dumps, git_dir, write_lines
from taskgov.spec.plain import PlainError, decoder, encoder, schema


class SpecCache:
    """Maps (path, blob id) to a parsed ``FileResult``. ``specs.index`` holds the heads,
    ``[path, blob, stat]`` a line; ``specs.cache`` the results, ``[path, blob]``, a tab and
    the result a line (JSON never holds a raw tab). A run that needs the blob ids of 10,000
    files and the results of two reads the small index and finds the two lines; one that needs
    many results parses them all."""

    SEARCHED = 8  # results looked up one by one before all are parsed

    def __init__(self, location: Path | None, fingerprint: str) -> None:
        from taskgov.spec.loader import FileResult

        self.location = location
        self.kind = FileResult
        self.header = dumps(
            {
                "format": FORMAT,
                "version": __version__,
                "fingerprint": fingerprint,
                "schema": schema(FileResult),
            }
        ).encode()
        self.stored: dict[tuple[str, str], Any] | None = None  # all results, as plain data
        self.data = b""  # specs.cache as read, until ``stored`` is filled from it
        self.searched = 0
        self.results: dict[tuple[str, str], Any] = {}
        self.stats: dict[str, tuple[int, int, int, str]] = {}
        self.added: list[tuple[str, str]] = []
        self.used: set[tuple[str, str]] = set()  # entries this run looked up or added
        self.lines = 0  # entry lines in the index
        self.rewrite = True
        self.hits = 0
        if location is not None:
            self._load(location)

    @classmethod
    def for_root(cls, root: Path, fingerprint: str, enabled: bool = True) -> SpecCache:
        """The cache of the repository at ``root``: inside ``shared_caches()``, the same one
        for every caller."""
        directory = git_dir(root) if enabled and not os.environ.get("TASKGOV_NO_CACHE") else None
        location = directory / "taskgov" / "specs.cache" if directory else None
        shared = _SHARED.get()
        if shared is None or location is None:
            return cls(location, fingerprint)
        found = shared.get((location, fingerprint))
        if found is None:
            found = shared[(location, fingerprint)] = cls(location, fingerprint)
        return found

    @property
    def index(self) -> Path:
        assert self.location is not None
        return self.location.with_name("specs.index")

    @property
    def dirty(self) -> bool:
        return bool(self.added)

    def _read(self, location: Path) -> list[bytes]:
        """The entry lines of ``location`` (none unless its header is this cache's)."""
        head, _, body = location.read_bytes().partition(b"\n")
        if head != self.header:
            return []
        lines = body.split(b"\n")
        del lines[-1]  # "" after the last newline, or a line cut short by an interrupted append
        return lines

    def _load(self, location: Path) -> None:
        try:
            lines = self._read(self.index)
            self.data = location.read_bytes()
            for path, blob, stat in json.loads(b"[" + b",".join(lines) + b"]"):
                if stat is None:
                    self.stats.pop(path, None)
                else:
                    size, mtime, inode = stat
                    self.stats[path] = (size, mtime, inode, blob)
        except (OSError, ValueError, TypeError):  # missing, damaged, or not ours
            self.stats.clear()
            self.data = b""
            return
        if not self.data.startswith(self.header + b"\n"):
            self.data = b""  # written for another policy or version: nothing in it counts
        self.lines = len(lines)
        self.rewrite = not lines or not self.data

    def load_all(self) -> None:
        """Parse every stored result now: for a caller that will ask for most of them."""
        self._stored()

    def _stored(self) -> dict[tuple[str, str], Any]:
        if self.stored is None:
            self.stored = {}
            lines = self.data.split(b"\n")[1:-1]  # no header; no "" or torn line at the end
            splits = [line.partition(b"\t") for line in lines]
            try:  # two JSON documents for all the lines: a tenth of the time of one per line
                keys = json.loads(b"[" + b",".join([part[0] for part in splits]) + b"]")
                results = json.loads(b"[" + b",".join([part[2] for part in splits]) + b"]")
                self.stored = {
                    (path, blob): plain for (path, blob), plain in zip(keys, results, strict=True)
                }
            except (ValueError, TypeError):  # a damaged line: keep the others
                for head, _, result in splits:
                    try:
                        path, blob = json.loads(head)
                        self.stored[(path, blob)] = json.loads(result)
                    except (ValueError, TypeError):
                        continue
            self.data = b""
        return self.stored

    def _plain(self, key: tuple[str, str]) -> Any:
        """The stored result for ``key`` as plain data; ``None`` when there is none."""
        self.searched += 1
        if self.stored is not None or self.searched > self.SEARCHED:
            return self._stored().get(key)
        prefix = b"\n" + dumps(list(key)).encode() + b"\t"
        start = self.data.rfind(prefix)  # the last line for ``key`` is the one that counts
        end = self.data.find(b"\n", start + 1)
        if start < 0 or end < 0:
            return None
        try:
            return json.loads(self.data[start + len(prefix) : end])
        except ValueError:
            return None

    def known_blob(self, relpath: str, stat: os.stat_result) -> str | None:
        entry = self.stats.get(relpath)
        if entry and entry[:3] == (stat.st_size, stat.st_mtime_ns, stat.st_ino):
            return entry[3]
        return None

    def get(self, relpath: str, blob: str) -> Any:
        key = (relpath, blob)
        result = self.results.get(key)
        if result is None:
            plain = self._plain(key)
            if plain is None:
                return None
            try:
                result = self.results[key] = decoder(self.kind)(plain)
            except (PlainError, TypeError, ValueError, KeyError, AttributeError):
                self.stats.pop(relpath, None)  # the wrong shape: parse the file again
                return None
        self.hits += 1
        self.used.add(key)
        return result

    def put(self, relpath: str, blob: str, stat: os.stat_result | None, result: Any) -> None:
        key = (relpath, blob)
        entry = None if stat is None else (stat.st_size, stat.st_mtime_ns, stat.st_ino, blob)
        if self.results.get(key) is result and self.stats.get(relpath) == entry:
            return  # already known, with the same stat data
        self.results[key] = result
        if entry is not None:
            self.stats[relpath] = entry
        else:
            self.stats.pop(relpath, None)
        self.added.append(key)
        self.used.add(key)

    def save(self, live: set[str], complete: bool = True) -> None:
        """Write what changed. ``complete``: this run looked up every spec in ``live``, so a
        rewrite may keep only what it used (entries of deleted files and older contents go);
        otherwise new entries are only appended."""
        if self.location is None or not self.added:
            return
        kept = sorted(key for key in self.used if key[0] in live)
        if complete and (self.rewrite or self.lines + len(self.added) > len(kept) * 5 // 4 + 64):
            self._write(kept, append=False)
            self.lines, self.rewrite = len(kept), False
        elif not self.rewrite:
            self._write(self.added, append=True)
            self.lines += len(self.added)
        else:
            return  # only a complete run may write the file anew
        self.added = []

    def _write(self, keys: list[tuple[str, str]], append: bool) -> None:
        cutoff = time.time_ns() - RACY_NS
        heads, results = [], []
        for key in keys:
            path, blob = key
            entry = self.stats.get(path)
            stat = list(entry[:3]) if entry and entry[3] == blob and entry[1] < cutoff else None
            heads.append(dumps([path, blob, stat]) + "\n")
            result = self.results.get(key)
            plain = self._stored()[key] if result is None else encoder(self.kind)(result)
            text = dumps(plain)
            results.append(f"{dumps(list(key))}\t{text}\n")
        if not append:
            heads.insert(0, self.header.decode() + "\n")
            results.insert(0, self.header.decode() + "\n")
        assert self.location is not None
        write_lines(self.location, results, append)  # results first: an index line names one
        write_lines(self.index, heads, append)


_SHARED: ContextVar[dict[tuple[Path, str], SpecCache] | None] = ContextVar(
    "taskgov_shared_caches", default=None
)


@contextmanager
def shared_caches() -> Iterator[None]:
    """Inside the block, ``SpecCache.for_root`` gives every caller the same cache for the same
    repository and policy, so that one command reads and parses the cache files once."""
    outer = _SHARED.get()
    token = _SHARED.set({} if outer is None else outer)
    try:
        yield
    finally:
        _SHARED.reset(token)
