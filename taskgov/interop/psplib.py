"""PSPLIB single-mode RCPSP instances (``.sm``, Kolisch & Sprecher 1996).

:func:`read_sm` parses one file; any malformed input raises ``InputError("FILE:LINE: ...")``.
:func:`write_repository` turns an instance into a taskgov repository that ``taskgov plan``
schedules: one spec per real job (``J2`` .. ``Jn``; job 1 and the last job are zero-length
dummies and are dropped), one period per hour, the renewable resources in ``policy.yaml``.
:func:`to_project` gives the same instance to :func:`taskgov.plan.rcpsp.solve` directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from taskgov.errors import InputError
from taskgov.graph.cycles import find_cycles
from taskgov.interop.repository import DATE, create_repository

if TYPE_CHECKING:
    from taskgov.plan.rcpsp import Project


@dataclass(frozen=True)
class PsplibInstance:
    """One instance; index ``i`` is job ``i + 1`` (job 1 and job ``jobs`` are dummies)."""

    name: str
    jobs: int
    durations: tuple[int, ...]
    successors: tuple[tuple[int, ...], ...]  # indices of each job's successors
    demands: tuple[tuple[int, ...], ...]  # per job, per resource
    capacities: tuple[int, ...]
    resource_names: tuple[str, ...]

    def predecessors(self) -> tuple[tuple[int, ...], ...]:
        """Indices of each job's predecessors, ascending."""
        preds: list[list[int]] = [[] for _ in range(self.jobs)]
        for i, row in enumerate(self.successors):
            for j in row:
                preds[j].append(i)
        return tuple(tuple(sorted(p)) for p in preds)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            message = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise InputError(f"{path}: {message or exc}") from None
        self.lines = text.splitlines()

    def fail(self, index: int, message: str) -> NoReturn:
        raise InputError(f"{self.path}:{index + 1}: {message}")

    def find(self, title: str) -> int:
        for index, line in enumerate(self.lines):
            if line.strip().startswith(title):
                return index
        self.fail(len(self.lines) - 1, f"no {title!r} section")

    def header(self, label: str) -> int:
        """The number after ``label ... :`` in the file's header."""
        index = self.find(label)
        value = self.lines[index].partition(":")[2].split()
        if not value:
            self.fail(index, f"{label!r} has no value")
        return self.number(index, value[0], label)

    def number(self, index: int, field: str, what: str) -> int:
        if not re.fullmatch(r"\d+", field):
            self.fail(index, f"{what}: {field!r} is not a whole number >= 0")
        return int(field)

    def row(self, index: int, what: str) -> list[int]:
        if index >= len(self.lines):
            self.fail(len(self.lines) - 1, f"the file ends before {what}")
        fields = self.lines[index].split()
        if not fields or fields[0].startswith("*"):
            self.fail(index, f"expected {what}, found {self.lines[index].strip()!r}")
        return [self.number(index, field, what) for field in fields]


def read_sm(path: str | Path) -> PsplibInstance:
    """Parse a single-mode PSPLIB file; ``InputError("FILE:LINE: message")`` if malformed."""
    reader = _Reader(Path(path))
    jobs = reader.header("jobs (incl. supersource/sink")
    if jobs < 2:
        reader.fail(reader.find("jobs (incl."), "an instance needs at least the two dummy jobs")
    renewable = reader.header("- renewable")
    for kind in ("- nonrenewable", "- doubly constrained"):
        if reader.header(kind):
            reader.fail(reader.find(kind), "only renewable resources are supported")

    top = reader.find("PRECEDENCE RELATIONS:") + 2
    successors, precedence_line = [], []
    for job in range(1, jobs + 1):
        index = top + job - 1
        fields = reader.row(index, f"the precedence line of job {job}")
        if len(fields) < 3 or len(fields) != 3 + fields[2]:
            reader.fail(
                index,
                "expected jobnr, #modes, #successors and that many successors, found "
                f"{len(fields)} fields",
            )
        _expect(reader, index, fields, job)
        for successor in fields[3:]:
            if not 1 <= successor <= jobs or successor == job:
                reader.fail(
                    index, f"successor {successor} of job {job} is not another job (1..{jobs})"
                )
        successors.append(tuple(dict.fromkeys(s - 1 for s in fields[3:])))
        precedence_line.append(index)

    top = reader.find("REQUESTS/DURATIONS:")
    names = tuple(f"R{n}" for n in re.findall(r"R\s*(\d+)", reader.lines[top + 1]))
    if len(names) != renewable:
        reader.fail(top + 1, f"{len(names)} resource columns for {renewable} renewable resources")
    durations, demands, request_line = [], [], []
    for job in range(1, jobs + 1):
        index = top + 2 + job
        fields = reader.row(index, f"the duration and requests of job {job}")
        if len(fields) != 3 + renewable:
            reader.fail(
                index,
                f"expected jobnr, mode, duration and {renewable} requests, found "
                f"{len(fields)} fields",
            )
        _expect(reader, index, fields, job)
        durations.append(fields[2])
        demands.append(tuple(fields[3:]))
        request_line.append(index)

    top = reader.find("RESOURCEAVAILABILITIES:")
    capacities = reader.row(top + 2, "the resource capacities")
    if len(capacities) != renewable:
        reader.fail(top + 2, f"{len(capacities)} capacities for {renewable} resources")

    for job in (1, jobs):
        if durations[job - 1] or any(demands[job - 1]):
            reader.fail(request_line[job - 1], f"job {job} is a dummy: duration and requests 0")
    for job, row in enumerate(demands, start=1):
        for name, need, capacity in zip(names, row, capacities, strict=True):
            if need > capacity:
                reader.fail(
                    request_line[job - 1],
                    f"job {job} needs {need} of {name}, more than its capacity of {capacity}",
                )
    cycles = find_cycles(range(len(successors)), dict(enumerate(successors)))
    if cycles:
        cycle = cycles[0]
        reader.fail(
            precedence_line[cycle[0]],
            "the precedences form a cycle: " + " -> ".join(str(j + 1) for j in cycle),
        )
    return PsplibInstance(
        name=reader.path.name,
        jobs=jobs,
        durations=tuple(durations),
        successors=tuple(successors),
        demands=tuple(demands),
        capacities=tuple(capacities),
        resource_names=names,
    )


def _expect(reader: _Reader, index: int, fields: list[int], job: int) -> None:
    if fields[0] != job:
        reader.fail(index, f"expected job {job}, found job {fields[0]}")
    if fields[1] != 1:
        reader.fail(index, f"job {job} has {fields[1]} modes; only single-mode (.sm) is supported")


def to_project(instance: PsplibInstance) -> Project:
    """The instance as an RCPSP :class:`~taskgov.plan.rcpsp.Project` (dummies included)."""
    from taskgov.plan.rcpsp import Project

    return Project(
        durations=tuple(float(d) for d in instance.durations),
        successors=instance.successors,
        demands=tuple(tuple(float(q) for q in row) for row in instance.demands),
        capacities=tuple(float(c) for c in instance.capacities),
        resource_names=instance.resource_names,
    )


POLICY = "docs/governance/policy.yaml"
ACTIVE = "docs/tasks/active"


def task_id(index: int) -> str:
    """The task id of the job at ``index`` (job ``index + 1``)."""
    return f"J{index + 1}"


def write_repository(instance: PsplibInstance, out_dir: str | Path) -> list[Path]:
    """Write the instance as a new git repository in ``out_dir`` (absent or empty) and commit
    it with a fixed identity and date. Returns the files written."""
    files = {POLICY: _policy(instance)}
    preds = instance.predecessors()
    real = range(1, instance.jobs - 1)
    for i in real:
        blocked_by = [task_id(p) for p in preds[i] if p in real]
        blocks = [task_id(s) for s in sorted(instance.successors[i]) if s in real]
        files[f"{ACTIVE}/{task_id(i)}.yaml"] = _spec(instance, i, blocked_by, blocks)
    return create_repository(
        Path(out_dir),
        files,
        f"chore: import PSPLIB instance {instance.name}\n\n"
        f"{instance.jobs - 2} jobs as task specs J2..J{instance.jobs - 1}, one period per hour; "
        f"resources {', '.join(instance.resource_names)} in {POLICY}.\n",
    )


def _policy(instance: PsplibInstance) -> str:
    lines = [
        f"# taskgov policy for PSPLIB instance {instance.name} (taskgov import psplib).",
        "# One period of the instance is one hour; the resources are its renewable resources.",
        "version: 1",
        "",
        "tasks:",
        "  id_prefix: J",
        "  id_pattern: '^J\\d+$'",
        "",
        "resources:",
        *(
            f"  {name}: {capacity}"
            for name, capacity in zip(instance.resource_names, instance.capacities, strict=True)
        ),
    ]
    return "\n".join(lines) + "\n"


def _spec(instance: PsplibInstance, i: int, blocked_by: list[str], blocks: list[str]) -> str:
    job, hours = i + 1, instance.durations[i]
    needs = [
        (name, q) for name, q in zip(instance.resource_names, instance.demands[i], strict=True) if q
    ]
    using = ", ".join(f"{name} {q}" for name, q in needs) or "no resources"
    lines = [
        f"# PSPLIB {instance.name}, job {job} (taskgov import psplib).",
        f'task_id: "{task_id(i)}"',
        f'title: "Run job {job}"',
        'version: "1.0"',
        f'created_at: "{DATE}"',
        f'updated_at: "{DATE}"',
        "",
        "ownership:",
        '  created_by: "taskgov import psplib"',
        '  assignee: "unassigned"',
        '  reviewer: ""',
        "  stakeholders: []",
        "",
        "classification:",
        '  type: "feature"',
        '  priority: "medium"',
        '  milestone: "M1"',
        '  target_version: "1.0"',
        f'  estimated_effort: "{hours}h"',
        '  complexity: "medium"',
        "",
        "objective: |",
        f"  Run job {job} of {instance.name}: {hours} h using {using}.",
        "",
        "acceptance_criteria:",
        f'  - criterion: "Job {job} ran for {hours} h"',
        '    verification: "taskgov plan"',
        "",
        "state:",
        '  status: "ready"',
        f"  blocked_by: {_flow(blocked_by)}",
        f"  blocks: {_flow(blocks)}",
        '  started_at: ""',
        '  completed_at: ""',
        "",
        "planning:",
        f"  estimate: {{optimistic: {hours}, likely: {hours}, pessimistic: {hours}}}",
    ]
    if needs:
        lines.append("  resources: {" + ", ".join(f"{name}: {q}" for name, q in needs) + "}")
    return "\n".join(lines) + "\n"


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"
