"""Decision records: the seed's YAML format, lifecycle, links, rendering, ADRs."""

from __future__ import annotations

import json
import shutil

import pytest

from taskgov.checks.text import find_placeholders
from tests.conftest import GOVERNANCE, GitRepo, spec_yaml

REAL = GOVERNANCE / ".claude/decisions/DECISION-2026-01-23-001.yaml"
EPOCH = "1795000000"  # 2026-11-18


@pytest.fixture
def governed(run, repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("CLAUDECODE", raising=False)
    monkeypatch.delenv("CLAUDE_CODE_ENTRYPOINT", raising=False)
    run(repo.path, "init")
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    return repo


def _complete(decision_id: str, extra: str = "") -> str:
    return (
        f'decision_id: "{decision_id}"\nsummary: "Use X"\nstatus: accepted\n'
        "alternatives:\n  - option: X\n    selected: true\n  - option: Y\n" + extra
    )


def test_the_real_record_is_listed_rendered_and_valid(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(REAL, governed.path / ".claude/decisions" / REAL.name)
    listed = run(governed.path, "decision", "list", "--json").json()["decisions"]
    assert [(d["id"], d["status"]) for d in listed] == [(REAL.stem, "accepted")]
    markdown = run(governed.path, "decision", "show", REAL.stem).out
    for part in (
        "## Trigger",
        "## Alternatives",
        "(selected)",
        "**Why it was chosen:**",
        "## Impact",
        "## Risks",
        "Pros:",
        "Cons:",
    ):
        assert part in markdown
    shown = run(governed.path, "decision", "show", REAL.stem, "--format", "json").json()
    assert shown["record"]["impact"]["lines_removed"] == 9135
    assert run(governed.path, "decision", "show", REAL.stem, "--format", "yaml").out == (
        REAL.read_text()
    )
    report = run(governed.path, "validate", "--json").json()
    assert [p for p in report["problems"] if p["path"].startswith(".claude")] == []


def test_new_record_from_the_template(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    governed.write(
        {".claude/decisions/DECISION-2026-01-05-007.yaml": _complete("DECISION-2026-01-05-007")}
    )
    created = run(governed.path, "decision", "new", "Adopt CPM for planning", "--json").json()
    assert created == {
        "id": "DECISION-2026-11-18-008",  # next number across the directory
        "path": ".claude/decisions/DECISION-2026-11-18-008.yaml",
    }
    text = (governed.path / created["path"]).read_text()
    assert list(find_placeholders(text)) == []
    assert "Option A description" not in text
    assert "# ALTERNATIVES CONSIDERED" in text
    listed = {
        d["id"]: d for d in run(governed.path, "decision", "list", "--json").json()["decisions"]
    }
    assert listed[created["id"]]["summary"] == "Adopt CPM for planning"
    assert listed[created["id"]]["status"] == "proposed"
    report = run(governed.path, "validate", "--json")
    assert report.code == 0  # incomplete, but proposed: warnings until filled in
    found = {(p["rule"], p["severity"]) for p in report.json()["problems"]}
    assert found == {("TG171", "warning"), ("TG172", "warning")}


def test_accept_requires_a_person(run, governed: GitRepo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    decision_id = "DECISION-2026-11-18-001"
    path = governed.path / f".claude/decisions/{decision_id}.yaml"
    path.write_text(
        _complete(decision_id).replace("status: accepted", "status: proposed")
        + 'decided_by: ""\nreview:\n  status: pending\n  reviewer: ""\n  reviewed_at: ""\n'
    )
    before = path.read_text()
    monkeypatch.setenv("CLAUDECODE", "1")
    refused = run(governed.path, "decision", "accept", decision_id)
    assert refused.code == 1
    assert "requires a person" in refused.err
    monkeypatch.delenv("CLAUDECODE")
    governed.git("config", "user.name", "Claude")
    governed.git("config", "user.email", "noreply@anthropic.com")
    assert run(governed.path, "decision", "accept", decision_id).code == 1
    assert path.read_text() == before
    governed.git("config", "user.name", "Dev Person")
    governed.git("config", "user.email", "dev@example.com")
    assert run(governed.path, "decision", "accept", decision_id).code == 0
    record = run(governed.path, "decision", "show", decision_id, "--format", "json").json()
    assert record["status"] == "accepted"
    assert record["record"]["decided_by"] == "Dev Person"
    assert record["record"]["review"]["status"] == "approved"
    changed = [line for line in path.read_text().splitlines() if line not in before.splitlines()]
    assert len(changed) == 5  # status, decided_by and three review fields; nothing else


def test_supersede_updates_both_sides(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    governed.write(
        {
            ".claude/decisions/DECISION-2026-01-05-001.yaml": "# keep me\n"
            + _complete("DECISION-2026-01-05-001"),
            ".claude/decisions/DECISION-2026-02-05-002.yaml": _complete("DECISION-2026-02-05-002"),
        }
    )
    result = run(
        governed.path, "decision", "supersede", "DECISION-2026-01-05-001", "DECISION-2026-02-05-002"
    )
    assert result.code == 0
    old = (governed.path / ".claude/decisions/DECISION-2026-01-05-001.yaml").read_text()
    assert old.startswith("# keep me\n")
    listed = {
        d["id"]: d for d in run(governed.path, "decision", "list", "--json").json()["decisions"]
    }
    assert listed["DECISION-2026-01-05-001"]["status"] == "superseded"
    assert listed["DECISION-2026-01-05-001"]["superseded_by"] == ["DECISION-2026-02-05-002"]
    assert listed["DECISION-2026-02-05-002"]["supersedes"] == ["DECISION-2026-01-05-001"]
    assert run(governed.path, "validate").code == 0
    index = run(governed.path, "decision", "index").out
    assert "DECISION_2026_02_05_002 -- supersedes --> DECISION_2026_01_05_001" in index
    assert run(governed.path, "decision", "supersede", "DECISION-2026-01-05-001", "NOPE").code == 2


def test_validation_of_records_and_links(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    governed.write(
        {
            ".claude/decisions/DECISION-2026-03-01-001.yaml": _complete(
                "DECISION-2026-03-01-001",
                'tasks: ["TASK-2026-001", "TASK-2026-404"]\n'
                'supersedes: ["DECISION-2026-03-01-002", "DECISION-2026-01-01-999"]\n',
            ),
            ".claude/decisions/DECISION-2026-03-01-002.yaml": _complete("DECISION-2026-03-01-002")
            .replace('summary: "Use X"', 'summary: ""')
            .replace("    selected: true\n", ""),
            ".claude/decisions/DECISION-2026-03-01-003.yaml": _complete("DECISION-2026-03-01-009"),
        }
    )
    governed.commit("feat: x\n\nDecision: DECISION-2026-12-31-404")
    report = run(governed.path, "validate", "--json")
    assert report.code == 1
    found = sorted((p["rule"], p["task"]) for p in report.json()["problems"])
    assert found == [
        ("TG170", "DECISION-2026-03-01-002"),
        ("TG172", "DECISION-2026-03-01-002"),
        ("TG173", "DECISION-2026-03-01-009"),
        ("TG174", "DECISION-2026-03-01-001"),
        ("TG175", "DECISION-2026-03-01-001"),
        ("TG176", "DECISION-2026-03-01-001"),
        ("TG177", "DECISION-2026-12-31-404"),
    ]


def test_markdown_adrs_are_listed_read_only(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    governed.write(
        {
            "docs/adr/0001-record-architecture-decisions.md": "# 1. Record architecture decisions\n"
            "\nDate: 2024-03-04\n\n## Status\n\nAccepted\n\n## Context\n\nWe need to.\n",
            "docs/decisions/0002-use-postgres.md": "---\nstatus: superseded\n"
            "date: 2024-05-01\n---\n# Use PostgreSQL\n\n"
            "## Context and Problem Statement\n\nWhich database?\n",
        }
    )
    listed = run(governed.path, "decision", "list", "--json").json()["decisions"]
    assert [(d["id"], d["status"], d["summary"], d["kind"]) for d in listed] == [
        ("ADR-0001", "accepted", "Record architecture decisions", "adr"),
        ("ADR-0002", "superseded", "Use PostgreSQL", "adr"),
    ]
    assert "## Context" in run(governed.path, "decision", "show", "ADR-0001").out
    assert run(governed.path, "decision", "accept", "ADR-0001").code == 2


def test_index_write_keeps_hand_written_notes(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    governed.write(
        {
            ".claude/decisions/DECISION-2026-03-01-001.yaml": _complete(
                "DECISION-2026-03-01-001", 'tasks: ["TASK-2026-001"]\n'
            )
        }
    )
    index = governed.path / ".claude/decisions/index.md"
    index.write_text("Notes written by people.\n")
    assert run(governed.path, "decision", "index", "--write").code == 0
    assert run(governed.path, "decision", "index", "--write").code == 0  # idempotent
    text = index.read_text()
    assert text.startswith("Notes written by people.\n")
    assert text.count("taskgov:decisions:start") == 1
    assert 'governs .-> TASK_2026_001(["TASK-2026-001"])' in text
    assert (
        json.loads(run(governed.path, "decision", "list", "--task", "TASK-2026-001", "--json").out)[
            "decisions"
        ][0]["id"]
        == "DECISION-2026-03-01-001"
    )
