"""Derived task state: what a task's status is, given the specs and the dependency graph.

Order of precedence (PRODUCT.md): the spec says completed/cancelled or the file sits in the
completed directory; unmet hard dependencies (blocked); else the spec's own status. History
(``Closes:``/``Task:`` trailers) and live claims slot in above the dependency check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from taskgov.graph.deps import Edge
from taskgov.repo import Repository
from taskgov.spec.task import Task


@dataclass(frozen=True)
class TaskState:
    status: str
    spec_status: str
    reason: str
    waiting_on: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "spec_status": self.spec_status,
            "reason": self.reason,
            "waiting_on": list(self.waiting_on),
        }


def derive_states(repo: Repository) -> dict[str, TaskState]:
    tasks = repo.tasks
    prerequisites = repo.graph.prerequisites()
    dangling: dict[str, list[str]] = {}
    for dep in repo.graph.dangling:
        if dep.dependent == dep.declared_in and dep.hard:
            dangling.setdefault(dep.dependent, []).append(dep.prerequisite)
    states = {}
    for task_id, task in tasks.items():
        states[task_id] = _state(task, prerequisites.get(task_id, ()), tasks, dangling)
    return states


def _state(
    task: Task,
    edges: tuple[Edge, ...],
    tasks: Mapping[str, Task],
    dangling: dict[str, list[str]],
) -> TaskState:
    if task.archived:
        return TaskState("completed", task.status, "in the completed directory")
    if task.done:
        return TaskState(task.status, task.status, "spec")
    unmet = {
        e.prerequisite for e in edges if e.hard and e.ordered and not tasks[e.prerequisite].done
    }
    waiting = sorted(unmet | set(dangling.get(task.id, ())))
    if waiting:
        return TaskState("blocked", task.status, "waiting on " + ", ".join(waiting), tuple(waiting))
    return TaskState(task.status, task.status, "spec")


def frontier(repo: Repository, states: dict[str, TaskState] | None = None) -> list[Task]:
    """Tasks that can start now, most urgent first (priority, then id)."""
    states = states or derive_states(repo)
    ready = [t for t in repo.tasks.values() if t.valid and states[t.id].status == "ready"]
    return sorted(ready, key=lambda t: (t.priority_rank, t.id))
