"""Whether the tasks and decisions that trailers name exist: what the commit rules are given
by the commit-msg hook and by ``check-commits``."""

from __future__ import annotations

from collections.abc import Callable

from taskgov.config import Config
from taskgov.errors import TaskgovError


def task_lookup(config: Config) -> Callable[[str], bool]:
    """Whether a task exists: a file named after it first (one stat), the whole repository
    only when that fails (slugged names, nested directories)."""
    known: frozenset[str] | None = None

    def exists(task_id: str) -> bool:
        nonlocal known
        for directory in (config.active_dir, config.completed_dir):
            if any((directory / f"{task_id}{suffix}").is_file() for suffix in (".yaml", ".yml")):
                return True
        if known is None:
            from taskgov.repo import load_repo

            try:
                known = load_repo(config=config).known_ids
            except TaskgovError:
                known = frozenset()
        return task_id in known

    return exists


def decision_lookup(config: Config) -> Callable[[str], bool]:
    directory = config.root / config.paths.decisions

    def exists(decision_id: str) -> bool:
        safe = "/" not in decision_id and not decision_id.startswith(".")
        return safe and any((directory / f"{decision_id}{s}").is_file() for s in (".yaml", ".yml"))

    return exists
