"""The bundled example (what `make run` shows): the calibration milestone with real history."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import taskgov
from taskgov.checks.report import validate
from taskgov.plan.frontier import frontier
from tests.conftest import PROJECT


def test_example_builds_validates_and_has_the_expected_frontier(tmp_path: Path) -> None:
    target = tmp_path / "example"
    subprocess.run(
        [sys.executable, str(PROJECT / "examples/build_example.py"), str(target)],
        check=True,
        capture_output=True,
    )
    log = subprocess.run(
        ["git", "-C", str(target), "log", "--format=%s%n%b"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Closes: TASK-2026-006" in log
    assert "Task: TASK-2026-008" in log
    repository = taskgov.load_repo(target)
    assert validate(repository).problems == ()
    assert [t.id for t in frontier(repository)] == ["TASK-2026-009", "TASK-2026-013"]

    # Rebuilding replaces the example but gives the very same history.
    head = subprocess.run(
        ["git", "-C", str(target), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout
    subprocess.run(
        [sys.executable, str(PROJECT / "examples/build_example.py"), str(target)],
        check=True,
        capture_output=True,
    )
    again = subprocess.run(
        ["git", "-C", str(target), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout
    assert again == head


def test_example_builder_refuses_foreign_directories(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    done = subprocess.run(
        [sys.executable, str(PROJECT / "examples/build_example.py"), str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert (tmp_path / "mine.txt").read_text() == "keep me"
