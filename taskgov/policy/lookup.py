"""Whether the tasks and decisions that trailers name exist: what the commit rules are given
by the commit-msg hook and by ``check-commits``."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from taskgov.config import Config
from taskgov.errors import TaskgovError

# After this many ids, the spec directories are listed once instead of stat-ing four paths
# per id: a message naming 100,000 ids costs one listing, not 400,000 stats.
_STATS = 16


def _file_names(directory: Path) -> set[str]:
    try:
        with os.scandir(directory) as entries:
            return {entry.name for entry in entries if entry.is_file()}
    except OSError:
        return set()


def task_lookup(config: Config) -> Callable[[str], bool]:
    """Whether a task exists: a file named after it first (one stat, or one listing of the
    spec directories when many ids are asked about), the whole repository only when that
    fails (slugged names, nested directories)."""
    known: frozenset[str] | None = None
    names: set[str] | None = None
    asked = 0

    def named_file(task_id: str) -> bool:
        nonlocal asked, names
        asked += 1
        if names is None and asked > _STATS:
            names = _file_names(config.active_dir) | _file_names(config.completed_dir)
        if names is not None:
            return any(f"{task_id}{s}" in names for s in (".yaml", ".yml"))
        return any(
            (directory / f"{task_id}{suffix}").is_file()
            for directory in (config.active_dir, config.completed_dir)
            for suffix in (".yaml", ".yml")
        )

    def exists(task_id: str) -> bool:
        nonlocal known
        if named_file(task_id):
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
