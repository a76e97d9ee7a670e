"""Trailers say what users mean: ids that are not ids, ids in the wrong case, control
characters, approvals from agents or from the author. Through real `git commit` with the hooks
installed, `check-commits` over real history, and the contribution log."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from taskgov.config import Config
from taskgov.policy.commits import CommitFacts, check_commit, human_approvals, same_person
from tests.conftest import GitRepo, spec_yaml
from tests.test_hooks import _commit as hook_commit
from tests.test_hooks import governed  # noqa: F401  (the fixture `planned` extends)
from tests.test_log import _records

AI = "Co-Authored-By: Claude <noreply@anthropic.com>"
ME = "Test Person <test@example.com>"  # the fixture's git identity


def _commit(
    repo: GitRepo, message: str, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return hook_commit(repo, message, env, extra=extra)


@pytest.fixture
def planned(governed: GitRepo) -> GitRepo:  # noqa: F811
    """test_hooks' repository (hooks installed, TASK-2026-001, one decision) and a second task."""
    governed.commit(
        "chore: plan", {"docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002")}
    )
    return governed


def _guard(repo: GitRepo, section: str, staged: str) -> None:
    """Guard paths with the policy's ``commits:`` ``section``, then stage a file under one."""
    repo.write({"docs/governance/policy.yaml": f"commits:\n{section}"})
    repo.commit("chore: guard paths")
    repo.write({staged: "x: 1\n"})
    repo.git("add", "-A")


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
    planned: GitRepo, message: str, suggestion: str
) -> None:
    refused = _commit(planned, message)
    assert refused.returncode == 1, refused.stderr
    assert "TG204" in refused.stderr or "TG205" in refused.stderr
    assert suggestion in refused.stderr
    assert "Traceback" not in refused.stderr


def test_check_commits_catches_them_and_the_task_stays_open(run, planned: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = planned.git("rev-parse", "HEAD").strip()
    for message in ("fix: a\n\nTask: TASK-2026-01", "fix: b\n\nCloses: task-2026-002"):
        assert _commit(planned, message, "--no-verify").returncode == 0
    result = run(planned.path, "check-commits", f"{base}..HEAD", "--json")
    assert result.code == 1
    data = result.json()
    assert data["checked"] == 2
    assert [v["rule"] for v in data["violations"]] == ["TG204", "TG204"]
    assert "did you mean TASK-2026-002?" in data["violations"][1]["message"]
    tasks = {t["id"]: t["status"] for t in run(planned.path, "list", "--json").json()["tasks"]}
    assert tasks["TASK-2026-002"] == "ready"


def test_foreign_closes_values_are_not_task_references(planned: GitRepo) -> None:
    message = "fix: x\n\nCloses: #13112\nCloses: https://lore.kernel.org/git/abc/\nCloses: GH-7"
    done = _commit(planned, message)
    assert done.returncode == 0, done.stderr


def test_any_task_value_does_not_satisfy_require_task(planned: GitRepo) -> None:
    _guard(planned, "  require_task: ['src/*']\n", "src/a.py")
    refused = _commit(planned, "feat: code\n\nTask: whatever")
    assert refused.returncode == 1
    assert "TG204" in refused.stderr
    assert "'Task: whatever' is not a task id" in refused.stderr
    assert "TG206" in refused.stderr  # the guarded path still has no task
    assert _commit(planned, "feat: code\n\nTask: TASK-2026-001").returncode == 0


def test_decision_trailer_must_name_an_existing_record(planned: GitRepo) -> None:
    _guard(planned, "  require_decision: ['arch/*']\n", "arch/x.md")
    refused = _commit(planned, "docs: x\n\nDecision: because")
    assert "TG205" in refused.stderr
    assert "TG207" in refused.stderr
    assert _commit(planned, "docs: x\n\nDecision: DECISION-2026-01-23-001").returncode == 0


def test_control_characters_are_refused_and_never_logged_as_ids(run, planned: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = planned.git("rev-parse", "HEAD").strip()
    message = "fix: x\n\nTask: TASK-2026-001\x1b[2K\x1b[1Afake"
    refused = _commit(planned, message)
    assert refused.returncode == 1
    assert "TG204" in refused.stderr
    assert "control characters" in refused.stderr
    assert "\x1b" not in refused.stderr  # shown escaped, never sent to the terminal
    assert _commit(planned, message, "--no-verify").returncode == 0
    result = run(planned.path, "check-commits", f"{base}..HEAD", "--json")
    assert [v["rule"] for v in result.json()["violations"]] == ["TG204"]
    assert run(planned.path, "log", "sync").code == 0
    last = _records(planned)[-1]
    assert last["task_id"] is None
    assert last["task_ids"] == []


def test_approval_counts_only_from_a_person_other_than_the_author(run, planned: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _guard(planned, "  require_approval: ['infra/*']\n", "infra/deploy.yaml")
    agent = _commit(planned, "chore: deploy\n\nApproved-by: Claude <noreply@anthropic.com>")
    assert agent.returncode == 1
    assert "TG208" in agent.stderr
    assert "'Claude <noreply@anthropic.com>' does not count: an AI agent" in agent.stderr
    own = _commit(
        planned,
        f"chore: deploy\n\n{AI}\nApproved-by: test person <TEST@Example.com>",
        env={"CLAUDECODE": "1"},
    )
    assert own.returncode == 1
    assert "the commit's author" in own.stderr
    other = _commit(planned, "chore: deploy\n\nReviewed-by: Lead Person <lead@example.com>")
    assert other.returncode == 0, other.stderr


def test_check_commits_and_the_log_judge_approvals_alike(run, planned: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _guard(planned, "  require_approval: ['infra/*']\n", "infra/first.yaml")
    base = planned.git("rev-parse", "HEAD").strip()
    approvals = [
        "Approved-by: Claude <noreply@anthropic.com>",
        f"{AI}\nApproved-by: {ME}",
        "Approved-by: Lead Person <lead@example.com>",
    ]
    for number, trailer in enumerate(approvals):
        planned.write({f"infra/{number}.yaml": "x: 1\n"})
        planned.git("add", "-A")
        assert (
            _commit(planned, f"chore: deploy {number}\n\n{trailer}", "--no-verify").returncode == 0
        )
    result = run(planned.path, "check-commits", f"{base}..HEAD", "--json").json()
    assert result["checked"] == 3
    assert [v["rule"] for v in result["violations"]] == ["TG208", "TG208"]
    assert run(planned.path, "log", "sync").code == 0
    records = _records(planned)[-3:]
    assert [(r["human_approved"], r["approver"]) for r in records] == [
        (False, None),
        (False, None),
        (True, "Lead Person"),
    ]


def test_check_commits_says_what_it_checked(run, planned: GitRepo) -> None:  # type: ignore[no-untyped-def]
    one = run(planned.path, "check-commits", "HEAD~1..HEAD")
    assert (one.code, one.out) == (0, "1 commit checked: ok\n")
    for n in range(2):
        planned.commit(f"docs: note {n}")
    many = run(planned.path, "check-commits", "HEAD")
    assert (many.code, many.out) == (0, "4 commits checked: ok\n")
    assert run(planned.path, "check-commits", "HEAD", "--json").json() == {
        "checked": 4,
        "violations": [],
    }
    assert _commit(planned, "fix: x\n\nTask: TASK-2026-404", "--no-verify").returncode == 0
    bad = run(planned.path, "check-commits", "HEAD~1..HEAD")
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
    (bidi,) = _violations("x\n\nTask: TASK-2026-\u202e100")  # reads as another id
    assert "control characters" in bidi
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
