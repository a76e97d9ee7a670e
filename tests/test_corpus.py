"""The real governance repository's files, read as they are, without conversion."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import taskgov
from taskgov.checks.report import validate
from taskgov.checks.text import find_placeholders
from tests.conftest import GOVERNANCE, GitRepo

pytestmark = pytest.mark.skipif(not GOVERNANCE.is_dir(), reason="shared corpus not present")


@pytest.fixture
def governance(repo: GitRepo) -> GitRepo:
    shutil.copytree(GOVERNANCE / "docs", repo.path / "docs", dirs_exist_ok=True)
    for path in (repo.path / "docs").rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    repo.commit("import the governance files")
    return repo


def test_real_specs_parse_without_schema_problems(governance: GitRepo) -> None:
    repository = taskgov.load_repo(governance.path)
    assert sorted(repository.tasks) == ["TASK-2026-006", "TASK-2026-010", "TASK-2026-014"]
    schema_rules = {"TG001", "TG002", "TG006", "TG010", "TG011", "TG100", "TG101", "TG102"}
    assert [p for p in repository.file_problems if p.rule in schema_rules] == []
    task = repository.tasks["TASK-2026-014"]
    assert task.status == "ready"
    assert task.milestone == "M4.5"
    assert task.estimate is not None
    assert task.estimate.likely == 40
    assert task.blocked_by == ("TASK-2026-013",)


def test_real_repository_findings_are_exactly_the_real_disagreements(governance: GitRepo) -> None:
    report = validate(taskgov.load_repo(governance.path))
    found = [(p.rule, Path(p.path).name, p.line, p.field) for p in report.problems]
    assert found == [
        # 006 says it blocks 010; 010's blocked_by is empty.
        ("TG121", "TASK-2026-006.yaml", 130, "state.blocks"),
        # 010 blocks 011, which is not in this copy of the repository.
        ("TG120", "TASK-2026-010.yaml", 126, "state.blocks"),
        ("TG140", "TASK-2026-014.yaml", 3, "title"),
        # 013 and 015 are referenced from four places in 014 and exist nowhere here.
        ("TG120", "TASK-2026-014.yaml", 85, "dependencies"),
        ("TG120", "TASK-2026-014.yaml", 167, "state.blocked_by"),
        ("TG120", "TASK-2026-014.yaml", 168, "state.blocks"),
        ("TG120", "TASK-2026-014.yaml", 188, "references"),
        ("TG120", "TASK-2026-014.yaml", 191, "references"),
    ]
    assert report.exit_code == 1


def test_real_template_is_usable_by_new(run, governance: GitRepo) -> None:  # type: ignore[no-untyped-def]
    result = run(
        governance.path,
        "new",
        "Implement energy coefficient fitting",
        "--id",
        "TASK-2026-008",
        "--depends-on",
        "TASK-2026-006",
        "--json",
    )
    assert result.code == 0, result.err
    text = (governance.path / result.json()["path"]).read_text()
    assert list(find_placeholders(text)) == []  # the template's own header comment may say YYYY
    for placeholder in (
        "src/graphs/module/file.py",
        "Multi-line description",
        "graphs.core.structures",
        "new_function_name",
    ):
        assert placeholder not in text
    assert "# INTERFACE CONTRACTS" in text
    shown = run(governance.path, "show", "TASK-2026-008", "--json").json()
    assert shown["depends_on"] == ["TASK-2026-006"]
    report = run(governance.path, "validate", result.json()["path"], "--json").json()
    assert {p["rule"] for p in report["problems"]} <= {"TG141", "TG121"}


def test_real_repository_plans_its_remaining_work(run, governance: GitRepo) -> None:  # type: ignore[no-untyped-def]
    # 006 and 010 are completed; 014 (1w = 40 h) waits on 013, which exists nowhere here.
    remaining = run(governance.path, "plan", "--json")
    assert remaining.code == 0, remaining.err
    data = remaining.json()
    assert [t["id"] for t in data["tasks"]] == ["TASK-2026-014"]
    assert data["expected_duration"] == 40
    assert data["critical_path"] == ["TASK-2026-014"]
    assert data["estimates"]["p50"] == data["estimates"]["p95"] == 40  # "1w" is a single value
    everything = run(governance.path, "plan", "--json", "--all").json()
    # 006 -> 010 (declared by 006 only) is 8 h + 6 h, shorter than 014's week.
    assert [(e["from"], e["to"]) for e in everything["edges"]] == [
        ("TASK-2026-006", "TASK-2026-010")
    ]
    assert everything["critical_path"] == ["TASK-2026-014"]
    slack = {t["id"]: t["slack"] for t in everything["tasks"]}
    assert slack == {"TASK-2026-006": 26, "TASK-2026-010": 26, "TASK-2026-014": 0}
    assert run(governance.path, "ready", "--json").json() == {"ready": [], "problems": []}
    stats = run(governance.path, "stats", "--json").json()
    assert stats["by_status"] == {"blocked": 1, "completed": 2}
    assert stats["hours"] == {"total": 54, "completed": 14, "remaining": 40}
