"""``taskgov dispatch``: the assignment, and real runs of real commands in real worktrees,
with real signals, against real bare remotes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import GitRepo, Result, spec_yaml

A, B, C, D, E = (f"TASK-2026-00{n}" for n in range(1, 6))
PYTHON = sys.executable


def project(repo: GitRepo, policy: str = "resources:\n  db: 1\n") -> None:
    """A diamond A -> (B, C) -> D, and E; B and E share the exclusive ``db``."""
    db = "planning:\n  resources: {db: 1}\n"
    repo.commit(
        "chore: the project",
        {
            "docs/governance/policy.yaml": policy,
            f"docs/tasks/active/{A}.yaml": spec_yaml(A, "Lay the base", priority="high"),
            f"docs/tasks/active/{B}.yaml": spec_yaml(
                B, "Build the left", blocked_by=(A,), extra=db
            ),
            f"docs/tasks/active/{C}.yaml": spec_yaml(C, "Build the right", blocked_by=(A,)),
            f"docs/tasks/active/{D}.yaml": spec_yaml(D, "Join both", blocked_by=(B, C)),
            f"docs/tasks/active/{E}.yaml": spec_yaml(E, "Migrate the db", priority="low", extra=db),
        },
    )


def test_dry_run_matches_the_frontier_to_workers(repo: GitRepo, run) -> None:  # type: ignore[no-untyped-def]
    project(repo)
    result: Result = run(repo.path, "dispatch", "--json", "--workers", "3")
    assert result.code == 0, result.err
    data = result.json()
    assert isinstance(data, dict)
    assert [row["task"] for row in data["assigned"]] == [A, E]
    assert data["slots"] == 3
    assert data["assigned"][1]["resources"] == {"db": 1.0}


def test_dry_run_respects_skills_capacity_and_mutual_exclusion(repo: GitRepo, run) -> None:  # type: ignore[no-untyped-def]
    policy = """\
        workers:
          - name: ann
            skills: [db]
          - {name: bot, skills: [ui], capacity: 2}
        """
    mutex = f"planning:\n  depends_on:\n    - {{task: {C}, type: mutual_exclusion}}\n"
    repo.commit(
        "chore: the project",
        {
            "docs/governance/policy.yaml": policy,
            f"docs/tasks/active/{A}.yaml": spec_yaml(
                A, "Tune the db", priority="high", extra="planning:\n  skills: [db]\n"
            ),
            f"docs/tasks/active/{B}.yaml": spec_yaml(B, "Paint the UI", extra=mutex),
            f"docs/tasks/active/{C}.yaml": spec_yaml(C, "Paint the docs"),
            f"docs/tasks/active/{D}.yaml": spec_yaml(
                D, "Fly", priority="low", extra="planning:\n  skills: [rocket]\n"
            ),
            f"docs/tasks/active/{E}.yaml": spec_yaml(E, "Sweep", priority="low"),
        },
    )
    data = run(repo.path, "dispatch", "--json").json()
    assert {r["task"]: r["worker"] for r in data["assigned"]} == {A: "ann", B: "bot", E: "bot"}
    waiting = {r["task"]: r["reason"] for r in data["waiting"]}
    assert waiting[C] == f"waits for {B} (mutual exclusion)"
    assert waiting[D] == "no worker has the skills rocket"
    capped = run(repo.path, "dispatch", "--json", "--workers", "1").json()
    assert [r["task"] for r in capped["assigned"]] == [A]
    matrix = run(repo.path, "dispatch", "--format", "github-matrix").json()
    assert matrix == {
        "include": [
            {"task": A, "worker": "ann", "title": "Tune the db"},
            {"task": B, "worker": "bot", "title": "Paint the UI"},
            {"task": E, "worker": "bot", "title": "Sweep"},
        ]
    }
    text = run(repo.path, "dispatch")
    assert text.code == 0
    lines = text.out.splitlines()
    assert lines[0].split() == ["TASK", "WORKER", "PRIORITY", "SLACK", "TITLE"]
    assert all(len(line) <= 80 for line in lines), text.out
    assert any(line.startswith(f"{D}  no worker has the skills rocket") for line in lines)


def test_a_malformed_workers_list_names_its_line(repo: GitRepo, run) -> None:  # type: ignore[no-untyped-def]
    repo.commit(
        "chore: policy",
        {"docs/governance/policy.yaml": "workers:\n  - name: ann\n    capacity: 0\n"},
    )
    result = run(repo.path, "dispatch")
    assert result.code == 2
    assert "policy.yaml:3: workers.0.capacity: a whole number" in result.err


COMMIT = (
    "echo $TASKGOV_TASK_ID > out-$TASKGOV_TASK_ID.txt && git add -A"
    ' && git commit -qm "feat: $TASKGOV_TASK_ID"'
)


def taskgov(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-m", "taskgov", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def events(repo: GitRepo) -> list[dict[str, object]]:
    common = Path(repo.git("rev-parse", "--git-common-dir").strip())
    common = common if common.is_absolute() else repo.path / common
    found = []
    for path in sorted((common / "taskgov" / "dispatch").glob("*/events.jsonl")):
        found += [json.loads(line) for line in path.read_text().splitlines()]
    return found


def branches(repo: GitRepo) -> list[str]:
    return repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads").split()


def worktree_count(repo: GitRepo) -> int:
    return repo.git("worktree", "list", "--porcelain").count("worktree ")


def test_exec_merges_every_task_into_the_integration_branch(repo: GitRepo) -> None:
    project(repo)
    before = repo.git("rev-parse", "HEAD").strip()
    proc = taskgov(repo.path, "dispatch", "--exec", COMMIT, "--workers", "2", "--json")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["event"] == "run"
    assert lines[-1]["event"] == "finished"
    (branch,) = [b for b in branches(repo) if b.startswith("taskgov/dispatch/")]
    for task in (A, B, C, D, E):
        assert repo.git("show", f"{branch}:out-{task}.txt").strip() == task
    assert repo.git("rev-parse", "HEAD").strip() == before  # the user's branch is untouched
    assert not (repo.path / f"out-{A}.txt").exists()
    assert worktree_count(repo) == 1
    assert not [b for b in branches(repo) if b.startswith("task/")]
    merged = [e["task"] for e in lines if e["event"] == "merged"]
    assert sorted(merged) == [A, B, C, D, E]
    assert merged.index(D) > max(merged.index(B), merged.index(C))
