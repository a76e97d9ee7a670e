"""What taskgov caches under ``.git/taskgov/`` and how it reads it back safely.

The caches live in the git directory (``.git/taskgov/``), never in the work tree, and hold JSON
only: reading one can never run code, and a file that does not parse, comes from another
version of taskgov or has the wrong shape is a miss, never an error. A repository owned by
another user is not trusted with caches at all (git's ``safe.directory`` rule).

The parse cache itself is ``taskgov.spec.parsecache``; this module has what every cache shares
and the small ones (``memo_get``/``memo_put``).
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from taskgov import __version__
from taskgov.spec.plain import PlainError, decoder, schema, to_plain

FORMAT = 11  # 11: JSON records; unreadable placeholders, partial validation, text hygiene
RACY_NS = 2_000_000_000
_GIT_DIRS: dict[Path, Path | None] = {}


def blob_id(data: bytes, length: int = 40) -> str:
    """The git blob id of ``data`` (what ``git hash-object`` prints) in a repository whose ids
    are ``length`` hex digits long: 40 (SHA-1) or 64 (SHA-256). For files git stores as they
    are (no clean filter, no line-ending conversion), it is the id ``git add`` writes."""
    import hashlib

    if length not in (40, 64):
        raise ValueError(f"no git object format has {length}-digit ids")
    digest = hashlib.sha1(usedforsecurity=False) if length == 40 else hashlib.sha256()
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


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
    """Build many objects at once without the collector scanning them over and over: none of
    them form cycles, and for 10,000 specs the scans cost as much as the building."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Straight into the oldest generation, as if they had survived the young ones: else
        # the first allocation after gc.enable() scans all 200,000 of them at once.
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def write_lines(location: Path, lines: list[str], append: bool) -> None:
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
    # repr is stable for what keys are made of (str, bytes, numbers, tuples of them), and
    # keys are small: the key itself is stored, no hash (hashlib would cost the hook 8 ms).
    return f"{FORMAT}\0{__version__}\0{key!r}"


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
        text = dumps(stored)
    except (TypeError, ValueError):  # no JSON form: not cached
        return
    write_lines(location, [text], append=False)
