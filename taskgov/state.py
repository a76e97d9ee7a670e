"""Derived task state: what a task's status is, given the specs, the dependency graph and the
commit history.

Order of precedence (PRODUCT.md): the spec says completed/cancelled or the file sits in the
completed directory; a ``Closes:`` trailer reachable from the target branch; (a live claim,
later); a ``Task:`` trailer (in progress); unmet hard dependencies (blocked); else the spec's
own status. Where history and the spec disagree, history wins and ``validate`` says the spec is
stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from taskgov.git.activity import Activity
from taskgov.graph.deps import Edge
from taskgov.repo import Repository
from taskgov.spec.task import Task, id_key

NO_ACTIVITY = Activity()


@dataclass(frozen=True)
class TaskState:
    status: str
    spec_status: str
    reason: str
    waiting_on: tuple[str, ...] = ()
    commit: str | None = None  # the commit that closed or started the task

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "spec_status": self.spec_status,
            "reason": self.reason,
            "waiting_on": list(self.waiting_on),
            "commit": self.commit,
        }


def derive_states(repo: Repository, activity: Activity | None = None) -> dict[str, TaskState]:
    """The derived state of every task (``activity``: what history says, if known)."""
    activity = activity or NO_ACTIVITY
    tasks = repo.tasks
    done = {t.id for t in tasks.values() if t.done} | set(activity.closed)
    prerequisites = repo.graph.prerequisites()
    states = {}
    for task_id, task in tasks.items():
        missing = [
            dep.prerequisite for dep in repo.graph.missing_prerequisites(task_id) if dep.hard
        ]
        states[task_id] = _state(task, prerequisites.get(task_id, ()), done, missing, activity)
    return states


def _state(
    task: Task,
    edges: tuple[Edge, ...],
    done: set[str],
    missing: list[str],
    activity: Activity,
) -> TaskState:
    if task.archived:
        return TaskState("completed", task.status, "in the completed directory")
    if task.done:
        return TaskState(task.status, task.status, "spec")
    closed = activity.closed.get(task.id)
    if closed is not None:
        return TaskState(
            "completed", task.status, f"closed by {closed.commit[:12]}", commit=closed.commit
        )
    started = activity.started.get(task.id)
    if started is not None:
        return TaskState(
            "in_progress", task.status, f"worked on in {started.commit[:12]}", commit=started.commit
        )
    unmet = {e.prerequisite for e in edges if e.hard and e.ordered and e.prerequisite not in done}
    waiting = sorted(unmet | set(missing))
    if waiting:
        return TaskState("blocked", task.status, "waiting on " + ", ".join(waiting), tuple(waiting))
    return TaskState(task.status, task.status, "spec")


def frontier(
    repo: Repository,
    states: Mapping[str, TaskState] | None = None,
    activity: Activity | None = None,
    slack: Mapping[str, float] | None = None,
) -> list[Task]:
    """Tasks that can start now, most urgent first: by priority, then critical-path slack
    (hours a task can slip before the remaining work takes longer), then id."""
    states = states or derive_states(repo, activity)
    if slack is None:
        from taskgov.plan.build import remaining_slack

        slack = remaining_slack(repo, states)
    ready = [t for t in repo.tasks.values() if t.valid and states[t.id].status == "ready"]
    return sorted(ready, key=lambda t: (t.priority_rank, slack.get(t.id, 0.0), id_key(t.id)))
