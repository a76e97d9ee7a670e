"""A weekly task log in Markdown: tables ``| Date | Task | ID | Hours | Status | Notes |``
(any column order; Notes optional) under headings that group them.

``☑``/``✅``/``[x]`` is done, ``☒`` cancelled, ``☐``/``[ ]`` open (in progress once hours are
logged); a status word (``done``, ``blocked``...) also works, alone or after an open box
(``☐ blocked``, ``☐ in progress``: what ``taskgov report weekly`` writes). Rows with the
same ID are one task logged over several days: its hours add up (``estimated_effort``), the
last row's status wins, each day's hours and notes are kept. The nearest heading is the
task's phase. Notes such as "depends on CAL-1" add dependencies. A total line
(``**Weekly total: 12 h**`` or a table row whose Task or Date cell is "Total") is checked
against the rows since the previous total or week heading; a mismatch is a finding naming
its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from taskgov.errors import InputError
from taskgov.interop.model import (
    Dependency,
    ImportedPlan,
    ImportedTask,
    SourceFinding,
    map_status,
    markdown_lines,
    read_source,
    refuse_cycles,
)

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TOTAL = re.compile(r"total[^0-9]*?(\d+(?:[.,]\d+)?)\s*(h|hours?|m|min)?\b", re.IGNORECASE)
_HOURS = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(h|hrs?|hours?|m|min|minutes?)?$", re.IGNORECASE)
_DEPENDS = re.compile(r"\b(?:depends?\s+on|after|blocked\s+by)\s+([A-Za-z][\w.-]*\d[\w.-]*)", re.I)
_DONE = {"☑", "✅", "✔", "✓", "[x]", "[X]", "x", "☑️"}
_CANCELLED = {"☒", "✗", "✘", "❌"}
_OPEN = {"☐", "[ ]", "⬜", ""}
REQUIRED = ("task", "id", "hours", "status")


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", text)]


def _hours(text: str, path: Path, number: int) -> float:
    cleaned = text.strip().strip("*").strip()
    if not cleaned or cleaned in ("-", "—"):
        return 0.0
    match = _HOURS.match(cleaned)
    if not match:
        raise InputError(f"{path}:{number}: hours {text!r} is not a number of hours")
    value = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "h").lower()
    return value / 60 if unit.startswith("m") else value


def read_tasklog(path: str | Path) -> ImportedPlan:
    """Parse a Markdown weekly task log; ``InputError("FILE:LINE: ...")`` when malformed."""
    source = Path(path)
    plan = ImportedPlan("markdown", str(path))
    by_id: dict[str, ImportedTask] = {}
    heading = week = ""
    columns: dict[str, int] | None = None
    width = 0
    running = 0.0
    for number, line in markdown_lines(read_source(source, "Markdown file")):
        stripped = line.strip()
        found = _HEADING.match(line)
        if found:
            heading, columns = found.group(2), None
            if "week" in heading.lower():
                week, running = heading, 0.0
            continue
        if not stripped.startswith("|"):
            columns = None
            total = _TOTAL.search(stripped) if "total" in stripped.lower() else None
            if total:
                running = _check_total(plan, source, number, total, running)
            continue
        cells = _cells(line)
        if columns is None:
            names = [cell.strip("*").strip().lower() for cell in cells]
            if all(name in names for name in REQUIRED):
                columns = {name: names.index(name) for name in names if name}
                width = len(cells)
            continue
        if all(re.fullmatch(r":?-+:?", cell) for cell in cells if cell):
            continue  # the separator row
        if len(cells) != width:
            raise InputError(f"{source}:{number}: {len(cells)} cells in a table of {width} columns")

        def cell(name: str, row: list[str] = cells, header: dict[str, int] = columns) -> str:
            index = header.get(name)
            return row[index] if index is not None else ""

        label = f"{cell('task')} {cell('date')}".strip().strip("*").strip().lower()
        if label.startswith("total") or label.endswith("total"):
            total = _TOTAL.search(f"total {cell('hours')}")
            if total:
                running = _check_total(plan, source, number, total, running)
            continue
        hours = _hours(cell("hours"), source, number)
        running += hours
        _row(plan, by_id, source, number, cell, hours, heading, week)
    if not plan.tasks:
        raise InputError(
            f"{source}: no task table (| Date | Task | ID | Hours | Status | Notes |) found"
        )
    refuse_cycles(plan, str(source))
    return plan


def _check_total(
    plan: ImportedPlan, path: Path, number: int, total: re.Match[str], running: float
) -> float:
    stated = float(total.group(1).replace(",", "."))
    if (total.group(2) or "h").lower().startswith("m"):
        stated /= 60
    if abs(stated - running) > 0.01:
        plan.findings.append(
            SourceFinding(
                str(path),
                number,
                f"the total says {stated:g} h, the rows above it add up to {running:g} h",
            )
        )
    return 0.0


def _box_and_word(mark: str) -> tuple[str | None, str]:
    """A status cell that is a box followed by a word (``☐ blocked``): the box and the word."""
    for box in sorted(_DONE | _CANCELLED | _OPEN, key=len, reverse=True):
        if box and mark.startswith(box) and mark[len(box) :].strip():
            return box, mark[len(box) :].strip()
    return None, ""


def _row(
    plan: ImportedPlan,
    by_id: dict[str, ImportedTask],
    path: Path,
    number: int,
    get: Callable[[str], str],
    hours: float,
    heading: str,
    week: str,
) -> None:
    task_id = get("id").strip("`* ")
    title = get("task").strip()
    if not task_id:
        task_id = f"row-{number}"
        plan.findings.append(SourceFinding(str(path), number, f"no ID: imported as {task_id}"))
    task = by_id.get(task_id)
    if task is None:
        task = ImportedTask(task_id, title or task_id, line=number)
        task.phase = heading
        task.keep("week", week)
        by_id[task_id] = task
        plan.tasks.append(task)
    elif title and title != task.title:
        task.kept.setdefault("other titles", []).append(title)
    mark = get("status").strip()
    task.kept.pop("status", None)
    box, word = _box_and_word(mark)
    if box is not None and word:  # "☐ blocked", "☐ in progress": the word says which
        if box in _DONE:
            task.status = "completed"
        elif box in _CANCELLED:
            task.status = "cancelled"
        else:
            map_status(task, word)
    elif mark in _DONE:
        task.status = "completed"
    elif mark in _CANCELLED:
        task.status = "cancelled"
    elif mark in _OPEN:
        task.status = "in_progress" if hours or task.status == "in_progress" else "ready"
    else:
        map_status(task, mark)
    date = get("date").strip()
    if task.status == "completed" and date:
        task.completed_at = date
    logged = task.kept.setdefault("log", [])
    entry: dict[str, Any] = {"line": number, "date": date, "hours": hours, "status": mark}
    notes = get("notes").strip()
    if notes:
        entry["notes"] = notes
        for dep in _DEPENDS.findall(notes):
            if dep != task_id and all(d.task != dep for d in task.depends_on):
                task.depends_on.append(Dependency(dep))
    logged.append(entry)
    total = sum(float(e["hours"]) for e in logged)
    task.effort = f"{total:g}h" if total else ""
