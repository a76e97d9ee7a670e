"""Merge the dependency declarations of every spec into one graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from taskgov.spec.task import Dependency, Task

# Dependency types that do not order work (two tasks that must not run at once).
UNORDERED = frozenset({"mutual_exclusion"})


class Edge(NamedTuple):
    """The merged view of every declaration that ``dependent`` needs ``prerequisite``. The
    derived facts are computed once, when the graph is built (``edge``): state derivation and
    planning read them for every edge of every task."""

    dependent: str
    prerequisite: str
    declarations: tuple[Dependency, ...]
    hard: bool
    confidence: float
    type: str
    sources: tuple[str, ...]
    ordered: bool


def edge(dependent: str, prerequisite: str, declarations: tuple[Dependency, ...]) -> Edge:
    typed = [d.type for d in declarations if d.source == "planning.depends_on"]
    kind = typed[0] if typed else declarations[0].type
    return Edge(
        dependent,
        prerequisite,
        declarations,
        any(d.hard for d in declarations),
        max(d.confidence for d in declarations),
        kind,
        tuple(sorted({d.source for d in declarations})),
        kind not in UNORDERED,
    )


@dataclass(frozen=True)
class DependencyGraph:
    """Edges between known tasks; declarations naming unknown tasks are kept apart."""

    edges: tuple[Edge, ...]
    dangling: tuple[Dependency, ...]

    @cached_property
    def _by_dependent(self) -> Mapping[str, tuple[Edge, ...]]:
        result: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            result[edge.dependent].append(edge)
        return {key: tuple(value) for key, value in result.items()}

    @cached_property
    def _by_prerequisite(self) -> Mapping[str, tuple[Edge, ...]]:
        result: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            result[edge.prerequisite].append(edge)
        return {key: tuple(value) for key, value in result.items()}

    @cached_property
    def _dangling_by_dependent(self) -> Mapping[str, tuple[Dependency, ...]]:
        result: dict[str, list[Dependency]] = defaultdict(list)
        for dep in self.dangling:
            result[dep.dependent].append(dep)
        return {key: tuple(value) for key, value in result.items()}

    def prerequisites(self) -> Mapping[str, tuple[Edge, ...]]:
        """Task id -> the edges to what it waits for (computed once)."""
        return self._by_dependent

    def dependents(self) -> Mapping[str, tuple[Edge, ...]]:
        """Task id -> the edges from what waits for it (computed once)."""
        return self._by_prerequisite

    def missing_prerequisites(self, task_id: str) -> tuple[Dependency, ...]:
        """Declarations by which ``task_id`` waits for a task that exists nowhere."""
        return self._dangling_by_dependent.get(task_id, ())

    def successors(self, ordered_only: bool = True) -> dict[str, list[str]]:
        """dependent -> prerequisites, for cycle search."""
        result: dict[str, list[str]] = defaultdict(list)
        for edge in self.edges:
            if edge.ordered or not ordered_only:
                result[edge.dependent].append(edge.prerequisite)
        return result


def merge_dependencies(
    tasks: Iterable[Task], known: Iterable[str] | None = None
) -> DependencyGraph:
    """One graph from every spec's ``blocked_by``, ``blocks``, ``references``,
    ``dependencies[].task`` and ``planning.depends_on``."""
    tasks = list(tasks)
    known_ids = set(known) if known is not None else {t.id for t in tasks}
    grouped: dict[tuple[str, str], list[Dependency]] = defaultdict(list)
    dangling: list[Dependency] = []
    for task in tasks:
        for dep in task.declared:
            other = dep.prerequisite if dep.dependent == task.id else dep.dependent
            if other not in known_ids:
                dangling.append(dep)
                continue
            grouped[(dep.dependent, dep.prerequisite)].append(dep)
    edges = tuple(
        edge(dependent, prerequisite, tuple(decls))
        for (dependent, prerequisite), decls in sorted(grouped.items())
    )
    return DependencyGraph(edges, tuple(dangling))
