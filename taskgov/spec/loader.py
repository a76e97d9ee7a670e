"""One spec file in, one plain ``Task`` (or none) and its problems out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from taskgov.checks import text as text_rules
from taskgov.checks.findings import Findings
from taskgov.config import Config
from taskgov.problems import Problem
from taskgov.spec.effort import EffortError, Estimate, parse_effort
from taskgov.spec.task import Dependency, Task
from taskgov.spec.yamlio import Locations, YamlProblem, decode, load

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class FileResult:
    """What one spec file yielded. ``task_id`` is set whenever the file names an id, even when
    the rest of it is invalid, so that references to it are not reported as dangling."""

    path: str
    task: Task | None
    task_id: str | None
    problems: tuple[Problem, ...]


def parse_spec_bytes(data: bytes, relpath: str, config: Config, archived: bool) -> FileResult:
    findings = Findings(config, relpath)
    try:
        text = decode(data)
    except YamlProblem as problem:
        findings.add(problem.rule, problem.message, problem.line, problem.column)
        return FileResult(relpath, None, None, tuple(findings.problems))
    return parse_spec_text(text, relpath, config, archived, findings)


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
    try:
        data, where = load(text)
    except YamlProblem as problem:
        findings.add(problem.rule, problem.message, problem.line, problem.column)
        return FileResult(relpath, None, None, tuple(findings.problems))
    if data is None:
        findings.add("TG010", "the file is empty: a task spec needs at least task_id and title", 1)
        return FileResult(relpath, None, None, tuple(findings.problems))
    if not isinstance(data, dict):
        findings.add(
            "TG011",
            f"expected a mapping of fields, found a {_kind(data)}",
            where.line(()),
        )
        return FileResult(relpath, None, None, tuple(findings.problems))

    raw_id = data.get("task_id")
    task_id = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else None
    findings.task = task_id
    for rule, field, message in text_rules.hygiene(data):
        findings.at(where, rule, message, field)
    spec = _validate(data, where, config, findings)
    if task_id is not None:
        _check_id(task_id, relpath, where, config, findings)
    if spec is None:
        partial = _partial_task(data, task_id, relpath, archived) if task_id else None
        return FileResult(relpath, partial, task_id, tuple(findings.problems))

    task = _to_task(spec, data, where, relpath, archived, config, findings)
    _quality(task, text, where, config, findings)
    return FileResult(relpath, task, task.id, tuple(findings.problems))


def _kind(value: Any) -> str:
    return {list: "list", str: "text", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def _validate(data: dict[str, Any], where: Locations, config: Config, findings: Findings) -> Any:
    from pydantic import ValidationError

    from taskgov.spec.model import TaskSpec, unknown_keys

    context = {"hours_per_day": config.hours_per_day, "days_per_week": config.days_per_week}
    try:
        spec = TaskSpec.model_validate(data, context=context)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
            path = _strip_union_tags(path, data)
            findings.at(where, "TG100", _message(error), path)
        return None
    for path, key in unknown_keys(spec):
        message = f"unknown key {key!r} (not in the task spec format)"
        findings.at(where, "TG101", message, (*path, key))
    return spec


def _strip_union_tags(path: tuple[str | int, ...], data: Any) -> tuple[str | int, ...]:
    """Pydantic error paths, reduced to real keys and indexes of the document.

    Unions add their member names to a path ("str", "Scenario"); a missing required key is
    the last part of a path and absent from the data. Both are told apart by position."""
    kept: list[str | int] = []
    current = data
    for position, part in enumerate(path):
        last = position == len(path) - 1
        if isinstance(current, dict) and part in current:
            kept.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            kept.append(part)
            current = current[part]
        elif last and isinstance(current, dict):
            kept.append(part)  # a required key that is missing
        elif not isinstance(current, (dict, list)):
            break
    return tuple(kept)


def _message(error: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{value!r} is not allowed; expected one of {expected}"
    if kind in (
        "string_type",
        "list_type",
        "dict_type",
        "bool_type",
        "float_type",
        "int_type",
        "model_type",
        "float_parsing",
        "bool_parsing",
        "int_parsing",
    ):
        wanted = {
            "string": "text",
            "list": "a list",
            "dict": "a mapping",
            "bool": "true or false",
            "float": "a number",
            "int": "a whole number",
            "model": "a mapping",
        }
        base = kind.split("_")[0]
        return f"should be {wanted.get(base, base)}, not {_kind(value)} {_short(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


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
        lines=lines,
    )


def _partial_task(data: dict[str, Any], task_id: str, relpath: str, archived: bool) -> Task:
    """A spec that failed the schema, still listed from whatever fields read as text, so that
    one wrong value does not hide the task. It never counts as ready."""

    def text(*path: str) -> str:
        value: Any = data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value.strip() if isinstance(value, str) else ""

    def ids(key: str) -> tuple[str, ...]:
        state = data.get("state")
        value = state.get(key) if isinstance(state, dict) else None
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list):
            return ()
        return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())

    blocked_by, blocks = ids("blocked_by"), ids("blocks")
    declared = tuple(
        Dependency(task_id, other, "state.blocked_by", task_id) for other in blocked_by
    )
    declared += tuple(Dependency(other, task_id, "state.blocks", task_id) for other in blocks)
    status = "_".join(text("state", "status").lower().replace("-", " ").split())
    return Task(
        id=task_id,
        title=text("title"),
        status=status or "draft",
        priority=text("classification", "priority").lower(),
        path=relpath,
        milestone=text("classification", "milestone"),
        effort=text("classification", "estimated_effort"),
        archived=archived,
        declared=declared,
        blocked_by=blocked_by,
        blocks=blocks,
        valid=False,
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
        findings.at(where, "TG102", str(exc), ("classification", "estimated_effort"))
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
        findings = Findings(config, relpath)
        findings.add(problem.rule, problem.message, problem.line, problem.column)
        return FileResult(relpath, None, None, tuple(findings.problems))
    return parse_spec_bytes(data, relpath, config, archived)
