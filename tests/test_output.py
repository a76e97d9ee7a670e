"""The output layer: one-line table rows cut to the terminal, colour only on a terminal,
control characters and workflow commands neutralised, Markdown escaped, plurals."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from taskgov import output as ui
from taskgov.output import md_cell, md_text, one_line, plural, table, terminal_text
from tests.conftest import PROJECT, GitRepo, spec_yaml

EVIL = "Fix it\n::error file=evil.py,line=1::owned"
ESCAPE = "\x1b]0;pwned\x07\x1b[31mred\u202e"
BLOCK_TITLE = "title: |\n  Implement the parser\n  for the | long format\n"


def _lines_safe(text: str) -> None:
    """No line is a workflow command and no raw control character is left."""
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
    assert not ui.CONTROL.search(text), repr(text)


# --------------------------------------------------------------------------- pure functions


def test_one_line_marks_line_breaks_and_shows_control_characters() -> None:
    assert one_line("Implement the parser\n  for the long format\n") == (
        "Implement the parser ⏎ for the long format"
    )
    assert one_line("a\r\nb\rc\u2028d") == "a ⏎ b ⏎ c ⏎ d"
    assert one_line(ESCAPE) == "\\x1b]0;pwned\\x07\\x1b[31mred\\u202e"
    assert one_line("  two   spaces\tand tab ") == "two spaces and tab"


def test_terminal_text_defuses_workflow_commands_but_keeps_layout() -> None:
    assert terminal_text("ok\n::error x\n   ::warning y\n") == "ok\n\\::error x\n   \\::warning y\n"
    assert terminal_text("a::b\n\tindented") == "a::b\n\tindented"
    assert terminal_text("\x1b[2J") == "\\x1b[2J"


def test_plural() -> None:
    assert [plural(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]
    assert plural(1, "dependency", "dependencies") == "1 dependency"
    assert plural(3, "dependency", "dependencies") == "3 dependencies"


def test_table_cuts_the_free_column_to_the_width() -> None:
    rows = [("TASK-2026-001", "ready", "Implement " + "a very long title " * 10)]
    lines = table(("ID", "STATUS", "TITLE"), rows, width=80).splitlines()
    assert len(lines) == 2
    assert all(len(line) <= 80 for line in lines)
    assert lines[1].endswith("…")
    assert lines[1].startswith("TASK-2026-001  ready   Implement a very long title")


def test_table_without_width_keeps_whole_rows_on_one_line_each() -> None:
    title = "Implement the parser\nfor the | long format " + "x" * 200
    lines = table(("ID", "TITLE"), [("T-1", title), ("T-2", "Fix it")]).splitlines()
    assert len(lines) == 3
    assert lines[1] == "T-1  " + one_line(title)
    assert "…" not in lines[1]


def test_table_counts_wide_characters_as_two_columns() -> None:
    rows = [("T-1", "校准" * 30), ("T-2", "Fix")]
    lines = table(("ID", "TITLE"), rows, width=40).splitlines()
    assert ui.display_width(lines[1]) <= 40
    assert lines[1].endswith("…")


def test_colour_only_when_asked_and_not_for_width() -> None:
    rows = [("T-1", "blocked", "Fix it"), ("T-2", "ready", "Add it")]
    plain = table(("ID", "STATUS", "TITLE"), rows, width=80)
    coloured = table(("ID", "STATUS", "TITLE"), rows, width=80, colour=True)
    assert "\x1b[" not in plain
    assert "\x1b[31mblocked\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_colour_needs_a_terminal_and_no_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as tty, os.fdopen(master):
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("TERM", "xterm")
        assert ui.colour_enabled(tty)
        monkeypatch.setenv("NO_COLOR", "1")
        assert not ui.colour_enabled(tty)
        monkeypatch.setenv("NO_COLOR", "")  # only a non-empty value disables colour
        assert ui.colour_enabled(tty)
        monkeypatch.setenv("COLUMNS", "80")
        assert ui.terminal_width(tty) == 80
    assert not ui.colour_enabled(sys.stderr) or sys.stderr.isatty()
    assert ui.terminal_width(open(os.devnull, "w")) is None  # noqa: SIM115


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a | b", "a \\| b"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("\\\\[x](javascript:alert(1))", "\\\\\\[x\\](javascript:alert(1))"),
        ("![img](https://tracker.example/p.gif)", "!\\[img\\](https://tracker.example/p.gif)"),
        ("ask @alice and @org/team", "ask @&#8203;alice and @&#8203;org/team"),
        ("mail me@example.com", "mail me@example.com"),
        (EVIL, "Fix it ⏎ ::error file=evil.py,line=1::owned"),
        ("", "-"),
    ],
)
def test_md_cell(text: str, escaped: str) -> None:
    assert md_cell(text) == escaped
    assert md_cell(escaped) == escaped  # escaping twice changes nothing


@pytest.mark.parametrize("rows", [False, True])
def test_json_output_stays_exact_and_valid(capsys: pytest.CaptureFixture[str], rows: bool) -> None:
    value = "a\x1bb\x7fc\x9bd\u202ee\n::error x"
    ui.emit_json({"items": [value], "title": value}, rows=rows)
    printed = capsys.readouterr().out
    assert not ui.CONTROL.search(printed)
    assert json.loads(printed) == {"items": [value], "title": value}


def test_md_text_keeps_lines_but_no_line_is_a_command() -> None:
    assert md_text("first | line\n::error x\n<b>") == "first \\| line\n\\::error x\n&lt;b&gt;"


# --------------------------------------------------------------------------- the commands


@pytest.fixture
def hostile(run, repo: GitRepo) -> GitRepo:  # type: ignore[no-untyped-def]
    """A repository whose specs, records and commits hold every kind of hostile text."""
    run(repo.path, "init")
    title = (
        "Fix it\\n::error file=evil.py,line=1::owned \\e]0;pwned\\a <b>x</b> | [x](javascript:y)"
    )
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", title)
            .replace('title: "', 'title: "')
            .replace('milestone: "M1"', 'milestone: "M1\\n::error m"'),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", "x", extra='objective: "Do it\\n::error o\\e[2J"\n'
            ).replace('title: "x"\n', BLOCK_TITLE),
            ".claude/decisions/DECISION-2026-01-05-001.yaml": (
                'decision_id: "DECISION-2026-01-05-001"\nstatus: proposed\n'
                "summary: |\n  Use X over Y\n  ::error file=a,line=1::b | c @alice\n"
                'tasks: ["TASK-2026-001\\n  ::error t"]\n'
            ),
        }
    )
    repo.commit("feat: start\n\nTask: TASK-2026-001\nAssisted-by: evil\x1b[2J\n::error a::b")
    return repo


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("ready",),
        ("show", "TASK-2026-001"),
        ("show", "TASK-2026-002"),
        ("roadmap",),
        ("stats",),
        ("validate",),
        ("decision", "list"),
        ("decision", "show", "DECISION-2026-01-05-001"),
        ("decision", "index"),
        ("log", "sync"),
        ("log", "stats"),
        ("plan", "--format", "md"),
    ],
)
def test_no_command_prints_a_workflow_command_or_an_escape(run, hostile: GitRepo, args) -> None:  # type: ignore[no-untyped-def]
    run(hostile.path, "log", "sync")
    result = run(hostile.path, *args)
    assert result.code in (0, 1), result.err
    _lines_safe(result.out)
    _lines_safe(result.err)


def test_tables_have_one_line_per_row(run, hostile: GitRepo) -> None:  # type: ignore[no-untyped-def]
    listed = run(hostile.path, "list").out.splitlines()
    assert len(listed) == 3
    assert listed[2].endswith("Implement the parser ⏎ for the | long format")
    ready = run(hostile.path, "ready").out.splitlines()
    assert [line.split()[0] for line in ready] == ["ID", "TASK-2026-001", "TASK-2026-002"]
    decisions = run(hostile.path, "decision", "list").out.splitlines()
    assert len(decisions) == 2
    assert decisions[1].endswith("Use X over Y ⏎ ::error file=a,line=1::b | c @alice")


def test_markdown_documents_escape_what_users_wrote(run, hostile: GitRepo) -> None:  # type: ignore[no-untyped-def]
    index = run(hostile.path, "decision", "index").out
    row = next(line for line in index.splitlines() if line.startswith("| [DECISION"))
    assert row.count(" | ") == 5  # six cells: the summary's pipe is escaped
    assert "Use X over Y ⏎ ::error file=a,line=1::b \\| c @&#8203;alice" in row
    roadmap = run(hostile.path, "roadmap").out
    assert "&lt;b&gt;x&lt;/b&gt; \\| \\[x\\](javascript:y)" in roadmap
    assert "<b>" not in roadmap
    shown = run(hostile.path, "decision", "show", "DECISION-2026-01-05-001").out
    assert shown.splitlines()[0].startswith("# DECISION-2026-01-05-001: Use X over Y ⏎ ")


def test_json_keeps_the_text_exact(run, hostile: GitRepo) -> None:  # type: ignore[no-untyped-def]
    data = run(hostile.path, "show", "TASK-2026-001", "--json").json()
    assert data["title"].startswith("Fix it\n::error file=evil.py")  # type: ignore[index]
    assert "\x1b]0;pwned\x07" in data["title"]  # type: ignore[index]


def _on_a_terminal(cwd: Path, *args: str, **env: str) -> str:
    """Run taskgov with its stdout on a real pseudo-terminal; return what it printed."""
    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environ.update({"COLUMNS": "80", "TERM": "xterm", **env})
    process = subprocess.Popen(
        [sys.executable, "-m", "taskgov", *args],
        cwd=cwd,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=environ,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_on_a_terminal_rows_fit_80_columns_and_status_is_coloured(repo: GitRepo) -> None:
    long_title = "Implement " + "the very long calibration title " * 6
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", long_title),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", "Fix it", blocked_by=("TASK-2026-001",)
            ),
        }
    )
    coloured = _on_a_terminal(repo.path, "list")
    assert "\x1b[32mready\x1b[0m" in coloured
    plain = _on_a_terminal(repo.path, "list", NO_COLOR="1")
    assert "\x1b" not in plain
    lines = plain.splitlines()
    assert len(lines) == 3
    assert all(len(line) <= 80 for line in lines)
    assert lines[1].endswith("…")
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    piped = subprocess.run(
        [sys.executable, "-m", "taskgov", "list"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
        check=True,
    ).stdout
    assert one_line(long_title) in piped  # a pipe gets the whole row
    assert "\x1b" not in piped


# --------------------------------------------------------------------------- filters


@pytest.fixture
def three(repo: GitRepo) -> GitRepo:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", priority="high"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", milestone="M3", blocked_by=("TASK-2026-001",)
            ),
        }
    )
    return repo


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--status", "bloked"), "'bloked' is not a status (one of: draft, ready, assigned,"),
        (("--priority", "hgh"), "'hgh' is not a priority (one of: critical, high, medium, low)"),
        (("--milestone", "M9"), "no task has milestone 'M9' (milestones: M1, M3)"),
    ],
)
def test_a_filter_that_cannot_match_is_refused(run, three: GitRepo, args, message) -> None:  # type: ignore[no-untyped-def]
    result = run(three.path, "list", *args)
    assert result.code == 2
    assert message in result.err
    assert result.out == ""
    assert len(result.err.splitlines()) <= 2  # the error and "Try ... --help"


def test_filters_take_any_case_and_still_filter(run, three: GitRepo) -> None:  # type: ignore[no-untyped-def]
    blocked = run(three.path, "list", "--status", "BLOCKED", "--json").json()
    assert [t["id"] for t in blocked["tasks"]] == ["TASK-2026-002"]  # type: ignore[index]
    high = run(three.path, "list", "--priority", "High", "--milestone", "M1", "--json").json()
    assert [t["id"] for t in high["tasks"]] == ["TASK-2026-001"]  # type: ignore[index]
    assert run(three.path, "list", "--status", "completed").out == "no tasks\n"


# --------------------------------------------------------------------------- words


def test_validate_summary_counts_in_proper_plurals(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", "Parser")})
    result = run(repo.path, "validate")
    assert result.err.strip() == "1 file checked: 0 errors, 1 warning"


def test_readme_configuration_is_what_init_writes(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Configuration", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    run(repo.path, "init")
    written = (repo.path / "docs/governance/policy.yaml").read_text(encoding="utf-8")
    from ruamel.yaml import YAML

    assert YAML(typ="safe").load(block) == YAML(typ="safe").load(written)


def test_counts_in_text_and_markdown_read_as_words(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    assert run(repo.path, "roadmap").out.startswith("## Roadmap\n\n0 of 1 task done (0%)")
    stats = run(repo.path, "stats", "--workers", "1").out
    assert stats.startswith("1 task: ")
    assert "critical path: 4 h through 1 task\n" in stats
    assert "4 h with 1 worker" in stats
    assert run(repo.path, "plan").out.startswith("1 task, 0 dependencies")
