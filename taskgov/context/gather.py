"""What ``taskgov context`` puts together for one task, as plain data: the spec, what each
dependency produced (from its spec and from git history), the decisions the task cites and
the policy lines that apply to its commits."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from taskgov.output import md_line, one_line
from taskgov.repo import Repository
from taskgov.spec.task import Task
from taskgov.state import TaskState

DECISION_MENTION = re.compile(r"DECISION-\d{4}-\d{2}-\d{2}-\d{3,}")
# Trailers that tie a commit to a task: worked on, completed, merged by a dispatch run.
LINKS = ("task", "closes", "dispatch-task")


@dataclass(frozen=True)
class CommitLink:
    sha: str
    subject: str
    kind: str  # closes | task | dispatch-task
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Produced:
    """One prerequisite of the task and what it produced."""

    id: str
    title: str
    status: str
    type: str
    hard: bool
    deliverables: tuple[dict[str, str], ...] = ()
    interfaces: tuple[dict[str, str], ...] = ()
    commits: tuple[CommitLink, ...] = ()

    @property
    def paths(self) -> list[str]:
        return sorted({p for c in self.commits for p in c.paths})


@dataclass(frozen=True)
class Cited:
    id: str
    summary: str
    status: str
    path: str
    why: str  # named in the spec | the record names the task
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Material:
    """Everything the document is made of."""

    task: Task
    status: str
    spec: dict[str, Any]
    spec_text: str
    dependencies: tuple[Produced, ...]
    decisions: tuple[Cited, ...]
    policy: tuple[str, ...]
    revision: str


def gather(
    repo: Repository,
    task_id: str,
    states: Mapping[str, TaskState],
    *,
    revision: str = "HEAD",
) -> Material:
    """The material of ``task_id``'s context; history is read from ``revision``."""
    task = repo.task(task_id)
    spec_text, spec = _spec(repo, task)
    edges = sorted(repo.graph.prerequisites().get(task.id, ()), key=lambda e: e.prerequisite)
    history = _history(repo, [e.prerequisite for e in edges], revision)
    dependencies = []
    for edge in edges:
        other = repo.tasks.get(edge.prerequisite)
        document = _spec(repo, other)[1] if other else {}
        dependencies.append(
            Produced(
                id=edge.prerequisite,
                title=other.title if other else "(no spec)",
                status=states[edge.prerequisite].status if edge.prerequisite in states else "",
                type=edge.type,
                hard=edge.hard,
                deliverables=_entries(document.get("deliverables"), ("path", "description")),
                interfaces=_entries(
                    document.get("interfaces_provided"), ("name", "signature", "module")
                ),
                commits=tuple(history.get(edge.prerequisite, ())),
            )
        )
    return Material(
        task=task,
        status=states[task.id].status if task.id in states else task.status,
        spec=spec,
        spec_text=spec_text,
        dependencies=tuple(dependencies),
        decisions=tuple(_decisions(repo, task, spec_text)),
        policy=tuple(policy_lines(repo, task, spec)),
        revision=revision,
    )


def _spec(repo: Repository, task: Task) -> tuple[str, dict[str, Any]]:
    from taskgov.spec.yamlio import YamlProblem, load, read_text

    try:
        text = read_text(repo.root / task.path, repo.root)
    except (OSError, YamlProblem):
        return "", {}
    try:
        data, _ = load(text, duplicates=[])
    except YamlProblem:
        return text, {}
    return text, data if isinstance(data, dict) else {}


def _entries(value: Any, keys: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    """Listed entries (mappings or plain strings) reduced to the ``keys`` that are set."""
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    found = []
    for given in items:
        item = {keys[-1]: given} if isinstance(given, str) else given
        if isinstance(item, dict):
            kept = {k: str(item[k]) for k in keys if item.get(k) not in (None, "")}
            if kept:
                found.append(kept)
    return tuple(found)


def _history(repo: Repository, ids: list[str], revision: str) -> dict[str, list[CommitLink]]:
    """Commits reachable from ``revision`` that name one of ``ids`` in a linking trailer,
    with the paths each changed (a merge: against its first parent, so what it brought in).
    One ``git log`` for all of them."""
    from taskgov.git.history import walk
    from taskgov.git.process import rev_parse
    from taskgov.git.trailers import parse_trailers, trailer_ids

    if not ids or rev_parse(repo.root, revision) is None:
        return {}
    wanted = set(ids)
    names = "|".join(re.escape(i) for i in sorted(ids))
    grep = [f"^({'|'.join(LINKS)}):.*({names})"]
    found: dict[str, list[CommitLink]] = {}
    for commit in walk(
        repo.root, [revision], numstat=True, grep=grep, extra=["--diff-merges=first-parent"]
    ):
        trailers = parse_trailers(commit.message)
        paths = tuple(sorted({c.path for c in commit.changes}))
        for kind in LINKS:
            for named in trailer_ids(trailers, kind):
                if named in wanted and not any(c.sha == commit.sha for c in found.get(named, ())):
                    found.setdefault(named, []).append(
                        CommitLink(commit.sha, commit.subject, kind, paths)
                    )
    return found


def _decisions(repo: Repository, task: Task, spec_text: str) -> list[Cited]:
    """Decisions the spec names, and decision records that name the task."""
    from taskgov.decisions.store import load_decisions

    named = list(dict.fromkeys(DECISION_MENTION.findall(spec_text)))
    records = load_decisions(repo.config)
    cited: list[Cited] = []
    for decision in records.decisions:
        if decision.unreadable:
            continue
        why = ""
        if decision.id in named:
            why = "named in the spec"
        elif task.id in decision.tasks:
            why = "the record names this task"
        if why:
            body = records.documents.get(decision.id)
            cited.append(
                Cited(
                    decision.id,
                    decision.summary,
                    decision.status,
                    decision.path,
                    why,
                    body if isinstance(body, dict) else {},
                )
            )
    known = {c.id for c in cited}
    for missing in named:
        if missing not in known:
            cited.append(Cited(missing, "(no such record)", "missing", "", "named in the spec"))
    return cited


def policy_lines(repo: Repository, task: Task, spec: Mapping[str, Any]) -> list[str]:
    """What the policy asks of this task's commits, one rule a line."""
    config = repo.config
    lines = [
        f"Every commit of this task carries `Task: {task.id}`; the commit that completes it "
        f"carries `Closes: {task.id}`.",
    ]
    if config.agents_allowed:
        lines.append(
            "A commit made by an AI agent credits it in `Co-Authored-By:` or `Assisted-by:`, "
            f"naming one of: {', '.join(config.agents_allowed)}."
        )
    planning = spec.get("planning") if isinstance(spec.get("planning"), dict) else {}
    scope = planning.get("scope") if isinstance(planning, dict) else None
    scope = scope if isinstance(scope, dict) else {}
    includes = _strings(scope.get("includes"))
    excludes = _strings(scope.get("excludes"))
    touched = includes + [d["path"] for d in _entries(spec.get("deliverables"), ("path",))]
    for patterns, needs in (
        (config.require_task, "a `Task:` or `Closes:` trailer"),
        (config.require_decision, "a `Decision: DECISION-...` trailer"),
        (config.require_approval, "a person's `Approved-by:` or `Reviewed-by:`"),
    ):
        if patterns:
            hits = [p for p in touched if any(_overlaps(p, g) for g in patterns)]
            note = f" (this task's {_codes(hits)})" if hits else ""
            lines.append(f"Commits touching {_codes(patterns)} need {needs}{note}.")
    if includes:
        lines.append(f"Scope: change only {_codes(includes)}.")
    if excludes:
        lines.append(f"Out of scope: do not change {_codes(excludes)}.")
    for condition in _strings(planning.get("stop_when") if isinstance(planning, dict) else None):
        lines.append(f"Stop when: {md_line(condition)}")
    return lines


def _codes(values: Iterable[str]) -> str:
    return ", ".join("`" + one_line(v).replace("`", "'") + "`" for v in values)


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    return [str(item) for item in items if str(item).strip()]


def _overlaps(path: str, pattern: str) -> bool:
    """Whether a path (or a directory or glob of the scope) can touch a guarded pattern."""
    path = path.rstrip("/")
    return (
        fnmatch.fnmatchcase(path, pattern)
        or fnmatch.fnmatchcase(pattern, path + "*")
        or pattern.startswith(path + "/")
    )
