"""``taskgov dispatch --dry-run``: the assignment the coordinator would make now.

Frontier tasks, most urgent first (priority, then critical-path slack, then id, as ``ready``
ranks them), each given to the least loaded worker that has the skills the spec asks for and
a free slot, as long as its resources are free. Tasks already in progress or claimed hold
their resources. What cannot start now is listed with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from taskgov.dispatch.pools import Pools, task_demands
from taskgov.dispatch.workers import Worker
from taskgov.repo import Repository
from taskgov.state import TaskState

BUSY = ("in_progress", "claimed")


def assignment(
    repo: Repository,
    states: Mapping[str, TaskState],
    workers: Sequence[Worker],
    slots: int,
) -> dict[str, Any]:
    """The tasks to start now and who takes each, as JSON-ready data."""
    from taskgov.plan.build import remaining_slack
    from taskgov.plan.frontier import frontier

    slack = remaining_slack(repo, states)
    ready = frontier(repo, states, slack=slack)
    running = [t for t in repo.tasks.values() if states[t.id].status in BUSY]
    demands = task_demands(repo, [*ready, *running])
    pools = Pools.of(repo, demands)
    holders: dict[str, list[str]] = {}
    for task in running:
        need = demands.get(task.id, {})
        if not pools.busy(need):
            pools.book(need)
            for name in need:
                holders.setdefault(name, []).append(task.id)
    load = {w.name: 0 for w in workers}
    assigned: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    for task in ready:
        need = demands.get(task.id, {})
        able = [w for w in workers if w.can_take(task.skills)]
        free = [w for w in able if load[w.name] < w.capacity]
        busy = pools.busy(need)
        if not able:
            reason = f"no worker has the skills {', '.join(sorted(task.skills))}"
        elif len(assigned) >= slots or not free:
            reason = "no free worker"
        elif busy:
            reason = "waits for " + ", ".join(_held(name, holders) for name in busy)
        else:
            worker = min(free, key=lambda w: (load[w.name] / w.capacity, workers.index(w)))
            load[worker.name] += 1
            pools.book(need)
            for name in need:
                holders.setdefault(name, []).append(task.id)
            assigned.append(
                {
                    "task": task.id,
                    "title": task.title,
                    "priority": task.priority,
                    "slack_hours": slack.get(task.id),
                    "worker": worker.name,
                    "resources": dict(need),
                    "skills": list(task.skills),
                    "path": task.path,
                }
            )
            continue
        waiting.append({"task": task.id, "title": task.title, "reason": reason})
    return {
        "workers": [w.as_dict() for w in workers],
        "slots": slots,
        "resources": dict(repo.config.resources),
        "assigned": assigned,
        "waiting": waiting,
    }


def _held(name: str, holders: Mapping[str, list[str]]) -> str:
    who = ", ".join(holders.get(name, ()))
    if name.startswith("mutex:"):
        return f"{who} (mutual exclusion)"
    return f"{name} (held by {who})" if who else name


def github_matrix(data: Mapping[str, Any]) -> dict[str, Any]:
    """The assignment as a GitHub Actions matrix: one job per task to start."""
    return {
        "include": [
            {"task": row["task"], "worker": row["worker"], "title": row["title"]}
            for row in data["assigned"]
        ]
    }
