"""Task Master ``.taskmaster/tasks/tasks.json``: tagged (``{"master": {"tasks": [...]}}``) or
legacy flat (``{"tasks": [...]}``), integer or string ids.

A subtask becomes its own task ``<parent id>.<subtask id>`` (``3.1``); the parent waits for
its subtasks (it is done when they are) and each names the other under ``references``. A
subtask's number dependency (``[1]``) names a sibling, a dotted one (``"2.1"``) any subtask,
any other a top-level task. ``description`` is the objective, ``testStrategy`` an acceptance
criterion; ``details`` and every other field are kept under ``references``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from taskgov.errors import InputError, UsageError
from taskgov.interop.model import (
    Dependency,
    ImportedPlan,
    ImportedTask,
    Link,
    load_json,
    map_priority,
    map_status,
    read_source,
    refuse_cycles,
)

_HANDLED = {
    "id",
    "title",
    "description",
    "status",
    "priority",
    "dependencies",
    "subtasks",
    "testStrategy",
    "assignee",
}
DEFAULT_TAG = "master"


def read_taskmaster(path: str | Path, tag: str | None = None) -> ImportedPlan:
    """Parse a Task Master tasks.json, the tasks of ``tag`` (default master) when tagged."""
    source = Path(path)
    data = load_json(source)
    lines = _id_lines(read_source(source))
    if not isinstance(data, dict):
        raise InputError(f'{source}:1: expected a JSON object (tagged or {{"tasks": [...]}})')
    chosen = tag or DEFAULT_TAG
    plan = ImportedPlan("taskmaster", str(path))
    if isinstance(data.get("tasks"), list):  # legacy flat
        if tag not in (None, DEFAULT_TAG):
            raise UsageError(f"{source}: not a tagged file; --tag {tag} does not apply")
        tasks, metadata = data["tasks"], data.get("metadata")
        plan.kept["legacy"] = True
    else:
        tags = sorted(k for k, v in data.items() if isinstance(v, dict) and "tasks" in v)
        if chosen not in data:
            raise UsageError(
                f"{source}: no tag {chosen!r} (tags: {', '.join(tags) or 'none'}); "
                "choose one with --tag"
            )
        section = data[chosen]
        if not isinstance(section, dict) or not isinstance(section.get("tasks"), list):
            raise InputError(f'{source}: tag {chosen!r} has no "tasks" list')
        tasks, metadata = section["tasks"], section.get("metadata")
        plan.kept["tag"] = chosen
    if metadata:
        plan.kept["metadata"] = metadata
    for index, raw in enumerate(tasks):
        _task(plan, source, lines, raw, f"task {index + 1}", None)
    if not plan.tasks:
        raise InputError(f"{source}: the tag {chosen!r} holds no tasks")
    # Ids that name no task stay: `taskgov validate` reports them as dangling references.
    if plan.tasks:
        first = plan.tasks[0]
        for name, value in plan.kept.items():
            first.keep(f"taskmaster {name}", value)
    refuse_cycles(plan, str(source))
    return plan


def _id_lines(text: str) -> dict[str, int]:
    """Where each ``"id": X`` first appears, for messages that name a line."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)', line):
            found.setdefault(match.group(1).strip('"'), number)
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _task(
    plan: ImportedPlan,
    source: Path,
    lines: dict[str, int],
    raw: Any,
    where: str,
    parent: ImportedTask | None,
    siblings: frozenset[str] = frozenset(),
) -> None:
    if not isinstance(raw, dict):
        raise InputError(f"{source}: {where} is not an object")
    if raw.get("id") is None or isinstance(raw.get("id"), (dict, list, bool)):
        raise InputError(f"{source}: {where} has no id")
    own = str(raw["id"]).strip()
    task_id = f"{parent.id}.{own}" if parent else own
    line = lines.get(own)
    title = _text(raw.get("title")).strip()
    if not title:
        raise InputError(f"{source}:{line or 1}: task {task_id} has no title")
    task = ImportedTask(task_id, title, line=line)
    map_status(task, raw.get("status"), default="ready")
    map_priority(task, raw.get("priority"))
    task.objective = _text(raw.get("description"))
    task.assignee = _text(raw.get("assignee"))
    if raw.get("testStrategy"):
        task.criteria.append((_text(raw["testStrategy"]), "testStrategy"))
    dependencies = raw.get("dependencies") or []
    if not isinstance(dependencies, list):
        raise InputError(f"{source}:{line or 1}: task {task_id}: dependencies is not a list")
    for dep in dependencies:
        target = _dependency(dep, parent, siblings)
        if parent is not None and target == parent.id:
            task.keep("dependencies on the parent", str(dep))
            continue
        task.depends_on.append(Dependency(target))
    for key, value in raw.items():
        if key not in _HANDLED:
            task.keep(key, value)
    if parent is not None:
        task.links.append(Link(parent.id, "child_of"))
        task.milestone = parent.milestone
    plan.tasks.append(task)
    subtasks = raw.get("subtasks") or []
    if not isinstance(subtasks, list):
        raise InputError(f"{source}:{line or 1}: task {task_id}: subtasks is not a list")
    children = frozenset(str(s.get("id")).strip() for s in subtasks if isinstance(s, dict))
    for index, child in enumerate(subtasks):
        before = len(plan.tasks)
        where = f"subtask {index + 1} of task {task_id}"
        _task(plan, source, lines, child, where, task, children)
        child_id = plan.tasks[before].id
        task.depends_on.append(Dependency(child_id))
        task.links.append(Link(child_id, "parent_of"))


def _dependency(dep: Any, parent: ImportedTask | None, siblings: frozenset[str]) -> str:
    text = str(dep).strip()
    if parent is not None and (isinstance(dep, int) or text.isdigit() or text in siblings):
        return f"{parent.id}.{text}"  # a sibling subtask
    return text
