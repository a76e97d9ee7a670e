"""A repository as a Task Master ``tasks.json`` in the tagged format.

A task ``P.N`` that is a child of ``P`` (as an import from Task Master makes it) is written
back as subtask ``N`` of ``P``; the parent's wait for its own subtasks is implied by the format
and not listed. Numeric ids are written as numbers. Statuses and priorities use Task Master's
words (``pending``, ``in-progress``, ``done``...), the source's own word when the task was
imported from Task Master and still means the same; the source's other fields (``details``,
``complexity``...) come back too.
"""

from __future__ import annotations

from typing import Any

from taskgov.interop.export.tasksv3 import _priority, _word
from taskgov.interop.model import ImportedPlan, ImportedTask
from taskgov.interop.native import kept_from

FORMAT = "taskmaster"
STATUS = {
    "draft": "deferred",
    "ready": "pending",
    "assigned": "pending",
    "in_progress": "in-progress",
    "review": "review",
    "blocked": "blocked",
    "completed": "done",
    "cancelled": "cancelled",
}
_BOOKKEEPING = frozenset(
    {"id", "title", "status", "priority", "estimate", "dependencies on the parent"}
)
_PLAN = "taskmaster "  # kept plan-level fields: "taskmaster tag", "taskmaster metadata"


def taskmaster_document(plan: ImportedPlan, generated_at: str = "") -> dict[str, Any]:
    """``{tag: {"tasks": [...], "metadata": {...}}}``; the tag is the one the tasks were
    imported from, else master."""
    ids = {task.id for task in plan.tasks}
    parent_of = {}
    for task in plan.tasks:
        parent = next((link.task for link in task.links if link.relationship == "child_of"), "")
        if parent in ids and task.id.startswith(parent + ".") and len(task.id) > len(parent) + 1:
            parent_of[task.id] = parent
    children: dict[str, list[ImportedTask]] = {}
    for task in plan.tasks:
        if task.id in parent_of:
            children.setdefault(parent_of[task.id], []).append(task)
    tag, metadata = "master", {}
    for task in plan.tasks:
        kept = kept_from(task, FORMAT)
        if isinstance(kept.get(_PLAN + "tag"), str):
            tag = kept[_PLAN + "tag"]
        if isinstance(kept.get(_PLAN + "metadata"), dict):
            metadata = dict(kept[_PLAN + "metadata"])
    if generated_at:
        metadata.setdefault("created", generated_at)
        metadata["updated"] = generated_at
    metadata.setdefault("description", f"Tasks for {tag} context")
    tasks = [
        _task(task, None, children, parent_of) for task in plan.tasks if task.id not in parent_of
    ]
    return {tag: {"tasks": tasks, "metadata": metadata}}


def _number(text: str) -> int | str:
    return int(text) if text.isdigit() and len(text) < 16 else text


def _task(
    task: ImportedTask,
    parent: ImportedTask | None,
    children: dict[str, list[ImportedTask]],
    parent_of: dict[str, str],
) -> dict[str, Any]:
    kept = kept_from(task, FORMAT)
    own = task.id[len(parent.id) + 1 :] if parent else task.id
    entry: dict[str, Any] = {"id": _number(own), "title": task.title}
    entry["description"] = task.objective
    entry["details"] = kept.get("details", "")
    tests = [c for c, how in task.criteria if how == "testStrategy"] or [
        c for c, _ in task.criteria
    ]
    entry["testStrategy"] = "\n".join(tests)
    entry["status"] = _word(kept.get("status"), task.status)
    if entry["status"] == task.status:
        entry["status"] = STATUS.get(task.status, task.status)
    entry["priority"] = _priority(kept.get("priority"), task.priority)
    mine = {child.id for child in children.get(task.id, [])}
    dependencies: list[int | str] = []
    for dep in task.depends_on:
        if dep.task in mine:
            continue  # a parent waits for its subtasks: the format says so itself
        if parent is not None and parent_of.get(dep.task) == parent.id:
            dependencies.append(_number(dep.task[len(parent.id) + 1 :]))  # a sibling
        else:
            dependencies.append(_number(dep.task) if parent is None else dep.task)
    entry["dependencies"] = dependencies
    if task.assignee:
        entry["assignee"] = task.assignee
    for name, value in kept.items():
        if name not in _BOOKKEEPING and not name.startswith(_PLAN) and name not in entry:
            entry[name] = value
    if mine:
        entry["subtasks"] = [_task(child, task, children, parent_of) for child in children[task.id]]
    return entry
