"""taskgov: git-native governance for repositories where people and AI agents work together.

The library API mirrors the CLI: load a repository, read its tasks, validate it::

    import taskgov
    repo = taskgov.load_repo(".")
    report = taskgov.validate(repo)          # problems, exit_code
    for task in taskgov.frontier(repo):       # ready tasks, most urgent first
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
from taskgov.git.trailers import parse_trailers
from taskgov.problems import Problem, Severity
from taskgov.repo import Repository, load_repo
from taskgov.spec.effort import EffortError, Estimate, parse_effort
from taskgov.spec.task import Dependency, Task
from taskgov.state import TaskState, derive_states, frontier
from taskgov.validate.report import Report, validate

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
    "Report",
    "Repository",
    "Severity",
    "Task",
    "TaskState",
    "TaskgovError",
    "UsageError",
    "__version__",
    "derive_states",
    "frontier",
    "load_config",
    "load_repo",
    "parse_effort",
    "parse_trailers",
    "validate",
]
