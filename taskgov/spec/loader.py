"""One spec file in, one plain ``Task`` (or none) and its problems out."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from taskgov.checks import text as text_rules
from taskgov.checks.findings import Findings
from taskgov.config import Config
from taskgov.problems import Problem
from taskgov.spec import salvage
from taskgov.spec.effort import EffortError, EffortRangeError, Estimate, parse_effort
from taskgov.spec.salvage import SAFE_ID, id_from_name
from taskgov.spec.task import Dependency, Task, enum_word
from taskgov.spec.validation import kind_of, validate_spec
from taskgov.spec.yamlio import Locations, YamlProblem, decode, load


@dataclass(frozen=True)
class FileResult:
    """What one spec file yielded. Every file yields a task id and a task: when the content
    cannot give the id, the file name does, and an unparsable file is a placeholder task
    (``Task.unreadable``), so references to it are never dangling."""

    path: str
    task: Task | None
    task_id: str | None
    problems: tuple[Problem, ...]


def unreadable_file(
    relpath: str,
    config: Config,
    archived: bool,
    problem: YamlProblem,
    text: str | None = None,
    findings: Findings | None = None,
) -> FileResult:
    """The result for a file that could not be read or parsed: its problem and a placeholder."""
    findings = findings or Findings(config, relpath)
    task = salvage.placeholder(text, relpath, config.id_pattern, archived, problem.line)
    findings.task = task.id
    findings.add(problem.rule, problem.message, problem.line, problem.column)
    return FileResult(relpath, task, task.id, tuple(findings.problems))


def parse_spec_bytes(data: bytes, relpath: str, config: Config, archived: bool) -> FileResult:
    try:
        text = decode(data)
    except YamlProblem as problem:
        return unreadable_file(relpath, config, archived, problem)
    return parse_spec_text(text, relpath, config, archived)


def parse_spec_text(
    text: str,
    relpath: str,
    config: Config,
    archived: bool = False,
    findings: Findings | None = None,
) -> FileResult:
    findings = findings or Findings(config, relpath)
    for line, column, kind, shown in text_rules.find_secrets(text):
        findings.add(
            "TG150",
            f"possible {kind} ({shown}): remove it from the spec and rotate the credential",
            line,
            column,
        )
    duplicates: list[YamlProblem] = []
    try:
        data, where = load(text, duplicates=duplicates)
    except YamlProblem as problem:
        return unreadable_file(relpath, config, archived, problem, text, findings)
    if data is None:
        empty = YamlProblem(
            "TG010", "the file is empty: a task spec needs at least task_id and title", 1
        )
        return unreadable_file(relpath, config, archived, empty, text, findings)
    if not isinstance(data, dict):
        shape = YamlProblem(
            "TG011", f"expected a mapping of fields, found a {kind_of(data)}", where.line(())
        )
        return unreadable_file(relpath, config, archived, shape, text, findings)

    raw_id = data.get("task_id")
    written_id = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else None
    task_id = written_id or id_from_name(relpath, config.id_pattern)
    findings.task = task_id
    for duplicate in duplicates:
        findings.add(duplicate.rule, duplicate.message, duplicate.line, duplicate.column)
    for rule, field, message in text_rules.hygiene(data):
        findings.at(where, rule, message, field)
    spec, dropped = validate_spec(data, where, config, findings, task_id)
    if written_id is not None:
        _check_id(written_id, relpath, where, config, findings)
    task = _to_task(spec, data, where, relpath, archived, config, findings)
    if dropped is not None:
        # Flagged, never ready; a status the schema rejected is still shown as written.
        status = data.get("state", {}).get("status") if ("state", "status") in dropped else None
        shown = enum_word(status) if isinstance(status, str) and status.strip() else task.status
        return FileResult(
            relpath, replace(task, valid=False, status=shown), task.id, tuple(findings.problems)
        )
    _quality(task, text, where, config, findings)
    return FileResult(relpath, task, task.id, tuple(findings.problems))


def _check_id(
    task_id: str, relpath: str, where: Locations, config: Config, findings: Findings
) -> None:
    if not SAFE_ID.match(task_id) or ".." in task_id:
        findings.at(
            where,
            "TG112",
            f"{task_id!r} is not a safe file name (letters, digits, '.', '_', '-')",
            ("task_id",),
        )
        return
    if not re.search(config.id_pattern, task_id):
        findings.at(
            where,
            "TG112",
            f"{task_id!r} does not match the id pattern {config.id_pattern!r}",
            ("task_id",),
        )
    stem = PurePosixPath(relpath).stem
    if stem != task_id and not stem.startswith(task_id + "-"):
        findings.at(
            where,
            "TG111",
            f"task_id {task_id!r} does not match the file name {PurePosixPath(relpath).name!r}",
            ("task_id",),
        )


def _to_task(
    spec: Any,
    data: dict[str, Any],
    where: Locations,
    relpath: str,
    archived: bool,
    config: Config,
    findings: Findings,
) -> Task:
    task_id = spec.task_id
    declared: list[Dependency] = []

    def line_of(*path: str | int) -> int | None:
        return where.line(path)

    for index, other in enumerate(spec.state.blocked_by):
        declared.append(
            Dependency(
                task_id,
                other.strip(),
                "state.blocked_by",
                task_id,
                line_of("state", "blocked_by", index),
            )
        )
    for index, other in enumerate(spec.state.blocks):
        declared.append(
            Dependency(
                other.strip(), task_id, "state.blocks", task_id, line_of("state", "blocks", index)
            )
        )
    for index, ref in enumerate(spec.references):
        if ref.type.strip().lower() != "related_task" or not ref.task_id.strip():
            continue
        relationship = ref.relationship.strip().lower()
        line = line_of("references", index)
        if relationship == "depends_on":
            declared.append(Dependency(task_id, ref.task_id.strip(), "references", task_id, line))
        elif relationship == "blocks":
            declared.append(Dependency(ref.task_id.strip(), task_id, "references", task_id, line))
    for index, dep in enumerate(spec.dependencies):
        if dep.task.strip():
            declared.append(
                Dependency(
                    task_id,
                    dep.task.strip(),
                    "dependencies",
                    task_id,
                    line_of("dependencies", index),
                )
            )
    planning = spec.planning
    if planning is not None:
        for index, typed in enumerate(planning.depends_on):
            declared.append(
                Dependency(
                    task_id,
                    typed.task.strip(),
                    "planning.depends_on",
                    task_id,
                    line_of("planning", "depends_on", index),
                    typed.type,
                    typed.confidence,
                    typed.hard,
                    typed.reason,
                )
            )

    estimate = _estimate(spec, where, config, findings)
    lines = tuple(
        (key, number)
        for key in (
            "task_id",
            "title",
            "state",
            "classification",
            "acceptance_criteria",
            "planning",
        )
        if (number := where.line((key,))) is not None
    )
    return Task(
        id=task_id,
        title=spec.title,
        status=spec.state.status,
        priority=spec.classification.priority,
        path=relpath,
        milestone=spec.classification.milestone.strip(),
        phase=spec.classification.phase.strip(),
        target_version=spec.classification.target_version.strip(),
        type=spec.classification.type.strip(),
        complexity=spec.classification.complexity.strip(),
        assignee=spec.ownership.assignee.strip(),
        effort=spec.classification.estimated_effort.strip(),
        estimate=estimate,
        archived=archived,
        declared=tuple(declared),
        blocked_by=tuple(x.strip() for x in spec.state.blocked_by),
        blocks=tuple(x.strip() for x in spec.state.blocks),
        resources=tuple(sorted(planning.resources.items())) if planning else (),
        skills=tuple(planning.skills) if planning else (),
        acceptance_criteria=sum(1 for c in spec.acceptance_criteria if c.criterion.strip()),
        scenarios=len(planning.scenarios) if planning else 0,
        risks=len(planning.risks) if planning else 0,
        started_at=spec.state.started_at.strip(),
        completed_at=spec.state.completed_at.strip(),
        lines=lines,
    )


def _estimate(spec: Any, where: Locations, config: Config, findings: Findings) -> Estimate | None:
    per_day, per_week = config.hours_per_day, config.days_per_week
    if spec.planning is not None and spec.planning.estimate is not None:
        points = [
            parse_effort(
                getattr(spec.planning.estimate, name),
                hours_per_day=per_day,
                days_per_week=per_week,
            )
            for name in ("optimistic", "likely", "pessimistic")
        ]
        o, m, p = (point.likely for point in points if point is not None)
        return Estimate(o, m, p, "planning.estimate")
    effort = spec.classification.estimated_effort
    try:
        return parse_effort(effort, hours_per_day=per_day, days_per_week=per_week)
    except EffortError as exc:
        rule = "TG103" if isinstance(exc, EffortRangeError) else "TG102"
        findings.at(where, rule, str(exc), ("classification", "estimated_effort"))
        return None


def _quality(task: Task, text: str, where: Locations, config: Config, findings: Findings) -> None:
    if not text_rules.is_verb_first(task.title):
        findings.add(
            "TG140",
            f"title {task.title!r} should start with a verb (e.g. 'Implement ...', 'Fix ...')",
            task.line("title"),
            field="title",
        )
    ac_line = task.line("acceptance_criteria") or task.line("task_id")
    if task.acceptance_criteria == 0:
        findings.add(
            "TG141",
            "no acceptance criteria: say how the work will be verified",
            ac_line,
            field="acceptance_criteria",
        )
    minimums = (
        (
            "TG142",
            task.acceptance_criteria,
            config.min_acceptance_criteria,
            "acceptance criteria",
            "acceptance_criteria",
        ),
        ("TG143", task.scenarios, config.min_scenarios, "scenarios", "planning.scenarios"),
        ("TG144", task.risks, config.min_risks, "risks", "planning.risks"),
    )
    for rule, have, need, what, field in minimums:
        if need and have < need:
            findings.add(
                rule,
                f"{have} {what}, the policy asks for at least {need}",
                ac_line if rule == "TG142" else task.line("planning") or ac_line,
                field=field,
            )
    for line, column, placeholder in text_rules.find_placeholders(text):
        findings.add(
            "TG145", f"template placeholder {placeholder!r} was never filled in", line, column
        )


def read_spec(path: Path, root: Path, config: Config, archived: bool = False) -> FileResult:
    """Parse one spec file from disk (no cache)."""
    from taskgov.spec.yamlio import read_bytes

    relpath = path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
    try:
        data = read_bytes(path, root)
    except YamlProblem as problem:
        return unreadable_file(relpath, config, archived, problem)
    return parse_spec_bytes(data, relpath, config, archived)
