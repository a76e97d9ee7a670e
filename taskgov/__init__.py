"""taskgov: git-native governance for repositories where people and AI agents work together.

The library API mirrors the CLI: load a repository, read its tasks, validate it::

    import taskgov
    repo = taskgov.load_repo(".")
    report = taskgov.validate(repo)          # problems, exit_code
    for task in taskgov.frontier(repo):       # ready tasks, most urgent first
        print(task.id, task.title)
    states = taskgov.derive_states(repo)
    plan = taskgov.make_plan(repo, states, taskgov.PlanOptions(workers=3))
    print(plan["critical_path"], plan["estimates"]["p80"])
    actuals = taskgov.actuals_of(repo, states, revision="HEAD")  # effort vs estimate
    print([(g.by, g.name, g.median_ratio) for g in actuals.groups])
    taskgov.start_task("TASK-2026-008", path=".")   # the spec says in_progress now
    where = taskgov.claims_location(repo.root)          # origin, else local refs
    outcome = taskgov.claim_task(repo.root, "TASK-2026-008", "agent-3", where=where)
    print(outcome.action)                       # claimed | renewed | taken_over | held

Names are imported on first use, so that ``import taskgov`` (and the git hooks, which import
``taskgov.git.trailers``) stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Actuals": "taskgov.estimates.actuals",
    "actuals_of": "taskgov.estimates.forecast",
    "forecast": "taskgov.estimates.forecast",
    "plan_as_of": "taskgov.commands",
    "CheckFailed": "taskgov.errors",
    "Claim": "taskgov.claims.model",
    "Config": "taskgov.config",
    "ConfigError": "taskgov.errors",
    "CycleError": "taskgov.errors",
    "Dependency": "taskgov.spec.task",
    "EffortError": "taskgov.spec.effort",
    "Estimate": "taskgov.spec.effort",
    "InputError": "taskgov.errors",
    "NotFoundError": "taskgov.errors",
    "PlanOptions": "taskgov.plan.build",
    "Problem": "taskgov.problems",
    "Report": "taskgov.checks.report",
    "Repository": "taskgov.repo",
    "Severity": "taskgov.problems",
    "Task": "taskgov.spec.task",
    "TaskState": "taskgov.state",
    "TaskgovError": "taskgov.errors",
    "UsageError": "taskgov.errors",
    "claim_task": "taskgov.claims.ops",
    "claims_location": "taskgov.claims.ops",
    "derive_states": "taskgov.state",
    "finish_task": "taskgov.lifecycle",
    "frontier": "taskgov.plan.frontier",
    "load_config": "taskgov.policy.load",
    "load_repo": "taskgov.repo",
    "make_plan": "taskgov.plan.build",
    "parse_effort": "taskgov.spec.effort",
    "parse_trailers": "taskgov.git.trailers",
    "project_stats": "taskgov.plan.stats",
    "read_activity": "taskgov.git.activity",
    "read_claims": "taskgov.claims.refs",
    "release_task": "taskgov.claims.ops",
    "set_status": "taskgov.lifecycle",
    "start_task": "taskgov.lifecycle",
    "validate": "taskgov.checks.report",
}

__all__ = [
    "Actuals",
    "CheckFailed",
    "Claim",
    "Config",
    "ConfigError",
    "CycleError",
    "Dependency",
    "EffortError",
    "Estimate",
    "InputError",
    "NotFoundError",
    "PlanOptions",
    "Problem",
    "Report",
    "Repository",
    "Severity",
    "Task",
    "TaskState",
    "TaskgovError",
    "UsageError",
    "__version__",
    "actuals_of",
    "claim_task",
    "claims_location",
    "derive_states",
    "finish_task",
    "forecast",
    "frontier",
    "load_config",
    "load_repo",
    "make_plan",
    "parse_effort",
    "parse_trailers",
    "plan_as_of",
    "project_stats",
    "read_activity",
    "read_claims",
    "release_task",
    "set_status",
    "start_task",
    "validate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'taskgov' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:
    from taskgov.checks.report import Report, validate
    from taskgov.claims.model import Claim
    from taskgov.claims.ops import claim_task, claims_location, release_task
    from taskgov.claims.refs import read_claims
    from taskgov.commands import plan_as_of
    from taskgov.config import Config
    from taskgov.errors import (
        CheckFailed,
        ConfigError,
        CycleError,
        InputError,
        NotFoundError,
        TaskgovError,
        UsageError,
    )
    from taskgov.estimates.actuals import Actuals
    from taskgov.estimates.forecast import actuals_of, forecast
    from taskgov.git.activity import read_activity
    from taskgov.git.trailers import parse_trailers
    from taskgov.lifecycle import finish_task, set_status, start_task
    from taskgov.plan.build import PlanOptions, make_plan
    from taskgov.plan.frontier import frontier
    from taskgov.plan.stats import project_stats
    from taskgov.policy.load import load_config
    from taskgov.problems import Problem, Severity
    from taskgov.repo import Repository, load_repo
    from taskgov.spec.effort import EffortError, Estimate, parse_effort
    from taskgov.spec.task import Dependency, Task
    from taskgov.state import TaskState, derive_states
