"""Rules that compare specs with the commit history."""

from __future__ import annotations

import re
from collections.abc import Iterator

from taskgov.checks.catalog import RULES
from taskgov.git.activity import Activity
from taskgov.problems import Problem
from taskgov.repo import Repository

STARTED_OR_LATER = frozenset({"in_progress", "review", "completed", "cancelled"})


def history_problems(repo: Repository, activity: Activity) -> Iterator[Problem]:
    tasks = repo.tasks
    for task_id, mention in sorted(activity.closed.items()):
        task = tasks.get(task_id)
        if task is not None and not task.done and not task.unreadable:
            yield _stale(
                task.path,
                task.line("state"),
                task_id,
                f"closed by {mention.commit[:12]} ({mention.subject!r}) but "
                f"state.status is {task.status!r}: set it to completed",
            )
    for task_id, mention in sorted(activity.started.items()):
        task = tasks.get(task_id)
        if task is None or task_id in activity.closed or task.status in STARTED_OR_LATER:
            continue
        if task.unreadable:  # its status is unknown, not stale
            continue
        if task.archived:
            continue
        yield _stale(
            task.path,
            task.line("state"),
            task_id,
            f"worked on in {mention.commit[:12]} ({mention.subject!r}) but "
            f"state.status is {task.status!r}: set it to in_progress",
        )
    pattern = re.compile(repo.config.id_pattern)
    known = repo.known_ids
    for kind, mentions in (("Closes", activity.closed), ("Task", activity.started)):
        for task_id, mention in sorted(mentions.items()):
            if task_id not in known and pattern.search(task_id):
                yield Problem(
                    repo.config.paths.active,
                    None,
                    None,
                    "TG161",
                    RULES["TG161"].severity,
                    f"commit {mention.commit[:12]} ({mention.subject!r}) says '{kind}: "
                    f"{task_id}', but there is no such task",
                    task_id,
                )


def _stale(path: str, line: int | None, task_id: str, message: str) -> Problem:
    return Problem(
        path, line, None, "TG160", RULES["TG160"].severity, message, task_id, "state.status"
    )
