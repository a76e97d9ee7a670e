"""A ``.tasks/`` directory: ``manifest.json`` (the index: status, priority, depends_on,
blocks, tags, hours) and ``tasks/*.yaml`` (YAML front matter, then a Markdown body).

Every task in the manifest is imported, and so is every task file the manifest omits (a
finding says so). Where both give a field the manifest wins; the file's other value is kept.
The body's ``## Description`` is the objective and its ``## Acceptance Criteria`` items the
criteria; the whole body, and every field without a home, are kept under ``references``.
SOURCE is the ``.tasks`` directory, the directory holding it, or its manifest.json.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from taskgov.errors import InputError
from taskgov.interop.model import (
    Dependency,
    ImportedPlan,
    ImportedTask,
    SourceFinding,
    load_json,
    load_yaml,
    map_priority,
    map_status,
    read_source,
    refuse_cycles,
    unique,
    words,
)

_HANDLED = {
    "id",
    "title",
    "status",
    "priority",
    "depends_on",
    "dependencies",
    "blocks",
    "tags",
    "estimated_hours",
    "created_at",
    "started_at",
    "completed_at",
    "phase",
    "file",
    "assignee",
}
_SECTION = re.compile(r"^##\s+(.*?)\s*$", re.MULTILINE)
_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+(?:\[[ xX]\]\s*)?(.+?)\s*$")
MAX_TASK_FILES = 10_000


def _manifest(source: Path) -> Path:
    if source.is_file():
        return source
    for candidate in (source / "manifest.json", source / ".tasks" / "manifest.json"):
        if candidate.is_file():
            return candidate
    if not source.exists():
        raise InputError(f"{source}: no such file or directory")
    raise InputError(f"{source}: no manifest.json here or in {source / '.tasks'}")


def read_dottasks(path: str | Path) -> ImportedPlan:
    """Parse a ``.tasks/`` directory (manifest.json and tasks/*.yaml)."""
    manifest_path = _manifest(Path(path))
    root = manifest_path.parent
    plan = ImportedPlan("dottasks", str(path))
    manifest = load_json(manifest_path)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tasks", []), list):
        raise InputError(f'{manifest_path}:1: expected an object with a "tasks" list')
    lines = _id_lines(read_source(manifest_path))
    files: dict[str, tuple[Path, dict[str, Any], str]] = {}
    task_dir = root / "tasks"
    if task_dir.is_dir():
        found = sorted(
            p for p in task_dir.iterdir() if p.suffix in (".yaml", ".yml", ".md") and p.is_file()
        )
        if len(found) > MAX_TASK_FILES:
            raise InputError(f"{task_dir}: more than {MAX_TASK_FILES} task files")
        for file in found:
            meta, body = _task_file(file)
            task_id = str(meta.get("id") or file.stem.split("-")[0])
            files[task_id] = (file, meta, body)
    used: set[str] = set()
    missing: list[str] = []
    graph = manifest.get("dependency_graph")
    for index, entry in enumerate(manifest.get("tasks", [])):
        if not isinstance(entry, dict) or not entry.get("id"):
            raise InputError(f"{manifest_path}: task {index + 1} has no id")
        task_id = str(entry["id"])
        named = entry.get("file")
        file_entry = files.get(task_id)
        if file_entry is None and named:
            missing.append(task_id)
        used.add(task_id)
        meta = file_entry[1] if file_entry else {}
        merged = {**meta, **entry}
        task = _task(merged, lines.get(task_id), file_entry)
        for key, value in meta.items():
            if key in entry and entry[key] != value and key not in ("dependencies",):
                task.keep(f"file {key}", value)
        extra = graph.get(task_id) if isinstance(graph, dict) else None
        if isinstance(extra, dict):
            _deps(task, extra.get("depends_on"))
            _blocks(task, extra.get("blocks"))
        plan.tasks.append(task)
    if missing:
        shown = ", ".join(missing[:10]) + (
            f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        )
        plan.findings.append(
            SourceFinding(
                str(manifest_path),
                lines.get(missing[0]),
                f"{len(missing)} task files the manifest names are missing ({shown}): "
                "imported from the manifest alone",
            )
        )
    for task_id, file_entry in sorted(files.items()):
        if task_id in used:
            continue
        file, meta, _ = file_entry
        plan.findings.append(
            SourceFinding(
                str(file), 1, f"{task_id} is not in manifest.json: imported from its task file"
            )
        )
        plan.tasks.append(_task(meta, None, file_entry))
    if not plan.tasks:
        raise InputError(f"{manifest_path}: no tasks in the manifest or in {task_dir}")
    by_id = {task.id: task for task in plan.tasks}
    for task in plan.tasks:
        for blocked in task.kept.pop("_blocks", []):
            if blocked in by_id:
                _deps(by_id[blocked], [task.id])
            else:
                task.keep("blocks", blocked)
    if plan.tasks:
        first = plan.tasks[0]
        for key, value in manifest.items():
            if key not in ("tasks", "dependency_graph"):
                first.keep(f"manifest {key}", value)
    refuse_cycles(plan, str(manifest_path))
    return plan


def _id_lines(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.search(r'"id"\s*:\s*"([^"]+)"', line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def _task_file(file: Path) -> tuple[dict[str, Any], str]:
    text = read_source(file, "task file")
    lines = text.splitlines(keepends=True)
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() in ("---", "..."):
                meta = load_yaml("".join(lines[1:index]), file, 2)
                body = "".join(lines[index + 1 :])
                break
        else:
            raise InputError(f"{file}:1: the front matter (---) is never closed")
    else:
        meta, body = load_yaml(text, file), ""
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(f"{file}:1: expected a mapping of fields")
    return meta, body


def _task(
    raw: dict[str, Any], line: int | None, file_entry: tuple[Path, dict[str, Any], str] | None
) -> ImportedTask:
    task_id = str(raw.get("id") or (file_entry[0].stem if file_entry else "")).strip()
    title = str(raw.get("title") or "").strip() or task_id
    task = ImportedTask(task_id, title, line=line)
    map_status(task, raw.get("status"))
    map_priority(task, raw.get("priority"))
    task.tags = words(raw.get("tags"))
    task.phase = str(raw.get("phase") or "")
    task.assignee = str(raw.get("assignee") or "")
    for key in ("created_at", "started_at", "completed_at"):
        setattr(task, key, str(raw.get(key) or ""))
    hours = raw.get("estimated_hours")
    if isinstance(hours, (int, float)) and not isinstance(hours, bool) and hours >= 0:
        task.estimate = (float(hours), float(hours), float(hours))
        task.effort = f"{hours:g}h"
    else:
        task.keep("estimated_hours", hours)
    _deps(task, raw.get("depends_on"))
    _deps(task, raw.get("dependencies"))
    task.kept["_blocks"] = words(raw.get("blocks"))
    for key, value in raw.items():
        if key not in _HANDLED:
            task.keep(key, value)
    if file_entry is not None:
        file, _, body = file_entry
        task.keep("file", raw.get("file") or f"tasks/{file.name}")
        sections = _sections(body)
        task.objective = sections.get("description", "").strip()
        for item in sections.get("acceptance criteria", "").splitlines():
            match = _ITEM.match(item)
            if match:
                task.criteria.append((match.group(1), "acceptance criteria in the task file"))
        task.keep("body", body.strip("\n"))
    return task


def _sections(body: str) -> dict[str, str]:
    parts = _SECTION.split(body)
    return {parts[i].strip().lower(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _deps(task: ImportedTask, value: Any) -> None:
    known = [d.task for d in task.depends_on]
    for dep in unique(words(value)):
        if dep not in known and dep != task.id:
            task.depends_on.append(Dependency(dep))


def _blocks(task: ImportedTask, value: Any) -> None:
    task.kept["_blocks"] = unique([*task.kept.get("_blocks", []), *words(value)])
