"""What a pull request does to the specs: tasks added, removed and changed (field by field),
dependency edges added and removed, and the cycles it closes."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from taskgov.checks.catalog import RULES
from taskgov.checks.graph import cycle_paths
from taskgov.problems import Problem
from taskgov.review.revision import Side
from taskgov.spec.task import Task, id_key

FILE_FIELD = "(file)"  # the "field" that changes when a spec moves (active -> completed)


@dataclass(frozen=True)
class FieldChange:
    path: str  # dotted, list items as [n]: state.status, acceptance_criteria[0].criterion
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class SpecDiff:
    added: tuple[Task, ...]
    removed: tuple[Task, ...]
    changed: tuple[tuple[Task, tuple[FieldChange, ...]], ...]  # the head's task, its changes
    edges_added: tuple[tuple[str, str], ...]  # (dependent, prerequisite)
    edges_removed: tuple[tuple[str, str], ...]
    cycles: tuple[tuple[str, ...], ...]  # closed paths [a, b, ..., a] the change introduces
    cycle_problems: tuple[Problem, ...]  # TG301, at the declaration that closes each cycle

    @property
    def touched(self) -> set[str]:
        """Ids of the tasks added, removed or changed."""
        return {t.id for t in (*self.added, *self.removed)} | {t.id for t, _ in self.changed}

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.edges_added) and not (
            self.edges_removed
        )


def diff_sides(base: Side, head: Side) -> SpecDiff:
    before, after = base.repo.tasks, head.repo.tasks
    added = tuple(after[i] for i in after if i not in before)
    removed = tuple(before[i] for i in before if i not in after)
    changed = []
    for task_id, new in after.items():
        old = before.get(task_id)
        if old is None:
            continue
        if old.path == new.path and base.blobs.get(old.path) == head.blobs.get(new.path):
            continue
        fields = field_changes(base.data(old.path), head.data(new.path))
        if old.path != new.path:
            fields.insert(0, FieldChange(FILE_FIELD, old.path, new.path))
        if fields:
            changed.append((new, tuple(fields)))
    old_edges = {(e.dependent, e.prerequisite) for e in base.repo.graph.edges}
    new_edges = {(e.dependent, e.prerequisite): e for e in head.repo.graph.edges}
    edges_added = tuple(sorted(set(new_edges) - old_edges, key=_edge_key))
    edges_removed = tuple(sorted(old_edges - set(new_edges), key=_edge_key))
    old_cycles = {frozenset(c) for c in cycle_paths(base.repo)}
    cycles, problems = [], []
    for cycle in cycle_paths(head.repo):
        if frozenset(cycle) in old_cycles:
            continue
        cycles.append(tuple(cycle))
        problems.append(_closing(cycle, set(edges_added), new_edges, head))
    return SpecDiff(
        added, removed, tuple(changed), edges_added, edges_removed, tuple(cycles), tuple(problems)
    )


def _edge_key(edge: tuple[str, str]) -> tuple[Any, ...]:
    return (id_key(edge[0]), id_key(edge[1]))


def _closing(
    cycle: list[str], added: set[tuple[str, str]], edges: dict[Any, Any], head: Side
) -> Problem:
    """TG301 at the declaration of the cycle's first edge the change added: the line that
    closes it (any edge of the cycle when none is new, e.g. a task that came back)."""
    pairs = list(pairwise(cycle))
    closing = next((pair for pair in pairs if pair in added), pairs[0])
    declaration = edges[closing].declarations[0]
    task = head.repo.tasks[declaration.declared_in]
    return Problem(
        task.path,
        declaration.line,
        None,
        "TG301",
        RULES["TG301"].severity,
        f"this dependency ({closing[0]} needs {closing[1]}) closes the cycle " + " -> ".join(cycle),
        declaration.declared_in,
        declaration.source,
    )


def field_changes(before: Any, after: Any) -> list[FieldChange]:
    """Every leaf that differs between two parsed specs, in the head's key order."""
    old, new = flatten(before), flatten(after)
    order = list(new) + [path for path in old if path not in new]
    changed = [p for p in order if old.get(p, _MISSING) != new.get(p, _MISSING)]
    # A value that changed shape (an empty list that now holds items, a mapping that became
    # text) is one change of that value, not one per leaf beneath it.
    whole = {p for p in changed if any(_beneath(other, p) for other in changed)}
    found, emitted = [], set()
    for path in changed:
        top = min((w for w in whole if path == w or _beneath(path, w)), key=len, default=None)
        if top is None:
            # an item or section only one side has: one change of it, not of each leaf
            top = next(
                (
                    a
                    for a in _ancestors(path)
                    if _at(before, a, _MISSING) is _MISSING or _at(after, a, _MISSING) is _MISSING
                ),
                None,
            )
        if top is None:
            found.append(FieldChange(path, old.get(path), new.get(path)))
        elif top not in emitted:  # where its first leaf is
            emitted.add(top)
            found.append(FieldChange(top, _at(before, top), _at(after, top)))
    return found


def _beneath(path: str, ancestor: str) -> bool:
    return path.startswith(ancestor) and path[len(ancestor) : len(ancestor) + 1] in (".", "[")


def _ancestors(path: str) -> list[str]:
    """``progress[1].note`` -> ``["progress[1]"]``: the paths above it, outermost first,
    without the top-level key (a section present on one side only is its own leaf)."""
    import re

    cuts = [m.start() for m in re.finditer(r"[.\[]", path)]
    return [path[:cut] for cut in cuts[1:]]


def _at(document: Any, path: str, missing: Any = None) -> Any:
    """The value at a dotted path (``state.status``, ``progress[1].note``); ``missing`` if
    absent."""
    import re

    value = document
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if index:
            if not (isinstance(value, list) and int(index) < len(value)):
                return missing
            value = value[int(index)]
        else:
            if not (isinstance(value, dict) and key in value):
                return missing
            value = value[key]
    return value


_MISSING = object()


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of a parsed document by dotted path. A list of scalars (``blocked_by``) is one
    leaf, so a reordered or extended list reads as one change; a list of mappings
    (``acceptance_criteria``) is compared item by item."""
    found: dict[str, Any] = {}
    if isinstance(value, dict) and value:
        for key, item in value.items():
            found.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        for index, item in enumerate(value):
            found.update(flatten(item, f"{prefix}[{index}]"))
    elif prefix:
        found[prefix] = value
    return found
