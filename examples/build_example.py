"""Build the bundled example: milestone M3 "Calibration Framework" with real git history.

    python examples/build_example.py build/example-calibration

Creates a git repository with the taskgov layout, the milestone's task specs and a few
commits that work on them (``Task:``/``Closes:`` trailers, AI co-authors), exactly as a team
would have made them. Commit dates and identities are fixed, so the history (and every
commit id) is the same on every machine. An existing directory is replaced only if this
script built it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPECS = HERE / "calibration" / "docs" / "tasks" / "active"
MARKER = "taskgov-example"
AI = "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>"
REVIEWER = "Reviewed-by: Stillwater <stillwater@example.com>"

HUMAN = ("Stillwater", "stillwater@example.com")


def git(repo: Path, *args: str, date: str | None = None) -> None:
    env = dict(os.environ)
    env.update(
        {
            "GIT_AUTHOR_NAME": HUMAN[0],
            "GIT_AUTHOR_EMAIL": HUMAN[1],
            "GIT_COMMITTER_NAME": HUMAN[0],
            "GIT_COMMITTER_EMAIL": HUMAN[1],
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
        }
    )
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def commit(repo: Path, message: str, date: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message, date=date)


def set_state(repo: Path, task_id: str, **fields: str) -> None:
    """Edit ``state:`` fields in place, the way a person would (nothing else changes)."""
    path = repo / "docs" / "tasks" / "active" / f"{task_id}.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in fields.items():
        text, count = re.subn(rf'(?m)^(  {key}: )".*"$', rf'\g<1>"{value}"', text, count=1)
        assert count == 1, (task_id, key)
    path.write_text(text, encoding="utf-8")


def write(repo: Path, relative: str, text: str) -> None:
    target = repo / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def prepare(target: Path) -> None:
    if target.exists():
        if not (target / ".git" / MARKER).exists():
            if any(target.iterdir()):
                sys.exit(f"{target}: exists and was not built by this script; not touching it")
        else:
            shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)


def build(target: Path) -> None:
    from taskgov.config import Config
    from taskgov.scaffold import init

    prepare(target)
    git(target, "init", "--quiet", "--initial-branch=main", "--template=")
    (target / ".git" / MARKER).touch()

    init(Config(root=target))
    commit(target, "chore: adopt the taskgov governance layout", "2026-01-23T10:00:00Z")

    for spec in sorted(SPECS.glob("*.yaml")):
        shutil.copyfile(spec, target / "docs" / "tasks" / "active" / spec.name)
    commit(
        target,
        "docs(tasks): plan milestone M3, calibration framework\n\n"
        "Three fitting tasks run in parallel; the CLI waits for all of them and the\n"
        "first calibration run waits for the CLI.",
        "2026-01-23T11:00:00Z",
    )

    set_state(target, "TASK-2026-006", status="in_progress", started_at="2026-01-26T11:00:00Z")
    write(
        target,
        "src/graphs/calibration/roofline_fitter.py",
        '"""Fit roofline parameters from benchmark results."""\n',
    )
    commit(
        target,
        f"feat(calibration): fit roofline parameters from benchmarks\n\nTask: TASK-2026-006\n{AI}",
        "2026-01-26T11:40:00Z",
    )

    set_state(target, "TASK-2026-006", status="completed", completed_at="2026-01-26T12:30:00Z")
    write(
        target,
        "tests/calibration/test_roofline_fitter.py",
        '"""Roofline fitter tests on synthetic data."""\n',
    )
    commit(
        target,
        "test(calibration): cover roofline fitting on synthetic data\n\n"
        f"Closes: TASK-2026-006\n{REVIEWER}\n{AI}",
        "2026-01-26T12:30:00Z",
    )

    set_state(target, "TASK-2026-008", status="in_progress", started_at="2026-01-27T09:00:00Z")
    write(
        target,
        "src/graphs/calibration/energy_fitter.py",
        '"""Fit energy coefficients from power measurements."""\n',
    )
    commit(
        target,
        f"feat(calibration): start energy coefficient fitting\n\nTask: TASK-2026-008\n{AI}",
        "2026-01-27T09:30:00Z",
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    target = Path(argv[0]).resolve()
    build(target)
    print(f"built the example repository in {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
