"""Shared resources, booked so that they are never over-booked.

Limited pools come from policy.yaml's ``resources:`` (name: capacity; a capacity of 1 is an
exclusive resource) and are asked for by a spec's ``planning.resources`` (name: amount).
A resource the policy does not name is unlimited, as for ``taskgov plan``. Each
``mutual_exclusion`` dependency between two tasks is one more exclusive token the two share,
so they never run at the same time, in either order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from taskgov.errors import UsageError
from taskgov.repo import Repository
from taskgov.spec.task import Task

MUTEX = "mutex:"


def mutex_token(a: str, b: str) -> str:
    first, second = sorted((a, b))
    return f"{MUTEX}{first}+{second}"


def task_demands(repo: Repository, tasks: Iterable[Task]) -> dict[str, dict[str, float]]:
    """What each task needs of the limited pools (mutual-exclusion tokens included)."""
    capacities = dict(repo.config.resources)
    wanted = {t.id for t in tasks}
    demands = {
        t.id: {name: amount for name, amount in t.resources if name in capacities and amount > 0}
        for t in repo.tasks.values()
        if t.id in wanted
    }
    for edge in repo.graph.edges:
        if edge.type != "mutual_exclusion":
            continue
        token = mutex_token(edge.prerequisite, edge.dependent)
        for side in (edge.prerequisite, edge.dependent):
            if side in demands:
                demands[side][token] = 1.0
    return demands


@dataclass
class Pools:
    """Capacities and what is booked of them now."""

    capacity: dict[str, float]
    booked: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, repo: Repository, demands: Mapping[str, Mapping[str, float]]) -> Pools:
        capacity = dict(repo.config.resources)
        for need in demands.values():
            for name in need:
                if name.startswith(MUTEX):
                    capacity[name] = 1.0
        pools = cls(capacity)
        for task_id, need in sorted(demands.items()):
            for name, amount in need.items():
                if amount > capacity[name]:
                    raise UsageError(
                        f"{task_id} needs {amount:g} of {name!r}, whose capacity is "
                        f"{capacity[name]:g} (resources in policy.yaml): it could never start"
                    )
        return pools

    def busy(self, need: Mapping[str, float]) -> list[str]:
        """The pools that cannot give ``need`` now (empty: it fits)."""
        return [
            name
            for name, amount in sorted(need.items())
            if self.booked.get(name, 0.0) + amount > self.capacity[name] + 1e-9
        ]

    def book(self, need: Mapping[str, float]) -> None:
        if self.busy(need):
            raise AssertionError(f"over-booking {need}")  # callers check busy() first
        for name, amount in need.items():
            self.booked[name] = self.booked.get(name, 0.0) + amount

    def free(self, need: Mapping[str, float]) -> None:
        for name, amount in need.items():
            self.booked[name] = max(0.0, self.booked.get(name, 0.0) - amount)
