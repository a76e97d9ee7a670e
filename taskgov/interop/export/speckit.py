"""A repository as a spec-kit ``tasks.md``: ``- [ ] T001 [P] [US1] Title (depends on T000)``.

Tasks are grouped in phases by their ``phase`` (as an import from spec-kit sets it). Every
task is written ``[P]`` with its dependencies spelled out, so that reading the file back
gives exactly the repository's dependencies: the text is parsed again before it is returned,
and when the template's phase rules (Setup, then Foundational, then the stories...) would add
a dependency the plan does not have, the tasks go in one phase instead. Ids that are not
spec-kit ids (``T001``) are numbered in order, the mapping in a comment at the top. Done
(completed or cancelled) is ``[X]``; a milestone ``US1`` is the story label, tags the other
labels; ``Checkpoint:`` criteria follow their task.
"""

from __future__ import annotations

import re
from pathlib import Path

from taskgov.interop.model import ImportedPlan, ImportedTask
from taskgov.interop.native import kept_from
from taskgov.interop.speckit import DEPENDS, ID_IN

FORMAT = "speckit"
FINISHED = frozenset({"completed", "cancelled"})
_ID = re.compile(r"^[A-Z]+\d+[A-Za-z]?$")
_STORY = re.compile(r"^US\d+$")
_SPACE = re.compile(r"\s+")
FLAT_PHASE = "Tasks"


def speckit_text(plan: ImportedPlan, title: str = "") -> str:
    """The tasks.md text of ``plan``."""
    from taskgov.interop.speckit import parse_speckit

    ids = _ids(plan)
    heading = f"# Tasks: {_line(title) or 'exported plan'}"
    text = _render(plan, ids, heading, phased=True)
    wanted = {ids.get(t.id, t.id): set(_deps(t, ids)) for t in plan.tasks}
    try:
        back = parse_speckit(text, Path("tasks.md"))
    except Exception:  # any failure to read it back: use the plain layout
        back = None
    if back is None or {t.id: {d.task for d in t.depends_on} for t in back.tasks} != wanted:
        text = _render(plan, ids, heading, phased=False)
    return text


def _ids(plan: ImportedPlan) -> dict[str, str]:
    """Task id -> its id in tasks.md (itself when every id is a spec-kit id already)."""
    own = [task.id for task in plan.tasks]
    if all(_ID.match(i) for i in own) and len(set(own)) == len(own):
        return {i: i for i in own}
    width = max(3, len(str(len(own))))
    return {i: f"T{n:0{width}d}" for n, i in enumerate(own, start=1)}


def _deps(task: ImportedTask, ids: dict[str, str]) -> list[str]:
    """The task's dependencies as tasks.md ids (one naming no spec-kit id cannot be said)."""
    named = (ids.get(d.task, d.task) for d in task.depends_on)
    return [d for d in dict.fromkeys(named) if _ID.match(d)]


def _line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _render(plan: ImportedPlan, ids: dict[str, str], heading: str, phased: bool) -> str:
    lines = [heading, ""]
    renamed = [(new, old) for old, new in ids.items() if old != new]
    if renamed:
        lines.append("<!-- taskgov ids:")
        lines.extend(f"  {new} = {_line(old).replace('--', '- -')}" for new, old in renamed)
        lines += ["-->", ""]
    phases: dict[str, list[ImportedTask]] = {}
    for task in plan.tasks:
        phases.setdefault(_line(task.phase) if phased and task.phase else FLAT_PHASE, []).append(
            task
        )
    for name, tasks in phases.items():
        lines += [f"## {name}", ""]
        for label, value in _phase_context(tasks[0]) if phased else []:
            lines += [f"**{label}**: {value}", ""]
        section = ""
        for task in tasks:
            kept = kept_from(task, FORMAT)
            wanted = _line(str(kept.get("section", ""))) if phased else ""
            if wanted and wanted != section:
                lines += ["", f"### {wanted}", ""]
            section = wanted or section
            lines.append(_task_line(task, ids, kept))
            for criterion, _ in task.criteria:
                if criterion.startswith("Checkpoint: "):
                    lines.append(f"**Checkpoint**: {_line(criterion[len('Checkpoint: ') :])}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _phase_context(task: ImportedTask) -> list[tuple[str, str]]:
    found = []
    for name, value in kept_from(task, FORMAT).items():
        if name.startswith("phase ") and isinstance(value, str) and "(line " not in name:
            label = name[len("phase ") :]
            found.append((label[:1].upper() + label[1:], _line(value)))
    return found


def _task_line(task: ImportedTask, ids: dict[str, str], kept: dict[str, object]) -> str:
    mark = "X" if task.status in FINISHED else " "
    checkbox = kept.get("checkbox")
    if mark == " " and isinstance(checkbox, str) and re.fullmatch(r"\[[~/-]\]", checkbox):
        mark = checkbox[1]
    labels = ["[P]"]
    if _STORY.match(task.milestone):
        labels.append(f"[{task.milestone}]")
    for tag in task.tags:
        if tag != task.milestone and tag.lower() != "mvp" and re.fullmatch(r"[^\[\]]+", tag):
            labels.append(f"[{_line(tag)}]")
    title = _line(task.title.splitlines()[0] if task.title else "")
    if title.startswith("["):
        title = "\\" + title
    said = {d.upper() for m in DEPENDS.finditer(title) for d in ID_IN.findall(m.group(1))}
    deps = [d for d in _deps(task, ids) if d not in said]  # the title may name some itself
    after = f" (depends on {', '.join(deps)})" if deps else ""
    return f"- [{mark}] {ids.get(task.id, task.id)} {' '.join(labels)} {title}{after}".rstrip()
