"""``taskgov import FORMAT SOURCE``: each format's real sample (copies in tests/data, the
corpus itself when present) imported through the CLI into a new repository, then validated,
listed as ready and planned; statuses, dependencies and estimates checked against the source;
unmapped fields kept; id collisions, --prefix and bad input."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from taskgov.errors import InputError
from taskgov.repo import load_repo
from tests.conftest import DATA, GitRepo, corpus_path, run_process

SPECKIT = DATA / "speckit" / "tasks-template.md"


def imported(run: Any, cwd: Path, fmt: str, source: Path, *extra: str) -> Path:
    """Import ``source`` into a new repository ``cwd/out`` and check that validate, ready
    and plan all run on it."""
    result = run(cwd, "import", fmt, str(source), "--out", "out", *extra)
    assert result.code == 0, result.err
    out = cwd / "out"
    assert (out / ".git").is_dir()
    assert (out / "docs" / "governance" / "policy.yaml").is_file()
    assert (out / "docs" / "tasks" / "templates" / "task-spec.yaml").is_file()
    status = GitRepo(out).git("status", "--porcelain")
    assert status == "", status  # everything committed
    checked = run(out, "validate")
    assert checked.code in (0, 1), checked.err
    assert "TG100" not in checked.out, checked.out
    assert "TG101" not in checked.out, checked.out
    assert run(out, "ready").code == 0
    planned = run(out, "plan")
    assert planned.code == 0, planned.err
    return out


def tasks_of(root: Path) -> dict[str, Any]:
    return dict(load_repo(root, cache=False).tasks)


def spec_data(root: Path, task_id: str) -> dict[str, Any]:
    from taskgov.spec.yamlio import load

    data, _ = load((root / "docs" / "tasks" / "active" / f"{task_id}.yaml").read_text())
    assert isinstance(data, dict)
    return data


def kept(root: Path, task_id: str) -> dict[str, str]:
    """The source fields kept under references (type imported_field)."""
    return {
        ref["section"]: ref["description"]
        for ref in spec_data(root, task_id)["references"]
        if ref["type"] == "imported_field"
    }


def tags(root: Path, task_id: str) -> list[str]:
    return [r["description"] for r in spec_data(root, task_id)["references"] if r["type"] == "tag"]


# --------------------------------------------------------------------------- speckit


def test_speckit_template_imports_with_the_template_dependency_rules(
    run: Any, tmp_path: Path
) -> None:
    out = imported(run, tmp_path, "speckit", SPECKIT)
    tasks = tasks_of(out)
    assert len(tasks) == 34  # 28 numbered tasks and 6 TXXX placeholders, numbered apart
    assert {"TXXX", "TXXX-2", "TXXX-6"} <= set(tasks)
    assert kept(out, "TXXX-2")["id"] == "TXXX"
    # Setup: T001 then T002 in order; T003 [P] only waits for the phase start (none).
    assert tasks["T001"].blocked_by == ()
    assert tasks["T002"].blocked_by == ("T001",)
    assert tasks["T003"].blocked_by == ()
    # Foundational waits for the end of Setup; [P] tasks for the start only.
    assert set(tasks["T004"].blocked_by) == {"T002", "T003"}
    assert set(tasks["T005"].blocked_by) == {"T002", "T003"}
    assert tasks["T007"].blocked_by == ("T004",)
    # Each story waits for Foundational's end (T005, T006 [P] and the chain's last, T009).
    for first in ("T010", "T018", "T024"):
        assert set(tasks[first].blocked_by) == {"T005", "T006", "T009"}, first
    # The prose "(depends on T012, T013)" adds to the order rule.
    assert set(tasks["T014"].blocked_by) == {"T012", "T013"} | set(tasks["T014"].blocked_by)
    assert {"T012", "T013"} <= set(tasks["T014"].blocked_by)
    # Polish waits for every story's end.
    assert {"T017", "T023", "T028"} <= set(tasks["TXXX"].blocked_by)
    assert tasks["T010"].priority == "high"  # (Priority: P1)
    assert tasks["T018"].priority == "medium"  # P2
    assert tasks["T024"].priority == "low"  # P3
    assert tasks["T010"].milestone == "US1"
    assert "US1" in tags(out, "T010")
    assert "mvp" in tags(out, "T010")
    assert tasks["T001"].phase == "Phase 1: Setup (Shared Infrastructure)"
    assert "Project initialization" in kept(out, "T001")["phase purpose"]
    # The checkpoint after T009 is its acceptance criterion.
    criteria = spec_data(out, "T009")["acceptance_criteria"]
    assert criteria[0]["criterion"].startswith("Checkpoint: Foundation ready")
    # blocks mirrors blocked_by, so validate finds no disagreement.
    assert "T002" in tasks["T001"].blocks
    assert "TG121" not in run(out, "validate").out


SMALL_TASKS_MD = """\
    # Tasks: Calibration

    ## Phase 1: Setup

    - [X] T001 Create the project
    - [x] T002 [P] Configure ruff

    ## Phase 2: User Story 1 - Fit (Priority: P1)

    - [ ] T003 [US1] Implement the fitter (depends on T002)
    - [ ] T004 [P] [US1] Write the docs, after T099

    **Checkpoint**: the fitter works

    ## Phase 3: Polish

    - [ ] T005 Tidy up
    """


def test_speckit_done_marks_prose_dependencies_and_dangling_ones(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "tasks.md"
    source.write_text(textwrap.dedent(SMALL_TASKS_MD))
    out = imported(run, tmp_path, "speckit", source)
    tasks = tasks_of(out)
    assert tasks["T001"].status == tasks["T002"].status == "completed"
    assert tasks["T003"].status == "ready"
    assert set(tasks["T003"].blocked_by) == {"T001", "T002"}
    assert set(tasks["T004"].blocked_by) == {"T001", "T002", "T099"}
    assert set(tasks["T005"].blocked_by) == {"T003", "T004"}
    checked = run(out, "validate")
    assert checked.code == 1
    assert "TG120" in checked.out
    assert "T099" in checked.out
    ready = run(out, "ready", "--json").json()
    assert [row["id"] for row in ready["ready"]] == ["T003"]  # type: ignore[index]


def test_speckit_cycle_in_the_prose_is_refused_with_its_line(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "tasks.md"
    source.write_text("## Phase 1: Setup\n\n- [ ] T001 First\n- [ ] T002 Second\n")
    source.write_text("## Phase 1: Setup\n\n- [ ] T001 First (depends on T002)\n- [ ] T002 B\n")
    result = run(tmp_path, "import", "speckit", str(source), "--out", "out")
    assert result.code == 2
    assert f"{source}:3: the dependencies form a cycle: T001 -> T002 -> T001" in result.err
    assert not (tmp_path / "out").exists()


def test_speckit_without_tasks_is_one_line(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "tasks.md"
    source.write_text("# Tasks\n\nnothing here\n")
    result = run(tmp_path, "import", "speckit", str(source), "--out", "out")
    assert result.code == 2
    expected = f"taskgov: error: {source}: no task lines (- [ ] T001 Description) found"
    assert result.err.strip() == expected
    assert not (tmp_path / "out").exists()


def test_speckit_corpus_template(run: Any, tmp_path: Path) -> None:
    imported(run, tmp_path, "speckit", corpus_path("speckit/tasks-template.md"))


def test_reader_is_a_library_function() -> None:
    from taskgov.interop.speckit import read_speckit

    plan = read_speckit(SPECKIT)
    assert plan.format == "speckit"
    assert len(plan.tasks) == 34
    with pytest.raises(InputError):
        read_speckit(SPECKIT.parent / "missing.md")


# --------------------------------------------------------------------------- into a repository


@pytest.fixture
def governed(run: Any, tmp_path: Path) -> GitRepo:
    """A repository after `taskgov init` that accepts imported ids."""
    path = tmp_path / "gov"
    path.mkdir()
    repo = GitRepo(path)
    repo.git("init", "--quiet", "--template=")
    assert run(path, "init").code == 0
    policy = path / "docs" / "governance" / "policy.yaml"
    policy.write_text(
        policy.read_text().replace("\ntasks:\n", "\ntasks:\n  id_pattern: '^[A-Za-z0-9.-]+$'\n")
    )
    return repo


def test_import_into_the_current_repository_then_collisions_and_prefix(
    run: Any, governed: GitRepo, tmp_path: Path
) -> None:
    source = tmp_path / "tasks.md"
    source.write_text(textwrap.dedent(SMALL_TASKS_MD))
    first = run(governed.path, "import", "speckit", str(source))
    assert first.code == 0, first.err
    assert governed.spec("T003").is_file()
    before = governed.snapshot()
    again = run(governed.path, "import", "speckit", str(source))
    assert again.code == 2
    assert again.err.count("\n") == 1
    assert "task T001 already exists" in again.err
    assert governed.snapshot() == before  # nothing written
    prefixed = run(governed.path, "import", "speckit", str(source), "--prefix", "B-", "--json")
    assert prefixed.code == 0, prefixed.err
    summary = prefixed.json()
    assert summary["tasks"] == 5  # type: ignore[index]
    tasks = tasks_of(governed.path)
    assert set(tasks["B-T003"].blocked_by) == {"B-T001", "B-T002"}
    assert "B-T099" in tasks["B-T004"].blocked_by  # the dangling one is prefixed too


def test_import_refuses_ids_the_policy_rejects(run: Any, repo: GitRepo, tmp_path: Path) -> None:
    source = tmp_path / "tasks.md"
    source.write_text(textwrap.dedent(SMALL_TASKS_MD))
    result = run(repo.path, "import", "speckit", str(source))
    assert result.code == 2
    assert "does not match tasks.id_pattern" in result.err
    assert not any((repo.path / "docs" / "tasks" / "active").iterdir())


def test_out_must_be_empty(run: Any, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("x")
    result = run(tmp_path, "import", "speckit", str(SPECKIT), "--out", "out")
    assert result.code == 2
    assert "not an empty directory" in result.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x"]


# --------------------------------------------------------------------------- bad input


def test_unknown_format_and_missing_file_are_usage_errors(tmp_path: Path) -> None:
    unknown = run_process(tmp_path, "import", "jira", "x.json", "--out", "out")
    assert unknown.code == 2
    assert "Traceback" not in unknown.err
    missing = run_process(tmp_path, "import", "speckit", "missing.md", "--out", "out")
    assert missing.code == 2
    assert missing.err.strip().startswith("taskgov: error: ")
    assert "missing.md" in missing.err
    assert "Traceback" not in missing.err
    assert not (tmp_path / "out").exists()


def test_no_partial_out_directory_is_left(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "tasks.md"
    source.write_text(textwrap.dedent(SMALL_TASKS_MD))
    blocker = tmp_path / "sub"
    blocker.write_text("a file where the parent directory should be")
    result = run(tmp_path, "import", "speckit", str(source), "--out", "sub/out")
    assert result.code == 2
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def copy_data(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    source = DATA / name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy(source, target)
    return target


def write_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path


# --------------------------------------------------------------------------- taskmaster

TASKMASTER = DATA / "taskmaster" / "tasks.json"
TM_STATUS = {"done": "completed", "in-progress": "in_progress", "pending": "ready"}


def flatten_taskmaster(tasks: list[dict[str, Any]], parent: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for task in tasks:
        task_id = f"{parent}.{task['id']}" if parent else str(task["id"])
        found[task_id] = task
        found.update(flatten_taskmaster(task.get("subtasks") or [], task_id))
    return found


@pytest.mark.parametrize("source", ["copy", "corpus"])
def test_taskmaster_sample_statuses_priorities_and_subtasks(
    run: Any, tmp_path: Path, source: str
) -> None:
    path = TASKMASTER if source == "copy" else corpus_path("taskmaster/tasks.json")
    out = imported(run, tmp_path, "taskmaster", path)
    expected = flatten_taskmaster(json.loads(path.read_text())["master"]["tasks"])
    tasks = tasks_of(out)
    assert set(tasks) == set(expected)
    for task_id, raw in expected.items():
        assert tasks[task_id].status == TM_STATUS[raw["status"]], task_id
        assert tasks[task_id].priority == raw["priority"], task_id
        assert tasks[task_id].assignee == (raw.get("assignee") or ""), task_id
    core = tasks["rust-conversion-core"]
    assert {"rust-conversion-core.rust-cli-setup", "rust-conversion-core.rust-error-types"} <= set(
        core.blocked_by
    )
    data = spec_data(out, "rust-conversion-core")
    assert data["objective"].startswith("Set up the core Rust project")
    assert data["acceptance_criteria"][0]["verification"] == "testStrategy"
    assert kept(out, "rust-conversion-core")["details"].startswith("Create the foundational")
    assert "taskmaster metadata" in kept(out, "rust-conversion-core")


LEGACY = {
    "tasks": [
        {
            "id": 1,
            "title": "Set up the repository",
            "status": "done",
            "priority": "high",
            "dependencies": [],
            "complexityScore": 3,
            "subtasks": [
                {"id": 1, "title": "Create the layout", "status": "done", "dependencies": []},
                {"id": 2, "title": "Add CI", "status": "pending", "dependencies": [1]},
            ],
        },
        {"id": 2, "title": "Write the parser", "status": "deferred", "dependencies": [1, 7]},
        {"id": "3", "title": "Ship it", "status": "review", "dependencies": ["1.2", 2]},
    ]
}


def test_taskmaster_legacy_flat_integer_ids_subtasks_and_dangling(run: Any, tmp_path: Path) -> None:
    path = write_json(tmp_path / ".taskmaster" / "tasks" / "tasks.json", LEGACY)
    out = imported(run, tmp_path, "taskmaster", path)
    tasks = tasks_of(out)
    assert set(tasks) == {"1", "1.1", "1.2", "2", "3"}
    assert set(tasks["1"].blocked_by) == {"1.1", "1.2"}
    assert tasks["1.2"].blocked_by == ("1.1",)
    assert set(tasks["3"].blocked_by) == {"1.2", "2"}
    assert tasks["2"].status == "draft"
    assert kept(out, "2")["status"] == "deferred"
    assert tasks["3"].status == "review"
    assert kept(out, "1")["complexityScore"] == "3"
    checked = run(out, "validate")
    assert "TG120" in checked.out  # task 2 names task 7, which does not exist
    assert run(tmp_path, "import", "taskmaster", str(path), "--tag", "x", "--out", "o").code == 2


def test_taskmaster_tag_picks_one_tag(run: Any, tmp_path: Path) -> None:
    tagged = {
        "master": {"tasks": [{"id": 1, "title": "Do the master thing", "status": "pending"}]},
        "feature-x": {
            "tasks": [
                {"id": 1, "title": "Do the feature thing", "status": "in-progress"},
                {"id": 2, "title": "Test it", "dependencies": [1]},
            ],
            "metadata": {"description": "feature x"},
        },
    }
    path = write_json(tmp_path / "tasks.json", tagged)
    out = imported(run, tmp_path, "taskmaster", path, "--tag", "feature-x")
    tasks = tasks_of(out)
    assert tasks["1"].title == "Do the feature thing"
    assert tasks["2"].blocked_by == ("1",)
    result = run(tmp_path, "import", "taskmaster", str(path), "--tag", "nope", "--out", "o2")
    assert result.code == 2
    assert "no tag 'nope' (tags: feature-x, master)" in result.err


def test_taskmaster_bad_input(run: Any, tmp_path: Path) -> None:
    broken = tmp_path / "tasks.json"
    broken.write_text('{\n  "master": {\n    "tasks": [\n      {"id": 1,}\n')
    result = run(tmp_path, "import", "taskmaster", str(broken), "--out", "o")
    assert result.code == 2
    assert f"{broken}:4: not valid JSON" in result.err
    cyclic = write_json(
        tmp_path / "cyclic.json",
        {
            "tasks": [
                {"id": 1, "title": "A", "dependencies": [2]},
                {"id": 2, "title": "B", "dependencies": [1]},
            ]
        },
    )
    result = run(tmp_path, "import", "taskmaster", str(cyclic), "--out", "o")
    assert result.code == 2
    assert "the dependencies form a cycle: 1 -> 2 -> 1" in result.err
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- beads

BEADS = DATA / "beads" / "issues.jsonl"
BEADS_PRIORITY = {0: "critical", 1: "high", 2: "medium", 3: "low", 4: "low"}


@pytest.mark.parametrize("source", ["copy", "corpus"])
def test_beads_sample_edges_statuses_and_estimates(run: Any, tmp_path: Path, source: str) -> None:
    path = BEADS if source == "copy" else corpus_path("beads/issues.jsonl")
    out = imported(run, tmp_path, "beads", path)
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    tasks = tasks_of(out)
    assert set(tasks) == {row["id"] for row in rows}
    for row in rows:
        task = tasks[row["id"]]
        assert task.status == ("completed" if row["status"] == "closed" else "ready")
        assert task.priority == BEADS_PRIORITY[row["priority"]]
        blocks = {d["depends_on_id"] for d in row.get("dependencies", []) if d["type"] == "blocks"}
        assert blocks <= set(task.blocked_by), row["id"]
        if "estimated_minutes" in row:
            assert task.estimate is not None
            assert task.estimate.likely == row["estimated_minutes"] / 60
        if "design" in row:
            assert kept(out, row["id"])["design"] == row["design"]
    children = {
        r["id"] for r in rows if any(d["type"] == "parent-child" for d in r.get("dependencies", []))
    }
    assert children <= set(tasks["skyhook-gld"].blocked_by)  # the epic waits for its children
    assert kept(out, "skyhook-gld")["issue_type"] == "epic"
    assert [row["id"] for row in run(out, "ready", "--json").json()["ready"]] == ["skyhook-gld"]  # type: ignore[index]


def test_beads_related_discovered_from_labels_and_bad_lines(run: Any, tmp_path: Path) -> None:
    rows = [
        {
            "id": "bd-1",
            "title": "Fix the parser",
            "status": "in_progress",
            "priority": 2,
            "issue_type": "bug",
            "labels": ["parser", "p-urgent"],
        },
        {
            "id": "bd-2",
            "title": "Write the docs",
            "status": "open",
            "priority": 4,
            "dependencies": [
                {"issue_id": "bd-2", "depends_on_id": "bd-1", "type": "related"},
                {"issue_id": "bd-2", "depends_on_id": "bd-1", "type": "discovered-from"},
                {"issue_id": "bd-2", "depends_on_id": "bd-9", "type": "blocks"},
            ],
        },
    ]
    path = tmp_path / "issues.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = imported(run, tmp_path, "beads", path)
    tasks = tasks_of(out)
    assert tasks["bd-1"].status == "in_progress"
    assert tasks["bd-1"].type == "bugfix"
    assert tags(out, "bd-1") == ["parser", "p-urgent"]
    assert tasks["bd-2"].blocked_by == ("bd-9",)  # related and discovered-from do not order
    relations = [
        (r["task_id"], r["relationship"])
        for r in spec_data(out, "bd-2")["references"]
        if r["type"] == "related_task"
    ]
    assert relations == [("bd-1", "related_to"), ("bd-1", "discovered_from")]
    assert "TG120" in run(out, "validate").out  # bd-9 is dangling: a finding
    path.write_text(json.dumps(rows[0]) + "\n{not json\n")
    result = run(tmp_path, "import", "beads", str(path), "--out", "o")
    assert result.code == 2
    assert f"{path}:2: not valid JSON" in result.err
    path.write_text(json.dumps(rows[0]) + "\n" + json.dumps(rows[0]) + "\n")
    result = run(tmp_path, "import", "beads", str(path), "--out", "o")
    assert f"{path}:2: issue bd-1 appears twice" in result.err


# --------------------------------------------------------------------------- dottasks

DOTTASKS_STATUS = {"completed": "completed", "pending": "ready", "in_progress": "in_progress"}


@pytest.mark.parametrize("source", ["copy", "corpus"])
def test_dottasks_manifest_and_the_task_file_it_omits(
    run: Any, tmp_path: Path, source: str
) -> None:
    path = DATA / "dottasks" if source == "copy" else corpus_path("dottasks")
    result = run(tmp_path, "import", "dottasks", str(path), "--out", "out", "--json")
    assert result.code == 0, result.err
    findings = result.json()["findings"]  # type: ignore[index]
    assert any("T003 is not in manifest.json" in f for f in findings)
    out = tmp_path / "out"
    assert run(out, "validate").code == 0
    assert run(out, "plan").code == 0
    manifest = json.loads((path / "manifest.json").read_text())
    tasks = tasks_of(out)
    assert set(tasks) == {t["id"] for t in manifest["tasks"]} | {"T003"}
    for entry in manifest["tasks"]:
        task = tasks[entry["id"]]
        assert task.status == DOTTASKS_STATUS[entry["status"]]
        assert set(entry["depends_on"]) <= set(task.blocked_by)
        assert task.estimate is not None
        assert task.estimate.likely == entry["estimated_hours"]
        assert set(entry["tags"]) == set(tags(out, entry["id"]))
    assert tasks["T003"].status == "ready"
    assert set(tasks["T003"].blocked_by) == {"T001", "T002"}  # T001 lists T003 in blocks
    assert tasks["T001"].priority == "high"  # P1-MVP, kept as it was
    assert kept(out, "T001")["priority"] == "P1-MVP"
    assert kept(out, "T001")["file priority"] == "P1"
    assert kept(out, "T001")["quality_score"] == "93.6"
    assert "## Business Context" in kept(out, "T003")["body"]
    data = spec_data(out, "T003")
    assert data["objective"].startswith("Create custom W&B visualizations")
    assert len(data["acceptance_criteria"]) == 10
    ready = run(out, "ready", "--json").json()
    assert [row["id"] for row in ready["ready"]] == ["T003"]  # type: ignore[index]


def test_dottasks_bad_front_matter_names_the_line(run: Any, tmp_path: Path) -> None:
    root = copy_data("dottasks", tmp_path)
    bad = root / "tasks" / "T003-wandb-visualization.yaml"
    bad.write_text("---\nid: T003\ntitle: [unclosed\n---\nbody\n")
    result = run(tmp_path, "import", "dottasks", str(root), "--out", "out")
    assert result.code == 2
    assert f"{bad}:" in result.err
    assert result.err.count("\n") == 1
    assert not (tmp_path / "out").exists()
    missing = run(tmp_path, "import", "dottasks", str(tmp_path / "nowhere"), "--out", "out")
    assert missing.code == 2
    assert "no such file or directory" in missing.err


# --------------------------------------------------------------------------- tasks-v3


@pytest.mark.parametrize("source", ["copy", "corpus"])
def test_tasks_v3_example_typed_dependencies_and_durations(
    run: Any, tmp_path: Path, source: str
) -> None:
    path = DATA / "tasks-v3" / "example" if source == "copy" else corpus_path("tasks-v3/example")
    out = imported(run, tmp_path, "tasks-v3", path)
    data = json.loads((path / "tasks.json").read_text())
    tasks = tasks_of(out)
    assert set(tasks) == {t["id"] for t in data["tasks"]}
    for raw in data["tasks"]:
        estimate = tasks[raw["id"]].estimate
        assert estimate is not None
        assert (estimate.optimistic, estimate.likely, estimate.pessimistic) == (
            raw["duration"]["optimistic"],
            raw["duration"]["mostLikely"],
            raw["duration"]["pessimistic"],
        )
        assert tasks[raw["id"]].milestone == raw["feature_id"]
        assert json.loads(kept(out, raw["id"])["source_evidence"]) == raw["source_evidence"]
    for edge in data["dependencies"]:
        typed = spec_data(out, edge["to"])["planning"]["depends_on"]
        assert {
            "task": edge["from"],
            "type": edge["type"],
            "confidence": edge["confidence"],
            "hard": edge["isHard"],
        } in typed
    assert "TG1" not in run(out, "validate").out


def test_tasks_v3_features_soft_edges_and_bad_confidence(run: Any, tmp_path: Path) -> None:
    tasks = {
        "meta": {"version": "v8", "min_confidence": 0.7, "artifact_hash": "x"},
        "tasks": [
            {
                "id": "T1",
                "feature_id": "F1",
                "title": "Build the API",
                "durationUnits": "days",
                "duration": {"optimistic": 1, "mostLikely": 2, "pessimistic": 4},
                "acceptance_checks": [{"type": "command", "cmd": "make test"}],
            },
            {
                "id": "T2",
                "feature_id": "F1",
                "title": "Document the API",
                "durationUnits": "hours",
                "duration": {"optimistic": 1, "mostLikely": 2, "pessimistic": 3},
                "acceptance_checks": [{"type": "manual"}],
            },
        ],
        "dependencies": [
            {
                "from": "T1",
                "to": "T2",
                "type": "knowledge",
                "isHard": False,
                "confidence": 0.4,
                "reason": "docs follow the API",
            }
        ],
    }
    write_json(
        tmp_path / "v3" / "features.json",
        {"meta": {}, "features": [{"id": "F1", "title": "Public API"}]},
    )
    write_json(tmp_path / "v3" / "tasks.json", tasks)
    out = imported(run, tmp_path, "tasks-v3", tmp_path / "v3")
    loaded = tasks_of(out)
    assert loaded["T1"].phase == "Public API"
    assert loaded["T1"].estimate.likely == 16  # 2 days of 8 h
    typed = spec_data(out, "T2")["planning"]["depends_on"][0]
    assert typed == {
        "task": "T1",
        "type": "knowledge",
        "confidence": 0.4,
        "hard": False,
        "reason": "docs follow the API",
    }
    tasks["dependencies"][0]["confidence"] = 7
    write_json(tmp_path / "bad" / "tasks.json", tasks)
    result = run(tmp_path, "import", "tasks-v3", str(tmp_path / "bad"), "--out", "o")
    assert result.code == 2
    assert "confidence must be 0..1" in result.err


# --------------------------------------------------------------------------- markdown

TASKLOG = DATA / "tasklog" / "week-12.md"


def test_markdown_task_log_groups_days_and_checks_the_total(run: Any, tmp_path: Path) -> None:
    result = run(tmp_path, "import", "markdown", str(TASKLOG), "--out", "out")
    assert result.code == 0, result.err
    assert f"{TASKLOG}:18: the total says 9.5 h, the rows above it add up to 8.5 h" in result.err
    (tmp_path / "again").mkdir()
    out = imported(run, tmp_path / "again", "markdown", TASKLOG)
    tasks = tasks_of(out)
    assert set(tasks) == {"CAL-1", "CAL-2", "DOC-1", "DOC-2"}
    assert tasks["CAL-1"].status == "completed"
    assert tasks["CAL-2"].status == "completed"  # the last row wins
    assert tasks["CAL-2"].effort == "4.5h"  # 2.5 h + 2 h over two days
    assert tasks["DOC-1"].status == "in_progress"  # open, hours logged
    assert tasks["DOC-2"].status == "ready"
    assert tasks["CAL-2"].blocked_by == ("CAL-1",)
    assert tasks["DOC-1"].blocked_by == ("CAL-2",)
    assert tasks["CAL-1"].phase == "Calibration"
    log = json.loads(kept(out, "CAL-2")["log"])
    assert [entry["date"] for entry in log] == ["2026-03-17", "2026-03-18"]
    assert kept(out, "CAL-1")["week"].startswith("Week 12")


def test_markdown_total_rows_and_bad_cells(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "log.md"
    source.write_text(
        "## Week 1\n\n| ID | Task | Hours | Status |\n|---|---|---|---|\n"
        "| A-1 | Do it | 2 | [x] |\n| | **Total** | 2 | |\n"
    )
    assert run(tmp_path, "import", "markdown", str(source), "--out", "o1").err == ""
    source.write_text(
        "| ID | Task | Hours | Status |\n|---|---|---|---|\n| A-1 | Do it | lots | ☐ |\n"
    )
    result = run(tmp_path, "import", "markdown", str(source), "--out", "o2")
    assert result.code == 2
    assert f"{source}:3: hours 'lots' is not a number of hours" in result.err
    source.write_text("| ID | Task | Hours | Status |\n|---|---|---|---|\n| A-1 | Do it |\n")
    result = run(tmp_path, "import", "markdown", str(source), "--out", "o3")
    assert f"{source}:3: 2 cells in a table of 4 columns" in result.err
    source.write_text("# Notes\n\nno tables here\n")
    result = run(tmp_path, "import", "markdown", str(source), "--out", "o4")
    assert result.code == 2
    assert "no task table" in result.err
