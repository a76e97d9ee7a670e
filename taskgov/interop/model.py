"""The neutral shape every importer reads a foreign plan into, before anything is written.

A reader (``read_speckit``, ``read_taskmaster``...) parses one source into an
:class:`ImportedPlan`: tasks with taskgov's statuses and priorities, dependencies by source id,
and every source field without a home in a spec kept under :attr:`ImportedTask.kept`. Writing
is :mod:`taskgov.interop.specs`'s job. Readers raise ``InputError("FILE:LINE: ...")`` for
malformed input and record softer problems (a weekly total that does not add up) as findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskgov.errors import InputError
from taskgov.graph.cycles import find_cycles


@dataclass(frozen=True)
class Dependency:
    """The task waits for ``task``; ``type`` empty is plain ordering (``state.blocked_by``),
    otherwise a typed ``planning.depends_on`` entry."""

    task: str
    type: str = ""
    confidence: float = 1.0
    hard: bool = True
    reason: str = ""


@dataclass(frozen=True)
class Link:
    """A relation that orders nothing: ``related_to``, ``parent_of``, ``child_of``,
    ``discovered_from``."""

    task: str
    relationship: str


@dataclass
class ImportedTask:
    id: str
    title: str
    line: int | None = None  # where the task starts in the source, when known
    status: str = "ready"
    priority: str = "medium"
    depends_on: list[Dependency] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    estimate: tuple[float, float, float] | None = None  # hours: optimistic, likely, pessimistic
    effort: str = ""
    tags: list[str] = field(default_factory=list)
    assignee: str = ""
    task_type: str = ""
    phase: str = ""
    milestone: str = ""
    objective: str = ""
    criteria: list[tuple[str, str]] = field(default_factory=list)  # (criterion, verification)
    created_at: str = ""
    started_at: str = ""
    completed_at: str = ""
    notes: list[str] = field(default_factory=list)
    kept: dict[str, Any] = field(default_factory=dict)  # source fields without a home
    origin: str = ""  # read from a repository: the format the spec was imported from, if any

    def keep(self, name: str, value: Any) -> None:
        """Keep a source field that has no home in a spec (empty values are not worth it)."""
        if value is None or value in ("", [], {}):
            return
        self.kept[name] = value


@dataclass(frozen=True)
class SourceFinding:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class ImportedPlan:
    format: str
    source: str  # the file (or directory) read, as given
    tasks: list[ImportedTask] = field(default_factory=list)
    findings: list[SourceFinding] = field(default_factory=list)
    kept: dict[str, Any] = field(default_factory=dict)  # plan-level fields without a home

    def dependency_count(self) -> int:
        return sum(len(task.depends_on) for task in self.tasks)


def refuse_cycles(plan: ImportedPlan, path: str) -> None:
    """A cycle among the source's own dependencies is bad input: one line naming where."""
    by_id = {task.id: task for task in plan.tasks}
    successors = {
        task.id: [dep.task for dep in task.depends_on if dep.task in by_id] for task in plan.tasks
    }
    cycles = find_cycles(by_id.keys(), successors)
    if cycles:
        cycle = cycles[0]
        line = by_id[cycle[0]].line
        where = f"{path}:{line}" if line else path
        raise InputError(f"{where}: the dependencies form a cycle: {' -> '.join(cycle)}")


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


STATUS_WORDS = {
    # words other tools use, mapped to taskgov's statuses
    "pending": "ready",
    "todo": "ready",
    "to-do": "ready",
    "open": "ready",
    "ready": "ready",
    "draft": "draft",
    "deferred": "draft",
    "backlog": "draft",
    "in-progress": "in_progress",
    "in_progress": "in_progress",
    "inprogress": "in_progress",
    "started": "in_progress",
    "doing": "in_progress",
    "active": "in_progress",
    "assigned": "assigned",
    "review": "review",
    "in-review": "review",
    "in_review": "review",
    "blocked": "blocked",
    "done": "completed",
    "closed": "completed",
    "complete": "completed",
    "completed": "completed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "tombstone": "cancelled",
    "wontfix": "cancelled",
}


def map_status(task: ImportedTask, word: Any, default: str = "ready") -> None:
    """Set ``task.status`` from a source status word; a word taskgov does not use as is is
    kept under ``kept["status"]``."""
    if word is None or word == "":
        task.status = default
        return
    text = str(word).strip()
    mapped = STATUS_WORDS.get(text.lower().replace(" ", "-"))
    task.status = mapped or default
    if mapped != text:
        task.keep("status", word)


PRIORITY_WORDS = {
    "critical": "critical",
    "urgent": "critical",
    "highest": "critical",
    "p0": "critical",
    "0": "critical",
    "high": "high",
    "p1": "high",
    "1": "high",
    "medium": "medium",
    "normal": "medium",
    "p2": "medium",
    "2": "medium",
    "low": "low",
    "lowest": "low",
    "p3": "low",
    "3": "low",
    "p4": "low",
    "4": "low",
}


def map_priority(task: ImportedTask, word: Any) -> None:
    """Set ``task.priority`` from ``high``, ``P1``, ``P1-MVP``, ``1`` (beads: 0 is highest);
    anything not one of taskgov's words is kept under ``kept["priority"]``."""
    if word is None or word == "":
        return
    text = str(word).strip().lower()
    mapped = PRIORITY_WORDS.get(text) or PRIORITY_WORDS.get(text.split("-")[0])
    if mapped:
        task.priority = mapped
    if mapped != str(word):
        task.keep("priority", word)


MAX_SOURCE_BYTES = 64 * 1024 * 1024  # bounded memory: a plan file is never this big


def read_source(path: Path, what: str = "file") -> str:
    """The UTF-8 text of a source file; missing, unreadable, too big or not text is one
    ``InputError`` line naming it."""
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a directory, expected a {what}")
        with path.open("rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise InputError(f"{path}: larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not UTF-8 text") from None


def load_json(path: Path) -> Any:
    """A JSON file; malformed JSON is ``InputError("FILE:LINE: ...")``."""
    import json

    text = read_source(path, "JSON file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None


def load_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """YAML text (bounded: node count and depth) from ``path`` starting at ``first_line``."""
    from taskgov.spec.yamlio import YamlProblem, load

    try:
        data, _ = load(text)
    except YamlProblem as problem:
        line = (problem.line or 1) + first_line - 1
        raise InputError(f"{path}:{line}: {problem.message}") from None
    return data


def words(value: Any) -> list[str]:
    """A list of strings from a list, a comma-separated string or one value."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if str(item).strip()]
    return [str(value)]


def markdown_lines(text: str, comments: bool = False) -> Iterator[tuple[int, str]]:
    """(line number, line) of a Markdown document outside fenced code blocks, and with
    ``comments`` also outside ``<!-- ... -->`` comments: what an importer should read."""
    in_fence = in_comment = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if comments and (in_comment or stripped.startswith("<!--")):
            in_comment = "-->" not in stripped
            continue
        yield number, line
