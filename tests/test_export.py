"""``taskgov export FORMAT``: the T.A.S.K.S v3 artifacts valid against the schemas (the copies
in tests/data, the corpus's own under CI), the real governance repository exported, finished
tasks marked, secrets redacted; stdout and --out; nothing written through a symlink or over
foreign files; and import -> export -> import stable for speckit, taskmaster and tasks-v3."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from taskgov.interop.model import ImportedPlan
from tests.conftest import DATA, GOVERNANCE, GitRepo, corpus_path, spec_yaml

V3_JSON = ("features", "tasks", "dag", "waves", "coordinator")
GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


def validate_v3(out: Path, schemas: Path) -> dict[str, Any]:
    import jsonschema

    from taskgov.render.artifacts import content_hash

    documents = {}
    for name in V3_JSON:
        schema = json.loads((schemas / f"{name}.schema.json").read_text(encoding="utf-8"))
        document = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema).validate(document)
        meta = dict(document["meta"])
        stated = meta.pop("artifact_hash")
        assert stated == content_hash({**document, "meta": meta}), name
        documents[name] = document
    assert (out / "Plan.md").is_file()
    assert (out / "Decisions.md").is_file()
    return documents


@pytest.fixture
def small(repo: GitRepo) -> GitRepo:
    repo.commit(
        "plan",
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", "Build the parser"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002",
                f"Wire the client with {GITHUB}",
                blocked_by=("TASK-2026-001",),
                priority="high",
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml(
                "TASK-2026-003", "Write the guide", blocked_by=("TASK-2026-002",)
            ),
        },
    )
    repo.commit("feat: parser\n\nCloses: TASK-2026-001\n")
    return repo


def test_tasks_v3_is_valid_marks_finished_tasks_and_redacts(run: Any, small: GitRepo) -> None:
    result = run(small.path, "export", "tasks-v3", "--out", "out")
    assert result.code == 0, result.err
    # The title is in tasks.json, coordinator.json and Plan.md: redacted in each.
    assert "3 tasks (1 finished)" in result.out
    assert "3 secrets redacted" in result.out
    documents = validate_v3(small.path / "out", DATA / "tasks-v3" / "schemas")
    tasks = {t["id"]: t for t in documents["tasks"]["tasks"]}
    assert tasks["TASK-2026-001"]["status"] == "completed"  # from the Closes: trailer
    assert tasks["TASK-2026-001"]["done"] is True
    assert tasks["TASK-2026-002"]["done"] is False
    assert tasks["TASK-2026-002"]["title"] == "Wire the client with [REDACTED]"
    assert tasks["TASK-2026-002"]["priority"] == "high"
    edges = {(e["from"], e["to"]) for e in documents["tasks"]["dependencies"]}
    assert edges == {("TASK-2026-001", "TASK-2026-002"), ("TASK-2026-002", "TASK-2026-003")}
    assert documents["dag"]["meta"]["plan_id"] == documents["waves"]["meta"]["planId"]
    assert documents["coordinator"]["frontier"] == ["TASK-2026-002"]
    everything = "".join(p.read_text(encoding="utf-8") for p in (small.path / "out").iterdir())
    assert GITHUB not in everything
    # Same repository, same bytes.
    first = {p.name: p.read_bytes() for p in (small.path / "out").iterdir()}
    assert run(small.path, "export", "tasks-v3", "--out", "out").code == 0
    assert {p.name: p.read_bytes() for p in (small.path / "out").iterdir()} == first


def test_governance_repository_exports_valid_artifacts(run: Any, repo: GitRepo) -> None:
    shutil.copytree(GOVERNANCE / "docs", repo.path / "docs", dirs_exist_ok=True)
    shutil.copytree(GOVERNANCE / ".claude", repo.path / ".claude", dirs_exist_ok=True)
    repo.commit("the governance files")
    result = run(repo.path, "export", "tasks-v3", "--out", "out")
    assert result.code == 0, result.err
    documents = validate_v3(repo.path / "out", DATA / "tasks-v3" / "schemas")
    ids = [t["id"] for t in documents["tasks"]["tasks"]]
    assert ids == ["TASK-2026-006", "TASK-2026-010", "TASK-2026-014"]
    decisions = (repo.path / "out" / "Decisions.md").read_text(encoding="utf-8")
    assert "DECISION-2026-01-23-001" in decisions


def test_corpus_governance_repository_against_the_corpus_schemas(run: Any, repo: GitRepo) -> None:
    source = corpus_path("governance-repo")
    schemas = corpus_path("tasks-v3/schemas")
    shutil.copytree(source, repo.path, dirs_exist_ok=True)
    repo.commit("the governance repository")
    result = run(repo.path, "export", "tasks-v3", "--out", "out")
    assert result.code == 0, result.err
    validate_v3(repo.path / "out", schemas)


def test_single_file_formats_print_or_write(run: Any, small: GitRepo) -> None:
    printed = run(small.path, "export", "taskmaster")
    assert printed.code == 0, printed.err
    data = json.loads(printed.out)
    assert [t["status"] for t in data["master"]["tasks"]] == ["done", "pending", "pending"]
    mermaid = run(small.path, "export", "mermaid").out
    assert mermaid.startswith("flowchart LR")
    assert "class t_TASK_2026_001 done" in mermaid
    dot = run(small.path, "export", "dot").out
    assert dot.startswith("digraph plan {")
    assert "filled" in dot
    assert run(small.path, "export", "speckit", "--out", "md").code == 0
    text = (small.path / "md" / "tasks.md").read_text(encoding="utf-8")
    assert "- [X] T001 Build the parser\n- [ ] T002 Wire the client with [REDACTED]\n" in text
    assert "T002 = TASK-2026-002" in text
    from taskgov.interop.speckit import read_speckit

    back = read_speckit(small.path / "md" / "tasks.md")
    assert {t.id: [d.task for d in t.depends_on] for t in back.tasks} == {
        "T001": [],
        "T002": ["T001"],
        "T003": ["T002"],
    }
    assert [t.status for t in back.tasks] == ["completed", "ready", "ready"]
    refused = run(small.path, "export", "tasks-v3")
    assert refused.code == 2
    assert "give --out DIR" in refused.err


def test_out_is_refused_through_symlinks_and_over_other_files(
    run: Any, small: GitRepo, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (small.path / "link").symlink_to(target)
    refused = run(small.path, "export", "taskmaster", "--out", "link")
    assert refused.code == 2
    assert "symbolic link" in refused.err
    assert list(target.iterdir()) == []
    busy = small.path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    refused = run(small.path, "export", "taskmaster", "--out", "busy")
    assert refused.code == 2
    assert "notes.txt" in refused.err
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    inner = small.path / "inner"
    inner.mkdir()
    (inner / "tasks.json").symlink_to(target / "x")
    assert run(small.path, "export", "taskmaster", "--out", "inner").code == 2
    assert not (target / "x").exists()
    leftovers = [p.name for p in small.path.iterdir() if "taskgov-export" in p.name]
    assert leftovers == []


def test_a_cycle_is_exit_3_and_writes_nothing(run: Any, repo: GitRepo) -> None:
    repo.commit(
        "cycle",
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", "Build one", blocked_by=("TASK-2026-002",)
            ),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", "Build two", blocked_by=("TASK-2026-001",)
            ),
        },
    )
    result = run(repo.path, "export", "tasks-v3", "--out", "out")
    assert result.code == 3
    assert "cycle" in result.err
    assert not (repo.path / "out").exists()


# --- import -> export -> import -------------------------------------------------------------


# Kept fields an export writes anew: the file's own meta (version, hash) is the exporter's.
REGENERATED = ("phase ", "tasks.json meta", "taskmaster metadata")
PLAN_LEVEL = ("taskmaster ", "tasks.json ")  # kept with the first task: the plan's own fields


def essence(plan: ImportedPlan) -> dict[str, Any]:
    """What a round trip must keep: per task, everything but where it was read; the plan's
    own fields (kept with whichever task comes first) apart."""
    tasks = {
        t.id: {
            "title": t.title,
            "status": t.status,
            "priority": t.priority,
            "milestone": t.milestone,
            "phase": t.phase,
            "depends_on": sorted((d.task, d.type, d.confidence, d.hard) for d in t.depends_on),
            "estimate": t.estimate,
            "tags": sorted(t.tags),
            "objective": t.objective,
            "assignee": t.assignee,
            "criteria": [c for c, _ in t.criteria],
            "kept": {
                k: v for k, v in t.kept.items() if not k.startswith((*REGENERATED, *PLAN_LEVEL))
            },
        }
        for t in plan.tasks
    }
    own = {
        k: v
        for t in plan.tasks
        for k, v in t.kept.items()
        if k.startswith(PLAN_LEVEL) and not k.startswith(REGENERATED)
    }
    return {"tasks": tasks, "plan": own}


def _round_trip(run: Any, tmp_path: Path, fmt: str, source: Path, reader: Any) -> None:
    first = reader(source)
    result = run(tmp_path, "import", fmt, str(source), "--out", "repo")
    assert result.code == 0, result.err
    exported = run(tmp_path / "repo", "export", fmt, "--out", str(tmp_path / "exported"))
    assert exported.code == 0, exported.err
    name = {"speckit": "tasks.md", "taskmaster": "tasks.json", "tasks-v3": "tasks.json"}[fmt]
    second = reader(tmp_path / "exported" / name)
    assert essence(second) == essence(first)


def test_speckit_round_trip(run: Any, tmp_path: Path) -> None:
    from taskgov.interop.speckit import read_speckit

    source = DATA / "speckit" / "tasks-template.md"
    _round_trip(run, tmp_path, "speckit", source, read_speckit)


def test_taskmaster_round_trip(run: Any, tmp_path: Path) -> None:
    from taskgov.interop.taskmaster import read_taskmaster

    _round_trip(run, tmp_path, "taskmaster", DATA / "taskmaster" / "tasks.json", read_taskmaster)


def test_tasks_v3_round_trip(run: Any, tmp_path: Path) -> None:
    from taskgov.interop.tasksv3 import read_tasks_v3

    source = DATA / "tasks-v3" / "example" / "tasks.json"
    _round_trip(run, tmp_path, "tasks-v3", source, read_tasks_v3)
