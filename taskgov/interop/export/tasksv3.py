"""T.A.S.K.S v3 artifacts of a repository: features.json, tasks.json, dag.json, waves.json,
coordinator.json, Plan.md and Decisions.md.

Every task is exported, finished ones marked (``status`` and ``done``). The plan behind
dag.json, waves.json, coordinator.json and Plan.md is taskgov's plan of every task (``plan
--all``), so the three JSON plan artifacts and Plan.md share one plan id. The JSON files
validate against the T.A.S.K.S v3 schemas and carry ``meta.artifact_hash``, the SHA-256 of
their normalised JSON (:mod:`taskgov.render.artifacts`). Secrets are redacted before
anything is hashed. A task imported from tasks-v3 gets its source's fields back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taskgov.interop.model import ImportedPlan, ImportedTask, map_priority
from taskgov.interop.native import kept_from
from taskgov.render import artifacts

FORMAT = "tasks-v3"
NO_FEATURE = "unassigned"  # the feature of tasks without a milestone
FINISHED = frozenset({"completed", "cancelled"})
# Fields of the importer's own (not the source's): never written back as task fields.
_BOOKKEEPING = frozenset(
    {
        "id",
        "title",
        "status",
        "priority",
        "estimate",
        "tags",
        "dependency details",
        "dependencies naming other tasks",
    }
)
_TOP = "tasks.json "  # kept document-level fields: "tasks.json meta", "tasks.json ..."
_UNIT_HOURS = {"minutes": 1 / 60, "hours": 1.0, "days": 8.0, "weeks": 40.0}


def features_document(plan: ImportedPlan) -> dict[str, Any]:
    """features.json: one feature per milestone, titled by its tasks' common phase."""
    return {
        "meta": {"version": artifacts.FORMAT_VERSION},
        "features": [{"id": i, "title": t} for i, t in _features(plan).items()],
    }


def _features(plan: ImportedPlan) -> dict[str, str]:
    phases: dict[str, set[str]] = {}
    for task in plan.tasks:
        phases.setdefault(task.milestone or NO_FEATURE, set()).add(task.phase)
    return {
        feature: next(iter(names)) if len(names) == 1 and "" not in names else feature
        for feature, names in phases.items()
    }


def tasks_document(
    plan: ImportedPlan, planned: Mapping[str, Mapping[str, Any]], min_confidence: float
) -> dict[str, Any]:
    """tasks.json: tasks (durations in hours, acceptance checks, status) and typed edges.
    ``planned`` (task id -> the plan's task) gives the hours of a task without an estimate."""
    features = _features(plan)
    top: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    for task in plan.tasks:
        for name, value in kept_from(task, FORMAT).items():
            if name == _TOP + "meta" and isinstance(value, dict):
                meta = {**value, **meta}
            elif name.startswith(_TOP) and name[len(_TOP) :] not in ("tasks", "dependencies"):
                top.setdefault(name[len(_TOP) :], value)
    meta.update(version=artifacts.FORMAT_VERSION, min_confidence=min_confidence)
    tasks = [_task(task, features, planned.get(task.id, {})) for task in plan.tasks]
    edges = [edge for task in plan.tasks for edge in _edges(task)]
    for task in plan.tasks:  # edges whose waiting task the source file did not hold
        outside = kept_from(task, FORMAT).get("dependencies naming other tasks")
        edges.extend(e for e in outside or [] if isinstance(e, dict))
    return {**top, "meta": meta, "tasks": tasks, "dependencies": edges}


def _task(
    task: ImportedTask, features: Mapping[str, str], planned: Mapping[str, Any]
) -> dict[str, Any]:
    kept = kept_from(task, FORMAT)
    entry: dict[str, Any] = {
        name: value
        for name, value in kept.items()
        if name not in _BOOKKEEPING and not name.startswith(_TOP)
    }
    feature = task.milestone or NO_FEATURE
    entry.update(id=task.id, feature_id=feature, title=task.title)
    if task.phase and task.phase != features.get(feature):
        entry["phase"] = task.phase
    entry.update(_duration(task, planned, kept))
    entry["acceptance_checks"] = _checks(task, kept)
    entry["status"] = _word(kept.get("status"), task.status)
    entry["done"] = task.status in FINISHED
    entry["priority"] = _priority(kept.get("priority"), task.priority)
    for name, value in (("description", task.objective), ("assignee", task.assignee)):
        if value:
            entry[name] = value
        else:
            entry.pop(name, None)
    if task.tags:
        entry["tags"] = list(task.tags)
    return entry


def _word(source: Any, status: str) -> Any:
    """The source's own status word when it still means the task's status."""
    from taskgov.interop.model import STATUS_WORDS

    if isinstance(source, str) and STATUS_WORDS.get(source.strip().lower()) == status:
        return source
    return status


def _priority(source: Any, priority: str) -> Any:
    probe = ImportedTask("", "")
    map_priority(probe, source)
    return source if source not in (None, "") and probe.priority == priority else priority


def _duration(
    task: ImportedTask, planned: Mapping[str, Any], kept: Mapping[str, Any]
) -> dict[str, Any]:
    points: tuple[float, ...] = task.estimate or tuple(
        float(planned.get(k) or 0) for k in ("optimistic", "likely", "pessimistic")
    )
    units, duration = kept.get("durationUnits"), kept.get("duration")
    scale = _UNIT_HOURS.get(str(units).lower()) if isinstance(units, str) else None
    names = ("optimistic", "mostLikely", "pessimistic")
    if scale and isinstance(duration, dict):
        try:
            source = [float(duration[k]) * scale for k in names]
        except (KeyError, TypeError, ValueError):
            source = []
        if source and all(abs(a - b) < 1e-6 for a, b in zip(source, points, strict=True)):
            return {"duration": duration, "durationUnits": units}
    return {"duration": dict(zip(names, points, strict=True)), "durationUnits": "hours"}


def _checks(task: ImportedTask, kept: Mapping[str, Any]) -> list[Any]:
    from taskgov.interop.tasksv3 import criteria_of

    source = kept.get("acceptance_checks")
    if isinstance(source, list) and source and criteria_of(source) == task.criteria:
        return source
    checks: list[dict[str, Any]] = []
    for criterion, verification in task.criteria:
        check: dict[str, Any] = {"type": "manual", "description": criterion}
        if verification and verification != "manual":
            check["verification"] = verification
        checks.append(check)
    # The schema asks for one check at least: a task without criteria is checked by review.
    return checks or [{"type": "manual", "description": f"Review: {task.title}"}]


def _edges(task: ImportedTask) -> list[dict[str, Any]]:
    details: dict[str, list[dict[str, Any]]] = {}
    for detail in kept_from(task, FORMAT).get("dependency details") or []:
        if isinstance(detail, dict):
            details.setdefault(str(detail.get("from")), []).append(detail)
    edges = []
    for dep in task.depends_on:
        extra = dict(details.get(dep.task, [{}])[0])
        extra.pop("from", None)
        word = extra.pop("type", None)
        edge: dict[str, Any] = {**extra, "from": dep.task, "to": task.id}
        edge["type"] = word if isinstance(word, str) and word else dep.type or "technical"
        edge.update(isHard=dep.hard, confidence=dep.confidence)
        if dep.reason:
            edge["reason"] = dep.reason
        edges.append(edge)
    return edges


def coordinator_document(
    plan: ImportedPlan, planned: Mapping[str, Any], frontier: list[str], config: Any
) -> dict[str, Any]:
    """coordinator.json: the graph to execute (nodes with status, hard edges), the rolling
    frontier (what can start now) and the limits work runs under."""
    nodes = [
        {"id": t.id, "title": t.title, "status": t.status, "done": t.status in FINISHED}
        for t in plan.tasks
    ]
    edges = [
        {"from": d.task, "to": t.id, "type": d.type or "technical", "hard": d.hard}
        for t in plan.tasks
        for d in t.depends_on
    ]
    return {
        "meta": {"version": artifacts.FORMAT_VERSION, "planId": artifacts.plan_id(planned)},
        "version": artifacts.FORMAT_VERSION,
        "graph": {"nodes": nodes, "edges": edges},
        "frontier": frontier,
        "waves": [list(w) for w in planned.get("waves", ())],
        "config": {
            "min_confidence": config.min_confidence,
            "workers": config.workers,
            "max_wave_size": config.max_wave_size,
            "resources": dict(config.resources),
            "unit": "hours",
        },
    }
