"""Export then import gives the plan back, for generated plans (hypothesis): every field each
format can hold (ids, titles, statuses, priorities, milestones, estimates, dependencies with
their type and confidence) survives tasks-v3, Task Master and spec-kit."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from taskgov.interop.model import Dependency, ImportedPlan, ImportedTask

STATUSES = ["draft", "ready", "assigned", "in_progress", "review", "blocked", "completed"]
PRIORITIES = ["critical", "high", "medium", "low"]
TYPES = ["technical", "sequential", "infrastructure", "knowledge", "resource_limited"]
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
TITLES = st.lists(WORDS, min_size=1, max_size=5).map(lambda w: " ".join(w).capitalize())


@st.composite
def plans(draw: st.DrawFn, id_form: str = "T{:03d}", typed: bool = False) -> ImportedPlan:
    count = draw(st.integers(min_value=1, max_value=12))
    plan = ImportedPlan("taskgov", "generated")
    for n in range(1, count + 1):
        task = ImportedTask(id_form.format(n), draw(TITLES))
        task.status = draw(st.sampled_from(STATUSES))
        task.priority = draw(st.sampled_from(PRIORITIES))
        task.milestone = draw(st.sampled_from(["", "M1", "M2"]))
        if draw(st.booleans()):
            low = draw(st.integers(min_value=1, max_value=10))
            task.estimate = (float(low), float(low + 2), float(low + 5))
        earlier = [f"{id_form.format(i)}" for i in range(1, n)]
        chosen = draw(st.lists(st.sampled_from(earlier), unique=True)) if earlier else []
        for dep in chosen:
            if typed:
                kind = draw(st.sampled_from(TYPES))
                confidence = draw(st.sampled_from([0.3, 0.7, 1.0]))
                task.depends_on.append(Dependency(dep, kind, confidence, draw(st.booleans())))
            else:
                task.depends_on.append(Dependency(dep))
        plan.tasks.append(task)
    return plan


def deps(task: ImportedTask, typed: bool = True) -> list[tuple[str, ...]]:
    if typed:
        return sorted((d.task, d.type, str(d.confidence), str(d.hard)) for d in task.depends_on)
    return sorted((d.task,) for d in task.depends_on)


@settings(max_examples=40, deadline=None)
@given(plans(typed=True))
def test_tasks_v3_gives_the_plan_back(plan: ImportedPlan) -> None:
    from taskgov.interop.export.tasksv3 import features_document, tasks_document
    from taskgov.interop.tasksv3 import read_tasks_v3
    from taskgov.render.artifacts import dumps

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "tasks.json").write_text(dumps(tasks_document(plan, {}, 0.5)), encoding="utf-8")
        (root / "features.json").write_text(dumps(features_document(plan)), encoding="utf-8")
        back = read_tasks_v3(root / "tasks.json")
    assert [t.id for t in back.tasks] == [t.id for t in plan.tasks]
    for before, after in zip(plan.tasks, back.tasks, strict=True):
        assert (after.title, after.status, after.priority) == (
            before.title,
            before.status,
            before.priority,
        )
        assert after.milestone == (before.milestone or "unassigned")
        assert after.estimate == (before.estimate or (0.0, 0.0, 0.0))
        assert deps(after) == deps(before)


@settings(max_examples=40, deadline=None)
@given(plans(id_form="{}"))
def test_taskmaster_gives_the_plan_back(plan: ImportedPlan) -> None:
    from taskgov.interop.export.taskmaster import taskmaster_document
    from taskgov.interop.taskmaster import read_taskmaster

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "tasks.json"
        path.write_text(json.dumps(taskmaster_document(plan)), encoding="utf-8")
        back = read_taskmaster(path)
    assert [t.id for t in back.tasks] == [t.id for t in plan.tasks]
    for before, after in zip(plan.tasks, back.tasks, strict=True):
        # Task Master has no "assigned": it is pending, ready again.
        expected = "ready" if before.status == "assigned" else before.status
        assert (after.title, after.status, after.priority) == (
            before.title,
            expected,
            before.priority,
        )
        assert deps(after, typed=False) == deps(before, typed=False)


@settings(max_examples=40, deadline=None)
@given(plans(), st.booleans())
def test_speckit_gives_the_plan_back(plan: ImportedPlan, phased: bool) -> None:
    from taskgov.interop.export.speckit import speckit_text
    from taskgov.interop.speckit import parse_speckit

    if phased:  # phases named as spec-kit names them, in the plan's order
        names = ["Phase 1: Setup", "Phase 2: Foundational", "Phase 3: User Story 1"]
        for index, task in enumerate(plan.tasks):
            task.phase = names[min(index * len(names) // len(plan.tasks), len(names) - 1)]
    text = speckit_text(plan, "generated")
    back = parse_speckit(text, Path("tasks.md"))
    assert [t.id for t in back.tasks] == [t.id for t in plan.tasks]
    for before, after in zip(plan.tasks, back.tasks, strict=True):
        # The dependencies the rules do not give are prose in the description.
        assert re.sub(r" \(depends on [T0-9, ]+\)$", "", after.title) == before.title
        assert (after.status == "completed") == (before.status in ("completed", "cancelled"))
        assert deps(after, typed=False) == deps(before, typed=False)
    assert speckit_text(back, "generated") == text  # and exporting that again changes nothing


def test_speckit_keeps_phases_when_the_rules_allow_them() -> None:
    from taskgov.interop.export.speckit import speckit_text
    from taskgov.interop.speckit import parse_speckit

    plan = ImportedPlan("taskgov", "generated")
    for n, (phase, waits) in enumerate(
        [
            ("Phase 1: Setup", []),
            ("Phase 2: Foundational", ["T001"]),
            ("Phase 2: Foundational", ["T001"]),
        ],
        start=1,
    ):
        task = ImportedTask(f"T{n:03d}", f"Task {n}")
        task.phase = phase
        task.depends_on = [Dependency(w) for w in waits]
        plan.tasks.append(task)
    text = speckit_text(plan)
    assert "## Phase 2: Foundational" in text
    assert "depends on" not in text  # the template's rules say it all
    back = parse_speckit(text, Path("tasks.md"))
    assert [t.phase for t in back.tasks] == [t.phase for t in plan.tasks]
