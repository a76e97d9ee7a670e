"""The contribution log: exactly once, whatever happens, and verifiable against git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GitRepo, spec_yaml

AI = "Co-Authored-By: Claude <noreply@anthropic.com>"


def _records(repo: GitRepo) -> list[dict[str, object]]:
    records = []
    for path in sorted((repo.path / ".claude/contributions").glob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return records


def _git_commit(
    repo: GitRepo, message: str, env: dict[str, str] | None = None, *extra: str
) -> None:
    full = {
        k: v for k, v in os.environ.items() if k not in ("CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT")
    }
    full.update(env or {})
    subprocess.run(
        ["git", "-C", str(repo.path), "commit", "-q", "--allow-empty", *extra, "-m", message],
        check=True,
        env=full,
        capture_output=True,
    )


@pytest.fixture
def logged(run, repo: GitRepo) -> GitRepo:  # type: ignore[no-untyped-def]
    run(repo.path, "init")
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    repo.commit("chore: adopt taskgov")
    return repo


def test_sync_is_idempotent_and_derives_the_seed_fields(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    logged.git("remote", "add", "origin", "git@github.com:acme/calib.git")
    logged.commit(
        f"feat(calib): fit the roofline (#77)\n\nTask: TASK-2026-001\n"
        f"Reviewed-by: Stillwater <s@example.com>\n{AI}",
        {"src/fit.py": "a\nb\n"},
    )
    first = run(logged.path, "log", "sync", "--json").json()
    assert len(first["added"]) == 2
    assert run(logged.path, "log", "sync", "--json").json()["added"] == []
    record = _records(logged)[-1]
    assert record["commit"] == logged.git("rev-parse", "HEAD").strip()
    assert (record["type"], record["summary"]) == ("feature", "Fit the roofline")
    assert (record["files_changed"], record["lines_added"], record["lines_removed"]) == (1, 2, 0)
    assert record["pr"] == "https://github.com/acme/calib/pull/77"
    assert (record["human_approved"], record["approver"]) == (True, "Stillwater")
    assert (record["task_id"], record["ai_assisted"]) == ("TASK-2026-001", True)
    assert record["agents"] == ["Claude <noreply@anthropic.com>"]
    assert list(record)[:13] == [
        "date",
        "commit",
        "type",
        "summary",
        "files_changed",
        "lines_added",
        "lines_removed",
        "decision_id",
        "human_approved",
        "approver",
        "task_id",
        "branch",
        "pr",
    ]
    assert run(logged.path, "log", "verify").code == 0


def test_hooks_log_with_the_agent_seen_and_leave_the_tree_clean(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(logged.path, "hooks", "install")
    logged.git("add", "-A")
    _git_commit(logged, "chore: hooks")
    _git_commit(logged, f"feat: agent work\n\n{AI}", {"CLAUDECODE": "1"})
    assert logged.git("status", "--porcelain") == ""
    _git_commit(logged, "docs: human work")
    _git_commit(logged, "docs: more")
    assert logged.git("status", "--porcelain") == ""
    records = _records(logged)
    assert [r["summary"] for r in records] == ["Adopt taskgov", "Hooks", "Agent work", "Human work"]
    assert records[2]["agent_env"] == ["CLAUDECODE"]
    assert "agent_env" not in records[3]


def test_no_verify_agent_commit_is_caught_in_ci(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(logged.path, "hooks", "install")
    base = logged.git("rev-parse", "HEAD").strip()
    _git_commit(logged, "feat: sneaky", {"CLAUDECODE": "1"}, "--no-verify")
    result = run(logged.path, "check-commits", f"{base}..HEAD", "--json")
    assert result.code == 1
    assert [v["rule"] for v in result.json()["violations"]] == ["TG201"]


def test_concurrent_syncs_log_each_commit_once(logged: GitRepo) -> None:
    for n in range(20):
        logged.commit(f"feat: change {n}", {f"f{n}.txt": "x\n"})
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "taskgov", "log", "sync"],
            cwd=logged.path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    for process in processes:
        assert process.wait() == 0
    commits = [r["commit"] for r in _records(logged)]
    assert len(commits) == 21
    assert len(set(commits)) == 21


def test_an_interrupted_write_is_repaired(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(logged.path, "log", "sync")
    logged.commit("feat: more", {"g.txt": "y\n"})
    month = next((logged.path / ".claude/contributions").glob("*.jsonl"))
    with month.open("a") as handle:  # what a kill in the middle of an append leaves
        handle.write('{"date": "2026-11-21", "commit": "' + logged.git("rev-parse", "HEAD")[:20])
    assert run(logged.path, "log", "verify").code == 1  # the torn line is reported
    result = run(logged.path, "log", "sync", "--json").json()
    assert result["repaired"] == [month.name]
    assert len(result["added"]) == 1
    assert run(logged.path, "log", "verify").code == 0
    assert month.read_text().endswith("}\n")


def test_amend_keeps_what_the_hook_saw(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(logged.path, "hooks", "install")
    logged.git("add", "-A")
    _git_commit(logged, "chore: hooks")
    _git_commit(logged, f"feat: first try\n\n{AI}", {"CLAUDECODE": "1"})
    old = logged.git("rev-parse", "HEAD").strip()
    _git_commit(logged, f"feat: second try\n\n{AI}", {}, "--amend")
    new = logged.git("rev-parse", "HEAD").strip()
    _git_commit(logged, "docs: next")
    records = {r["commit"]: r for r in _records(logged)}
    assert old not in records
    assert records[new]["summary"] == "Second try"
    assert records[new]["agent_env"] == ["CLAUDECODE"]  # seen when the first try was made
    assert run(logged.path, "log", "verify", "--json").json()["unknown"] == []


def test_verify_a_hand_kept_log(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    logged.commit("feat: real", {"a.txt": "1\n2\n3\n"})
    sha = logged.git("rev-parse", "HEAD").strip()
    date = logged.git("log", "-1", "--format=%as").strip()
    hand = [
        {
            "date": date,
            "commit": sha[:7],
            "type": "feature",
            "summary": "Real",
            "files_changed": 1,
            "lines_added": 3,
            "lines_removed": 0,
            "decision_id": None,
            "human_approved": True,
            "approver": "stillwater",
        },
        {
            "date": date,
            "commit": sha[:7],
            "type": "feature",
            "summary": "Again",
            "files_changed": 2,
            "lines_added": 3,
            "lines_removed": 0,
        },
        {
            "date": date,
            "commit": "deadbee",
            "type": "feature",
            "summary": "Ghost",
            "files_changed": 1,
            "lines_added": 1,
            "lines_removed": 0,
        },
    ]
    path = logged.path / ".claude/contributions" / f"{date[:7]}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in hand))
    result = run(logged.path, "log", "verify", "--json")
    assert result.code == 1
    report = result.json()
    assert [(m["commit"], m["field"], m["logged"], m["actual"]) for m in report["mismatched"]] == [
        (sha[:7], "files_changed", 2, 1)
    ]
    assert report["unknown"] == ["deadbee"]
    assert report["unlogged"] == [logged.git("rev-parse", "HEAD~1").strip()]


def test_rebuild_is_deterministic_and_keeps_observations(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(logged.path, "hooks", "install")
    _git_commit(logged, f"feat: agent\n\n{AI}", {"CLAUDECODE": "1"})
    logged.git("reset", "-q", "--hard")
    directory = logged.path / ".claude/contributions"
    assert run(logged.path, "log", "rebuild").code == 0
    first = {p.name: p.read_bytes() for p in directory.glob("*.jsonl")}
    assert run(logged.path, "log", "rebuild").code == 0
    assert {p.name: p.read_bytes() for p in directory.glob("*.jsonl")} == first
    assert [r.get("agent_env") for r in _records(logged)] == [None, ["CLAUDECODE"]]
    assert _records(logged)[1]["ai_assisted"] is True
    assert run(logged.path, "log", "verify").code == 0


def test_stats(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    logged.commit(f"feat: a\n\nTask: TASK-2026-001\n{AI}", {"a.txt": "1\n"})
    run(logged.path, "log", "sync")
    data = run(logged.path, "log", "stats", "--json").json()
    assert (data["commits"], data["ai_assisted"], data["ai_share"]) == (2, 1, 0.5)
    assert data["per_task"] == {"TASK-2026-001": 1}
    assert data["per_agent"] == {"Claude <noreply@anthropic.com>": 1}


def test_merge_driver_unions_and_orders(tmp_path: Path) -> None:
    from taskgov.log.merge import merge

    ours, theirs, base = tmp_path / "ours", tmp_path / "theirs", tmp_path / "base"
    base.write_text("")
    ours.write_text(
        '{"date": "2026-01-02", "commit": "b"}\n{"date": "2026-01-01", "commit": "a"}\n'
    )
    theirs.write_text(
        '{"date": "2026-01-03", "commit": "c"}\n{"date": "2026-01-02", "commit": "b"}\n'
    )
    assert merge(base, ours, theirs) == 0
    assert [json.loads(x)["commit"] for x in ours.read_text().splitlines()] == ["a", "b", "c"]


def test_rebuild_keeps_what_the_hook_saw_of_an_unattributed_agent_commit(
    run, logged: GitRepo
) -> None:  # type: ignore[no-untyped-def]
    run(logged.path, "hooks", "install")
    _git_commit(logged, "feat: no trailer", {"CLAUDECODE": "1"}, "--no-verify")
    assert run(logged.path, "log", "sync").code == 0
    assert _records(logged)[-1]["ai_assisted"] is True  # from the agent variable alone
    assert run(logged.path, "log", "rebuild").code == 0
    rebuilt = _records(logged)[-1]
    assert (rebuilt["ai_assisted"], rebuilt["agent_env"]) == (True, ["CLAUDECODE"])
    assert run(logged.path, "log", "verify").code == 0


def _hand_log(repo: GitRepo, records: list[dict[str, object]]) -> Path:
    path = repo.path / ".claude/contributions" / f"{str(records[0]['date'])[:7]}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_rebuild_keeps_hand_kept_fields_and_says_which(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    sha = logged.commit("feat: real work", {"a.txt": "1\n"})
    date = logged.git("log", "-1", "--format=%as").strip()
    _hand_log(
        logged,
        [
            {
                "date": date,
                "commit": sha[:7],
                "type": "feature",
                "summary": "Add the Jetson registry",
                "files_changed": 1,
                "lines_added": 1,
                "lines_removed": 0,
                "decision_id": "DECISION-2026-01-23-001",
                "human_approved": True,
                "approver": "stillwater",
            }
        ],
    )
    result = run(logged.path, "log", "rebuild", "--json")
    assert result.code == 0, result.err
    kept = {(k["field"], k["kept"]) for k in result.json()["kept"]}
    assert kept == {
        ("summary", "Add the Jetson registry"),
        ("decision_id", "DECISION-2026-01-23-001"),
        ("human_approved", True),
        ("approver", "stillwater"),
    }
    record = next(r for r in _records(logged) if r["commit"] == sha)
    assert (record["approver"], record["decision_id"]) == ("stillwater", "DECISION-2026-01-23-001")
    text = run(logged.path, "log", "rebuild")
    assert "kept approver of" in text.out
    assert "'stillwater'" in text.out


def test_rebuild_refuses_to_drop_records_history_does_not_know(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    path = _hand_log(
        logged,
        [{"date": "2026-01-23", "commit": "1e2f8ff", "type": "feature", "summary": "Ghost"}],
    )
    before = path.read_bytes()
    refused = run(logged.path, "log", "rebuild")
    assert refused.code == 2
    assert "1e2f8ff" in refused.err
    assert "--force" in refused.err
    assert "Traceback" not in refused.err
    assert path.read_bytes() == before
    forced = run(logged.path, "log", "rebuild", "--force", "--json")
    assert forced.code == 0
    assert forced.json()["dropped"] == ["1e2f8ff"]


def test_rebuild_never_empties_a_log_when_git_sees_no_commits(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(repo.path, "init")
    path = _hand_log(repo, [{"date": "2026-01-23", "commit": "c1ab120", "summary": "Seed"}])
    refused = run(repo.path, "log", "rebuild")
    assert refused.code == 2
    assert "refusing to empty" in refused.err
    assert path.exists()


def test_dates_are_utc_and_local_dates_are_no_mismatch(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    env = {
        "GIT_AUTHOR_DATE": "2026-03-01T01:30:00+05:00",
        "GIT_COMMITTER_DATE": "2026-03-01T01:30:00+05:00",
    }
    _git_commit(logged, "feat: early in Karachi", env)
    run(logged.path, "log", "sync")
    record = next(r for r in _records(logged) if r["summary"] == "Early in Karachi")
    assert record["date"] == "2026-02-28"  # UTC, as the seed's log writes it
    path = logged.path / ".claude/contributions/2026-02.jsonl"
    lines = path.read_text().splitlines()
    local = json.loads(lines[-1])
    local["date"] = "2026-03-01"  # the same moment, written in the author's local date
    path.write_text("\n".join([*lines[:-1], json.dumps(local)]) + "\n")
    assert run(logged.path, "log", "verify").code == 0


def test_stats_counts_ai_from_the_commits_trailers_of_a_hand_kept_log(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    shas = [
        logged.commit(f"feat: work {n}\n\nCo-Authored-By: Claude <noreply@anthropic.com>")
        for n in range(3)
    ]
    date = logged.git("log", "-1", "--format=%as").strip()
    _hand_log(
        logged,
        [
            {
                "date": date,
                "commit": sha[:7],
                "type": "feature",
                "summary": f"Work {n}",
                "human_approved": True,
                "approver": "stillwater",
            }
            for n, sha in enumerate(shas)
        ],
    )
    data = run(logged.path, "log", "stats", "--json").json()
    assert (data["commits"], data["ai_assisted"], data["ai_share"]) == (3, 3, 1.0)
    assert data["per_agent"] == {"Claude <noreply@anthropic.com>": 3}


def test_verify_reports_duplicates_and_wrong_branches(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(logged.path, "log", "sync")
    path = next((logged.path / ".claude/contributions").glob("*.jsonl"))
    record = json.loads(path.read_text().splitlines()[0])
    path.write_text(path.read_text() + json.dumps(record) + "\n")
    report = run(logged.path, "log", "verify", "--json")
    assert report.code == 1
    assert [d["commit"] for d in report.json()["duplicates"]] == [record["commit"]]
    assert run(logged.path, "log", "sync", "--json").json()["folded"] == 1
    assert run(logged.path, "log", "verify").code == 0
    logged.git("switch", "-q", "-c", "side")
    side = logged.commit("feat: on the side", {"s.txt": "1\n"})
    run(logged.path, "log", "sync")
    lines = path.read_text().splitlines()
    wrong = json.loads(lines[-1])
    assert wrong["commit"] == side
    assert wrong["branch"] == "side"
    wrong["branch"] = "main"  # what a detached HEAD during a rebase used to record
    path.write_text("\n".join([*lines[:-1], json.dumps(wrong)]) + "\n")
    result = run(logged.path, "log", "verify", "--json")
    assert result.code == 1
    assert [(w["commit"], w["branch"]) for w in result.json()["wrong_branch"]] == [(side, "main")]
    text = run(logged.path, "log", "verify")
    assert "logged on branch 'main', which does not hold it" in text.out


def test_a_symlinked_log_directory_is_never_written_through(
    run, logged: GitRepo, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2026-01.jsonl").write_text("precious\n")
    directory = logged.path / ".claude/contributions"
    for child in directory.iterdir():
        child.unlink()
    directory.rmdir()
    directory.symlink_to(outside)
    for args in (("log", "sync"), ("log", "rebuild", "--force")):
        result = run(logged.path, *args)
        assert result.code == 2, result
        assert "outside the repository" in result.err
    assert sorted(p.name for p in outside.iterdir()) == ["2026-01.jsonl"]
    assert (outside / "2026-01.jsonl").read_text() == "precious\n"


def test_only_values_shaped_like_task_ids_are_logged_as_tasks(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    logged.commit("feat: vague\n\nTask: whatever\nCloses: TASK-2026-001")
    run(logged.path, "log", "sync")
    record = next(r for r in _records(logged) if r["summary"] == "Vague")
    assert (record["task_id"], record["task_ids"], record["closes"]) == (
        "TASK-2026-001",
        ["TASK-2026-001"],
        ["TASK-2026-001"],
    )


def test_records_do_not_count_the_logs_own_files(run, logged: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(logged.path, "log", "sync")
    logged.commit("chore: log", {"src/x.py": "1\n2\n"})  # the month file changed too
    run(logged.path, "log", "sync")
    record = next(r for r in _records(logged) if r["summary"] == "Log")
    assert (record["files_changed"], record["lines_added"]) == (1, 2)
    assert run(logged.path, "log", "verify").code == 0
