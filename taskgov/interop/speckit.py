"""spec-kit ``tasks.md``: ``- [ ] T001 [P] [US1] Description`` lines grouped in phases.

The dependencies are the ones the template states: Setup, then Foundational, then each user
story (stories in parallel), Polish after every story; a phase of another name follows the
phase before it. Inside a phase a ``[P]`` task ("different files, no dependencies") waits only
for the phase's start; the tasks without ``[P]`` run in order, each after the one before it.
A phase is done when every task in it that no other task of the phase waits for is done.
Prose such as ``(depends on T012, T013)`` adds its own dependencies. ``[X]`` is done.
``**Checkpoint**:`` lines become an acceptance criterion of the task before them;
``**Purpose**``/``**Goal**`` lines and sub-headings are kept with each task of their phase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from taskgov.errors import InputError
from taskgov.interop.model import (
    Dependency,
    ImportedPlan,
    ImportedTask,
    SourceFinding,
    map_priority,
    markdown_lines,
    read_source,
    refuse_cycles,
    unique,
)

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CHECKBOX = re.compile(r"^\s*[-*+]\s+\[([ xX~/-])\]\s+(.*)$")
_TASK_ID = re.compile(r"^([A-Z]+[0-9X]+[A-Za-z]?)\b\s*(.*)$")
_LABEL = re.compile(r"^\[([^\]]+)\]\s*(.*)$")
DEPENDS = re.compile(
    r"\b(?:depends?\s+on|after|requires|blocked\s+by)\s+"
    r"((?:[A-Z]+\d+[A-Za-z]?)(?:\s*(?:,|and|&|/)\s*(?:[A-Z]+\d+[A-Za-z]?))*)",
    re.IGNORECASE,
)
ID_IN = re.compile(r"[A-Z]+\d+[A-Za-z]?", re.IGNORECASE)
_BOLD_FIELD = re.compile(r"^\s*\*\*([^*]+?)\*\*\s*:?\s*(.*)$")
_PRIORITY = re.compile(r"\(Priority:\s*(P\d+)\)", re.IGNORECASE)
_PHASE_PREFIX = re.compile(r"^Phase\s+[\w.]+\s*[:.-]\s*", re.IGNORECASE)


@dataclass
class _Phase:
    name: str
    line: int
    kind: str
    priority: str = ""
    context: dict[str, str] = field(default_factory=dict)
    tasks: list[tuple[ImportedTask, bool]] = field(default_factory=list)  # (task, parallel)
    exits: list[str] = field(default_factory=list)


def _kind(name: str) -> str:
    lowered = name.lower()
    if "setup" in lowered:
        return "setup"
    if "foundation" in lowered:
        return "foundational"
    if "user story" in lowered or re.search(r"\bus\d+\b", lowered):
        return "story"
    if "polish" in lowered or "cross-cutting" in lowered:
        return "polish"
    return "other"


def read_speckit(path: str | Path) -> ImportedPlan:
    """Parse a spec-kit tasks.md; ``InputError("FILE:LINE: ...")`` when it cannot be read."""
    source = Path(path)
    return parse_speckit(read_source(source, "tasks.md file"), source)


def parse_speckit(text: str, source: Path) -> ImportedPlan:
    """Parse the text of a spec-kit tasks.md read from ``source``."""
    plan = ImportedPlan("speckit", str(source))
    phases: list[_Phase] = []
    phase: _Phase | None = None
    section = ""
    seen: dict[str, int] = {}
    last: ImportedTask | None = None
    for number, line in markdown_lines(text, comments=True):
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            if level == 2:
                phase = _Phase(title, number, _kind(_PHASE_PREFIX.sub("", title)))
                match = _PRIORITY.search(title)
                phase.priority = match.group(1) if match else ""
                phases.append(phase)
                section = ""
            elif level == 1:
                phase, section = None, ""
            else:
                section = title
            last = None
            continue
        box = _CHECKBOX.match(line)
        if box:
            if phase is None:
                phase = _Phase("Tasks", number, "other")
                phases.append(phase)
            task = _task(plan, source, number, box.group(1), box.group(2), phase, section)
            if task is None:
                continue
            if task.id in seen:
                seen[task.id] += 1
                task.keep("id", task.id)
                task.id = f"{task.id}-{seen[task.id]}"
            else:
                seen[task.id] = 1
            parallel = bool(task.kept.pop("_parallel", False))
            phase.tasks.append((task, parallel))
            plan.tasks.append(task)
            last = task
            continue
        field_match = _BOLD_FIELD.match(line)
        if field_match and phase is not None:
            label, value = field_match.group(1).strip(), field_match.group(2).strip()
            if label.lower() == "checkpoint":
                if last is not None:
                    last.criteria.append((f"Checkpoint: {value}", f"tasks.md line {number}"))
                else:
                    phase.context[f"checkpoint (line {number})"] = value
            elif value:
                phase.context[label] = value
    if not plan.tasks:
        raise InputError(f"{source}: no task lines (- [ ] T001 Description) found")
    _order(phases)
    for each in phases:
        for task, _ in each.tasks:
            for label, value in each.context.items():
                task.keep(f"phase {label.lower()}", value)
    refuse_cycles(plan, str(source))
    return plan


def _task(
    plan: ImportedPlan,
    source: Path,
    number: int,
    mark: str,
    rest: str,
    phase: _Phase,
    section: str,
) -> ImportedTask | None:
    found = _TASK_ID.match(rest.strip())
    if not found:
        plan.findings.append(
            SourceFinding(
                str(source), number, f"a checkbox line without a task id, not imported: {rest!r}"
            )
        )
        return None
    task_id, body = found.group(1), found.group(2)
    labels: list[str] = []
    while (found_label := _LABEL.match(body)) is not None:
        labels.append(found_label.group(1).strip())
        body = found_label.group(2)
    task = ImportedTask(task_id, body.strip() or task_id, line=number)
    if mark in "xX":
        task.status = "completed"
    elif mark != " ":
        task.keep("checkbox", f"[{mark}]")
        plan.findings.append(
            SourceFinding(str(source), number, f"checkbox [{mark}] read as not done")
        )
    task.phase = phase.name
    if phase.priority:
        map_priority(task, phase.priority)
        task.kept.pop("priority", None)
        task.keep("story priority", phase.priority)
    if "mvp" in phase.name.lower():
        task.tags.append("mvp")
    for label in labels:
        if label.upper() == "P":
            task.kept["_parallel"] = True
        elif re.fullmatch(r"US\d+", label, re.IGNORECASE):
            task.milestone = label.upper()
            task.tags.append(label.upper())
        else:
            task.tags.append(label)
    if section:
        task.keep("section", section)
    explicit = [dep for match in DEPENDS.finditer(body) for dep in ID_IN.findall(match.group(1))]
    task.depends_on = [Dependency(dep.upper()) for dep in unique(explicit)]
    return task


def _order(phases: list[_Phase]) -> None:
    """Add the template's dependencies between and inside phases."""
    done: list[_Phase] = []
    for phase in phases:
        if not phase.tasks:
            continue
        entry = _entry(phase, done)
        previous: str | None = None
        for task, parallel in phase.tasks:
            if parallel:  # "[P]: can run in parallel (different files, no dependencies)"
                rule = entry
            else:
                rule = [previous] if previous else entry
                previous = task.id
            explicit = [dep.task for dep in task.depends_on]
            task.depends_on = [Dependency(dep) for dep in unique([*rule, *explicit])]
        inside = {task.id for task, _ in phase.tasks}
        needed = {d.task for task, _ in phase.tasks for d in task.depends_on if d.task in inside}
        phase.exits = [task.id for task, _ in phase.tasks if task.id not in needed]
        done.append(phase)


def _entry(phase: _Phase, done: list[_Phase]) -> list[str]:
    def exits(*kinds: str) -> list[str]:
        return [task for p in done if p.kind in kinds for task in p.exits]

    if phase.kind == "setup":
        return exits("setup")
    if phase.kind == "foundational":
        return exits("setup", "other") or (done[-1].exits if done else [])
    if phase.kind == "story":
        return exits("foundational") or exits("setup", "other")
    if phase.kind == "polish":
        return exits("story") or exits("foundational") or exits("setup", "other")
    return done[-1].exits if done else []
