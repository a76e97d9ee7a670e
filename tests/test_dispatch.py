"""``taskgov dispatch``: the assignment, and real runs of real commands in real worktrees,
with real signals, against real bare remotes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


TASK_SCRIPT = """\
import fcntl, os, subprocess, sys, time
task = os.environ["TASKGOV_TASK_ID"]
attempt = int(os.environ["TASKGOV_ATTEMPT"])
lab = sys.argv[1]
def note(text):
    with open(os.path.join(lab, "notes.txt"), "a") as f:
        f.write(f"{time.time():.6f} {task} {attempt} {text}\\n")
note("start")
with open(os.path.join(lab, f"pid-{task}-{attempt}"), "w") as f:
    f.write(str(os.getpid()))
needs = {"%(D)s": ["%(B)s", "%(C)s"], "%(B)s": ["%(A)s"], "%(C)s": ["%(A)s"]}
for before in needs.get(task, []):
    if not os.path.exists(f"out-{before}.txt"):
        note(f"EARLY: {before} is not merged")
lock = None
if task in ("%(B)s", "%(E)s"):
    lock = open(os.path.join(lab, "db.lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        note("OVERLAP")
        sys.exit(3)
assert open(os.environ["TASKGOV_CONTEXT"]).read().startswith("# " + task)
assert os.path.exists(os.environ["TASKGOV_SPEC"])
if task == "%(C)s" and attempt == 1:
    note("fail")
    sys.exit(1)
if task == "%(B)s" and not os.path.exists(os.path.join(lab, "b-slow")):
    open(os.path.join(lab, "b-slow"), "w").close()
    time.sleep(30)
time.sleep(0.2 if lock else 0.05)
with open(f"out-{task}.txt", "w") as f:
    f.write(task + "\\n")
subprocess.run(["git", "add", "-A"], check=True)
subprocess.run(["git", "commit", "-qm", f"feat: {task}"], check=True)
note("end")
""" % {"A": A, "B": B, "C": C, "D": D, "E": E}  # noqa: UP031 (the script has braces)


def wait_for(repo: GitRepo, check, seconds: float = 30) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen = events(repo)
        if check(seen):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"timed out; events: {events(repo)}")


def alive(pid: int) -> bool:
    """Running (a zombie no parent has reaped yet is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def has(seen: list[dict[str, object]], kind: str, task: str) -> bool:
    return any(e["event"] == kind and e.get("task") == task for e in seen)


@pytest.mark.parametrize("hooks", [False, True], ids=["no-hooks", "taskgov-hooks"])
def test_interrupted_and_resumed_run(repo: GitRepo, tmp_path: Path, run, hooks: bool) -> None:  # type: ignore[no-untyped-def]
    """3 workers, a diamond, one exclusive resource for two tasks, a task failing once,
    SIGINT, then --resume."""
    project(repo)
    if hooks:
        assert run(repo.path, "hooks", "install").code == 0
        repo.commit("chore: hooks")
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "task.py").write_text(TASK_SCRIPT)
    command = f'"{PYTHON}" "{lab / "task.py"}" "{lab}"'
    proc = taskgov(
        repo.path,
        "dispatch",
        "--exec",
        command,
        "--workers",
        "3",
        "--max-retries",
        "1",
        "--backoff",
        "0",
    )
    wait_for(
        repo,
        lambda seen: (
            has(seen, "merged", A)
            and has(seen, "merged", E)
            and has(seen, "merged", C)
            and has(seen, "started", B)
        ),
    )
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert "--resume" in err
    slow_pid = int((lab / f"pid-{B}-1").read_text())
    assert not alive(slow_pid)  # its process group was terminated
    assert worktree_count(repo) == 1
    seen = events(repo)
    assert has(seen, "cancelled", B)
    assert not has(seen, "merged", B)
    assert not has(seen, "started", D)

    resumed = taskgov(repo.path, "dispatch", "--resume")
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, (out, err)
    seen = events(repo)
    notes = (lab / "notes.txt").read_text()
    assert "OVERLAP" not in notes
    assert "EARLY" not in notes
    starts = {
        t: sum(1 for e in seen if e["event"] == "started" and e["task"] == t)
        for t in (A, B, C, D, E)
    }
    assert starts == {A: 1, B: 2, C: 2, D: 1, E: 1}  # C failed once; B was cancelled once
    for task in (A, B, C, D, E):  # nothing starts again once merged
        merged_at = next(
            i for i, e in enumerate(seen) if e["event"] == "merged" and e["task"] == task
        )
        assert not any(e["event"] == "started" and e["task"] == task for e in seen[merged_at:])
    assert [e["task"] for e in seen if e["event"] == "retried"] == [C]
    # D forked after both B and C were merged
    position = {(e["event"], e.get("task")): i for i, e in enumerate(seen)}
    assert position[("started", D)] > max(position[("merged", B)], position[("merged", C)])
    (branch,) = [b for b in branches(repo) if b.startswith("taskgov/dispatch/")]
    log = repo.git("log", "--format=%s", branch)
    for task in (A, B, C, D, E):
        assert log.count(f"feat: {task}\n") == 1
        assert repo.git("show", f"{branch}:out-{task}.txt").strip() == task
    assert worktree_count(repo) == 1
    assert not [b for b in branches(repo) if b.startswith("task/")]


def test_two_dispatchers_on_two_clones_run_each_task_exactly_once(
    repo: GitRepo, tmp_path: Path
) -> None:
    project(repo)
    bare = tmp_path / "shared.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    clones = [tmp_path / "one", tmp_path / "two"]
    for clone in clones:
        subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    notes = tmp_path / "starts.txt"
    command = f'echo "$TASKGOV_TASK_ID $TASKGOV_RUN" >> "{notes}" && sleep 0.2 && {COMMIT}'
    procs = [
        taskgov(clone, "dispatch", "--exec", command, "--workers", "2", "--remote", "origin")
        for clone in clones
    ]
    results = [p.communicate(timeout=90) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode in (0, 1), (out, err)
    started = [line.split()[0] for line in notes.read_text().splitlines()]
    assert sorted(started) == [A, B, C, D, E]  # every task, each exactly once
    runs = {line.split()[1] for line in notes.read_text().splitlines()}
    pushed = subprocess.run(
        ["git", "-C", str(bare), "for-each-ref", "--format=%(refname)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(r.rsplit("/", 1)[1] for r in pushed if "/dispatched/" in r) == [A, B, C, D, E]
    assert {r.rsplit("/", 1)[1] for r in pushed if "/heads/taskgov/dispatch/" in r} == runs
    assert not [r for r in pushed if "/claims/" in r]  # every claim released
    for clone in clones:
        assert GitRepo(clone).git("worktree", "list").count("\n") == 1


def test_a_timeout_fails_the_task_and_holds_its_dependents(repo: GitRepo) -> None:
    project(repo)
    command = f'if [ "$TASKGOV_TASK_ID" = {A} ]; then sleep 30; fi; {COMMIT}'
    started = time.monotonic()
    proc = taskgov(
        repo.path, "dispatch", "--exec", command, "--workers", "2", "--timeout", "1", "--json"
    )
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 20  # the sleeping command was stopped, not waited for
    assert proc.returncode == 1, err
    seen = [json.loads(line) for line in out.splitlines()]
    failed = [e for e in seen if e["event"] == "failed"]
    assert [e["task"] for e in failed] == [A]
    held = {e["task"] for e in seen if e["event"] == "held"}
    assert {B, C, D} <= held  # a failed task never satisfies a dependency
    assert [e["task"] for e in seen if e["event"] == "merged"] == [E]
    assert worktree_count(repo) == 1


def test_a_merge_conflict_reruns_the_task_from_the_new_tip(repo: GitRepo) -> None:
    """B and C both write shared.txt: the second to merge conflicts, runs again from the tip
    that holds the first one's change, and then merges."""
    project(repo, policy="")
    command = (
        f'case "$TASKGOV_TASK_ID" in {B}|{C}) '
        'cat shared.txt 2>/dev/null > shared.new; echo "$TASKGOV_TASK_ID" >> shared.new; '
        "mv shared.new shared.txt;; esac; " + COMMIT
    )
    proc = taskgov(repo.path, "dispatch", "--exec", command, "--workers", "3", "--json")
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    seen = [json.loads(line) for line in out.splitlines()]
    merged = [e["task"] for e in seen if e["event"] == "merged"]
    assert sorted(merged) == [A, B, C, D, E]
    starts = [e["task"] for e in seen if e["event"] == "started"]
    assert starts.count(B) + starts.count(C) == 3  # exactly one of them ran again
    (branch,) = [b for b in branches(repo) if b.startswith("taskgov/dispatch/")]
    shared = repo.git("show", f"{branch}:shared.txt").split()
    assert sorted(shared) == [B, C]  # the rerun saw the first one's line and added its own
