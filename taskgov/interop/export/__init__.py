"""``taskgov export FORMAT``: a repository's plan in the formats other planners read.

:func:`export_plan` returns the files of one format as texts (name -> text), redacted
(:mod:`taskgov.interop.redact`); :func:`write_export` puts them in a directory all at once.
Single-file formats (taskmaster, speckit, mermaid, dot) can also go to stdout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from taskgov.errors import CycleError, UsageError
from taskgov.interop.export.files import write_export
from taskgov.interop.redact import REDACTED, redact_data, redact_text

if TYPE_CHECKING:  # the CLI imports this module for its format table only
    from taskgov.git.activity import Activity
    from taskgov.repo import Repository

# Each format: the files it writes (one name: a single-file format, printable to stdout).
EXPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "tasks-v3": (
        "features.json",
        "tasks.json",
        "dag.json",
        "waves.json",
        "coordinator.json",
        "Plan.md",
        "Decisions.md",
    ),
    "taskmaster": ("tasks.json",),
    "speckit": ("tasks.md",),
    "mermaid": ("graph.mmd",),
    "dot": ("graph.dot",),
}

__all__ = ["EXPORT_FORMATS", "Export", "export_plan", "write_export"]


@dataclass
class Export:
    format: str
    files: dict[str, str] = field(default_factory=dict)  # file name -> text
    tasks: int = 0
    dependencies: int = 0
    finished: int = 0
    redacted: int = 0  # secrets replaced by [REDACTED]
    unreadable: list[str] = field(default_factory=list)  # specs left out: they cannot be read

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "files": sorted(self.files),
            "tasks": self.tasks,
            "dependencies": self.dependencies,
            "finished": self.finished,
            "redacted": self.redacted,
            "unreadable": self.unreadable,
        }


def export_plan(repo: Repository, fmt: str, activity: Activity | None = None) -> Export:
    """The files of ``fmt`` for every readable task of ``repo`` (statuses derived with
    ``activity``, the commit history). A plan with no task, or with a dependency cycle
    (tasks-v3, mermaid, dot), cannot be exported."""
    from taskgov.commands import stamp
    from taskgov.interop.native import read_repository
    from taskgov.plan.build import PlanOptions, make_plan
    from taskgov.state import derive_states

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (one of: {', '.join(EXPORT_FORMATS)})")
    states = derive_states(repo, activity)
    plan = read_repository(repo, states)
    if not plan.tasks:
        raise UsageError(f"{repo.root}: no readable task specs; nothing to export")
    result = Export(fmt, tasks=len(plan.tasks), dependencies=plan.dependency_count())
    result.finished = sum(task.status in ("completed", "cancelled") for task in plan.tasks)
    result.unreadable = list(plan.kept.get("unreadable", []))
    generated_at = stamp(repo)
    planned: dict[str, Any] = {}
    if fmt in ("tasks-v3", "mermaid", "dot"):
        planned = make_plan(repo, states, PlanOptions(include_done=True), generated_at=generated_at)
        if planned["cycles"]:
            cycle = planned["cycles"][0]
            raise CycleError("dependency cycle: " + " -> ".join([*cycle, cycle[0]]))
    frontier = [i for i, state in states.items() if state.status == "ready" and i in repo.tasks]
    texts = _texts(repo, plan, planned, fmt, generated_at, frontier)
    result.redacted = sum(text.count(REDACTED) for text in texts.values())
    result.files = texts
    return result


def _texts(
    repo: Repository,
    plan: Any,
    planned: dict[str, Any],
    fmt: str,
    generated_at: str,
    frontier: list[str],
) -> dict[str, str]:
    import json

    from taskgov.render import artifacts
    from taskgov.render import plan as render

    if fmt == "mermaid":
        return {"graph.mmd": redact_text(render.render_mermaid(planned))}
    if fmt == "dot":
        return {"graph.dot": redact_text(render.render_dot(planned))}
    if fmt == "speckit":
        from taskgov.interop.export.speckit import speckit_text

        return {"tasks.md": redact_text(speckit_text(plan, repo.root.name))}
    if fmt == "taskmaster":
        from taskgov.interop.export.taskmaster import taskmaster_document

        document = redact_data(taskmaster_document(plan, generated_at))
        return {"tasks.json": json.dumps(document, indent=2, ensure_ascii=False) + "\n"}
    from taskgov.interop.export import tasksv3

    by_id = {str(t["id"]): t for t in planned["tasks"]}
    documents = {
        "features.json": tasksv3.features_document(plan),
        "tasks.json": tasksv3.tasks_document(plan, by_id, repo.config.min_confidence),
        "dag.json": artifacts.dag_document(planned),
        "waves.json": artifacts.waves_document(planned),
        "coordinator.json": tasksv3.coordinator_document(plan, planned, frontier, repo.config),
    }
    texts = {name: artifacts.dumps(redact_data(doc)) for name, doc in documents.items()}
    texts["Plan.md"] = redact_text(render.render_markdown(planned))
    texts["Decisions.md"] = redact_text(decisions_markdown(repo.config))
    return texts


def decisions_markdown(config: Any) -> str:
    """Decisions.md: a table of the decision records, then each record as ``decision show``
    renders it."""
    from taskgov.decisions.ops import show_decision
    from taskgov.decisions.store import load_decisions
    from taskgov.output import md_cell

    decisions = [d for d in load_decisions(config).decisions if not d.unreadable]
    lines = ["# Decisions", ""]
    if not decisions:
        lines.append(f"No decision records in {md_cell(config.paths.decisions)}.")
        return "\n".join(lines) + "\n"
    lines += ["| Decision | Status | Date | Summary | Tasks |", "|---|---|---|---|---|"]
    for d in decisions:
        cells = [d.id, d.status, d.timestamp[:10], d.summary, ", ".join(d.tasks)]
        lines.append("| " + " | ".join(md_cell(c) or "-" for c in cells) + " |")
    for d in decisions:
        body = show_decision(config, d.id, "md").strip("\n")
        # One level down: each record is a section of this document.
        body = "\n".join("#" + line if line.startswith("#") else line for line in body.split("\n"))
        lines += ["", body]
    return "\n".join(lines) + "\n"
