"""A day of everyday git with the hooks installed: after every operation the work tree is as
clean as git left it, git never stops because of the log, and every commit is logged exactly
once (its record arrives with the next commit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GitRepo

AGENT_VARS = ("CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT")
LOG = ".claude/contributions"


def git(repo: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    full = {k: v for k, v in os.environ.items() if k not in AGENT_VARS}
    full.update(env or {})
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=full, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def commit(repo: Path, message: str, files: dict[str, str] | None = None, *extra: str) -> str:
    for name, text in (files or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
        git(repo, "add", name)
    git(repo, "commit", "-q", "--allow-empty", *extra, "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def records(repo: Path) -> list[dict[str, object]]:
    found = []
    for path in sorted((repo / LOG).glob("*.jsonl")):
        found += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return found


def taskgov(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "taskgov", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def assert_clean_and_exact(repo: Path) -> None:
    """The state every step must leave: nothing for git to complain about, no commit logged
    twice, and ``log verify`` satisfied."""
    status = git(repo, "status", "--porcelain")
    assert status == "", status
    shas = [str(r["commit"]) for r in records(repo)]
    assert len(shas) == len(set(shas)), shas
    verify = taskgov(repo, "log", "verify", "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def assert_all_logged_but_head(repo: Path) -> None:
    history = git(repo, "rev-list", "HEAD").split()
    logged = [str(r["commit"]) for r in records(repo)]
    assert sorted(logged) == sorted(history[1:])


@pytest.fixture
def day(repo: GitRepo) -> Path:
    assert taskgov(repo.path, "init").returncode == 0
    installed = taskgov(repo.path, "hooks", "install")
    assert installed.returncode == 0, installed.stderr
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "chore: adopt taskgov")
    return repo.path


def test_each_commit_leaves_the_tree_clean_and_logs_the_previous_one(day: Path) -> None:
    first = git(day, "rev-parse", "HEAD").strip()
    assert records(day) == []  # a commit cannot hold its own record
    second = commit(day, "feat: one", {"a.txt": "1\n"})
    assert_clean_and_exact(day)
    assert [r["commit"] for r in records(day)] == [first]
    commit(day, "feat: two", {"b.txt": "2\n"})
    assert_clean_and_exact(day)
    assert [r["commit"] for r in records(day)] == [first, second]
    # the record is in the commit itself, not only in the work tree
    shown = git(day, "show", f"HEAD:{LOG}/{records(day)[0]['date'][:7]}.jsonl")  # type: ignore[index]
    assert second in shown


def test_switch_checkout_pull_and_rebase_are_never_refused(day: Path, tmp_path: Path) -> None:
    commit(day, "feat: base", {"a.txt": "1\n"})
    git(day, "switch", "-q", "-c", "side")
    commit(day, "feat: side one", {"s.txt": "1\n"})
    commit(day, "feat: side two", {"s.txt": "2\n"})
    assert_clean_and_exact(day)
    git(day, "switch", "-q", "main")
    commit(day, "feat: main one", {"m.txt": "1\n"})
    commit(day, "feat: main two", {"m.txt": "2\n"})
    git(day, "checkout", "-q", "side")
    rebased = subprocess.run(
        ["git", "-C", str(day), "rebase", "main"], capture_output=True, text=True, check=False
    )
    assert rebased.returncode == 0, rebased.stdout + rebased.stderr
    assert_clean_and_exact(day)
    commit(day, "feat: after rebase", {"s.txt": "3\n"})
    assert_clean_and_exact(day)
    assert_all_logged_but_head(day)
    branches = {r["commit"]: r["branch"] for r in records(day)}
    for sha in git(day, "rev-list", "main..HEAD~1").split():
        assert branches[sha] == "side"  # the branch it was made on, not the rebase's target


@pytest.mark.parametrize("backend", ["--merge", "--apply"])
def test_rebase_either_backend_logs_each_commit_once(day: Path, backend: str) -> None:
    commit(day, "feat: base", {"a.txt": "1\n"})
    git(day, "switch", "-q", "-c", "side")
    for n in range(3):
        commit(day, f"feat: side {n}", {f"s{n}.txt": "x\n"})
    git(day, "switch", "-q", "main")
    commit(day, "feat: main", {"m.txt": "1\n"})
    git(day, "switch", "-q", "side")
    git(day, "rebase", "-q", backend, "main")
    assert_clean_and_exact(day)
    commit(day, "feat: next", {"n.txt": "1\n"})
    assert_clean_and_exact(day)
    assert_all_logged_but_head(day)


def test_amend_logs_the_new_commit_once(day: Path) -> None:
    commit(day, "feat: first try", {"a.txt": "1\n"})
    old = git(day, "rev-parse", "HEAD").strip()
    commit(day, "feat: second try", {"a.txt": "2\n"}, "--amend")
    assert_clean_and_exact(day)
    commit(day, "feat: next", {"b.txt": "1\n"})
    assert_clean_and_exact(day)
    assert_all_logged_but_head(day)
    assert old not in [r["commit"] for r in records(day)]
    amended = git(day, "rev-parse", "HEAD~1").strip()
    assert next(r for r in records(day) if r["commit"] == amended)["summary"] == "Second try"


def test_amend_twice_in_a_row_and_of_an_older_logged_commit(day: Path) -> None:
    commit(day, "feat: one", {"a.txt": "1\n"})
    commit(day, "feat: one again", {"a.txt": "2\n"}, "--amend")
    commit(day, "feat: one thrice", {"a.txt": "3\n"}, "--amend")
    commit(day, "feat: two", {"b.txt": "1\n"})
    commit(day, "feat: two again", {"b.txt": "2\n"}, "--amend", "--no-verify")
    commit(day, "feat: three", {"c.txt": "1\n"})
    assert_clean_and_exact(day)
    assert_all_logged_but_head(day)


def test_cherry_pick_revert_and_merge(day: Path) -> None:
    commit(day, "feat: base", {"a.txt": "1\n"})
    git(day, "switch", "-q", "-c", "other")
    commit(day, "feat: other one", {"o.txt": "1\n"})
    picked = commit(day, "fix: other two", {"p.txt": "1\n"})
    git(day, "switch", "-q", "main")
    commit(day, "feat: main", {"m.txt": "1\n"})
    git(day, "cherry-pick", picked)
    assert_clean_and_exact(day)  # the pick carried a record of a commit of `other`: pending
    reverted = commit(day, "feat: to revert", {"r.txt": "1\n"})
    git(day, "revert", "--no-edit", reverted)
    assert_clean_and_exact(day)
    git(day, "merge", "-q", "--no-edit", "other")
    assert_clean_and_exact(day)
    commit(day, "feat: after merge", {"z.txt": "1\n"})
    assert_clean_and_exact(day)
    assert_all_logged_but_head(day)


def test_pull_with_merge_and_a_second_clone_without_hooks(day: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(day, "remote", "add", "origin", str(remote))
    commit(day, "feat: shared", {"a.txt": "1\n"})
    git(day, "push", "-q", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))  # never runs `hooks install`
    git(other, "config", "user.email", "other@example.com")
    git(other, "config", "user.name", "Other Person")
    assert taskgov(other, "log", "sync").returncode == 0  # the other clone logs by hand
    git(other, "add", LOG)
    commit(other, "docs: log from the other clone", {"o.txt": "1\n"})
    git(other, "push", "-q", "origin", "main")
    commit(day, "feat: local", {"l.txt": "1\n"})
    commit(day, "feat: local two", {"l.txt": "2\n"})
    pulled = subprocess.run(
        ["git", "-C", str(day), "pull", "-q", "--no-rebase", "--no-edit", "origin", "main"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr  # union: no conflict
    assert "<<<<<<<" not in "".join(p.read_text() for p in (day / LOG).glob("*.jsonl"))
    assert_clean_and_exact(day)
    commit(day, "feat: after pull", {"q.txt": "1\n"})
    assert_clean_and_exact(day)
    assert_all_logged_but_head(day)


def test_two_branches_that_both_logged_merge_in_a_clone_without_hooks(
    day: Path, tmp_path: Path
) -> None:
    commit(day, "feat: base", {"a.txt": "1\n"})
    git(day, "switch", "-q", "-c", "side")
    commit(day, "feat: side", {"s.txt": "1\n"})
    commit(day, "feat: side two", {"s.txt": "2\n"})
    git(day, "switch", "-q", "main")
    commit(day, "feat: main", {"m.txt": "1\n"})
    commit(day, "feat: main two", {"m.txt": "2\n"})
    plain = tmp_path / "plain"
    git(tmp_path, "clone", "-q", "--no-local", str(day), str(plain))
    git(plain, "config", "user.email", "p@example.com")
    git(plain, "config", "user.name", "P")
    assert git(plain, "config", "--get-regexp", "^merge\\.", check=False) == ""
    git(plain, "merge", "-q", "--no-edit", "origin/side")
    assert "<<<<<<<" not in "".join(p.read_text() for p in (plain / LOG).glob("*.jsonl"))
    assert git(plain, "status", "--porcelain") == ""


def test_partial_commit_and_unstaged_log_edits_are_left_alone(day: Path) -> None:
    commit(day, "feat: one", {"a.txt": "1\n"})
    (day / "b.txt").write_text("b\n")
    git(day, "add", "b.txt")
    (day / "a.txt").write_text("changed\n")
    git(day, "commit", "-q", "-m", "feat: only a", "a.txt")  # a temporary index
    status = git(day, "status", "--porcelain")
    assert status == "A  b.txt\n", status  # the log did not go half into one index
    git(day, "commit", "-q", "-m", "feat: b")
    assert_clean_and_exact(day)
    month = next((day / LOG).glob("*.jsonl"))
    month.write_text(month.read_text() + "\n")  # a person is editing the log
    commit(day, "feat: c", {"c.txt": "1\n"})
    assert git(day, "diff", "--name-only") == f"{LOG}/{month.name}\n"  # still theirs only


def test_agent_evidence_survives_discarding_the_work_tree(day: Path) -> None:
    base = git(day, "rev-parse", "HEAD").strip()
    git(
        day,
        "commit",
        "-q",
        "--allow-empty",
        "--no-verify",
        "-m",
        "feat: sneaky",
        env={"CLAUDECODE": "1"},
    )
    git(day, "checkout", "-q", "--", ".")
    git(day, "reset", "-q", "--hard")
    checked = taskgov(day, "check-commits", f"{base}..HEAD", "--json")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert [v["rule"] for v in json.loads(checked.stdout)["violations"]] == ["TG201"]
    commit(day, "docs: next", {"n.txt": "1\n"})
    sneaky = git(day, "rev-parse", "HEAD~1").strip()
    record = next(r for r in records(day) if r["commit"] == sneaky)
    assert (record["agent_env"], record["ai_assisted"]) == (["CLAUDECODE"], True)


def test_an_ignored_log_is_kept_locally_and_commits_stay_quiet(day: Path) -> None:
    (day / ".gitignore").write_text(".claude/contributions/\n")
    git(day, "rm", "-q", "-r", "--cached", LOG)
    git(day, "add", ".gitignore")
    git(day, "commit", "-q", "-m", "chore: keep the log local")
    done = subprocess.run(
        ["git", "-C", str(day), "commit", "-q", "--allow-empty", "-m", "feat: next"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "taskgov" not in done.stderr
    assert git(day, "status", "--porcelain") == ""
    assert len(records(day)) == 2


def test_a_refused_or_aborted_commit_takes_back_what_pre_commit_staged(day: Path) -> None:
    commit(day, "feat: one", {"a.txt": "1\n"})
    git(day, "switch", "-q", "-c", "side")
    commit(day, "feat: side", {"s.txt": "1\n"})
    (day / "a.txt").write_text("2\n")
    for args, env in (
        (["-a", "-m", "feat: sneaky"], {"CLAUDECODE": "1"}),  # refused by the policy
        (["-a", "--cleanup=strip", "-m", "# nothing but a comment"], {}),  # empty: git aborts
        (["-m", "feat: sneaky"], {"CLAUDECODE": "1"}),  # the real index, not index.lock
    ):
        if "-a" not in args:
            git(day, "add", "a.txt")
        full = {k: v for k, v in os.environ.items() if k not in AGENT_VARS}
        done = subprocess.run(
            ["git", "-C", str(day), "commit", "-q", *args],
            capture_output=True,
            text=True,
            env={**full, **env},
            check=False,
        )
        assert done.returncode != 0
        status = git(day, "status", "--porcelain")
        assert LOG not in status, status  # only the person's own change is left
    git(day, "stash", "-q")
    git(day, "switch", "-q", "main")  # the log differs between the branches: no refusal
    assert git(day, "status", "--porcelain") == ""


def test_a_chained_commit_msg_hook_refusing_also_restores_the_log(day: Path) -> None:
    commit(day, "feat: one", {"a.txt": "1\n"})
    local = day / ".githooks/commit-msg.local"
    local.write_text('#!/bin/sh\ngrep -q FORBIDDEN "$1" && exit 1\nexit 0\n')
    local.chmod(0o755)
    assert taskgov(day, "hooks", "install", "--force").returncode == 0
    git(day, "add", "-A")
    git(day, "commit", "-q", "-m", "chore: a local hook")
    done = subprocess.run(
        ["git", "-C", str(day), "commit", "-q", "--allow-empty", "-m", "FORBIDDEN"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert git(day, "status", "--porcelain") == ""


def test_a_reset_then_a_commit_does_not_keep_the_discarded_commits(day: Path) -> None:
    for name in "abcd":
        commit(day, f"feat: {name}", {f"{name}.txt": "1\n"})
    discarded = git(day, "rev-parse", "HEAD~1").strip()
    git(day, "reset", "-q", "--soft", "HEAD~2")
    commit(day, "feat: squashed")
    assert_clean_and_exact(day)
    assert discarded not in [r["commit"] for r in records(day)]
    commit(day, "feat: next", {"n.txt": "1\n"})
    assert_all_logged_but_head(day)


def test_a_cherry_picked_range_is_logged_on_the_branch_it_was_picked_to(day: Path) -> None:
    commit(day, "feat: a", {"a.txt": "1\n"})
    git(day, "switch", "-q", "-c", "side")
    for n in range(1, 4):
        commit(day, f"feat: s{n}", {f"s{n}.txt": "1\n"})
    git(day, "switch", "-q", "main")
    commit(day, "feat: m1", {"m1.txt": "1\n"})
    git(day, "cherry-pick", "side~2..side")
    for n in range(2, 5):
        commit(day, f"feat: m{n}", {f"m{n}.txt": "1\n"})
    assert_clean_and_exact(day)
    assert_all_logged_but_head(day)
    picked = git(day, "rev-list", "HEAD~3", "-2").split()
    assert {r["branch"] for r in records(day) if r["commit"] in picked} == {"main"}


def test_post_commit_notes_branch_and_agent_variables_exactly(day: Path) -> None:
    """The journal line the post-commit shell writes is valid JSON for any branch git allows,
    and names only the agent variables that are set to something other than blanks."""
    observed = day / ".git" / "taskgov" / "observed.jsonl"
    git(day, "switch", "-q", "-c", 'odd"name/ünï')
    (day / "o.txt").write_text("1\n")
    git(day, "add", "o.txt")
    agents = {"CLAUDECODE": " \t ", "CLAUDE_CODE_ENTRYPOINT": "cli"}
    message = "feat: odd\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
    git(day, "commit", "-q", "-m", message, env=agents)
    last = json.loads(observed.read_text(encoding="utf-8").splitlines()[-1])
    assert last["branch"] == 'odd"name/ünï'
    assert last["agent_env"] == ["CLAUDE_CODE_ENTRYPOINT"]
    assert last["commit"] == git(day, "rev-parse", "HEAD").strip()
    git(day, "checkout", "-q", "--detach")
    commit(day, "feat: detached", {"d.txt": "1\n"})
    last = json.loads(observed.read_text(encoding="utf-8").splitlines()[-1])
    assert last == {"commit": git(day, "rev-parse", "HEAD").strip(), "branch": None}


def test_the_hook_stages_only_month_files_and_sees_edits_to_old_ones(day: Path) -> None:
    commit(day, "feat: one", {"a.txt": "1\n"})
    commit(day, "feat: two", {"b.txt": "1\n"})
    (day / LOG / "notes.txt").write_text("a person's scratch file\n")
    commit(day, "feat: three", {"c.txt": "1\n"})
    assert git(day, "status", "--porcelain") == f"?? {LOG}/notes.txt\n"  # never committed
    (day / LOG / "notes.txt").unlink()
    # An old month file, untouched for a while: its stat data is trusted from then on...
    old = day / LOG / "2001-01.jsonl"
    old.write_text('{"commit": "0000000", "date": "2001-01-05T00:00:00Z", "summary": "by hand"}\n')
    git(day, "add", str(old.relative_to(day)))
    commit(day, "docs: an old record", {})
    past = old.stat().st_mtime - 60
    os.utime(old, (past, past))
    commit(day, "feat: four", {"d.txt": "1\n"})
    commit(day, "feat: five", {"e.txt": "1\n"})
    # ...until a person edits it (same size): that is an unstaged change, left to them
    old.write_text('{"commit": "0000000", "date": "2001-01-05T00:00:00Z", "summary": "BY hand"}\n')
    commit(day, "feat: six", {"f.txt": "1\n"})
    assert git(day, "diff", "--name-only") == f"{LOG}/2001-01.jsonl\n"


def test_a_sha256_repository_logs_and_takes_back_as_any_other(tmp_path: Path) -> None:
    path = tmp_path / "sha256"
    subprocess.run(
        ["git", "init", "-q", "--object-format=sha256", "--template=", str(path)], check=True
    )
    assert taskgov(path, "init").returncode == 0
    assert taskgov(path, "hooks", "install").returncode == 0
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "chore: adopt taskgov")
    for n in range(3):
        commit(path, f"feat: {n}", {f"{n}.txt": "1\n"})
        assert_clean_and_exact(path)
    assert_all_logged_but_head(path)
    assert all(len(str(r["commit"])) == 64 for r in records(path))
    (path / "0.txt").write_text("2\n")
    refused = subprocess.run(
        ["git", "-C", str(path), "commit", "-q", "-a", "-m", "feat: sneaky"],
        capture_output=True,
        text=True,
        env={**os.environ, "CLAUDECODE": "1"},
        check=False,
    )
    assert refused.returncode != 0
    assert git(path, "status", "--porcelain") == " M 0.txt\n"  # the log taken back


def _dated(repo: Path, message: str, name: str, when: str) -> str:
    (repo / name).write_text(f"{message}\n")
    git(repo, "add", name)
    git(
        repo,
        "commit",
        "-q",
        "-m",
        message,
        env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
    )
    return git(repo, "rev-parse", "HEAD").strip()


def test_a_backport_to_a_branch_cut_the_month_before_is_settled_by_log_resolve(day: Path) -> None:
    """Git cannot merge a month file the release branch lacks (modify/delete): `log resolve`
    settles it, the cherry-pick goes on, and the next commit logs exactly the branch's
    history."""
    _dated(day, "feat: october", "o.txt", "2026-10-20T10:00:00Z")
    git(day, "branch", "release")
    _dated(day, "feat: november one", "n1.txt", "2026-11-03T10:00:00Z")
    _dated(day, "feat: november two", "n2.txt", "2026-11-04T10:00:00Z")
    fix = _dated(day, "fix: the bug", "fix.txt", "2026-11-05T10:00:00Z")
    assert f"{LOG}/2026-11.jsonl" in git(day, "show", "--name-only", "--format=", fix)
    git(day, "switch", "-q", "release")
    picked = subprocess.run(
        ["git", "-C", str(day), "cherry-pick", fix], capture_output=True, text=True, check=False
    )
    assert picked.returncode != 0
    assert "CONFLICT (modify/delete)" in picked.stdout + picked.stderr
    settled = taskgov(day, "log", "resolve")
    assert settled.returncode == 0, settled.stderr
    assert f"left out: {LOG}/2026-11.jsonl" in settled.stdout
    assert "git cherry-pick --continue" in settled.stdout
    git(day, "-c", "core.editor=true", "cherry-pick", "--continue")
    assert git(day, "status", "--porcelain") == ""
    commit(day, "chore: release 1.0.1", {"VERSION": "1.0.1\n"})
    assert_clean_and_exact(day)
    assert_all_logged_but_head(day)
    again = taskgov(day, "log", "resolve", "--json")
    assert json.loads(again.stdout) == {"settled": [], "others": [], "next": "git commit"}


def test_joined_month_files_keep_every_line_once_in_order() -> None:
    from taskgov.log.resolve import _joined

    ours = b'{"commit": "a"}\n{"commit": "b"}'
    theirs = b'{"commit": "a"}\n{"commit": "c"}\n{"commit": "b"}\n'
    assert _joined(ours, theirs) == b'{"commit": "a"}\n{"commit": "b"}\n{"commit": "c"}\n'
    assert _joined(b"", theirs) == theirs


def test_a_busy_month_continues_in_parts_the_same_way_whatever_writes_it(
    day: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each part holds about two records here (a real part holds 256 KiB): the hook appends
    to the last part, and a rebuild from history writes byte for byte the same files."""
    monkeypatch.setenv("TASKGOV_TEST_LOG_PART_BYTES", "700")
    for n in range(6):
        commit(day, f"feat: change {n}", {f"f{n}.txt": "x\n"})
    assert_clean_and_exact(day)
    names = sorted(p.name for p in (day / LOG).glob("*.jsonl"))
    month = names[0].split(".")[0]
    assert names == sorted([f"{month}.jsonl", *(f"{month}.{k}.jsonl" for k in range(2, 4))])
    assert [r["commit"] for r in records_in_order(day)] == git(
        day, "rev-list", "--reverse", "HEAD~1"
    ).split()
    assert taskgov(day, "log", "sync").returncode == 0  # HEAD's record too, as rebuild writes
    before = {p.name: p.read_bytes() for p in (day / LOG).glob("*.jsonl")}
    assert taskgov(day, "log", "rebuild").returncode == 0
    assert {p.name: p.read_bytes() for p in (day / LOG).glob("*.jsonl")} == before
    git(day, "checkout", "-q", "--", LOG)
    git(day, "clean", "-q", "-f", "--", LOG)
    # two branches filling parts apart, then merged: each commit still logged once
    git(day, "switch", "-q", "-c", "side")
    for n in range(3):
        commit(day, f"feat: side {n}", {f"s{n}.txt": "x\n"})
    git(day, "switch", "-q", "main")
    for n in range(3):
        commit(day, f"feat: main {n}", {f"m{n}.txt": "x\n"})
    git(day, "merge", "-q", "--no-ff", "side", "-m", "Merge side")
    commit(day, "feat: after the merge", {"z.txt": "x\n"})
    assert_clean_and_exact(day)
    assert_all_logged_but_head(day)


def records_in_order(repo: Path) -> list[dict[str, object]]:
    from taskgov.log.store import part_key

    found = []
    for path in sorted((repo / LOG).glob("*.jsonl"), key=part_key):
        found += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return found
