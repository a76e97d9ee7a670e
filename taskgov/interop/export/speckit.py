"""A repository as a spec-kit ``tasks.md``: ``- [ ] T001 [P] [US1] Title (depends on T000)``.

Tasks are grouped in phases by their ``phase`` (as an import from spec-kit sets it). Reading
the file back gives exactly the repository's dependencies: a task is ``[P]`` or in order
after the one before it, whichever of the template's rules (Setup, then Foundational, then
the stories...) gives it only dependencies it has, and the rest are spelled out. The text is
parsed again before it is returned; when the phases cannot say the plan's dependencies, the
tasks go in one phase instead. Ids that are not spec-kit ids (``T001``) are numbered in order, the
mapping in a comment at the top. Done
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
_ID = re.compile(r"^[A-Z]+\d+[A-Za-z]?$")  # an id the dependency prose can name
_TASK_ID = re.compile(r"^[A-Z]+[0-9X]+[A-Za-z]?$")  # an id a task line can have
_STORY = re.compile(r"^US\d+$")
_SPACE = re.compile(r"\s+")
FLAT_PHASE = "Tasks"


def speckit_text(plan: ImportedPlan, title: str = "") -> str:
    """The tasks.md text of ``plan``."""
    from taskgov.interop.speckit import parse_speckit

    ids = _ids(plan)
    heading = f"# Tasks: {_line(title) or 'exported plan'}"
    text = _render(plan, ids, heading, phased=True)
    renumbered = any(ids[t.id] != str(kept_from(t, FORMAT).get("id") or t.id) for t in plan.tasks)

    def back(task_id: str) -> str:  # its id when read back (repeats numbered as on import)
        return ids.get(task_id, task_id) if renumbered else task_id

    wanted = {back(t.id): {back(d.task) for d in t.depends_on} for t in plan.tasks}
    try:
        read = parse_speckit(text, Path("tasks.md"))
    except Exception:  # any failure to read it back: use the plain layout
        read = None
    if read is None or {t.id: {d.task for d in t.depends_on} for t in read.tasks} != wanted:
        text = _render(plan, ids, heading, phased=False)
    return text


def _ids(plan: ImportedPlan) -> dict[str, str]:
    """Task id -> its id in tasks.md: the ids themselves (the source's, for a task imported
    from spec-kit under another id) when they are all spec-kit ids, else T001, T002..."""
    own = [str(kept_from(t, FORMAT).get("id") or t.id) for t in plan.tasks]
    mine = [t.id for t in plan.tasks]
    if all(_TASK_ID.match(i) for i in own) and len(set(mine)) == len(mine):
        return dict(zip(mine, own, strict=True))
    width = max(3, len(str(len(own))))
    return {i: f"T{n:0{width}d}" for n, i in enumerate(mine, start=1)}


def _deps(task: ImportedTask, ids: dict[str, str]) -> list[str]:
    """The task's dependencies as tasks.md ids."""
    return list(dict.fromkeys(ids.get(d.task, d.task) for d in task.depends_on))


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
    layout = _layout(list(phases.items()), ids) if phased else None
    if layout is None:  # one phase: its rules can say any dependencies
        phases = {FLAT_PHASE: list(plan.tasks)}
        phased = False
        layout = _layout(list(phases.items()), ids) or {t.id: (True, set()) for t in plan.tasks}
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
            lines.append(_task_line(task, ids, kept, *layout[task.id]))
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


def _layout(
    phases: list[tuple[str, list[ImportedTask]]], ids: dict[str, str]
) -> dict[str, tuple[bool, set[str]]] | None:
    """For each task, whether it is written ``[P]`` and which dependencies the template's
    rules then give it (as ``read_speckit`` applies them), so that the rules add nothing the
    plan lacks; ``None`` when these phases cannot say the plan's dependencies."""
    from taskgov.interop.speckit import _PHASE_PREFIX, _entry, _kind, _Phase

    done: list[_Phase] = []
    result: dict[str, tuple[bool, set[str]]] = {}
    for name, tasks in phases:
        phase = _Phase(name, 0, _kind(_PHASE_PREFIX.sub("", name)))
        entry = set(_entry(phase, done))
        deps = [set(_deps(task, ids)) for task in tasks]
        chain = -1  # index of the last task written in order (not [P]); -1: none yet
        for index, task in enumerate(tasks):
            previous = ids[tasks[chain].id] if chain >= 0 else ""
            if previous and previous in deps[index]:
                result[task.id] = (False, {previous})  # in order, after the one before
                chain = index
                continue
            # Follow a task it depends on, if one since the chain's end can be written in
            # order instead of [P] (the latest such), unless [P] leaves less to spell out.
            said = _said(task)
            left_parallel = deps[index] - entry - said if entry <= deps[index] else None
            for before in range(index - 1, chain, -1):
                rule = {previous} if previous else entry
                head = ids[tasks[before].id]
                if head not in deps[index] or not rule <= deps[before]:
                    continue
                if left_parallel is not None and len(left_parallel) < len(
                    deps[index] - {head} - said
                ):
                    break
                result[tasks[before].id] = (False, rule)
                result[task.id] = (False, {head})
                chain = index
                break
            if task.id not in result:
                if left_parallel is None:
                    return None
                result[task.id] = (True, entry)
        inside = {ids[t.id] for t in tasks}
        needed = {d for t in tasks for d in _deps(t, ids) if d in inside}
        phase.exits = [ids[t.id] for t in tasks if ids[t.id] not in needed]
        phase.tasks = [(t, True) for t in tasks]
        done.append(phase)
    return result


def _said(task: ImportedTask) -> set[str]:
    """The dependencies a task's title names itself ("... (depends on T012)")."""
    return {d.upper() for m in DEPENDS.finditer(task.title) for d in ID_IN.findall(m.group(1))}


def _task_line(
    task: ImportedTask,
    ids: dict[str, str],
    kept: dict[str, object],
    parallel: bool,
    implied: set[str],
) -> str:
    mark = "X" if task.status in FINISHED else " "
    checkbox = kept.get("checkbox")
    if mark == " " and isinstance(checkbox, str) and re.fullmatch(r"\[[~/-]\]", checkbox):
        mark = checkbox[1]
    labels = ["[P]"] if parallel else []
    if _STORY.match(task.milestone):
        labels.append(f"[{task.milestone}]")
    for tag in task.tags:
        if tag != task.milestone and tag.lower() != "mvp" and re.fullmatch(r"[^\[\]]+", tag):
            labels.append(f"[{_line(tag)}]")
    title = _line(task.title.splitlines()[0] if task.title else "")
    if title.startswith("["):
        title = "\\" + title
    said = _said(task)
    # The rules give some dependencies, the title may name others itself.
    deps = [d for d in _deps(task, ids) if d not in said and d not in implied and _ID.match(d)]
    after = f" (depends on {', '.join(deps)})" if deps else ""
    words = [f"- [{mark}]", ids.get(task.id, task.id), *labels, f"{title}{after}"]
    return " ".join(w for w in words if w)
