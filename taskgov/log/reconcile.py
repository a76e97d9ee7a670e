"""Bring the contribution log in line with HEAD's history: every commit exactly once.

The log is a derived view, so one function decides what it should hold, and every writer
(the pre-commit hook, ``log sync``) and the checker (``log verify``) use it:

- a record whose commit is in history stays where it is;
- a second record of the same commit (two branches that both logged it, joined by git's
  ``union`` merge) is folded into the first: fields only the second has are kept;
- a record of a commit that amend or rebase replaced follows it to the new commit (the
  journal says which; a rebase done in another clone is recognised by author, date and
  summary), keeping the branch and what the hooks saw, and a hand-kept record's own fields;
- every commit of history that has no record gets one, oldest first;
- a record of a commit history does not know (dropped by a rebase, or from elsewhere) is left
  as it is and reported: the log never deletes what it cannot account for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from taskgov.log.records import HAND_FIELDS
from taskgov.log.store import LoggedRecord


class Reconciled:
    """What the log should hold, and what changed to get there."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records  # in file order
        self.appended: list[str] = []  # commits that got their first record
        self.moved: list[tuple[str, str]] = []  # (old, new) for rewritten commits
        self.folded: list[dict[str, Any]] = []  # duplicates merged away
        self.foreign: list[LoggedRecord] = []  # another branch's commits: dropped
        self.unknown: list[LoggedRecord] = []  # not in history, kept as they are

    @property
    def changed(self) -> bool:
        return bool(self.appended or self.moved or self.folded or self.foreign)


class CommitIndex:
    """HEAD's history as commit ids (newest first), resolving abbreviated ids as people write
    them in hand-kept logs."""

    def __init__(self, order: list[str]) -> None:
        self.order = order
        self.known = set(order)
        self._prefixes: dict[int, dict[str, str | None]] = {}

    def resolve(self, written: str) -> str | None:
        key = written.strip().lower()
        if key in self.known:
            return key
        if len(key) < 4 or len(key) >= 40:
            return None
        table = self._prefixes.get(len(key))
        if table is None:
            table = {}
            for sha in self.order:
                prefix = sha[: len(key)]
                table[prefix] = None if prefix in table else sha  # None: ambiguous
            self._prefixes[len(key)] = table
        return table.get(key)


Derive = Callable[[list[str]], dict[str, dict[str, Any]]]
Exists = Callable[[list[str]], set[str]]


def reconcile(
    logged: list[LoggedRecord],
    history: CommitIndex,
    final: dict[str, str],
    derive: Derive,
    exists: Exists,
    skip: frozenset[str] = frozenset(),
) -> Reconciled:
    """The log's records after reconciling with ``history``. ``final``: a rewritten commit
    -> where it ended up. ``derive``: fresh records for commit ids. ``exists``: which of the
    given commit ids the repository has. ``skip``: commits not to log now (the one an amend
    is about to replace).

    A record of a commit the repository has but history does not reach came with a
    cherry-pick or a rebase of a commit that carried it: that commit belongs to another
    branch, where it is logged; the record is dropped here."""
    result = Reconciled([])
    position: dict[str, int] = {}
    to_move: dict[int, str] = {}
    loose: list[tuple[int, LoggedRecord]] = []
    for entry in logged:
        record = entry.record
        written = str(record["commit"])
        sha = history.resolve(written)
        if sha is None:
            new = final.get(written.lower())
            if new is not None and new in history.known and new not in skip:
                sha = new
                to_move[len(result.records)] = new
        if sha is None:
            loose.append((len(result.records), entry))
            result.records.append(record)
            continue
        if sha in position:
            _fold(result.records[position[sha]], record)
            result.folded.append(record)
            to_move.pop(len(result.records), None)
            continue
        position[sha] = len(result.records)
        result.records.append(record)
    missing = [sha for sha in reversed(history.order) if sha not in position and sha not in skip]
    wanted = list(dict.fromkeys([*to_move.values(), *missing]))
    fresh = derive(wanted) if wanted else {}
    for index, new in to_move.items():
        result.moved.append((str(result.records[index]["commit"]), new))
        result.records[index] = carry(result.records[index], fresh[new])
    twins = _unique_identities(fresh[sha] for sha in missing)
    present = exists([str(e.record["commit"]).lower() for _, e in loose]) if loose else set()
    dropped = set()
    for index, entry in loose:
        if str(entry.record["commit"]).lower() in present:
            # The repository has that commit, but history does not reach it: another branch's
            # commit, carried here by a cherry-pick or rebase of a commit that held its record.
            result.foreign.append(entry)
            dropped.add(index)
            continue
        key = _identity(entry.record)  # only a commit gone from here can have been rewritten
        twin = twins.get(key) if key else None
        if twin is None or twin in position:
            result.unknown.append(entry)
            continue
        position[twin] = index
        result.moved.append((str(entry.record["commit"]), twin))
        result.records[index] = carry(entry.record, fresh[twin])
    result.records = [r for i, r in enumerate(result.records) if i not in dropped]
    for sha in missing:
        if sha not in position:
            position[sha] = len(result.records)
            result.records.append(fresh[sha])
            result.appended.append(sha)
    return result


def carry(old: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """``fresh`` (derived from the new commit) with what history cannot recreate taken from
    the record of the commit it replaced: the branch, what the hooks saw, and the fields a
    person wrote by hand in a record taskgov did not write."""
    record = dict(fresh)
    if old.get("branch"):
        record["branch"] = old["branch"]
    kept = hand_kept(old)
    differs = [key for key in kept if key in old and old[key] != record.get(key)]
    for key in differs:
        record[key] = old[key]
    if differs:
        record["hand_kept"] = differs
    env = [n for n in old.get("agent_env") or [] if n not in (record.get("agent_env") or [])]
    if env:
        record["agent_env"] = [*(record.get("agent_env") or []), *env]
        record["ai_assisted"] = True
    return record


def hand_kept(record: dict[str, Any]) -> tuple[str, ...]:
    """The fields of ``record`` a person wrote: all seed fields of a record taskgov did not
    write (it has no ``author``), else those it lists under ``hand_kept``."""
    if "author" not in record:
        return HAND_FIELDS
    listed = record.get("hand_kept")
    return tuple(k for k in listed if isinstance(k, str)) if isinstance(listed, list) else ()


def _fold(kept: dict[str, Any], duplicate: dict[str, Any]) -> None:
    for key, value in duplicate.items():
        if kept.get(key) in (None, "", [], False) and value not in (None, "", [], False):
            kept[key] = value


def _identity(record: dict[str, Any]) -> tuple[str, str, str] | None:
    if not record.get("author"):
        return None
    return (str(record["author"]), str(record.get("date")), str(record.get("summary")))


def _unique_identities(records: Iterable[dict[str, Any]]) -> dict[tuple[str, str, str], str]:
    """Commits whose (author, date, summary) no other new commit shares: a loose record with
    exactly that identity is the same change, rewritten in another clone."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for record in records:
        key = _identity(record)
        if key:
            found.setdefault(key, []).append(str(record["commit"]))
    return {key: shas[0] for key, shas in found.items() if len(shas) == 1}
