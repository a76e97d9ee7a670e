"""Diagrams of a plan: Mermaid flowchart and gantt (rendered by GitHub), Graphviz DOT.

Every function takes the plan dict that ``taskgov plan --json`` prints and returns text. Task
ids and titles come from users, so they are never written raw: Mermaid node ids are sanitised
(and kept unique), labels use Mermaid's ``#code;`` entities, DOT strings are quoted.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from taskgov.spec.task import id_key

CRITICAL_COLOUR = "#d00000"
DONE_COLOUR = "#e0e0e0"  # the fill of a finished task (plans of every task: --all, export)
FINISHED = frozenset({"completed", "cancelled"})
LABEL_TITLE_MAX = 40  # characters of a title shown inside a node
_NON_WORD = re.compile(r"[^A-Za-z0-9_]")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A gantt line that starts with one of these words is read as a statement, not a task.
_GANTT_KEYWORD = re.compile(
    r"(?i)(accdescr|acctitle|axisformat|call|click|dateformat|excludes|gantt|href|includes|"
    r"inclusiveenddates|section|tickinterval|title|todaymarker|topaxis|weekday|weekend)\b"
)
# Characters that end or change a Mermaid label; written as entities (``#35;`` is ``#``).
_MERMAID_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    ":": "#58;",
    ";": "#59;",
    "|": "#124;",
    "%": "#37;",
}


def clean_text(text: object, limit: int | None = None) -> str:
    """One line of text: control characters and runs of whitespace become one space; cut to
    ``limit`` characters with an ellipsis."""
    line = _SPACE.sub(" ", _CONTROL.sub(" ", str(text))).strip()
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def mermaid_text(text: object, limit: int | None = None) -> str:
    """``text`` made safe inside a quoted Mermaid label or a gantt task name."""
    return "".join(_MERMAID_ENTITIES.get(c, c) for c in clean_text(text, limit))


def mermaid_ids(task_ids: Iterable[str]) -> dict[str, str]:
    """Task id -> a unique Mermaid node id (letters, digits, ``_``; never a keyword such as
    ``end``, never starting with the ``o``/``x`` that Mermaid reads as an edge head)."""
    result: dict[str, str] = {}
    used: set[str] = set()
    for task_id in task_ids:
        base = "t_" + _NON_WORD.sub("_", task_id)
        node, n = base, 1
        while node in used:
            n += 1
            node = f"{base}_{n}"
        used.add(node)
        result[task_id] = node
    return result


def hours(value: object) -> str:
    """Hours for people: one decimal at most (``8``, ``2.5``); ``-`` when unknown."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "-"
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def select_tasks(plan: Mapping[str, Any], limit: int | None) -> tuple[list[str], bool]:
    """The tasks a diagram shows: all of them, or (over ``limit``) the critical path first,
    then the earliest waves. Returns ids in the plan's order and whether any were left out."""
    order = [str(t["id"]) for t in plan.get("tasks", ())]
    if limit is None or len(order) <= limit:
        return order, False
    known = set(order)
    chosen: dict[str, None] = {}
    for task_id in [*plan.get("critical_path", ()), *(i for w in plan.get("waves", ()) for i in w)]:
        if len(chosen) >= limit:
            break
        if task_id in known:
            chosen.setdefault(task_id)
    return [i for i in order if i in chosen], True


def critical_pairs(plan: Mapping[str, Any]) -> set[tuple[str, str]]:
    path = list(plan.get("critical_path", ()))
    return set(itertools.pairwise(path))


def drawn_edges(plan: Mapping[str, Any], shown: Iterable[str]) -> list[tuple[str, str, bool]]:
    """(from, to, hard) for the edges to draw between ``shown`` tasks: hard edges without the
    redundant ones (a longer path already implies them), then soft edges."""
    visible = set(shown)
    redundant = {(e["from"], e["to"]) for e in plan.get("redundant_edges", ())}
    result: list[tuple[str, str, bool]] = []
    seen: set[tuple[str, str]] = set()
    for edges, hard in ((plan.get("edges", ()), True), (plan.get("soft_edges", ()), False)):
        for edge in edges:
            pair = (str(edge["from"]), str(edge["to"]))
            if pair in seen or (hard and pair in redundant):
                continue
            if pair[0] in visible and pair[1] in visible:
                seen.add(pair)
                result.append((*pair, hard))
    return result


def flowchart(plan: Mapping[str, Any], limit: int | None = None) -> tuple[str, bool]:
    """A Mermaid ``flowchart LR`` of the dependencies (critical tasks and edges in red, soft
    edges dotted, finished tasks grey) and whether tasks were left out to stay under ``limit``."""
    tasks = {str(t["id"]): t for t in plan.get("tasks", ())}
    shown, capped = select_tasks(plan, limit)
    nodes = mermaid_ids(tasks)
    lines = ["flowchart LR"]
    for task_id in shown:
        task = tasks[task_id]
        label = mermaid_text(task_id)
        title = mermaid_text(task.get("title", ""), LABEL_TITLE_MAX)
        if title:
            label += "<br/>" + title
        if task.get("expected") is not None:
            label += f"<br/>{hours(task['expected'])} h"
        lines.append(f'  {nodes[task_id]}["{label}"]')
    critical_edges = critical_pairs(plan)
    highlighted: list[str] = []
    for index, (source, target, hard) in enumerate(drawn_edges(plan, shown)):
        arrow = "-->" if hard else "-.->"
        lines.append(f"  {nodes[source]} {arrow} {nodes[target]}")
        if hard and (source, target) in critical_edges:
            highlighted.append(str(index))
    finished = [nodes[i] for i in shown if tasks[i].get("status") in FINISHED]
    if finished:
        lines.append(f"  classDef done fill:{DONE_COLOUR},stroke-dasharray:3 3")
        lines.append(f"  class {','.join(finished)} done")
    critical = [nodes[i] for i in shown if tasks[i].get("critical")]
    if critical:
        lines.append(f"  classDef critical stroke:{CRITICAL_COLOUR},stroke-width:3px")
        lines.append(f"  class {','.join(critical)} critical")
    if highlighted:
        lines.append(
            f"  linkStyle {','.join(highlighted)} stroke:{CRITICAL_COLOUR},stroke-width:3px"
        )
    return "\n".join(lines) + "\n", capped


GANTT_MS_PER_HOUR = 1000


def gantt(plan: Mapping[str, Any], limit: int | None = None) -> tuple[str, bool]:
    """A Mermaid ``gantt`` of the schedule (the earliest starts when the plan has none), one
    section per wave, critical tasks marked ``crit``; and whether tasks were left out.

    Hours become milliseconds from the Unix epoch (``dateFormat x``) and the axis prints
    seconds since the epoch (``axisFormat %s``): the labels read as hours from the start of
    the plan, whatever the reader's time zone, and fractional hours stay exact.
    """
    tasks = {str(t["id"]): t for t in plan.get("tasks", ())}
    shown, capped = select_tasks(plan, limit)
    visible = set(shown)
    spans = _spans(plan, tasks)
    wave_of = {i: n for n, wave in enumerate(plan.get("waves", ()), 1) for i in wave}
    nodes = mermaid_ids(tasks)
    sections: dict[int, list[tuple[float, tuple[Any, ...], str]]] = {}
    for task_id, (start, _) in spans.items():
        if task_id in visible:
            wave = wave_of.get(task_id, 0)
            sections.setdefault(wave, []).append((start, id_key(task_id), task_id))
    lines = [
        "gantt",
        "  title Schedule (hours from the start)",
        "  dateFormat x",
        "  axisFormat %s",
        "  todayMarker off",
    ]
    for wave in sorted(sections):
        lines.append(f"  section {'Wave ' + str(wave) if wave else 'Other tasks'}")
        for _, _, task_id in sorted(sections[wave]):
            start, finish = spans[task_id]
            title = clean_text(tasks[task_id].get("title", ""), LABEL_TITLE_MAX)
            name = mermaid_text(f"{task_id} {title}".strip())
            if _GANTT_KEYWORD.match(name):
                name = f"#{ord(name[0])};{name[1:]}"
            tags = "crit, " if tasks[task_id].get("critical") else ""
            lines.append(
                f"  {name} :{tags}{nodes[task_id]}, {_ms(start)}, {max(_ms(finish), _ms(start))}"
            )
    return "\n".join(lines) + "\n", capped


def _spans(
    plan: Mapping[str, Any], tasks: Mapping[str, Mapping[str, Any]]
) -> dict[str, tuple[float, float]]:
    schedule = plan.get("schedule") or ()
    if schedule:
        return {
            str(s["id"]): (float(s["start"]), float(s["finish"]))
            for s in schedule
            if str(s["id"]) in tasks
        }
    return {
        task_id: (float(t["earliest_start"]), float(t["earliest_finish"]))
        for task_id, t in tasks.items()
        if _number(t.get("earliest_start")) and _number(t.get("earliest_finish"))
    }


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _ms(value: float) -> int:
    return round(value * GANTT_MS_PER_HOUR)


def dot(plan: Mapping[str, Any]) -> str:
    """A Graphviz digraph of the dependencies: critical tasks and edges red, soft edges
    dashed, finished tasks filled grey, redundant edges left out."""
    tasks = {str(t["id"]): t for t in plan.get("tasks", ())}
    critical_edges = critical_pairs(plan)
    lines = [
        "digraph plan {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
    ]
    for task_id, task in tasks.items():
        parts = [task_id, clean_text(task.get("title", ""), LABEL_TITLE_MAX)]
        if task.get("expected") is not None:
            parts.append(f"{hours(task['expected'])} h")
        style = f', color="{CRITICAL_COLOUR}", penwidth=2' if task.get("critical") else ""
        if task.get("status") in FINISHED:
            style += f', style="rounded,filled", fillcolor="{DONE_COLOUR}"'
        label = "\\n".join(_dot_escape(p) for p in parts if p)
        lines.append(f'  "{_dot_escape(task_id)}" [label="{label}"{style}];')
    for source, target, hard in drawn_edges(plan, tasks):
        if not hard:
            attributes = " [style=dashed]"
        elif (source, target) in critical_edges:
            attributes = f' [color="{CRITICAL_COLOUR}", penwidth=2]'
        else:
            attributes = ""
        lines.append(f'  "{_dot_escape(source)}" -> "{_dot_escape(target)}"{attributes};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_escape(text: str) -> str:
    return clean_text(text).replace("\\", "\\\\").replace('"', '\\"')


def fenced(language: str, body: str) -> str:
    """A Markdown code fence around ``body``."""
    return f"```{language}\n{body}```"


def join_ids(ids: Sequence[str], separator: str = " → ") -> str:
    return separator.join(ids)
