"""What the hooks saw, kept in the git directory until the contribution log records it.

Two append-only JSON-lines files in ``<git common dir>/taskgov/``, shared by every worktree:

- ``observed.jsonl``: one line per commit made here (post-commit): the branch it was made on
  and the agent variables set at the time. History cannot recreate these facts later, and they
  are the evidence that a ``--no-verify`` commit was an agent's, so they live where discarding a
  work-tree change, a checkout or a reset cannot touch them.
- ``rewritten.jsonl``: one line per commit that amend or rebase replaced (post-rewrite), so
  its record and its observations follow it to the new commit.

Nothing here is ever executed or trusted beyond plain JSON values; a line that does not parse
is skipped. Appends are single ``write`` calls of whole lines under the log lock.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, TypeGuard

OBSERVED = "observed.jsonl"
REWRITTEN = "rewritten.jsonl"
_SCAN_LIMIT = 64  # up to this many commits are looked up by scanning, not by parsing all


class Observation(NamedTuple):
    branch: str | None = None
    agent_env: tuple[str, ...] = ()


class Journal:
    """The rewrites noted so far; observations are read on demand (the file can be large)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.rewrites: dict[str, str] = {}  # old commit -> new commit
        self.how: dict[str, str] = {}  # old commit -> "amend" | "rebase"

    @classmethod
    def load(cls, directory: Path) -> Journal:
        journal = cls(directory)
        for entry in _entries(directory / REWRITTEN):
            old, new = entry.get("from"), entry.get("to")
            if _is_sha(old) and _is_sha(new) and old != new:
                journal.rewrites[old] = new
                journal.how[old] = str(entry.get("how") or "rebase")
        return journal

    def final(self, sha: str) -> str:
        """Where ``sha`` ended up after every rewrite (itself when never rewritten)."""
        seen = {sha}
        while sha in self.rewrites:
            sha = self.rewrites[sha]
            if sha in seen:  # rewritten back and forth: stop at the loop
                break
            seen.add(sha)
        return sha

    def originals(self) -> dict[str, list[str]]:
        """New commit -> the commits it replaced, oldest first."""
        result: dict[str, list[str]] = {}
        for old in self.rewrites:
            result.setdefault(self.final(old), []).append(old)
        return result

    def observations(self, shas: Iterable[str] | None = None) -> dict[str, Observation]:
        """What the hooks saw of each commit, carried through rewrites: a rebased commit keeps
        the original's facts (whoever rebases did not write it); an amended one has both."""
        wanted = None if shas is None else set(shas)
        if wanted is not None:
            originals = self.originals()
            wanted |= {old for sha in list(wanted) for old in originals.get(sha, ())}
        raw = _observed(self.directory / OBSERVED, wanted)
        result = dict(raw)
        for old in self.rewrites:  # in the order the rewrites happened
            new = self.rewrites[old]
            before = result.get(old)
            if before is None:
                continue
            after = raw.get(new) if self.how.get(old) == "amend" else None
            merged = tuple(dict.fromkeys((*before.agent_env, *(after.agent_env if after else ()))))
            result[new] = Observation(before.branch or (after.branch if after else None), merged)
        return result if wanted is None else {s: o for s, o in result.items() if s in wanted}


def _observed(path: Path, wanted: set[str] | None) -> dict[str, Observation]:
    if wanted is not None and len(wanted) <= _SCAN_LIMIT:
        lines = _lines_naming(path, wanted)
    else:
        lines = _read_lines(path)
    result: dict[str, Observation] = {}
    for entry in _parse(lines):
        sha = entry.get("commit")
        if not _is_sha(sha) or (wanted is not None and sha not in wanted):
            continue
        branch = entry.get("branch")
        env = entry.get("agent_env")
        names = tuple(n for n in env if isinstance(n, str)) if isinstance(env, list) else ()
        result[sha] = Observation(branch if isinstance(branch, str) else None, names)
    return result


def record_commit(directory: Path, sha: str, branch: str | None, agent_env: Iterable[str]) -> None:
    entry: dict[str, object] = {"commit": sha, "branch": branch}
    names = list(agent_env)
    if names:
        entry["agent_env"] = names
    _append(directory / OBSERVED, [entry])


def record_rewrites(directory: Path, pairs: Iterable[tuple[str, str]], how: str) -> None:
    entries: list[dict[str, object]] = [
        {"from": old, "to": new, "how": how} for old, new in pairs if old != new
    ]
    if entries:
        _append(directory / REWRITTEN, entries)


def _append(path: Path, entries: list[dict[str, object]]) -> None:
    payload = "".join(json.dumps(e, ensure_ascii=True) + "\n" for e in entries).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, payload)
    finally:
        os.close(fd)


def _read_lines(path: Path) -> list[bytes]:
    try:
        return path.read_bytes().split(b"\n")
    except OSError:
        return []


def _lines_naming(path: Path, shas: set[str]) -> list[bytes]:
    """Only the lines that mention one of ``shas`` (a substring search in C, no parsing)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    found = []
    for sha in shas:
        needle = f'"{sha}"'.encode()
        start = data.find(needle)
        while start != -1:
            begin = data.rfind(b"\n", 0, start) + 1
            end = data.find(b"\n", start)
            end = len(data) if end == -1 else end
            found.append((begin, data[begin:end]))
            start = data.find(needle, end)
    return [line for _, line in sorted(found)]


def _entries(path: Path) -> list[dict[str, object]]:
    return list(_parse(_read_lines(path)))


def _parse(lines: Iterable[bytes]) -> Iterable[dict[str, object]]:
    for line in lines:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            continue  # a torn or foreign line: never fatal
        if isinstance(value, dict):
            yield value


def _is_sha(value: object) -> TypeGuard[str]:
    return (
        isinstance(value, str)
        and len(value) in (40, 64)
        and all(c in "0123456789abcdef" for c in value)
    )
