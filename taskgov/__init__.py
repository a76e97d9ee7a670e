"""taskgov: git-native governance for repositories where people and AI agents work together.

The library API mirrors the CLI: load a repository, read its tasks, validate it::

    import taskgov
    repo = taskgov.load_repo(".")
    report = taskgov.validate(repo)
    for task in taskgov.frontier(repo):
        print(task.id, task.title)
"""

from __future__ import annotations

__version__ = "0.1.0"

from taskgov.config import Config, load_config
from taskgov.errors import (
    CheckFailed,
    ConfigError,
    CycleError,
    InputError,
    NotFoundError,
    TaskgovError,
    UsageError,
)
from taskgov.problems import Problem, Severity
from taskgov.repo import Repository, load_repo
from taskgov.spec.effort import EffortError, Estimate, parse_effort
from taskgov.spec.task import Dependency, Task

__all__ = [
    "CheckFailed",
    "Config",
    "ConfigError",
    "CycleError",
    "Dependency",
    "EffortError",
    "Estimate",
    "InputError",
    "NotFoundError",
    "Problem",
    "Repository",
    "Severity",
    "Task",
    "TaskgovError",
    "UsageError",
    "__version__",
    "load_config",
    "load_repo",
    "parse_effort",
]
