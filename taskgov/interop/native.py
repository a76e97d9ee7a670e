"""A taskgov repository read into the neutral :class:`~taskgov.interop.model.ImportedPlan`,
the shape every exporter writes from.

Statuses are the derived ones (history wins over the spec: a ``Closes:`` trailer makes a task
completed), except that a task blocked only by its unfinished dependencies keeps its spec's
status (the dependencies are exported too). Dependencies are the merged graph (plain ordering
as ``state.blocked_by`` says it, typed ones as ``planning.depends_on`` says it; a dependency on
a task no spec defines is kept).
What an earlier import kept under ``references`` comes back as :attr:`ImportedTask.kept`, with
the format it came from in :attr:`ImportedTask.origin`, so that exporting to that format again
writes the source's own fields: import, export and import again gives the same plan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from taskgov.interop.model import Dependency, ImportedPlan, ImportedTask, Link
from taskgov.repo import Repository
from taskgov.spec.task import UNREADABLE, id_key
from taskgov.state import TaskState

# A derived status that is not a spec status, as the nearest spec status.
_STATUS = {"claimed": "assigned"}
_PLAIN_SOURCES = frozenset({"state.blocked_by", "state.blocks", "references", "dependencies"})
_NOBODY = frozenset({"", "unassigned", "none", "nobody", "-"})


def read_repository(repo: Repository, states: Mapping[str, TaskState]) -> ImportedPlan:
    """Every readable task of ``repo`` (in id order) with its derived status; the specs that
    cannot be read are listed in ``plan.kept["unreadable"]``."""
    plan = ImportedPlan("taskgov", str(repo.root))
    prerequisites = repo.graph.prerequisites()
    for task_id in sorted(repo.tasks, key=id_key):
        task = repo.tasks[task_id]
        state = states.get(task_id)
        status = state.status if state is not None else task.status
        if status == UNREADABLE or task.unreadable:
            plan.kept.setdefault("unreadable", []).append(task.path)  # named by the caller
            continue
        item = ImportedTask(task.id, task.title)
        if status == "blocked" and task.status != "blocked":
            status = task.status  # waiting for its dependencies: every format says that itself
        item.status = _STATUS.get(status, status)
        item.priority = task.priority
        item.milestone = task.milestone
        item.phase = task.phase
        item.task_type = task.type
        item.assignee = "" if task.assignee.strip().lower() in _NOBODY else task.assignee
        item.effort = task.effort
        if task.estimate is not None:
            estimate = task.estimate
            item.estimate = (estimate.optimistic, estimate.likely, estimate.pessimistic)
        for edge in prerequisites.get(task_id, ()):
            typed = not set(edge.sources) <= _PLAIN_SOURCES
            item.depends_on.append(
                Dependency(
                    edge.prerequisite,
                    edge.type if typed else "",
                    edge.confidence,
                    edge.hard,
                    next((d.reason for d in edge.declarations if d.reason), ""),
                )
            )
        for missing in repo.graph.missing_prerequisites(task_id):
            item.depends_on.append(Dependency(missing.prerequisite))
        _from_document(item, _document(repo, task.path))
        plan.tasks.append(item)
    return plan


def _document(repo: Repository, path: str) -> dict[str, Any]:
    from taskgov.spec.yamlio import YamlProblem, load, read_text

    try:
        data, _ = load(read_text(repo.root / path, repo.root), duplicates=[])
    except (YamlProblem, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _from_document(item: ImportedTask, doc: dict[str, Any]) -> None:
    """The spec's texts, criteria, dates and references into ``item``."""
    item.objective = _text(doc.get("objective")).strip("\n") if doc.get("objective") else ""
    item.created_at = _text(doc.get("created_at"))
    state = doc.get("state")
    if not isinstance(state, dict):
        state = {}
    item.started_at = _text(state.get("started_at"))
    item.completed_at = _text(state.get("completed_at"))
    for entry in doc.get("acceptance_criteria") or []:
        if isinstance(entry, dict):
            criterion = _text(entry.get("criterion"))
            if criterion:
                item.criteria.append((criterion, _text(entry.get("verification"))))
        elif isinstance(entry, str) and entry:
            item.criteria.append((entry, ""))
    for reference in doc.get("references") or []:
        if not isinstance(reference, dict):
            continue
        kind = _text(reference.get("type"))
        if kind == "imported_from":
            item.origin = _text(reference.get("description"))
        elif kind == "tag" and reference.get("description"):
            item.tags.append(_text(reference["description"]))
        elif kind == "imported_field" and reference.get("section"):
            item.kept[_text(reference["section"])] = decode(_text(reference.get("description")))
        elif kind == "related_task" and reference.get("task_id"):
            relationship = _text(reference.get("relationship"))
            if relationship not in ("depends_on", "blocks", "blocked_by"):
                item.links.append(Link(_text(reference["task_id"]), relationship))


def decode(text: str) -> Any:
    """A kept field's value: what the importer wrote as JSON (lists, objects, numbers,
    booleans) is read back as JSON; any other text stays text."""
    stripped = text.strip()
    if stripped[:1] in ("[", "{") or stripped in ("true", "false", "null") or _number(stripped):
        try:
            return json.loads(stripped)
        except (ValueError, RecursionError):
            return text
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text[:1].isdigit() or text[:1] == "-"


def kept_from(item: ImportedTask, fmt: str) -> dict[str, Any]:
    """The fields an import from ``fmt`` kept for ``item`` (none when it came from elsewhere)."""
    return dict(item.kept) if item.origin == fmt else {}
