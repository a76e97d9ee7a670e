"""Walk commit history with one streaming ``git log`` process.

No process per commit and no object per commit beyond a small frozen record: a history of
tens of thousands of commits streams through in one pass. Output is framed so that any message
parses: fields end with NUL (which a commit message cannot contain) and each record starts
with ``\\x1e`` right after a NUL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from taskgov.git.process import (
    GitError,
    NotARepository,
    Running,
    complaint,
    git_command,
    is_partial_clone,
    rev_parse,
    run_git,
)
from taskgov.git.refs import head_and_target

# Re-exported: callers import the git layer's entry points from here.
__all__ = [
    "Commit",
    "FileChange",
    "GitError",
    "NotARepository",
    "git_command",
    "head_and_target",
    "reference_time",
    "rev_parse",
    "run_git",
    "walk",
]

_FORMAT = "%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%B%x00"
_FIELDS = 7
_BOUNDARY = b"\x00\x1e"


class FileChange(NamedTuple):
    path: str
    added: int | None  # None for binary files
    removed: int | None
    old_path: str | None = None  # set for renames and copies


class Commit(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str  # ISO 8601 with offset, as git prints it
    committer_date: str
    message: str
    changes: tuple[FileChange, ...] = ()
    complete: bool = True  # False: line counts unavailable (objects missing, partial clone)

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def walk(
    root: Path,
    revisions: Sequence[str] = ("HEAD",),
    *,
    numstat: bool = False,
    grep: Sequence[str] = (),
    extra: Sequence[str] = (),
    attributes: Path | None = None,
) -> Iterator[Commit]:
    """Commits reachable from ``revisions`` (newest first), streamed from one ``git log``.

    ``grep`` keeps commits whose message matches any of the (extended, case-insensitive)
    patterns, filtered inside git. ``numstat`` adds per-file line counts (renames detected).
    ``attributes``: a gitattributes file for this walk (e.g. ``-diff`` for files whose line
    counts are not wanted, so git does not diff them).

    Yields nothing only for ``revisions == ["HEAD"]`` in a repository without commits. Every
    git failure raises ``GitError``, also after some commits were yielded (a stream that dies
    mid-walk): callers must not write anything derived from a walk that did not finish. The one
    tolerated failure is a partial clone lacking file contents for ``numstat``: those commits
    come without line counts (``complete=False``).
    """
    args = ["log", "-z", f"--format={_FORMAT}", "--no-color", "--encoding=UTF-8"]
    if attributes is not None:
        args = ["-c", f"core.attributesFile={attributes}", *args]
    filters = [*(["-E", "-i", *(f"--grep={p}" for p in grep)] if grep else []), *extra]
    stats = ["--numstat", "-M"] if numstat else []
    yielded: set[str] = set()
    try:
        for commit in _stream(root, [*args, *stats, *filters, *revisions, "--"]):
            yielded.add(commit.sha)
            yield commit
    except GitError:
        if not yielded and list(revisions) == ["HEAD"] and rev_parse(root, "HEAD") is None:
            return  # a repository without commits has no history
        if not numstat or not is_partial_clone(root):
            raise
        # Line counts need file contents; a partial clone whose remote cannot be reached lacks
        # them. Report those commits without counts (file lists need only trees) and go on.
        remaining = [sha for sha in _rev_list(root, [*filters, *revisions]) if sha not in yielded]
        if not remaining:
            return
        fallback = [*args, "--raw", "--no-renames", "--no-walk=unsorted", "--stdin"]
        for commit in _stream(root, fallback, stdin="\n".join(remaining) + "\n", raw=True):
            yield commit


def _rev_list(root: Path, arguments: list[str]) -> list[str]:
    """Commit ids only (needs no file contents); ``GitError`` when even that fails."""
    return run_git(root, "rev-list", *arguments, "--").split()


def _stream(
    root: Path, args: list[str], stdin: str | None = None, raw: bool = False
) -> Iterator[Commit]:
    running = Running(git_command(root, *args), stdin.encode() if stdin is not None else None)
    buffer = b""
    for chunk in running.output():
        buffer += chunk
        records = buffer.split(_BOUNDARY)
        buffer = records.pop()
        for record in records:
            yield _parse(record, raw)
    if buffer.strip(b"\x00\n"):
        yield _parse(buffer, raw)
    if running.returncode != 0:
        raise complaint(running.stderr, f"git log stopped (exit status {running.returncode})")


def _parse(record: bytes, raw: bool = False) -> Commit:
    if record.startswith(b"\x1e"):
        record = record[1:]
    parts = record.split(b"\x00", _FIELDS)
    if len(parts) < _FIELDS:
        raise GitError("git: unexpected output from git log")
    sha, parents, name, email, author_date, committer_date, message = (
        part.decode("utf-8", "replace") for part in parts[:_FIELDS]
    )
    tail = parts[_FIELDS] if len(parts) > _FIELDS else b""
    return Commit(
        sha=sha,
        parents=tuple(parents.split()),
        author_name=name,
        author_email=email,
        author_date=author_date,
        committer_date=committer_date,
        message=message,
        changes=_raw(tail) if raw else _numstat(tail),
        complete=not raw,
    )


def _raw(tail: bytes) -> tuple[FileChange, ...]:
    """``:modes ids status\\0path\\0`` entries (``--raw -z --no-renames``): paths only."""
    fields = [f for f in tail.lstrip(b"\x00").lstrip(b"\n").split(b"\x00") if f]
    paths = [f for f in fields if not f.startswith(b":")]
    return tuple(FileChange(p.decode("utf-8", "surrogateescape"), None, None) for p in paths)


def _numstat(tail: bytes) -> tuple[FileChange, ...]:
    """``added\\tremoved\\tpath\\0`` entries; renames are ``added\\tremoved\\t\\0old\\0new\\0``."""
    data = tail.lstrip(b"\x00").lstrip(b"\n")
    changes = []
    position = 0
    while position < len(data):
        start = position
        first_tab = data.find(b"\t", position)
        second_tab = data.find(b"\t", first_tab + 1)
        if first_tab < 0 or second_tab < 0:
            break
        added = _count(data[position:first_tab])
        removed = _count(data[first_tab + 1 : second_tab])
        position = second_tab + 1
        if data[position : position + 1] == b"\x00":
            old_end = _end_of_field(data, position + 1)
            new_end = _end_of_field(data, old_end + 1)
            old = data[position + 1 : old_end].decode("utf-8", "surrogateescape")
            new = data[old_end + 1 : new_end].decode("utf-8", "surrogateescape")
            changes.append(FileChange(new, added, removed, old))
            position = new_end + 1
        else:
            end = _end_of_field(data, position)
            path = data[position:end].decode("utf-8", "surrogateescape")
            changes.append(FileChange(path, added, removed))
            position = end + 1
        while data[position : position + 1] == b"\n":
            position += 1
        if position <= start:  # malformed: never loop
            break
    return tuple(changes)


def _end_of_field(data: bytes, start: int) -> int:
    """Index of the NUL ending the field at ``start`` (the last field may have none)."""
    end = data.find(b"\x00", start)
    return len(data) if end < 0 else end


def _count(text: bytes) -> int | None:
    return None if text == b"-" else int(text)


# 9999-12-31T23:59:59Z: the last second a timestamp can be printed for.
LAST_SECOND = 253_402_300_799


def source_date_epoch(environ: Mapping[str, str] | None = None) -> int | None:
    """``SOURCE_DATE_EPOCH`` as whole seconds, ``None`` when unset or empty. Anything but a
    whole number of seconds from 0 to 9999-12-31 is a ``UsageError`` (exit 2): a stamp that
    silently fell back to another time would not be reproducible."""
    import os

    from taskgov.errors import UsageError

    raw = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "")
    text = raw.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= len(str(LAST_SECOND)):
        seconds = int(text)
        if seconds <= LAST_SECOND:
            return seconds
    shown = repr(raw) if len(raw) <= 40 else f"{raw[:36]!r}…"
    raise UsageError(
        f"SOURCE_DATE_EPOCH={shown}: expected whole seconds since 1970-01-01 UTC, from 0 to "
        f"{LAST_SECOND} (9999-12-31)"
    )


def reference_time(root: Path) -> int | None:
    """The time reproducible output is stamped with: ``SOURCE_DATE_EPOCH`` when set, else the
    HEAD commit's committer time; ``None`` outside a repository or before the first commit.
    Raises ``GitError`` when git fails otherwise."""
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch
    try:
        head = rev_parse(root, "HEAD")
    except NotARepository:
        return None
    if head is None:
        return None
    stamp = run_git(root, "log", "-1", "--format=%ct", head).strip()
    return int(stamp) if stamp.isdigit() else None
