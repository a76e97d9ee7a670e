"""``Task:``, ``Closes:`` and ``Decision:`` trailers: which values name real tasks and records.

A value counts only when it is an id (the policy's id pattern, case-sensitive) of something
that exists. Anything else is reported with the closest known id, so ``Closes: task-2026-002``
or ``Task: TASK-2026-01`` never passes silently while the task stays open. Values with control
characters are never used as ids. Pure functions over plain values (the commit-msg hook runs
them); the known ids are asked for only when a suggestion is needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from taskgov.git.trailers import has_control

_SPLIT = re.compile(r"[,\s]+")
# Generic `Closes:` values that reference an issue tracker, not a task: `#12`, `org/repo#12`,
# `GH-12`, URLs. They are someone else's ids, so they are neither checked nor counted.
_FOREIGN = re.compile(r"^(?:[\w.-]+/[\w.-]+)?#\d+$|^GH-\d+$|^[a-z][a-z0-9+.-]*://", re.I)


# How many wrong values of one kind get a "did you mean" found by similarity.
SUGGESTIONS = 20


class Reference(NamedTuple):
    """What the trailers of one kind name: the ids that count, and what is wrong."""

    valid: list[str]
    problems: list[str]


def check_references(
    trailers: list[tuple[str, str]],
    keys: tuple[str, ...],
    noun: str,
    pattern: str,
    shape: str,
    exists: Callable[[str], bool],
    known: Callable[[], Iterable[str]],
) -> Reference:
    """Check every value of the trailers named ``keys``: a ``noun`` id matches ``pattern``
    (described to people as ``shape``) and ``exists``. ``known`` lists the existing ids, for
    "did you mean"; it is called at most once, and only when something is wrong. Each distinct
    value is judged and reported once."""
    valid: list[str] = []
    problems: list[str] = []
    cache: list[list[str]] = []
    same_case: dict[str, str] = {}
    suggested = 0
    # A value seen once is judged once: a message repeating one id 100,000 times costs one
    # lookup and reports one problem.
    judged: dict[tuple[str, str], bool] = {}

    def suggestion(value: str) -> str:
        nonlocal suggested
        if not cache:
            cache.append(sorted(set(known())))
            for candidate in cache[0]:
                same_case.setdefault(candidate.casefold(), candidate)
        # The same id in other case is one lookup; a similar one costs a pass over every
        # known id, so only the first few wrong values get one (a message naming thousands
        # of wrong ids is not asked to wait for thousands of passes).
        same = same_case.get(value.casefold())
        if same is None and suggested < SUGGESTIONS:
            suggested += 1
            same = closest(value, cache[0])
        return f"; did you mean {same}?" if same else ""

    for key, value in trailers:
        if key.lower() not in keys:
            continue
        if has_control(value):
            shown = value.encode("unicode_escape").decode("ascii")
            problems.append(f"'{key}: {shown}' holds control characters; a {noun} id is plain text")
            continue
        for token in _SPLIT.split(value):
            if not token or (key.lower() == "closes" and _FOREIGN.search(token)):
                continue
            seen = judged.get((key, token))
            if seen is None:
                seen = judged[key, token] = bool(re.search(pattern, token)) and exists(token)
                if not seen:
                    problems.append(_problem(key, token, noun, pattern, shape) + suggestion(token))
            if seen:
                valid.append(token)
    return Reference(valid, problems)


def _problem(key: str, token: str, noun: str, pattern: str, shape: str) -> str:
    if not re.search(pattern, token):
        return f"'{key}: {token}' is not a {noun} id ({noun} ids look like {shape})"
    return f"'{key}: {token}' names no {noun}"


def closest(value: str, known: list[str]) -> str | None:
    """The known id ``value`` most likely meant: the same id in other case, else the most
    similar one (difflib), else ``None``."""
    folded = value.casefold()
    for candidate in known:
        if candidate.casefold() == folded:
            return candidate
    import difflib

    by_fold = {candidate.casefold(): candidate for candidate in known}
    matches = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.6)
    return by_fold[matches[0]] if matches else None


def task_shape(prefix: str, pattern: str, default_pattern: str) -> str:
    """How task ids look, for messages: ``TASK-YYYY-NNN``, or the policy's own pattern."""
    return f"{prefix}-YYYY-NNN" if pattern == default_pattern else f"the pattern {pattern}"
