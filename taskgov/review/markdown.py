"""The review as a pull-request comment people read: a one-line verdict, small tables, a
Mermaid graph of the changed neighbourhood, details folded away.

Everything a spec's author wrote goes through ``output.md_cell`` (HTML shown as text, ``|``
and link brackets escaped, ``@mentions`` that notify nobody). Ids in the graph keep only
the characters an id may hold. The body stays under GitHub's 65,536-character limit: long
tables are cut, saying how many rows were left out and where the whole report is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from taskgov.output import cut, md_cell, md_line, plural, some
from taskgov.review.report import Review

MARKER = "<!-- taskgov-review -->"  # how the CI comment finds itself again
MAX_BODY = 60_000  # GitHub refuses comments over 65,536 characters; keep a margin
GRAPH_NODES = 40  # Mermaid beyond this is unreadable (and GitHub stops rendering large graphs)
GRAPH_EDGES = 80
VALUE_WIDTH = 80  # a field value longer than this is cut in the table
ROW_LIMITS = (None, 400, 150, 60, 25, 10)
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def render_markdown(result: Review, summary_url: str = "", limit: int = MAX_BODY) -> str:
    """The comment body: at most ``limit`` characters, ending with the hidden marker."""
    for rows in ROW_LIMITS:
        body = _render(result, rows, summary_url)
        if len(body) <= limit:
            return body
    # Even the smallest tables are too long (thousands of findings in one file): hard cut.
    note = "\n\n… the report was cut here" + _pointer(summary_url) + "\n\n" + MARKER + "\n"
    return body[: max(limit - len(note), 0)] + note


def _pointer(summary_url: str) -> str:
    if summary_url:
        return f"; the whole report is in the [job summary]({_url(summary_url)})"
    return "; the whole report is in the job summary (`taskgov review --json`)"


def _url(url: str) -> str:
    return url if re.fullmatch(r"https?://[^\s()<>\[\]]+", url) else "#"


def _render(result: Review, rows: int | None, summary_url: str) -> str:
    icon = "❌" if result.failed else ("✅" if not result.warnings else "⚠️")
    lines = [f"**taskgov review** {icon} {md_line(result.verdict())}", ""]
    if not result.plan_changed and not result.findings and not result.violations:
        lines += [_range(result), "", MARKER, ""]
        return "\n".join(lines)
    lines += [_range(result), ""]
    lines += _plan_table(result)
    lines += _changes(result, rows, summary_url)
    lines += _findings(result, rows, summary_url)
    lines += _graph(result, rows, summary_url)
    lines += _fields(result, rows, summary_url)
    lines += _quality(result, rows, summary_url)
    lines += _decisions(result, rows, summary_url)
    lines += _commits(result, rows, summary_url)
    lines += [MARKER, ""]
    return "\n".join(lines)


def _range(result: Review) -> str:
    return (
        f"{md_line(result.base.revision)} ({result.base.commit[:12]}) → "
        f"{md_line(result.head.revision)} ({result.head.commit[:12]})"
    )


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    limit: int | None,
    summary_url: str,
) -> list[str]:
    """A Markdown table of escaped cells, cut after ``limit`` rows with a note."""
    listed = list(rows)
    shown = listed if limit is None else listed[:limit]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in shown]
    if len(shown) < len(listed):
        lines += ["", f"… and {len(listed) - len(shown):,} more{_pointer(summary_url)}."]
    return [*lines, ""]


def _hours(value: object) -> str:
    return "-" if value is None else f"{value:g} h"


def _ids(ids: Sequence[str] | None, limit: int = 8) -> str:
    if ids is None:
        return "- (cycle)"
    if not ids:
        return "-"
    shown = " → ".join(ids[:limit])
    return shown + (f" … ({len(ids)} tasks)" if len(ids) > limit else "")


def _plan_table(result: Review) -> list[str]:
    before, after = result.plan_before, result.plan_after
    rows = [
        ("tasks", len(result.base.repo.tasks), len(result.head.repo.tasks)),
        (
            "critical path",
            _ids(before.get("critical_path")),
            _ids(after.get("critical_path")),
        ),
        (
            "expected duration",
            _hours(before.get("expected_duration")),
            _hours(after.get("expected_duration")),
        ),
        ("P80", _hours(before.get("p80")), _hours(after.get("p80"))),
        (
            "frontier (ready now)",
            _some(result.frontier_before),
            _some(result.frontier_after),
        ),
        (
            "dependency edges per task",
            result.quality.density_before,
            result.quality.density_after,
        ),
    ]
    return _table(("", "before", "after"), rows, None, "")


def _some(ids: Sequence[str], limit: int = 6) -> str:
    return some(ids, limit) if ids else "-"


def _changes(result: Review, rows: int | None, summary_url: str) -> list[str]:
    d = result.diff
    listed: list[tuple[object, ...]] = [("added", t.id, t.title, t.status) for t in d.added]
    listed += [("changed", t.id, t.title, ", ".join(f.path for f in fs)) for t, fs in d.changed]
    listed += [("removed", t.id, t.title, t.status) for t in d.removed]
    if not listed:
        return []
    heading = (
        f"#### Tasks: {len(d.added)} added, {len(d.changed)} changed, {len(d.removed)} removed"
    )
    return [
        heading,
        "",
        *_table(("", "task", "title", "status / fields"), listed, rows, summary_url),
    ]


def _findings(result: Review, rows: int | None, summary_url: str) -> list[str]:
    findings = result.findings
    if not findings:
        return []
    listed = [
        (
            "❌ error" if p.is_error else "⚠️ warning",
            p.rule,
            f"{p.path}:{p.line}" if p.line else p.path,
            (f"{p.field}: " if p.field else "") + p.message,
        )
        for p in sorted(findings, key=lambda p: (not p.is_error, p.path, p.line or 0))
    ]
    errors = result.errors - len(result.violations)
    heading = f"#### Findings: {plural(errors, 'error')}, {plural(result.warnings, 'warning')}"
    return [heading, "", *_table(("", "rule", "where", "message"), listed, rows, summary_url)]


def _graph(result: Review, rows: int | None, summary_url: str) -> list[str]:
    """The tasks the change touches, their direct neighbours, and the edges among them."""
    d = result.diff
    head = result.head.repo
    touched = {t.id for t in d.added} | {t.id for t, _ in d.changed}
    if not touched and not d.edges_added and not d.edges_removed:
        return []
    in_cycle = {node for cycle in d.cycles for node in cycle}
    new_edges = set(d.edges_added)
    edges = [
        (e.dependent, e.prerequisite)
        for e in head.graph.edges
        if e.dependent in touched or e.prerequisite in touched
    ]
    nodes = sorted({n for edge in edges for n in edge} | touched)
    heading = "#### Dependencies around the change"
    if len(nodes) > GRAPH_NODES or len(edges) > GRAPH_EDGES:
        listed = [("added", a, b) for a, b in d.edges_added]
        listed += [("removed", a, b) for a, b in d.edges_removed]
        note = f"{len(nodes)} tasks and {len(edges)} edges are too many to draw; the edges changed:"
        return [
            heading,
            "",
            note,
            "",
            *_table(("", "task", "depends on"), listed, rows, summary_url),
        ]
    added = {t.id for t in d.added}
    names = {node: f"n{number}" for number, node in enumerate(nodes)}
    _node = names.__getitem__
    lines = [heading, "", "```mermaid", "graph LR"]
    for node in nodes:  # the label keeps only what an id may hold: nothing to inject
        lines.append(f'  {_node(node)}["{_SAFE.sub("?", node)}"]')
    cycle_edges = {pair for cycle in d.cycles for pair in pairwise(cycle)}
    for dependent, prerequisite in edges:
        arrow = "==>" if (dependent, prerequisite) in new_edges else "-->"
        label = "|cycle|" if (dependent, prerequisite) in cycle_edges else ""
        lines.append(f"  {_node(prerequisite)} {arrow}{label} {_node(dependent)}")
    lines += [
        "  classDef added fill:#dafbe1,stroke:#1a7f37",
        "  classDef changed fill:#fff8c5,stroke:#9a6700",
        "  classDef cycle fill:#ffebe9,stroke:#cf222e",
    ]
    for name, members in (
        ("added", added - in_cycle),
        ("changed", touched - added - in_cycle),
        ("cycle", in_cycle & set(nodes)),
    ):
        if members:
            lines.append(f"  class {','.join(_node(n) for n in sorted(members))} {name}")
    lines += ["```", "", "Arrows point from a task to what waits for it; thick ones are new.", ""]
    return lines


def _value(value: Any) -> str:
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return cut(text, VALUE_WIDTH)


def _fields(result: Review, rows: int | None, summary_url: str) -> list[str]:
    changed = result.diff.changed
    if not changed:
        return []
    listed = [
        (task.id, f.path, _value(f.before), _value(f.after))
        for task, fields in changed
        for f in fields
    ]
    return [
        f"<details><summary>Field changes ({len(listed):,})</summary>",
        "",
        *_table(("task", "field", "before", "after"), listed, rows, summary_url),
        "</details>",
        "",
    ]


def _quality(result: Review, rows: int | None, summary_url: str) -> list[str]:
    specs = result.quality.specs
    if not specs:
        return []

    def mark(ok: bool) -> str:
        return "✅" if ok else "❌"

    listed = [
        (
            s.task.id,
            mark(s.verb_first),
            s.acceptance_criteria,
            mark(s.estimate),
            mark(s.scope),
            s.prerequisites,
            ", ".join(f"{other} ({score:.0%})" for other, score in s.similar) or "-",
        )
        for s in specs
    ]
    headers = ("task", "verb first", "criteria", "estimate", "scope", "depends on", "similar to")
    lines = [
        f"<details><summary>Quality of the added specs ({len(specs):,})</summary>",
        "",
        *_table(headers, listed, rows, summary_url),
    ]
    if not result.quality.duplicate_search_complete:
        lines += ["The near-duplicate search stopped early: too many similar titles.", ""]
    return [*lines, "</details>", ""]


def _decisions(result: Review, rows: int | None, summary_url: str) -> list[str]:
    listed = [("added", d.id, d.status, d.summary) for d in result.decisions_added]
    listed += [("changed", d.id, d.status, d.summary) for d in result.decisions_changed]
    if not listed:
        return []
    return [
        "#### Decision records",
        "",
        *_table(("", "decision", "status", "summary"), listed, rows, summary_url),
    ]


def _commits(result: Review, rows: int | None, summary_url: str) -> list[str]:
    checked = result.commits_checked
    if not result.violations:
        return [
            f"{checked:,} commit{'s' if checked != 1 else ''} checked against the policy: ok",
            "",
        ]
    listed = [
        ((v.commit or "")[:12], v.rule, v.message.replace("\n", " ")) for v in result.violations
    ]
    return [
        f"#### Commit policy: {len(listed)} violation{'s' if len(listed) != 1 else ''} in "
        f"{checked:,} commits",
        "",
        *_table(("commit", "rule", "message"), listed, rows, summary_url),
    ]
