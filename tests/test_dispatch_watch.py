"""``taskgov dispatch --exec`` under watch and load: a second merge conflict, claims renewed
during long tasks, backpressure, Prometheus metrics over real HTTP, and the live view on a
real pseudo-terminal."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GitRepo, spec_yaml
from tests.test_dispatch import COMMIT, PYTHON, A, B, C, D, E, project, taskgov

CONFLICT_SCRIPT = """\
import os, subprocess, sys, time
task, attempt, lab = os.environ["TASKGOV_TASK_ID"], int(os.environ["TASKGOV_ATTEMPT"]), sys.argv[1]
tip = "refs/heads/taskgov/dispatch/" + os.environ["TASKGOV_RUN"]
def wait(check):
    for _ in range(400):
        if check():
            return
        time.sleep(0.05)
    sys.exit(5)
def merged(other):
    log = subprocess.run(["git", "log", "--format=%%s", tip], capture_output=True, text=True)
    return f"merge task/{other}" in log.stdout
if task == "%(B)s" and attempt == 1:
    wait(lambda: merged("%(C)s"))  # so that B conflicts with C
if task == "%(B)s" and attempt == 2:
    open(os.path.join(lab, "b-rerun"), "w").close()
    wait(lambda: merged("%(E)s"))  # E merges while B runs again: a second conflict
if task == "%(E)s" and attempt == 1:
    wait(lambda: os.path.exists(os.path.join(lab, "b-rerun")))
if task in ("%(B)s", "%(C)s", "%(E)s"):
    with open("shared.txt", "w") as f:
        f.write(f"{task} {attempt}\\n")
with open(f"out-{task}.txt", "w") as f:
    f.write(task)
subprocess.run(["git", "add", "-A"], check=True)
subprocess.run(["git", "commit", "-qm", f"feat: {task}"], check=True)
""" % {"B": B, "C": C, "E": E}  # noqa: UP031 (the script has braces)


def test_a_second_merge_conflict_fails_the_task_naming_the_paths(
    repo: GitRepo, tmp_path: Path
) -> None:
    project(repo, policy="")
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "task.py").write_text(CONFLICT_SCRIPT)
    command = f'"{PYTHON}" "{lab / "task.py"}" "{lab}"'
    proc = taskgov(repo.path, "dispatch", "--exec", command, "--workers", "3", "--json")
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 1, (out, err)
    seen = [json.loads(line) for line in out.splitlines()]
    retried = [(e["task"], e["reason"], e.get("paths")) for e in seen if e["event"] == "retried"]
    assert (B, "merge conflict", ["shared.txt"]) in retried
    (failed,) = [e for e in seen if e["event"] == "failed"]
    assert failed["task"] == B
    assert failed["reason"] == "merge conflict again in shared.txt"
    assert failed["paths"] == ["shared.txt"]
    assert sorted(e["task"] for e in seen if e["event"] == "merged") == [A, C, E]
    assert [e["task"] for e in seen if e["event"] == "held"] == [D]  # waits on B
    assert repo.git("worktree", "list").count("\n") == 1


def test_claims_are_renewed_while_a_long_task_runs(repo: GitRepo, tmp_path: Path) -> None:
    """A 2 s lease without grace, a task of 5 s: without renewal a second dispatcher would
    take the claim over after 2 s and run the task again."""
    repo.commit(
        "chore: the project",
        {
            "docs/governance/policy.yaml": "claims:\n  lease: 2s\n  grace: 0s\n",
            f"docs/tasks/active/{A}.yaml": spec_yaml(A, "Take long"),
        },
    )
    bare = tmp_path / "shared.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    clones = [tmp_path / "one", tmp_path / "two"]
    for clone in clones:
        subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    notes = tmp_path / "starts.txt"
    command = f'echo "$TASKGOV_RUN" >> "{notes}" && sleep 5 && {COMMIT}'
    first = taskgov(clones[0], "dispatch", "--exec", command, "--remote", "origin", "--json")
    deadline = time.monotonic() + 20
    while not notes.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(3)  # the first lease is over by now: only a renewed claim keeps A
    second = taskgov(clones[1], "dispatch", "--exec", command, "--remote", "origin", "--json")
    out2, err2 = second.communicate(timeout=60)
    out1, err1 = first.communicate(timeout=60)
    assert first.returncode == 0, (out1, err1)
    assert len(notes.read_text().splitlines()) == 1  # A ran once
    seen1 = [json.loads(line) for line in out1.splitlines()]
    assert sum(1 for e in seen1 if e["event"] == "renewed" and e["task"] == A) >= 3
    seen2 = [json.loads(line) for line in out2.splitlines()]
    (skipped,) = [e for e in seen2 if e["event"] == "skipped"]
    assert skipped["reason"].startswith("claimed by dispatch:")
    assert second.returncode == 1, err2


def test_backpressure_holds_new_starts_while_loaded(repo: GitRepo) -> None:
    """An injected load: high for the first samples, then low. Nothing starts while high."""
    from taskgov.dispatch.jobs import RunExtras, RunOptions
    from taskgov.dispatch.pressure import Backpressure
    from taskgov.dispatch.runs import start_run
    from taskgov.dispatch.workers import dispatch_workers
    from taskgov.git.activity import read_activity
    from taskgov.repo import load_repo
    from taskgov.state import derive_states

    project(repo)
    samples: list[tuple[float, float]] = []

    def sampler() -> tuple[float, float]:
        load = (95.0, 20.0) if len(samples) < 6 else (10.0, 20.0)
        samples.append(load)
        return load

    gate = Backpressure(cpu=80, memory=90, sampler=sampler, every=0)
    seen: list[dict[str, Any]] = []
    model = load_repo(repo.path)
    states = derive_states(model, read_activity(repo.path, ""))
    crew, slots = dispatch_workers(model.config, 2)
    cwd = os.getcwd()
    try:
        os.chdir(repo.path)  # the command's relative paths are in its worktree anyway
        outcome = start_run(
            repo.path,
            model,
            states,
            crew,
            RunOptions(COMMIT, slots),
            seen.append,
            extras=RunExtras(gate=gate),
        )
    finally:
        os.chdir(cwd)
    assert outcome.ok, seen
    kinds = [e["event"] for e in seen]
    throttled, unthrottled = kinds.index("throttled"), kinds.index("unthrottled")
    assert seen[throttled]["reason"] == "CPU 95% > 80%"
    assert throttled < unthrottled < kinds.index("started")
    assert len(samples) >= 7


def test_backpressure_with_psutil(repo: GitRepo, run) -> None:  # type: ignore[no-untyped-def]
    """The real sampler: loads are percentages, and no machine is over 100%."""
    from taskgov.dispatch.pressure import psutil_sampler
    from tests.conftest import run_process

    cpu, memory = psutil_sampler()()
    assert 0 <= cpu <= 100
    assert 0 < memory <= 100
    project(repo)
    result = run_process(
        repo.path,
        "dispatch",
        "--exec",
        COMMIT,
        "--workers",
        "2",
        "--cpu-threshold",
        "100",
        "--memory-threshold",
        "100",
        "--json",
    )
    assert result.code == 0, result.err
    kinds = [json.loads(line)["event"] for line in result.out.splitlines()]
    assert "throttled" not in kinds
    assert kinds.count("merged") == 5
    assert run(repo.path, "dispatch", "--exec", "true", "--cpu-threshold", "101").code == 2
    assert run(repo.path, "dispatch", "--cpu-threshold", "50").code == 2  # needs --exec


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_are_served_over_http_during_the_run(repo: GitRepo, tmp_path: Path) -> None:
    project(repo)
    gate = tmp_path / "go"
    command = (
        f'if [ "$TASKGOV_TASK_ID" = {C} ]; then while [ ! -e "{gate}" ]; do sleep 0.05; done; '
        f"fi; {COMMIT}"
    )
    port = free_port()
    proc = taskgov(
        repo.path, "dispatch", "--exec", command, "--workers", "2", "--metrics-port", str(port)
    )
    try:
        wanted = ("taskgov_dispatch_events_total", (("event", "merged"),))
        deadline = time.monotonic() + 30
        metrics: dict[Any, float] = {}
        while time.monotonic() < deadline:  # until A, B and E are merged and C is running
            try:
                metrics = scrape(port)
            except OSError:
                metrics = {}
            if metrics.get(wanted, 0) >= 3:
                break
            time.sleep(0.1)
        assert metrics.get(wanted) == 3, metrics
        time.sleep(0.4)  # one more board
        metrics = scrape(port)
        tasks = {dict(k[1])["status"]: v for k, v in metrics.items() if k[0].endswith("_tasks")}
        assert tasks["running"] == 1
        assert tasks["done"] == 3
        assert tasks["blocked"] == 1
        assert metrics[("taskgov_dispatch_events_total", (("event", "started"),))] == 4
        assert metrics[("taskgov_dispatch_task_seconds_count", ())] == 3
        assert metrics[("taskgov_dispatch_plan_estimate_hours", ())] == 12.0  # A, B/C, D
        (info,) = [k for k in metrics if k[0] == "taskgov_dispatch_run_info"]
        assert dict(info[1])["run"].startswith("20")
        gate.touch()
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert f"metrics on http://127.0.0.1:{port}/metrics" in err
    with pytest.raises(urllib.error.URLError, match="refused"):
        scrape(port)  # served while the run lasts


def test_the_live_view_on_a_terminal(repo: GitRepo) -> None:
    """On a pseudo-terminal the board is drawn (rich); events still scroll above it."""
    import pty

    project(repo)
    primary, secondary = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    command = f"sleep 0.4; {COMMIT}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "taskgov", "dispatch", "--exec", command, "--workers", "2"],
        cwd=repo.path,
        stdin=secondary,
        stdout=secondary,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # the other side closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(primary)
    shown = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert "\x1b[" in shown  # drawn, not printed
    for part in ("elapsed", "plan estimate 12 h", "running", "blocked", "TASK", "ESTIMATE"):
        assert part in shown, part
    assert "merged " + A in shown  # an event line
    assert "done 5" in shown  # the final board


def test_the_board_rendered_by_the_live_view() -> None:
    from rich.console import Console

    from taskgov.cli.live import LiveView

    board = {
        "run": "r1",
        "elapsed": 75.0,
        "plan_hours": 12.0,
        "throttled": "CPU 95% > 80%",
        "counts": {"running": 1, "queued": 1, "blocked": 1, "done": 1, "failed": 0},
        "tasks": [
            {"task": A, "title": "a", "status": "done", "worker": "", "elapsed": None,
             "estimate_hours": 4.0, "reason": ""},
            {"task": B, "title": "Build \x1b[31mred", "status": "running", "worker": "w1",
             "elapsed": 3725.0, "estimate_hours": 4.0, "reason": ""},
            {"task": C, "title": "c", "status": "blocked", "worker": "", "elapsed": None,
             "estimate_hours": 2.0, "reason": ""},
        ],
    }  # fmt: skip
    view = LiveView(lambda event: "")
    view.console = Console(record=True, width=80, color_system=None)
    view.console.print(view.render(board))
    text = view.console.export_text()
    assert "run r1  elapsed 1:15  plan estimate 12 h  starts held: CPU 95% > 80%" in text
    lines = text.splitlines()
    assert any(line.split()[:5] == [B, "running", "w1", "1:02:05", "4"] for line in lines)
    assert not any(line.startswith(A) for line in lines)  # done tasks are counted, not listed
    assert "\x1b" not in text
    assert "\\x1b" in text
