"""What history says about tasks: ``Closes:`` and ``Task:`` trailers.

Only commits whose message mentions one of the trailer keys are read (git filters them), and
the result is cached by the commit ids it was computed from, so a warm run costs one
``git rev-parse`` per branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from taskgov.git.history import head_and_target, walk
from taskgov.git.trailers import parse_trailers, trailer_ids

CLOSES = "closes"
WORKS_ON = "task"
DECISION = "decision"


@dataclass(frozen=True)
class Mention:
    """A commit that names a task in a trailer."""

    commit: str
    date: str
    subject: str


@dataclass(frozen=True)
class Activity:
    """Tasks closed on the target branch and tasks worked on from HEAD, first mention each."""

    closed: dict[str, Mention] = field(default_factory=dict)
    started: dict[str, Mention] = field(default_factory=dict)
    decisions: dict[str, Mention] = field(default_factory=dict)  # Decision: trailers on HEAD
    head: str | None = None
    target: str | None = None


def read_activity(root: Path, target_branch: str) -> Activity:
    """Activity of the repository at ``root``; empty outside git or before the first commit.
    Raises ``GitError`` when git fails (history that cannot be read is not an empty history).
    Nothing is closed when the target branch does not exist (see ``head_and_target``).

    The last answer is kept; when HEAD and the target branch have only moved forward since
    (the usual case after a commit, a pull or a merge), only the commits in between are read
    and their mentions added (an older mention of the same id stays the first one)."""
    from taskgov.spec.cache import memo_get, memo_put

    commits = head_and_target(root, target_branch)
    if commits is None:
        return Activity()
    head, target = commits
    cached = memo_get(root, "activity.cache", _KEY)
    if isinstance(cached, Activity) and (cached.head, cached.target or "") == (head, target):
        return cached
    if isinstance(cached, Activity) and _forward(root, cached, head, target):
        activity = _extended(root, cached, head, target)
    elif head == target:  # the usual case: one walk finds all three trailers
        found = _scan(root, [head], (CLOSES, WORKS_ON, DECISION))
        activity = Activity(found[CLOSES], found[WORKS_ON], found[DECISION], head, target)
    else:
        found = _scan(root, [head], (WORKS_ON, DECISION))
        closed = _scan(root, [target], (CLOSES,))[CLOSES] if target else {}
        activity = Activity(closed, found[WORKS_ON], found[DECISION], head, target or None)
    memo_put(root, "activity.cache", _KEY, activity)
    return activity


_KEY = "activity-v2"


def _forward(root: Path, cached: Activity, head: str, target: str) -> bool:
    """Whether HEAD and the target only moved forward from the cached answer's commits."""
    from taskgov.git.process import is_ancestor

    if not cached.head or bool(cached.target) != bool(target):
        return False
    pairs = [(cached.head, head), *([(cached.target, target)] if target else [])]
    return all(old == new or is_ancestor(root, str(old), new) for old, new in pairs)


def _extended(root: Path, cached: Activity, head: str, target: str) -> Activity:
    """``cached`` with the mentions of the commits since its HEAD and target."""
    started = dict(cached.started)
    decisions = dict(cached.decisions)
    closed = dict(cached.closed)
    if head != cached.head:
        found = _scan(root, [head, f"^{cached.head}"], (WORKS_ON, DECISION))
        _add(started, found[WORKS_ON])
        _add(decisions, found[DECISION])
    if target and target != cached.target:
        _add(closed, _scan(root, [target, f"^{cached.target}"], (CLOSES,))[CLOSES])
    return Activity(closed, started, decisions, head, target or None)


def _add(first: dict[str, Mention], newer: dict[str, Mention]) -> None:
    """Merge ``newer`` mentions into ``first``, keeping each id's oldest (a full walk lists
    the new commits before the old ones, so the old mention is the one it keeps)."""
    for name, mention in newer.items():
        first.setdefault(name, mention)


def read_activity_at(root: Path, commit: str) -> Activity:
    """Activity as it was at ``commit`` (a commit id): what its history closed, started and
    decided, with ``commit`` as both HEAD and the target branch. For backtests."""
    found = _scan(root, [commit], (CLOSES, WORKS_ON, DECISION))
    return Activity(found[CLOSES], found[WORKS_ON], found[DECISION], commit, commit)


def _scan(root: Path, revisions: list[str], keys: tuple[str, ...]) -> dict[str, dict[str, Mention]]:
    """For each trailer key, the oldest commit in ``revisions`` (a commit, or a range as
    ``[new, ^old]``) naming each id in it; one ``git log`` that keeps only commits mentioning
    one of the keys."""
    found: dict[str, dict[str, Mention]] = {key: {} for key in keys}
    for commit in walk(root, revisions, grep=[f"^{key}:" for key in keys]):
        trailers = parse_trailers(commit.message)
        mention = Mention(commit.sha, commit.author_date, commit.subject)
        for key in keys:
            for named in trailer_ids(trailers, key):
                # walk() goes newest first: the last one seen is the first mention.
                found[key][named] = mention
    return found


def activity_digest(activity: Activity) -> str:
    """A digest of what an answer takes from history: the tasks closed and started and the
    decisions named, with the commits that did it (not which commits HEAD and the target are)."""
    import hashlib
    import json

    facts = [
        {name: [m.commit, m.date, m.subject] for name, m in sorted(mentions.items())}
        for mentions in (activity.closed, activity.started, activity.decisions)
    ]
    text = json.dumps(facts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()
