"""beads ``.beads/issues.jsonl``: one issue per line, with typed dependency edges.

``blocks`` orders (the issue waits for ``depends_on_id``); ``parent-child`` makes the parent
(an epic) wait for its children and each names the other under ``references``; ``related``
and ``discovered-from`` are references that order nothing. Priority 0 is critical, 1 high,
2 medium, 3 and 4 low. ``estimated_minutes`` is the estimate; ``acceptance_criteria`` lines
are criteria; ``design``, ``comments`` and every other field are kept under ``references``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from taskgov.errors import InputError
from taskgov.interop.model import (
    Dependency,
    ImportedPlan,
    ImportedTask,
    Link,
    map_priority,
    map_status,
    read_source,
    refuse_cycles,
    words,
)

_HANDLED = {
    "id",
    "title",
    "description",
    "status",
    "priority",
    "issue_type",
    "assignee",
    "labels",
    "dependencies",
    "acceptance_criteria",
    "estimated_minutes",
    "created_at",
    "closed_at",
}
_TYPES = {"bug": "bugfix", "feature": "feature", "task": "feature", "epic": "feature"}
_TYPES.update(chore="refactor", docs="documentation", test="test")
LINKS = {"related": "related_to", "discovered-from": "discovered_from"}


def read_beads(path: str | Path) -> ImportedPlan:
    """Parse a beads issues.jsonl; a malformed line is ``InputError("FILE:LINE: ...")``."""
    source = Path(path)
    plan = ImportedPlan("beads", str(path))
    edges: list[tuple[str, dict[str, Any]]] = []  # (the row's issue, the edge)
    by_id: dict[str, ImportedTask] = {}
    for number, line in enumerate(read_source(source, "JSONL file").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}:{number}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise InputError(f"{source}:{number}: JSON nested too deeply") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), (str, int)):
            raise InputError(f"{source}:{number}: expected an issue object with an id")
        task = _task(raw, number, source)
        if task.id in by_id:
            raise InputError(f"{source}:{number}: issue {task.id} appears twice")
        by_id[task.id] = task
        plan.tasks.append(task)
        deps = raw.get("dependencies") or []
        if not isinstance(deps, list):
            raise InputError(f"{source}:{number}: issue {task.id}: dependencies is not a list")
        for dep in deps:
            if not isinstance(dep, dict) or not dep.get("depends_on_id"):
                raise InputError(
                    f"{source}:{number}: issue {task.id}: a dependency without depends_on_id"
                )
            edges.append((task.id, {"issue_id": task.id, **dep}))
    if not plan.tasks:
        raise InputError(f"{source}: no issues found")
    for row, edge in edges:
        # an edge whose issue_id is not in this file stays with the row that lists it
        issue = by_id.get(str(edge["issue_id"])) or by_id[row]
        other = str(edge["depends_on_id"])
        kind = str(edge.get("type") or "blocks")
        if kind == "blocks":
            issue.depends_on.append(Dependency(other))
        elif kind == "parent-child":
            issue.links.append(Link(other, "child_of"))
            parent = by_id.get(other)
            if parent is not None:
                parent.depends_on.append(Dependency(issue.id))
                parent.links.append(Link(issue.id, "parent_of"))
        else:
            issue.links.append(Link(other, LINKS.get(kind, kind.replace("-", "_"))))
        extra = {k: v for k, v in edge.items() if k not in ("issue_id", "depends_on_id", "type")}
        if extra:
            issue.kept.setdefault("dependency details", []).append(
                {"depends_on_id": other, "type": kind, **extra}
            )
    refuse_cycles(plan, str(source))
    return plan


def _task(raw: dict[str, Any], number: int, source: Path) -> ImportedTask:
    task_id = str(raw["id"]).strip()
    title = str(raw.get("title") or "").strip()
    if not title:
        raise InputError(f"{source}:{number}: issue {task_id} has no title")
    task = ImportedTask(task_id, title, line=number)
    map_status(task, raw.get("status"))
    if raw.get("priority") is not None:
        map_priority(task, raw["priority"])
    kind = str(raw.get("issue_type") or "")
    task.task_type = _TYPES.get(kind, "")
    if kind and kind != task.task_type:
        task.keep("issue_type", kind)
    task.assignee = str(raw.get("assignee") or "")
    task.tags = words(raw.get("labels"))
    task.objective = str(raw.get("description") or "")
    task.created_at = str(raw.get("created_at") or "")
    if task.status in ("completed", "cancelled"):
        task.completed_at = str(raw.get("closed_at") or "")
    else:
        task.keep("closed_at", raw.get("closed_at"))
    minutes = raw.get("estimated_minutes")
    if isinstance(minutes, (int, float)) and not isinstance(minutes, bool) and minutes >= 0:
        hours = round(minutes / 60, 4)
        task.estimate = (hours, hours, hours)
        task.effort = f"{minutes:g}m"
    else:
        task.keep("estimated_minutes", minutes)
    criteria = str(raw.get("acceptance_criteria") or "")
    for line in criteria.splitlines():
        text = line.strip().lstrip("-*").strip()
        if text:
            task.criteria.append((text, "beads acceptance_criteria"))
    for key, value in raw.items():
        if key not in _HANDLED:
            task.keep(key, value)
    return task
