"""The context document: Markdown, a token estimate, and trimming to a budget.

Tokens are estimated as ``ceil(characters / 4)``, the usual rule of thumb for English text
and code under the tokenizers agents use; it needs no tokenizer and errs on the long side
for YAML. Over a budget, parts are left out in ``TRIM_ORDER`` (least needed first) until the
document fits; the header, the task itself (objective, deliverables, interfaces, acceptance
criteria, constraints) and the policy lines are never left out, so a budget smaller than
those gives a document over budget, and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from taskgov.context.gather import Material, Produced
from taskgov.output import md_line, md_text, one_line

ESTIMATOR = "ceil(characters / 4)"
TRIM_ORDER: tuple[tuple[str, str], ...] = (
    ("spec", "the spec file verbatim"),
    ("decision-bodies", "decision record bodies"),
    ("dependency-paths", "paths the dependencies changed"),
    ("dependency-commits", "the dependencies' commits"),
    ("dependency-details", "the dependencies' deliverables and interfaces"),
    ("decisions", "the cited decisions"),
    ("dependencies", "the dependencies"),
)


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


@dataclass(frozen=True)
class Context:
    task: str
    markdown: str
    tokens: int
    budget: int | None
    trimmed: tuple[str, ...]

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.tokens > self.budget

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "tokens": self.tokens,
            "estimator": ESTIMATOR,
            "budget": self.budget,
            "over_budget": self.over_budget,
            "trimmed": list(self.trimmed),
            "trim_order": [name for name, _ in TRIM_ORDER],
            "markdown": self.markdown,
        }


def compose(material: Material, budget: int | None = None, notes: Sequence[str] = ()) -> Context:
    """The document, trimmed to ``budget`` tokens when given. ``notes``: extra header lines
    (a dispatch run says where the work goes)."""
    dropped: list[str] = []  # the steps that left something out
    drop: set[str] = set()
    body = _body(material, drop)
    text = _document(material, body, notes, budget, dropped)
    for name, _ in TRIM_ORDER:
        if budget is None or estimate_tokens(text) <= budget:
            break
        drop.add(name)
        shorter = _body(material, drop)
        if shorter == body:
            continue  # nothing of that kind here
        candidate = _document(material, shorter, notes, budget, [*dropped, name])
        if estimate_tokens(candidate) < estimate_tokens(text):
            dropped.append(name)
            body, text = shorter, candidate
    return Context(material.task.id, text, estimate_tokens(text), budget, tuple(dropped))


def _body(material: Material, drop: set[str]) -> str:
    return "\n".join(
        [
            *_task(material),
            *_dependencies(material.dependencies, drop),
            *_decisions(material, drop),
            "## Policy",
            "",
            *(f"- {line}" for line in material.policy),
            "",
            *_spec(material, drop),
        ]
    )


def _document(
    material: Material, body: str, notes: Sequence[str], budget: int | None, dropped: list[str]
) -> str:
    text = "\n".join([body, *_trimmed(dropped, budget)])
    tokens = 0
    for _ in range(3):  # the count is part of the text: settle it
        document = "\n".join([*_header(material, notes, tokens, budget), text])
        if estimate_tokens(document) == tokens:
            break
        tokens = estimate_tokens(document)
    return document.rstrip("\n") + "\n"


def _header(material: Material, notes: Sequence[str], tokens: int, budget: int | None) -> list[str]:
    task = material.task
    size = f"about {tokens} tokens ({ESTIMATOR})"
    if budget is not None:
        size += f", budget {budget}"
    lines = [
        f"# {task.id}: {md_line(task.title)}",
        "",
        f"- status: {material.status}; priority: {task.priority}",
        f"- spec: {task.path}",
    ]
    if task.estimate is not None:
        e = task.estimate
        lines.append(
            f"- estimate: {e.expected:.1f} h ({e.optimistic:g} / {e.likely:g} / {e.pessimistic:g})"
        )
    lines += [f"- {md_line(note)}" for note in notes]
    lines += [f"- this document: {size}", ""]
    return lines


def _task(material: Material) -> list[str]:
    spec = material.spec
    lines = ["## Task", ""]
    if spec.get("objective"):
        lines += [md_text(str(spec["objective"]).strip()), ""]
    for title, key, fields in (
        ("Deliverables", "deliverables", ("path", "type", "description", "acceptance")),
        ("Interfaces provided", "interfaces_provided", ("name", "signature", "description")),
        ("Interfaces consumed", "interfaces_consumed", ("name", "signature", "module")),
        ("Acceptance criteria", "acceptance_criteria", ("criterion", "verification")),
    ):
        items = _items(spec.get(key), fields)
        if items:
            lines += [f"### {title}", "", *items, ""]
    constraints = spec.get("constraints")
    if isinstance(constraints, list) and constraints:
        lines += ["### Constraints", "", *(f"- {md_line(c)}" for c in constraints), ""]
    return lines


def _items(value: Any, fields: tuple[str, ...]) -> list[str]:
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    lines = []
    for item in items:
        if isinstance(item, dict):
            parts = [f"{k}: {_value(k, item[k])}" for k in fields if item.get(k) not in (None, "")]
            if parts:
                lines.append("- " + "; ".join(parts))
        elif str(item).strip():
            lines.append(f"- {md_line(item)}")
    return lines


def _dependencies(dependencies: Sequence[Produced], drop: set[str]) -> list[str]:
    if not dependencies or "dependencies" in drop:
        return []
    lines = ["## What the dependencies produced", ""]
    for dep in dependencies:
        kind = f"{dep.type}, {'hard' if dep.hard else 'soft'}"
        lines += [f"### {dep.id}: {md_line(dep.title)} ({dep.status or 'unknown'}; {kind})", ""]
        if "dependency-details" not in drop:
            for d in dep.deliverables:
                lines.append(f"- deliverable: {'; '.join(_value(k, v) for k, v in d.items())}")
            for i in dep.interfaces:
                lines.append(f"- interface: {'; '.join(_value(k, v) for k, v in i.items())}")
        if dep.commits and "dependency-commits" not in drop:
            lines += [f"- {c.kind}: {c.sha[:12]} {md_line(c.subject)}" for c in dep.commits]
        elif dep.commits:
            lines.append(f"- {len(dep.commits)} commits (left out)")
        else:
            lines.append("- no commit names it yet")
        if dep.paths and "dependency-paths" not in drop:
            lines.append(f"- changed: {', '.join(_code(p) for p in dep.paths)}")
        lines.append("")
    return lines


def _decisions(material: Material, drop: set[str]) -> list[str]:
    if not material.decisions or "decisions" in drop:
        return []
    lines = ["## Decisions it cites", ""]
    for d in material.decisions:
        where = f", {d.path}" if d.path else ""
        lines.append(f"- {d.id} ({d.status}{where}; {d.why}): {md_line(d.summary)}")
        if d.body and "decision-bodies" not in drop:
            lines += _fenced(_yaml(d.body), indent="  ")
    return [*lines, ""]


def _spec(material: Material, drop: set[str]) -> list[str]:
    if "spec" in drop or not material.spec_text:
        return []
    return ["## The spec file", "", *_fenced(material.spec_text, "yaml"), ""]


def _trimmed(drop: Sequence[str], budget: int | None) -> list[str]:
    if not drop:
        return []
    left = [text for name, text in TRIM_ORDER if name in drop]
    return [
        "## Trimmed",
        "",
        f"Left out to fit {budget} tokens, in this order: " + "; ".join(left) + ".",
        "(The task, its acceptance criteria and the policy lines are never left out.)",
        "",
    ]


CODE = frozenset({"path", "name", "signature", "module", "verification"})


def _value(key: str, value: object) -> str:
    """Paths, names, signatures and commands as code; prose escaped."""
    return _code(value) if key in CODE else md_line(value)


def _code(value: object) -> str:
    """``value`` on one line as an inline code span (nothing in it is Markdown)."""
    text = one_line(value)
    longest = 0
    run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    tick = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{tick}{pad}{text}{pad}{tick}"


def _fenced(text: str, language: str = "", indent: str = "") -> list[str]:
    longest = max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0)
    run = 0
    for char in text:  # a fence longer than any run of backticks inside
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    body = [indent + line for line in text.rstrip("\n").split("\n")]
    return [f"{indent}{fence}{language}", *body, f"{indent}{fence}"]


def _yaml(data: Any) -> str:
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
