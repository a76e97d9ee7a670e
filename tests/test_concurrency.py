"""Parallel runs of the writers, as real processes: no id handed out twice, no update lost,
and the lock found however git finds the repository (``GIT_DIR`` / ``GIT_WORK_TREE``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from tests.conftest import GitRepo, spec_yaml, start_together

ACTIVE = "docs/tasks/active"


def _parallel(cwd: Path, runs: list[list[str]], env: dict[str, str] | None = None) -> list[str]:
    """Start every run at once; returns their stdout, asserting each exited 0."""
    outputs = []
    for code, out, err in start_together(cwd, runs, env):
        assert code == 0, err
        outputs.append(out)
    return outputs


def _flow(text: str, key: str) -> list[str]:
    match = re.search(rf"^\s*{key}: \[(.*?)\]", text, re.MULTILINE)
    assert match, text
    return re.findall(r'"([^"]+)"', match.group(1))


def test_20_parallel_new_make_20_distinct_specs(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _parallel(repo.path, [["new", f"Task number {n}"] for n in range(20)])
    files = sorted(p.name for p in (repo.path / ACTIVE).glob("*.yaml"))
    assert files == [f"TASK-2026-{n:03d}.yaml" for n in range(1, 21)]
    texts = [(repo.path / ACTIVE / name).read_text() for name in files]
    titles = {text.split("title: ")[1].split("\n")[0] for text in texts}
    assert len(titles) == 20  # every run wrote its own file, none overwrote another
    assert run(repo.path, "validate").code == 0


def test_10_parallel_decision_new_make_10_records(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    assert run(repo.path, "init").code == 0
    runs = [["decision", "new", f"Choice {n}", "--json"] for n in range(10)]
    outputs = _parallel(repo.path, runs)
    ids = {json.loads(out)["id"] for out in outputs}
    assert len(ids) == 10
    records = list((repo.path / ".claude/decisions").glob("DECISION-*.yaml"))
    assert len(records) == 10


def test_20_parallel_dependents_all_reach_the_prerequisite(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.write({f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    runs = [["new", f"Dependent {n}", "--depends-on", "TASK-2026-001", "--json"] for n in range(20)]
    created = [json.loads(out)["id"] for out in _parallel(repo.path, runs)]
    assert len(set(created)) == 20
    blocks = _flow(repo.spec("TASK-2026-001").read_text(), "blocks")
    assert sorted(blocks) == sorted(created)
    for task_id in created:
        assert _flow(repo.spec(task_id).read_text(), "blocked_by") == ["TASK-2026-001"]
    assert run(repo.path, "validate").code == 0


def _separated(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A work tree whose git directory lives elsewhere, found only through the environment."""
    work, git_dir = tmp_path / "work", tmp_path / "store.git"
    work.mkdir()
    env = {**os.environ, "GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(work)}
    subprocess.run(["git", "init", "--quiet", "--template="], cwd=work, env=env, check=True)
    return work, env


def test_parallel_new_with_git_dir_and_work_tree_share_one_lock(tmp_path: Path) -> None:
    work, env = _separated(tmp_path)
    (work / ACTIVE).mkdir(parents=True)
    (work / ACTIVE / "TASK-2026-001.yaml").write_text(spec_yaml("TASK-2026-001"))
    runs = [["new", f"Dependent {n}", "--depends-on", "TASK-2026-001", "--json"] for n in range(10)]
    created = [json.loads(out)["id"] for out in _parallel(work, runs, env)]
    assert len(set(created)) == 10
    assert sorted(_flow((work / ACTIVE / "TASK-2026-001.yaml").read_text(), "blocks")) == sorted(
        created
    )
    assert (tmp_path / "store.git/taskgov/write.lock").exists()  # in the git directory
    assert not list(work.rglob("*.lock"))


def test_parallel_log_sync_with_git_dir_and_work_tree_logs_each_commit_once(
    tmp_path: Path,
) -> None:
    work, env = _separated(tmp_path)
    _parallel(work, [["init"]], env)
    stream = "".join(
        f"commit refs/heads/main\ncommitter T <t@example.com> {1_700_000_000 + n} +0000\n"
        f"data {len(f'feat: change {n}')}\nfeat: change {n}\n"
        f"M 644 inline f{n}.txt\ndata 2\n{n % 10}\n\n"
        for n in range(300)
    )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=work, input=stream, text=True, env=env, check=True
    )
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=work, env=env, check=True)
    _parallel(work, [["log", "sync"] for _ in range(10)], env)
    records = [
        json.loads(line)["commit"]
        for path in (work / ".claude/contributions").glob("*.jsonl")
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    assert len(records) == 300
    assert len(set(records)) == 300
    _parallel(work, [["log", "verify"]], env)  # ok: no duplicate, none missing
