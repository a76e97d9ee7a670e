"""T.A.S.K.S v3 ``tasks.json`` (and ``features.json`` beside it when present).

``dependencies`` are edges ``{from, to, type, isHard, confidence}``: ``to`` waits for
``from``, written as a typed ``planning.depends_on`` entry (type, confidence, hard) so that
``plan`` and ``ready`` weigh it as the source did. ``duration`` (optimistic, mostLikely,
pessimistic in ``durationUnits``) is the three-point estimate; ``feature_id`` the milestone
and the feature's title the phase (a task's own ``phase`` wins); ``acceptance_checks`` the
criteria; ``priority``, ``description``, ``tags`` and ``assignee`` (as taskgov's export
writes them) what they say. Everything else
(evidence, resources, logging, compensation, the file's ``meta``) is kept under references.
SOURCE is tasks.json or the directory holding it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskgov.errors import InputError
from taskgov.interop.model import (
    Dependency,
    ImportedPlan,
    ImportedTask,
    load_json,
    map_priority,
    map_status,
    read_source,
    refuse_cycles,
)
from taskgov.spec.model import DEPENDENCY_TYPES

_HANDLED = {
    "id",
    "title",
    "feature_id",
    "duration",
    "durationUnits",
    "acceptance_checks",
    "status",
    "done",  # what taskgov's export adds beside status
    "priority",
    "phase",
    "description",
    "tags",
    "assignee",
}
_UNIT_HOURS = {"minutes": 1 / 60, "hours": 1.0, "days": 8.0, "weeks": 40.0}
_TYPE_WORDS = {"resource": "resource_limited", "mutex": "mutual_exclusion"}


def _tasks_file(source: Path) -> Path:
    if source.is_dir():
        candidate = source / "tasks.json"
        if not candidate.is_file():
            raise InputError(f"{source}: no tasks.json in this directory")
        return candidate
    if not source.exists():
        raise InputError(f"{source}: no such file or directory")
    return source


def read_tasks_v3(path: str | Path) -> ImportedPlan:
    """Parse a T.A.S.K.S v3 tasks.json (features.json beside it is read when present)."""
    tasks_path = _tasks_file(Path(path))
    data = load_json(tasks_path)
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        raise InputError(f'{tasks_path}:1: expected an object with a "tasks" list')
    features: dict[str, str] = {}
    features_path = tasks_path.with_name("features.json")
    if features_path.is_file():
        document = load_json(features_path)
        for feature in document.get("features", []) if isinstance(document, dict) else []:
            if isinstance(feature, dict) and feature.get("id"):
                features[str(feature["id"])] = str(feature.get("title") or "")
    lines = _id_lines(read_source(tasks_path))
    plan = ImportedPlan("tasks-v3", str(path))
    by_id: dict[str, ImportedTask] = {}
    for index, raw in enumerate(data["tasks"]):
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("title"):
            raise InputError(f"{tasks_path}: task {index + 1} needs an id and a title")
        task = _task(raw, lines.get(str(raw["id"])), features, tasks_path)
        if task.id in by_id:
            raise InputError(f"{tasks_path}:{task.line or 1}: task {task.id} appears twice")
        by_id[task.id] = task
        plan.tasks.append(task)
    for index, edge in enumerate(data.get("dependencies") or []):
        _edge(plan, by_id, edge, index, tasks_path)
    if plan.tasks:
        first = plan.tasks[0]
        for key, value in data.items():
            if key not in ("tasks", "dependencies"):
                first.keep(f"tasks.json {key}", value)
    refuse_cycles(plan, str(tasks_path))
    return plan


def _id_lines(text: str) -> dict[str, int]:
    import re

    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r'"id"\s*:\s*"([^"]+)"', line):
            found.setdefault(match.group(1), number)
    return found


def _task(
    raw: dict[str, Any], line: int | None, features: dict[str, str], path: Path
) -> ImportedTask:
    task = ImportedTask(str(raw["id"]).strip(), str(raw["title"]), line=line)
    map_status(task, raw.get("status"))
    map_priority(task, raw.get("priority"))
    feature = str(raw.get("feature_id") or "")
    task.milestone = feature
    titled = features.get(feature, "")
    # A feature titled by its own id (as taskgov exports one) names no phase.
    task.phase = str(raw.get("phase") or (titled if titled != feature else ""))
    task.objective = str(raw.get("description") or "")
    task.assignee = str(raw.get("assignee") or "")
    tags = raw.get("tags")
    if isinstance(tags, list) and all(isinstance(tag, str) for tag in tags):
        task.tags = [tag for tag in tags if tag]
    else:
        task.keep("tags", tags)
    duration = raw.get("duration")
    units = str(raw.get("durationUnits") or "hours").lower()
    scale = _UNIT_HOURS.get(units) or _UNIT_HOURS.get(units + "s")
    if isinstance(duration, dict) and scale is not None:
        try:
            points = tuple(
                float(duration[k]) * scale for k in ("optimistic", "mostLikely", "pessimistic")
            )
        except (KeyError, TypeError, ValueError):
            raise InputError(
                f"{path}:{line or 1}: task {task.id}: duration needs three numbers"
            ) from None
        task.estimate = (points[0], points[1], points[2])
        if units != "hours":
            task.keep("durationUnits", raw.get("durationUnits"))
            task.keep("duration", duration)
    else:
        task.keep("duration", duration)
        task.keep("durationUnits", raw.get("durationUnits"))
    task.criteria = criteria_of(raw.get("acceptance_checks"))
    task.keep("acceptance_checks", raw.get("acceptance_checks"))
    for key, value in raw.items():
        if key not in _HANDLED:
            task.keep(key, value)
    return task


def criteria_of(checks: Any) -> list[tuple[str, str]]:
    """(criterion, verification) of each acceptance check: its description (else its command
    or type) and its verification (else its command or type)."""
    found = []
    for check in checks if isinstance(checks, list) else []:
        if isinstance(check, dict):
            what = check.get("description") or check.get("cmd") or check.get("type") or ""
            how = check.get("verification") or check.get("cmd") or check.get("type") or ""
            found.append((str(what), str(how)))
    return found


def _edge(
    plan: ImportedPlan, by_id: dict[str, ImportedTask], edge: Any, index: int, path: Path
) -> None:
    if not isinstance(edge, dict) or not edge.get("from") or not edge.get("to"):
        raise InputError(f"{path}: dependency {index + 1} needs from and to")
    before, after = str(edge["from"]), str(edge["to"])
    dependent = by_id.get(after)
    if dependent is None:  # the waiting task is not in the file: keep the edge with the first
        plan.tasks[0].kept.setdefault("dependencies naming other tasks", []).append(edge)
        return
    word = str(edge.get("type") or "technical").lower().replace("-", "_")
    kind = word if word in DEPENDENCY_TYPES else _TYPE_WORDS.get(word, "technical")
    confidence = edge.get("confidence", 1)
    if not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        raise InputError(f"{path}: dependency {before} -> {after}: confidence must be 0..1")
    reason = str(edge.get("reason") or edge.get("rationale") or "")
    dependent.depends_on.append(
        Dependency(before, kind, float(confidence), bool(edge.get("isHard", True)), reason)
    )
    extra = {
        k: v
        for k, v in edge.items()
        if k not in ("from", "to", "type", "isHard", "confidence", "reason")
    }
    if kind != word or extra:
        dependent.kept.setdefault("dependency details", []).append(
            {"from": before, "type": edge.get("type"), **extra}
        )
