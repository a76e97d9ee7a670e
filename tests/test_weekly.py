"""``taskgov report weekly``: the week's completed, in progress, blocked and next tasks as
weekly task-log tables, with hours and the week's commits; read back by ``taskgov import
markdown`` with the same statuses and dependencies."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from taskgov.errors import UsageError
from taskgov.interop.weekly import parse_week
from tests.conftest import GitRepo, spec_yaml


def test_week_syntax() -> None:
    assert parse_week("2026-W48") == ("2026-W48", date(2026, 11, 23))
    assert parse_week("2026W5") == ("2026-W05", date(2026, 1, 26))
    assert parse_week(None, today=date(2026, 12, 2)) == ("2026-W49", date(2026, 11, 30))
    for bad in ("2026-48", "W48", "2026-W54"):
        with pytest.raises(UsageError):
            parse_week(bad)


@pytest.fixture
def week(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    def at(stamp: str) -> None:
        monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
        monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)

    at("2026-11-16T09:00:00Z")  # the week before
    repo.commit(
        "plan",
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", "Build the parser"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", "Wire the client", effort="6h"
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml(
                "TASK-2026-003", "Write the guide", blocked_by=("TASK-2026-002",), effort="2h"
            ),
            "docs/tasks/active/TASK-2026-004.yaml": spec_yaml("TASK-2026-004", "Add the index"),
        },
    )
    at("2026-11-24T10:00:00Z")
    repo.commit(
        "feat: parser\n\nCloses: TASK-2026-001\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
    )
    at("2026-11-25T10:00:00Z")
    repo.commit("feat: client\n\nTask: TASK-2026-002\n")
    at("2026-12-01T10:00:00Z")  # the week after
    repo.commit("chore: later\n")
    return repo


def test_report_sections_hours_and_commits(run: Any, week: GitRepo) -> None:
    result = run(week.path, "report", "weekly", "--week", "2026-W48", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert isinstance(data, dict)
    sections = {k: [r["id"] for r in rows] for k, rows in data["sections"].items()}
    assert sections == {
        "completed": ["TASK-2026-001"],
        "in_progress": ["TASK-2026-002"],
        "blocked": ["TASK-2026-003"],
        "next": ["TASK-2026-004"],
    }
    assert data["sections"]["completed"][0]["date"] == "2026-11-24"
    assert data["hours"] == {"completed": 4, "in_progress": 6, "blocked": 2, "next": 4}
    assert data["total_hours"] == 16
    assert data["contributions"]["commits"] == 2
    assert data["contributions"]["ai_assisted"] == 1
    text = run(week.path, "report", "weekly", "--week", "2026-W48").out
    assert "| 2026-11-24 | Build the parser | TASK-2026-001 | 4 | ☑ |" in text
    assert "| ☐ blocked | depends on TASK-2026-002 |" in text
    assert "**Weekly total: 16 h**" in text


def test_report_reads_back_through_import_markdown(run: Any, week: GitRepo) -> None:
    text = run(week.path, "report", "weekly", "--week", "2026-W48").out
    (week.path.parent / "week.md").write_text(text, encoding="utf-8")
    imported = run(week.path.parent, "import", "markdown", "week.md", "--out", "back", "--json")
    assert imported.code == 0, imported.err
    summary = imported.json()
    assert isinstance(summary, dict)
    assert summary["findings"] == []  # the weekly total adds up
    listed = run(week.path.parent / "back", "list", "--json").json()
    assert isinstance(listed, dict)
    got = {t["id"]: (t["status"], t["depends_on"]) for t in listed["tasks"]}
    assert got == {
        "TASK-2026-001": ("completed", []),
        "TASK-2026-002": ("in_progress", []),
        "TASK-2026-003": ("blocked", ["TASK-2026-002"]),
        "TASK-2026-004": ("ready", []),
    }


def test_a_bad_week_is_exit_2(run: Any, week: GitRepo) -> None:
    result = run(week.path, "report", "weekly", "--week", "next")
    assert result.code == 2
    assert "2026-W48" in result.err


def test_progress_shows_on_a_terminal_for_large_inputs_only() -> None:
    import io

    from taskgov.output import PROGRESS_FROM, Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = Progress("writing task specs", PROGRESS_FROM * 2, screen)
    for count in range(1, PROGRESS_FROM * 2 + 1):
        progress(count)
    progress.done()
    shown = screen.getvalue()
    assert shown.count("\r") == 102  # 0%..100% once each, then the line is cleared
    assert f"\rwriting task specs {PROGRESS_FROM * 2}/{PROGRESS_FROM * 2} (100%)" in shown
    assert shown.endswith("\r\x1b[K")
    small, piped = Terminal(), io.StringIO()
    Progress("writing", PROGRESS_FROM - 1, small)(1)
    Progress("writing", PROGRESS_FROM * 2, piped)(1)
    assert small.getvalue() == piped.getvalue() == ""
