"""What the commit history says about the work on each task: which commits were work on it,
which finished it, and who made them.

Commits name a task by ``Task:`` and ``Closes:`` trailers and in prose (``Complete
TASK-2026-010: ...``, ``Implements TASK-2026-007``, ``fixes TASK-2026-003``): the patterns of
policy ``estimates.actuals``. Only commits whose message holds the id prefix are read (git
filters them), and the result is cached by the commit and the settings it was read with.
How many hours those commits stand for is ``taskgov.estimates.actuals``' business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from taskgov.config import MENTION_GROUP, Config, mention_regex
from taskgov.git.history import walk
from taskgov.git.process import is_ancestor, run_git
from taskgov.git.trailers import parse_trailers, trailer_ids
from taskgov.policy.commits import is_agent, name_of

TASK_TRAILER = "Task: trailer"
CLOSES_TRAILER = "Closes: trailer"
PROSE_FINISH = "prose (finishes)"
PROSE_WORK = "prose"
SCHEMA = 2
PROSE_LIMIT = 16_384  # characters of each message searched for prose mentions


@dataclass(frozen=True)
class Touch:
    """One commit attributed to a task."""

    commit: str
    date: str  # author date, ISO 8601 with offset
    how: str  # TASK_TRAILER, CLOSES_TRAILER, PROSE_FINISH or PROSE_WORK
    author: str  # the author's name
    author_key: str  # who the author is, for sessions: the email (lower case), else the name
    credits: tuple[str, ...]  # co-authors and Assisted-by, by name
    agents: tuple[str, ...]  # those of ``credits`` (or the author) that are AI agents
    merge: bool = False  # a merge: evidence of finishing, no work of its own


@dataclass(frozen=True)
class TaskHistory:
    id: str
    touches: tuple[Touch, ...]  # oldest first
    archived: str = ""  # author date of the commit that added the spec to completed/
    archived_commit: str = ""


@dataclass(frozen=True)
class History:
    revision: str  # the commit the history was read from ("" none)
    tasks: tuple[TaskHistory, ...]

    def by_id(self) -> dict[str, TaskHistory]:
        return {t.id: t for t in self.tasks}


def id_core(pattern: str) -> str:
    """The policy's id pattern without its anchors, to find ids inside a sentence."""
    core = pattern
    if core.startswith("^"):
        core = core[1:]
    if core.endswith("$") and not core.endswith("\\$"):
        core = core[:-1]
    return f"(?:{core})"


def mention_patterns(config: Config) -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    """The policy's finish and work patterns, compiled as ``mention_regex`` does."""
    core = id_core(config.id_pattern)
    return (
        [mention_regex(p, core) for p in config.mention_finish],
        [mention_regex(p, core) for p in config.mention_work],
    )


def read_history(root: Path, config: Config, revision: str) -> History:
    """The task history reachable from ``revision`` (any commit-ish; "" or ``HEAD`` in a
    repository without commits: no history). Raises ``GitError`` when git fails and
    ``UsageError`` for a revision that names no commit."""
    from taskgov.errors import UsageError
    from taskgov.git.process import rev_parse
    from taskgov.spec.cache import memo_get, memo_put

    commit = rev_parse(root, revision) if revision else None
    if commit is None:
        if revision in ("", "HEAD"):
            return History("", ())
        raise UsageError(f"{revision}: no such commit in {root}")
    # One cached history per settings, for the commit it was read at. Another commit that
    # descends from it costs a walk of the commits in between only (``git log NEW ^OLD``).
    key = (SCHEMA, _settings(config))
    cached = memo_get(root, "history.cache", key)
    if isinstance(cached, History) and cached.revision == commit:
        return cached
    if (
        isinstance(cached, History)
        and cached.revision
        and is_ancestor(root, cached.revision, commit)
    ):
        history = _merged(cached, _read(root, config, commit, since=cached.revision))
    else:
        history = _read(root, config, commit)
    memo_put(root, "history.cache", key, history)
    return history


def _merged(earlier: History, newer: History) -> History:
    """``earlier`` (a history at an ancestor) extended by ``newer`` (the commits since)."""
    tasks = earlier.by_id()
    for item in newer.tasks:
        before = tasks.get(item.id)
        if before is None:
            tasks[item.id] = item
            continue
        touches = tuple(sorted((*before.touches, *item.touches), key=lambda t: seconds_of(t.date)))
        moved = before if before.archived else item  # the oldest move into completed/
        tasks[item.id] = TaskHistory(item.id, touches, moved.archived, moved.archived_commit)
    return History(newer.revision, tuple(tasks[i] for i in sorted(tasks)))


def _settings(config: Config) -> tuple[object, ...]:
    return (
        config.id_pattern,
        config.id_prefix,
        config.mention_finish,
        config.mention_work,
        config.agents_allowed,
        config.paths.completed,
    )


def _read(root: Path, config: Config, revision: str, since: str = "") -> History:
    """The history of ``revision``, or only of the commits since ``since`` (an ancestor)."""
    revisions = [revision, f"^{since}"] if since else [revision]
    finish, work = mention_patterns(config)
    exact = re.compile(config.id_pattern, re.I)  # a trailer's value, whole
    found = re.compile(rf"(?<![\w-]){id_core(config.id_pattern)}(?![\w-])", re.I)
    named: dict[str, list[Touch]] = {}
    # git keeps only messages holding the prefix, when every id starts with it.
    prefixed = config.id_prefix and re.match(
        rf"\^?{re.escape(config.id_prefix)}\b", config.id_pattern
    )
    grep = [_ere_literal(config.id_prefix)] if prefixed else []
    for commit in walk(root, revisions, grep=grep):
        message = commit.message
        if not found.search(message):
            continue
        trailers = parse_trailers(message)
        ways = _ways(message, trailers, exact, found, finish, work)
        if not ways:
            continue
        raw = [v for k, v in trailers if k.lower() in ("co-authored-by", "assisted-by")]
        author = f"{commit.author_name} <{commit.author_email}>"
        agents = tuple(
            dict.fromkeys(name_of(v) for v in [author, *raw] if is_agent(v, config.agents_allowed))
        )
        for task_id, how in ways.items():
            named.setdefault(task_id, []).append(
                Touch(
                    commit.sha,
                    commit.author_date,
                    how,
                    commit.author_name,
                    (commit.author_email or commit.author_name).lower(),
                    tuple(dict.fromkeys(name_of(v) for v in raw)),
                    agents,
                    commit.is_merge,
                )
            )
    archived = _archived(root, config, revisions)
    tasks = []
    for task_id in sorted(set(named) | set(archived)):
        # Oldest first by author date; commits of the same second in git's order reversed
        # (walk() goes newest first), so parents come before their children.
        newest_first = named.get(task_id, [])
        ordered = sorted(
            range(len(newest_first)), key=lambda n: (seconds_of(newest_first[n].date), -n)
        )
        touches = tuple(newest_first[n] for n in ordered)
        sha, date = archived.get(task_id, ("", ""))
        tasks.append(TaskHistory(task_id, touches, date, sha))
    return History(revision, tuple(tasks))


def _ere_literal(text: str) -> str:
    """``text`` as a POSIX extended regular expression matching it literally."""
    return re.sub(r"([.[\]()*+?{}|^$\\])", r"\\\1", text)


def _ways(
    message: str,
    trailers: list[tuple[str, str]],
    exact: re.Pattern[str],
    found: re.Pattern[str],
    finish: list[re.Pattern[str]],
    work: list[re.Pattern[str]],
) -> dict[str, str]:
    """The tasks ``message`` names, each with the strongest way it names it: a ``Closes:``
    trailer, a finishing sentence, a ``Task:`` trailer, any other pattern. A revert's
    message quotes the reverted one: its prose counts as work, never as finishing."""
    ways: dict[str, str] = {}
    rank = {CLOSES_TRAILER: 0, PROSE_FINISH: 1, TASK_TRAILER: 2, PROSE_WORK: 3}

    def note(task_id: str, how: str) -> None:
        if task_id not in ways or rank[how] < rank[ways[task_id]]:
            ways[task_id] = how

    for key, how in (("closes", CLOSES_TRAILER), ("task", TASK_TRAILER)):
        for value in trailer_ids(trailers, key):
            if exact.search(value):
                note(value, how)
    prose = message[:PROSE_LIMIT]  # a huge message costs no more than its start
    reverting = prose.startswith("Revert ")
    for patterns, how in ((finish, PROSE_WORK if reverting else PROSE_FINISH), (work, PROSE_WORK)):
        for pattern in patterns:
            for match in pattern.finditer(prose):
                named = match.group(MENTION_GROUP)
                for each in found.finditer(named) if named else ():
                    note(each.group(0), how)
    return ways


def _archived(root: Path, config: Config, revisions: list[str]) -> dict[str, tuple[str, str]]:
    """For each spec file added to the completed directory, the oldest commit that added it
    (by the file's name: ``TASK-2026-001.yaml`` is TASK-2026-001)."""
    directory = config.paths.completed.strip("/")
    out = run_git(
        root,
        "log",
        "--diff-filter=A",
        "--name-only",
        "--no-renames",
        "--format=%x1e%H %aI",
        *revisions,
        "--",
        f"{directory}/",
    )
    found: dict[str, tuple[str, str]] = {}
    for block in out.split("\x1e")[1:]:  # newest first: the last one seen is the oldest
        head, _, names = block.partition("\n")
        sha, _, date = head.strip().partition(" ")
        for name in names.split("\n"):
            stem = name.strip().rsplit("/", 1)[-1]
            if stem.endswith((".yaml", ".yml")):
                found[stem.rsplit(".", 1)[0]] = (sha, date)
    return found


def seconds_of(stamp: str) -> float:
    """Seconds since the epoch of an ISO 8601 time; one without an offset is read as UTC."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
