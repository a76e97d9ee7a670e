"""The artifacts of ``taskgov plan``: Plan.md for people, dag.json and waves.json for tools,
Mermaid and DOT for ``--format``.

Every function takes the plan dict that ``taskgov plan --json`` prints. The same plan always
gives the same bytes: nothing here reads the clock, the environment or the file system
(except ``write_artifacts``, which writes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from taskgov.output import md_cell
from taskgov.render import artifacts, diagrams

MAX_DIAGRAM_TASKS = 60  # GitHub refuses to draw much larger Mermaid diagrams
ARTIFACTS = ("dag.json", "waves.json", "Plan.md")


def render_mermaid(plan: Mapping[str, Any], max_tasks: int | None = None) -> str:
    """The dependency graph as a Mermaid ``flowchart LR`` (no code fence): critical tasks and
    edges highlighted, soft edges dotted, redundant edges left out. ``max_tasks`` caps the
    number of tasks drawn (the critical path first, then the earliest waves)."""
    return diagrams.flowchart(plan, max_tasks)[0]


def render_dot(plan: Mapping[str, Any]) -> str:
    """The dependency graph as a Graphviz digraph (``dot -Tsvg``)."""
    return diagrams.dot(plan)


def render_dag_json(plan: Mapping[str, Any]) -> str:
    """dag.json as text (T.A.S.K.S v3 shape, with ``meta.artifact_hash``)."""
    return artifacts.dumps(artifacts.dag_document(plan))


def render_waves_json(plan: Mapping[str, Any]) -> str:
    """waves.json as text (T.A.S.K.S v3 shape, with ``meta.artifact_hash``)."""
    return artifacts.dumps(artifacts.waves_document(plan))


def render_markdown(plan: Mapping[str, Any], max_diagram_tasks: int = MAX_DIAGRAM_TASKS) -> str:
    """Plan.md: summary (P50/P80/P95, deadline), critical path, Mermaid graph and gantt,
    waves, per-task estimates, soft and redundant dependencies, cycles, assumptions."""
    from taskgov.render import raw, render

    graph, graph_capped = diagrams.flowchart(plan, max_diagram_tasks)
    chart, chart_capped = diagrams.gantt(plan, max_diagram_tasks)
    tasks = list(plan.get("tasks", ()))
    wave_of = {str(i): n for n, wave in enumerate(plan.get("waves", ()), 1) for i in wave}
    text = render(
        "plan.md.j2",
        plan_id=artifacts.plan_id(plan),
        generated_at=plan.get("generated_at") or "-",
        scope=plan.get("scope") or "-",
        task_count=len(tasks),
        summary=_summary(plan, tasks),
        critical_path=diagrams.join_ids([str(i) for i in plan.get("critical_path", ())]),
        graph=raw(diagrams.fenced("mermaid", graph)),
        chart=raw(diagrams.fenced("mermaid", chart)),
        shown=min(len(tasks), max_diagram_tasks),
        capped=graph_capped or chart_capped,
        has_schedule=bool(plan.get("schedule")),
        waves=[
            {"number": n, "count": len(wave), "ids": ", ".join(str(i) for i in wave)}
            for n, wave in enumerate(plan.get("waves", ()), 1)
        ],
        rows=[_row(t, wave_of) for t in tasks],
        soft_edges=[
            {
                "source": _cell(e.get("from")),
                "target": _cell(e.get("to")),
                "type": _cell(e.get("type")),
                "confidence": _cell(e.get("confidence")),
                "reason": _cell(e.get("reason")),
            }
            for e in plan.get("soft_edges", ())
        ],
        redundant_edges=[
            {"source": _cell(e.get("from")), "target": _cell(e.get("to")), "via": _via(e)}
            for e in plan.get("redundant_edges", ())
        ],
        cycles=[diagrams.join_ids([*map(str, c), str(c[0])]) for c in plan.get("cycles", ()) if c],
        assumptions=[diagrams.clean_text(a) for a in plan.get("assumptions", ())],
    )
    return text.rstrip("\n") + "\n"


def _summary(plan: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(label, value) rows of the summary table; rows whose data is missing are left out."""
    h = diagrams.hours
    rows = [("Tasks", str(len(tasks)))]
    critical = plan.get("critical_path") or []
    if critical:
        rows.append(("On the critical path", str(len(critical))))
    if plan.get("expected_duration") is not None:
        spread = f" ± {h(plan['stddev'])} h" if plan.get("stddev") is not None else ""
        rows.append(
            ("Expected duration (critical path)", f"{h(plan['expected_duration'])} h{spread}")
        )
    estimates = plan.get("estimates") or {}
    if all(estimates.get(k) is not None for k in ("p50", "p80", "p95")):
        how = []
        if estimates.get("samples"):
            how.append(f"{estimates['samples']} samples")
        if estimates.get("seed") is not None:
            how.append(f"seed {estimates['seed']}")
        rows.append(
            (
                "P50 / P80 / P95",
                f"{h(estimates['p50'])} h / {h(estimates['p80'])} h / {h(estimates['p95'])} h"
                + (f" (Monte Carlo, {', '.join(how)})" if how else ""),
            )
        )
    if plan.get("deadline") is not None:
        probability = plan.get("deadline_probability")
        chance = f": {probability * 100:.0f}% likely to be met" if probability is not None else ""
        rows.append(("Deadline", f"{h(plan['deadline'])} h{chance}"))
    if plan.get("makespan") is not None and plan.get("schedule"):
        limits = []
        if plan.get("workers"):
            limits.append(f"{plan['workers']} workers")
        limits.extend(
            f"{diagrams.clean_text(k)} = {v:g}"
            for k, v in sorted((plan.get("resources") or {}).items())
        )
        rows.append(
            (
                "Schedule",
                f"{h(plan['makespan'])} h" + (f" with {', '.join(limits)}" if limits else ""),
            )
        )
        if plan.get("schedule_method"):
            rows.append(("Scheduled by", str(plan["schedule_method"])))
    if plan.get("waves"):
        rows.append(("Waves", str(len(plan["waves"]))))
    return [(label, _cell(value)) for label, value in rows]


def _row(task: Mapping[str, Any], wave_of: Mapping[str, int]) -> dict[str, str]:
    h = diagrams.hours
    return {
        "id": _cell(task.get("id")),
        "title": _cell(task.get("title")),
        "critical": "yes" if task.get("critical") else "",
        "optimistic": h(task.get("optimistic")),
        "likely": h(task.get("likely")),
        "pessimistic": h(task.get("pessimistic")),
        "expected": h(task.get("expected")),
        "stddev": h(task.get("stddev")),
        "source": _cell(task.get("estimate_source")),
        "start": h(task.get("earliest_start")),
        "finish": h(task.get("earliest_finish")),
        "slack": h(task.get("slack")),
        "wave": _cell(wave_of.get(str(task.get("id")))),  # numbered from 1, as in Waves
    }


def _via(edge: Mapping[str, Any]) -> str:
    via = edge.get("via")
    if isinstance(via, (list, tuple)):
        return _cell(", ".join(str(v) for v in via))
    return _cell(via)


def _cell(value: object) -> str:
    """Text for one Markdown table cell (escaped by ``md_cell``), ``-`` when empty."""
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return md_cell(value)


def write_artifacts(plan: Mapping[str, Any], out_dir: str | Path) -> list[Path]:
    """Write dag.json, waves.json and Plan.md into ``out_dir`` (created if needed) and return
    their paths. Each file is replaced atomically, and only when its bytes change; nothing
    else in ``out_dir`` is touched."""
    from taskgov.spec.yamlio import atomic_write

    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    texts = dict(
        zip(
            ARTIFACTS,
            (render_dag_json(plan), render_waves_json(plan), render_markdown(plan)),
            strict=True,
        )
    )
    written = []
    for name, text in texts.items():
        path = directory / name
        try:
            unchanged = path.read_bytes() == text.encode("utf-8")
        except OSError:
            unchanged = False
        if not unchanged:
            atomic_write(path, text)
        written.append(path)
    return written
