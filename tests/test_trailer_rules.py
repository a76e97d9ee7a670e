"""Trailers say what users mean: ids that are not ids, ids in the wrong case, control
characters, approvals from agents or from the author. Through real `git commit` with the hooks
installed, `check-commits` over real history, and the contribution log."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from taskgov.config import Config
from taskgov.policy.commits import CommitFacts, check_commit, human_approvals, same_person
from tests.conftest import GitRepo, spec_yaml

AI = "Co-Authored-By: Claude <noreply@anthropic.com>"
ME = "Test Person <test@example.com>"  # the fixture's git identity


def _commit(
    repo: GitRepo, message: str, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {
        k: v for k, v in os.environ.items() if k not in ("CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT")
    }
    full.update(env or {})
    return subprocess.run(
        ["git", "-C", str(repo.path), "commit", "--allow-empty", "-q", *extra, "-m", message],
        capture_output=True,
        text=True,
        env=full,
        check=False,
    )


@pytest.fixture
def governed(run, repo: GitRepo) -> GitRepo:  # type: ignore[no-untyped-def]
    assert run(repo.path, "init").code == 0
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002"),
            ".claude/decisions/DECISION-2026-01-23-001.yaml": "decision_id: x\n",
        }
    )
    assert run(repo.path, "hooks", "install").code == 0
    repo.commit("chore: adopt taskgov")
    return repo


def _guard(repo: GitRepo, section: str) -> None:
    repo.write({"docs/governance/policy.yaml": f"commits:\n{section}"})
    repo.commit("chore: guard paths")


@pytest.mark.parametrize(
    ("message", "suggestion"),
    [
        ("fix: x\n\nTask: TASK-2026-01", "did you mean TASK-2026-001?"),
        ("fix: x\n\nCloses: task-2026-002", "did you mean TASK-2026-002?"),
        ("fix: x\n\nTask: TASK-2026-001\nCloses: Task-2026-002", "did you mean TASK-2026-002?"),
        ("fix: x\n\nDecision: decision-2026-01-23-001", "did you mean DECISION-2026-01-23-001?"),
    ],
)
def test_ids_that_are_not_ids_are_refused_with_a_suggestion(
    governed: GitRepo, message: str, suggestion: str
) -> None:
    refused = _commit(governed, message)
    assert refused.returncode == 1, refused.stderr
    assert "TG204" in refused.stderr or "TG205" in refused.stderr
    assert suggestion in refused.stderr
    assert "Traceback" not in refused.stderr


def test_check_commits_catches_them_and_the_task_stays_open(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = governed.git("rev-parse", "HEAD").strip()
    for message in ("fix: a\n\nTask: TASK-2026-01", "fix: b\n\nCloses: task-2026-002"):
        assert _commit(governed, message, "--no-verify").returncode == 0
    result = run(governed.path, "check-commits", f"{base}..HEAD", "--json")
    assert result.code == 1
    data = result.json()
    assert data["checked"] == 2
    assert [v["rule"] for v in data["violations"]] == ["TG204", "TG204"]
    assert "did you mean TASK-2026-002?" in data["violations"][1]["message"]
    tasks = {t["id"]: t["status"] for t in run(governed.path, "list", "--json").json()["tasks"]}
    assert tasks["TASK-2026-002"] == "ready"


def test_foreign_closes_values_are_not_task_references(governed: GitRepo) -> None:
    message = "fix: x\n\nCloses: #13112\nCloses: https://lore.kernel.org/git/abc/\nCloses: GH-7"
    done = _commit(governed, message)
    assert done.returncode == 0, done.stderr


def test_any_task_value_does_not_satisfy_require_task(governed: GitRepo) -> None:
    _guard(governed, "  require_task: ['src/*']\n")
    governed.write({"src/a.py": "x = 1\n"})
    governed.git("add", "-A")
    refused = _commit(governed, "feat: code\n\nTask: whatever")
    assert refused.returncode == 1
    assert "TG204" in refused.stderr
    assert "'Task: whatever' is not a task id" in refused.stderr
    assert "TG206" in refused.stderr  # the guarded path still has no task
    assert _commit(governed, "feat: code\n\nTask: TASK-2026-001").returncode == 0


def test_decision_trailer_must_name_an_existing_record(governed: GitRepo) -> None:
    _guard(governed, "  require_decision: ['arch/*']\n")
    governed.write({"arch/x.md": "x\n"})
    governed.git("add", "-A")
    refused = _commit(governed, "docs: x\n\nDecision: because")
    assert "TG205" in refused.stderr
    assert "TG207" in refused.stderr
    assert _commit(governed, "docs: x\n\nDecision: DECISION-2026-01-23-001").returncode == 0


def test_control_characters_are_refused_and_never_logged_as_ids(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = governed.git("rev-parse", "HEAD").strip()
    message = "fix: x\n\nTask: TASK-2026-001\x1b[2K\x1b[1Afake"
    refused = _commit(governed, message)
    assert refused.returncode == 1
    assert "TG204" in refused.stderr
    assert "control characters" in refused.stderr
    assert "\x1b" not in refused.stderr  # shown escaped, never sent to the terminal
    assert _commit(governed, message, "--no-verify").returncode == 0
    result = run(governed.path, "check-commits", f"{base}..HEAD", "--json")
    assert [v["rule"] for v in result.json()["violations"]] == ["TG204"]
    assert run(governed.path, "log", "sync").code == 0
    records = [
        json.loads(line)
        for path in sorted((governed.path / ".claude/contributions").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    last = records[-1]
    assert last["task_id"] is None
    assert last["task_ids"] == []


def test_approval_counts_only_from_a_person_other_than_the_author(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _guard(governed, "  require_approval: ['infra/*']\n")
    governed.write({"infra/deploy.yaml": "x: 1\n"})
    governed.git("add", "-A")
    agent = _commit(governed, "chore: deploy\n\nApproved-by: Claude <noreply@anthropic.com>")
    assert agent.returncode == 1
    assert "TG208" in agent.stderr
    assert "'Claude <noreply@anthropic.com>' does not count: an AI agent" in agent.stderr
    own = _commit(
        governed,
        f"chore: deploy\n\n{AI}\nApproved-by: test person <TEST@Example.com>",
        env={"CLAUDECODE": "1"},
    )
    assert own.returncode == 1
    assert "the commit's author" in own.stderr
    other = _commit(governed, "chore: deploy\n\nReviewed-by: Lead Person <lead@example.com>")
    assert other.returncode == 0, other.stderr


def test_check_commits_and_the_log_judge_approvals_alike(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _guard(governed, "  require_approval: ['infra/*']\n")
    base = governed.git("rev-parse", "HEAD").strip()
    approvals = [
        "Approved-by: Claude <noreply@anthropic.com>",
        f"{AI}\nApproved-by: {ME}",
        "Approved-by: Lead Person <lead@example.com>",
    ]
    for number, trailer in enumerate(approvals):
        governed.write({f"infra/{number}.yaml": "x: 1\n"})
        governed.git("add", "-A")
        assert (
            _commit(governed, f"chore: deploy {number}\n\n{trailer}", "--no-verify").returncode == 0
        )
    result = run(governed.path, "check-commits", f"{base}..HEAD", "--json").json()
    assert result["checked"] == 3
    assert [v["rule"] for v in result["violations"]] == ["TG208", "TG208"]
    assert run(governed.path, "log", "sync").code == 0
    records = [
        json.loads(line)
        for path in sorted((governed.path / ".claude/contributions").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ][-3:]
    assert [(r["human_approved"], r["approver"]) for r in records] == [
        (False, None),
        (False, None),
        (True, "Lead Person"),
    ]


def test_check_commits_says_what_it_checked(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    one = run(governed.path, "check-commits", "HEAD")
    assert (one.code, one.out) == (0, "1 commit checked: ok\n")
    for n in range(2):
        governed.commit(f"docs: note {n}")
    many = run(governed.path, "check-commits", "HEAD")
    assert (many.code, many.out) == (0, "3 commits checked: ok\n")
    assert run(governed.path, "check-commits", "HEAD", "--json").json() == {
        "checked": 3,
        "violations": [],
    }
    assert _commit(governed, "fix: x\n\nTask: TASK-2026-404", "--no-verify").returncode == 0
    bad = run(governed.path, "check-commits", "HEAD~1..HEAD")
    assert bad.code == 1
    assert bad.out.splitlines()[-1] == "1 commit checked: 1 violation"


# Pure rules over in-memory values.


def _violations(message: str, author: str = ME, files: tuple[str, ...] = ()) -> list[str]:
    config = Config(root=Path("/nonexistent"), require_approval=("infra/*",))
    tasks = {"TASK-2026-001", "TASK-2026-010"}
    facts = CommitFacts(message, files, (), "0" * 40, author)
    found = check_commit(
        facts, config, tasks.__contains__, lambda _: False, lambda: tasks, lambda: ()
    )
    return [f"{v.rule} {v.message}" for v in found]


def test_rules_over_plain_values() -> None:
    assert _violations("x\n\nTask: TASK-2026-001") == []
    (short,) = _violations("x\n\nTask: TASK-2026-01")
    assert short.startswith("TG204 'Task: TASK-2026-01' is not a task id")
    assert "TASK-YYYY-NNN" in short
    (missing,) = _violations("x\n\nCloses: TASK-2026-404")
    assert "names no task" in missing
    (nul,) = _violations("x\n\nTask: TASK-2026-001\x00")
    assert "control characters" in nul
    assert "\\x00" in nul
    assert _violations("x\n\nApproved-by: Copilot <c@github.com>", files=("infra/a",))[
        0
    ].startswith("TG208")
    assert _violations("x\n\nApproved-by: Lead <l@x>", files=("infra/a",)) == []
    assert _violations("x\n\nApproved-by: Lead <l@x>", author="Lead <L@X>", files=("infra/a",))


def test_same_person_compares_emails_then_names() -> None:
    assert same_person("A <a@x.org>", "Someone Else <A@X.ORG>")
    assert not same_person("Ann <ann@x.org>", "Ann <ann@y.org>")
    assert same_person("Ann Lee", "ann lee <ann@x.org>")
    assert not same_person("", "Ann <ann@x.org>")
    trailers = [("Approved-by", "Claude <noreply@anthropic.com>"), ("Reviewed-by", "Bo <b@x>")]
    assert human_approvals(trailers, ME, ("Claude",)) == ["Bo <b@x>"]
