"""The frontier: the tasks that can start now, most urgent first."""

from __future__ import annotations

from collections.abc import Mapping

from taskgov.git.activity import Activity
from taskgov.plan.build import remaining_slack
from taskgov.repo import Repository
from taskgov.spec.task import Task, id_key
from taskgov.state import TaskState, derive_states


def frontier(
    repo: Repository,
    states: Mapping[str, TaskState] | None = None,
    activity: Activity | None = None,
    slack: Mapping[str, float] | None = None,
) -> list[Task]:
    """Tasks that can start now, most urgent first: by priority, then critical-path slack
    (hours a task can slip before the remaining work takes longer), then id.

    A task is ready when its derived status is (see ``derive_states``) and its spec was read
    whole: a spec with errors or one that cannot be read is never ready."""
    states = states or derive_states(repo, activity)
    if slack is None:
        slack = remaining_slack(repo, states)
    ready = [t for t in repo.tasks.values() if t.valid and states[t.id].status == "ready"]
    return sorted(ready, key=lambda t: (t.priority_rank, slack.get(t.id, 0.0), id_key(t.id)))
