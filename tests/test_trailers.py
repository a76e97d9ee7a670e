"""Trailers exactly as git parses them: the oracle is git itself."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from taskgov import parse_trailers
from taskgov.git.trailers import format_trailers
from tests.conftest import DATA, corpus_path

SAMPLE = DATA / "commit-messages" / "sample.jsonl"


def git_parse(message: str) -> str | None:
    """git's parse, or None where git itself does not finish (see test_git_hang_case)."""
    try:
        done = subprocess.run(
            ["git", "interpret-trailers", "--parse"],
            input=message.encode("utf-8", "surrogateescape"),
            capture_output=True,
            check=True,
            timeout=5,
        )
    except subprocess.TimeoutExpired:
        return None
    return done.stdout.decode("utf-8", "surrogateescape")


def mismatches_with_git(path: Path) -> tuple[int, int, list[str]]:
    """Rows, rows with trailers, and the commits whose parse differs from git's recorded one."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    differ = [
        row["commit"]
        for row in rows
        if format_trailers(parse_trailers(row["message"])) != row["git_parse"]
    ]
    return len(rows), sum(1 for row in rows if row["git_parse"]), differ


def test_parity_with_git_on_1800_real_messages() -> None:
    rows, with_trailers, differ = mismatches_with_git(corpus_path("commit-messages.jsonl"))
    assert rows == 1800
    assert differ == []
    assert with_trailers > 300  # the corpus really has trailers


def test_parity_with_git_on_the_copied_real_messages() -> None:
    rows, with_trailers, differ = mismatches_with_git(SAMPLE)
    assert rows == 58
    assert differ == []
    assert with_trailers == 27


def test_the_copied_messages_still_parse_so_with_this_git() -> None:
    """The recorded parse is git 2.39's; the git on this machine agrees, so the copies are
    a live oracle too."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert [git_parse(row["message"]) for row in rows] == [row["git_parse"] for row in rows]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Fix it\n\nTask: TASK-2026-008\n", [("Task", "TASK-2026-008")]),
        ("Task: TASK-2026-008\n", []),  # the title is never a trailer
        (
            "Fix\n\nBody text.\n\nCo-authored-by: A <a@x>\nCloses: T-1\n",
            [("Co-authored-by", "A <a@x>"), ("Closes", "T-1")],
        ),
        ("Fix\n\nKey: one\n  two\n\tthree\n", [("Key", "one two three")]),  # unfolded
        ("Fix\n\nKey : spaced\n", [("Key", "spaced")]),
        ("Fix\n\nTwo words: no\n", []),
        ("Fix\n\nTask: T-1\nnot a trailer\n", []),  # not all trailers, no git prefix
        (
            "Fix\n\nSigned-off-by: A <a@x>\nsome prose here\nmore prose\nTask: T-1\n",
            [("Signed-off-by", "A <a@x>"), ("Task", "T-1")],  # git prefix and >= 25%
        ),
        ("Fix\n\nTask: T-1\n---\nDecision: D-1\n", [("Task", "T-1")]),  # divider
        ("Fix\n\nTask: T-1\n# a comment\n\n# more\n", [("Task", "T-1")]),
        (
            "Fix\n\nTask: T-1\n# ------------------------ >8 ------------------------\n"
            "Closes: T-2\n",
            [("Task", "T-1")],  # scissors
        ),
        ("Fix\n\nTask: \n", [("Task", "")]),
        ("", []),
    ],
)
def test_targeted_cases(message: str, expected: list[tuple[str, str]]) -> None:
    assert parse_trailers(message) == expected
    assert format_trailers(parse_trailers(message)) == git_parse(message)


def test_no_divider_option() -> None:
    message = "Fix\n\n--- notes\n\nTask: T-1\n"
    assert parse_trailers(message) == []
    assert parse_trailers(message, divider=False) == [("Task", "T-1")]
    no_divider = subprocess.run(
        ["git", "interpret-trailers", "--parse", "--no-divider"],
        input=message.encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert no_divider == "Task: T-1\n"


LINES = st.sampled_from(
    [
        "Fix the parser",
        "",
        " ",
        "Body text that explains why.",
        "Task: TASK-2026-008",
        "Closes: TASK-2026-009",
        "Co-Authored-By: Claude <noreply@anthropic.com>",
        "co-authored-by: someone",
        "Assisted-by: Claude:opus-4.5",
        "Signed-off-by: A U Thor <a@example.com>",
        "(cherry picked from commit 0123456789abcdef)",
        "Reviewed-by: R <r@x>",
        "Key : spaced",
        "Two words: not a trailer",
        "  continued value",
        "\tTabbed continuation",
        "# a comment",
        "---",
        "--- ",
        "--",
        "# ------------------------ >8 ------------------------",
        "Conflicts:",
        "\tpath/file.c",
        "http://example.com: not a key",
        "Ünïcode-Key: value",
        "Key:value",
        ": empty key",
        "-: dash key",
        "Bug #12: hash",
        "Task:",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=0, max_size=14), st.booleans())
def test_differential_against_git(lines: list[str], final_newline: bool) -> None:
    message = "\n".join(lines) + ("\n" if final_newline and lines else "")
    assume(not _git_hangs(message))
    assert format_trailers(parse_trailers(message)) == git_parse(message)


SCISSORS_LINE = "# ------------------------ >8 ------------------------\n"


def _git_hangs(message: str) -> bool:
    """git 2.39 loops forever when a scissors line comes after a --- divider."""
    from taskgov.git.trailers import _patch_start

    found = message.find("\n" + SCISSORS_LINE)
    return found >= 0 and found + 1 > _patch_start(message)


def test_git_hang_case_ends_at_the_divider() -> None:
    message = "Fix\n\nTask: T-1\n--- \n" + SCISSORS_LINE + "Closes: T-2\n"
    assert _git_hangs(message)
    assert parse_trailers(message) == [("Task", "T-1")]
