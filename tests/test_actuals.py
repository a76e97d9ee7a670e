"""Actuals from history and calibrated forecasts, on real git histories.

The generated repository (bench/gen_history.py) has a known truth: a person who takes 1.0x her
estimates and an agent that takes 1.6x, with log-normal noise; each task's true effort is what
commit sessions must recover. The backtest plans as of the commit after which 60% of the tasks
were done and checks the calibrated P80 against what the other 40% really took.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT, GitRepo, spec_yaml

sys.path.insert(0, str(PROJECT / "bench"))
from gen_history import Truth, build


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    path = tmp_path_factory.mktemp("history") / "repo"
    return path, build(path, tasks=400, seed=7)


def _json(run: Any, path: Path, *args: str) -> dict[str, Any]:
    result = run(path, *args, "--json")
    assert result.code == 0, result.err
    data: dict[str, Any] = result.json()
    return data


def _group(data: dict[str, Any], by: str, name: str) -> dict[str, Any]:
    found = [g for g in data["groups"] if g["by"] == by and g["name"] == name]
    assert len(found) == 1, data["groups"]
    return found[0]


def test_recovered_ratios_match_the_true_overrun_within_10_percent(
    generated: tuple[Path, Truth], run: Any
) -> None:
    path, _truth = generated
    data = _json(run, path, "actuals")
    assert len(data["tasks"]) == 400
    agent = _group(data, "agent", "Claude")
    person = _group(data, "assignee", "alice")
    assert agent["count"] == 200
    assert person["count"] == 200
    assert agent["median_ratio"] == pytest.approx(1.6, rel=0.10)
    assert person["median_ratio"] == pytest.approx(1.0, rel=0.10)
    # The estimates' own P80 covers the person far more often than the agent.
    assert person["p80_coverage"] > 0.5
    assert agent["p80_coverage"] < 0.2
    low, high = agent["spread"]
    assert low < agent["median_ratio"] < high


def test_each_task_effort_is_its_commit_sessions(generated: tuple[Path, Truth], run: Any) -> None:
    path, truth = generated
    data = _json(run, path, "actuals")
    for task in data["tasks"]:
        assert task["effort_hours"] == pytest.approx(truth.efforts[task["id"]], abs=0.01)
        assert task["ratio"] == pytest.approx(
            truth.efforts[task["id"]] / truth.estimates[task["id"]], abs=0.01
        )
        assert task["estimate_source"] == "classification.estimated_effort"
        assert task["elapsed_hours"] == pytest.approx(task["effort_hours"] - 0.5, abs=0.01)


def test_sources_are_named_trailers_and_prose(generated: tuple[Path, Truth], run: Any) -> None:
    path, _ = generated
    tasks = {t["id"]: t for t in _json(run, path, "actuals")["tasks"]}
    closed = tasks["TASK-2026-001"]["sources"]
    assert closed["finished"].startswith("Closes: trailer (")
    assert closed["started"].startswith("first commit naming it, Task: trailer (")
    prose = tasks["TASK-2026-004"]["sources"]  # every fourth task says it only in prose
    assert prose["finished"].startswith("commit message (")
    assert "prose" in prose["started"]
    assert "prose" in prose["effort"]
    assert tasks["TASK-2026-002"]["agents"] == ["Claude"]
    assert tasks["TASK-2026-002"]["people"] == ["Bob Example"]
    assert tasks["TASK-2026-001"]["agents"] == []


def _coverage(plan: dict[str, Any], truth: Truth) -> float:
    tasks = {t["id"]: t for t in plan["tasks"]}
    assert set(truth.held_out) <= set(tasks)  # as of then, they were all still to do
    covered = [truth.efforts[i] <= tasks[i]["p80"] for i in truth.held_out]
    return sum(covered) / len(covered)


def test_calibrated_p80_covers_80_percent_of_held_out_tasks(
    generated: tuple[Path, Truth], run: Any
) -> None:
    path, truth = generated
    calibrated = _json(run, path, "plan", "--as-of", truth.as_of, "--calibrate")
    plain = _json(run, path, "plan", "--as-of", truth.as_of, "--no-calibrate")
    assert calibrated["as_of"]["commit"] == truth.as_of
    assert calibrated["calibration"]["calibrated"] is True
    assert plain["calibration"]["calibrated"] is False
    assert 0.73 <= _coverage(calibrated, truth) <= 0.87
    assert _coverage(plain, truth) < 0.5
    classes = {c["class"]: c for c in calibrated["calibration"]["classes"]}
    assert classes["assignee Claude"]["median_ratio"] == pytest.approx(1.6, rel=0.10)
    assert classes["assignee alice"]["median_ratio"] == pytest.approx(1.0, rel=0.10)
    # Only what was finished by then is history: the held-out tasks are not in it.
    assert sum(c["history"] for c in classes.values()) == 400 - len(truth.held_out)
    # Corrected means: the agent's remaining work is planned longer than its estimates say.
    agent_task = next(i for i in truth.held_out if truth.workers[i] == "Claude")
    row = next(t for t in calibrated["tasks"] if t["id"] == agent_task)
    assert row["expected"] > truth.estimates[agent_task] * 1.4
    assert calibrated["estimates"]["p50"] > plain["estimates"]["p50"]


def test_plan_calibrates_by_itself_above_the_threshold(
    generated: tuple[Path, Truth], run: Any
) -> None:
    path, truth = generated
    data = _json(run, path, "plan", "--as-of", truth.as_of)
    assert data["calibration"]["calibrated"] is True
    assert "estimates.calibration.auto_after: 10" in data["calibration"]["why"]
    text = run(path, "plan", "--as-of", truth.as_of)
    assert "calibrated on history:" in text.out
    assert "  assignee Claude: x1.6" in text.out


def _small(repo: GitRepo, policy: str = "") -> None:
    files: dict[str, str | bytes] = {
        "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", effort="4h"),
        "docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002", effort="2h"),
    }
    if policy:
        files["docs/governance/policy.yaml"] = policy
    repo.commit("docs(tasks): the plan", files)


def test_few_finished_tasks_plan_uncalibrated_and_says_why(repo: GitRepo, run: Any) -> None:
    _small(repo)
    data = _json(run, repo.path, "plan")
    assert data["calibration"]["calibrated"] is False
    assert "0 finished tasks" in data["calibration"]["why"]
    assert "--calibrate" in data["calibration"]["why"]
    forced = _json(run, repo.path, "plan", "--calibrate")
    assert forced["calibration"]["calibrated"] is False
    assert "0 finished tasks with actuals: actuals need" in forced["calibration"]["why"]
    # Single numbers still get the default spread: never P50 = P95.
    assert forced["estimates"]["p50"] < forced["estimates"]["p95"]
    assert forced["single_point_spread"]["applied_to"] == ["TASK-2026-001", "TASK-2026-002"]


def _commit_at(repo: GitRepo, when: str, message: str, name: str = "Dana") -> None:
    env = {
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": f"{name.lower()}@example.com",
    }
    import os

    subprocess.run(
        ["git", "-C", str(repo.path), "commit", "-q", "--allow-empty", "-m", message],
        check=True,
        env={**os.environ, **env},
    )


def test_a_repository_naming_tasks_only_in_prose_gets_actuals(repo: GitRepo, run: Any) -> None:
    ids = ["TASK-2026-003", "TASK-2026-007", "TASK-2026-010", "TASK-2026-011"]
    repo.commit(
        "docs(tasks): the plan",
        {f"docs/tasks/active/{i}.yaml": spec_yaml(i, status="completed", effort="3h") for i in ids},
    )
    _commit_at(repo, "2026-03-02T09:30:00Z", "Implements TASK-2026-007: the parser")
    _commit_at(repo, "2026-03-02T10:30:00Z", "parser: tests (TASK-2026-007)")
    _commit_at(repo, "2026-03-02T11:00:00Z", "Complete TASK-2026-007: parser done")
    _commit_at(repo, "2026-03-03T09:00:00Z", "fixes task-2026-003 by retrying")  # case
    _commit_at(repo, "2026-03-04T09:00:00Z", "TASK-2026-010: calibration CLI")
    _commit_at(repo, "2026-03-04T12:00:00Z", "Complete TASK-2026-010: calibration CLI")
    _commit_at(repo, "2026-03-05T09:00:00Z", "Mentioning TASK-2026-011 in passing")
    data = _json(run, repo.path, "actuals")
    tasks = {t["id"]: t for t in data["tasks"]}
    seven = tasks["TASK-2026-007"]
    assert seven["commits"] == 3
    assert seven["sessions"] == 1
    assert seven["effort_hours"] == pytest.approx(2 + 1.5)  # first commit 2h, then 1.5h
    assert seven["elapsed_hours"] == pytest.approx(1.5)
    assert seven["sources"]["finished"].startswith("commit message (")
    assert seven["started"].startswith("2026-03-02T09:30:00")
    assert tasks["TASK-2026-003"]["effort_hours"] == pytest.approx(2)
    # Two commits three hours apart: two sessions.
    assert tasks["TASK-2026-010"]["sessions"] == 2
    assert tasks["TASK-2026-010"]["effort_hours"] == pytest.approx(4)
    # "Mentioning X in passing" matches no pattern: no effort, and it says so.
    assert tasks["TASK-2026-011"]["effort_hours"] is None
    assert data["without_effort"] == ["TASK-2026-011"]
    text = run(repo.path, "actuals")
    assert "no commit names TASK-2026-011" in text.err


def test_mention_patterns_and_sessions_come_from_the_policy(repo: GitRepo, run: Any) -> None:
    policy = (
        "version: 1\n"
        "estimates:\n"
        "  actuals:\n"
        "    session_gap: 30m\n"
        "    first_commit: 1h\n"
        "    work_mentions: ['hacking on {id}']\n"
        "    finish_mentions: ['shipped {id}']\n"
    )
    repo.commit(
        "docs(tasks): the plan",
        {
            "docs/governance/policy.yaml": policy,
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", status="completed"),
        },
    )
    _commit_at(repo, "2026-03-02T09:00:00Z", "hacking on TASK-2026-001")
    _commit_at(repo, "2026-03-02T09:20:00Z", "Implements TASK-2026-001")  # not a pattern now
    _commit_at(repo, "2026-03-02T09:40:00Z", "shipped TASK-2026-001")
    task = _json(run, repo.path, "actuals")["tasks"][0]
    # 09:00 opens a session (1h); 09:40 is 40 min later, past the 30m gap: another (1h).
    assert task["commits"] == 2
    assert task["sessions"] == 2
    assert task["effort_hours"] == pytest.approx(2)
    assert task["sources"]["finished"].startswith("commit message (")


def test_trailers_merges_and_several_authors(repo: GitRepo, run: Any) -> None:
    _small(repo)
    _commit_at(repo, "2026-03-02T09:00:00Z", "feat: a\n\nTask: TASK-2026-001", name="Ann")
    _commit_at(repo, "2026-03-02T09:00:00Z", "feat: b\n\nTask: TASK-2026-001", name="Ben")
    _commit_at(repo, "2026-03-02T10:00:00Z", "feat: c\n\nCloses: TASK-2026-001", name="Ben")
    data = _json(run, repo.path, "actuals")
    task = data["tasks"][0]
    # Ann: one session (2h); Ben: 2h + 1h. Person-hours add up.
    assert task["effort_hours"] == pytest.approx(5)
    assert task["people"] == ["Ann", "Ben"]
    assert task["ratio"] == pytest.approx(5 / 4)


def test_spec_dates_without_commits(repo: GitRepo, run: Any) -> None:
    extra = '  started_at: "2026-03-01T09:00:00Z"\n  completed_at: "2026-03-01T15:00:00Z"\n'
    text = spec_yaml("TASK-2026-001", status="completed") + ""
    text = text.replace('  status: "completed"\n', '  status: "completed"\n' + extra)
    repo.commit("docs(tasks): the plan", {"docs/tasks/active/TASK-2026-001.yaml": text})
    task = _json(run, repo.path, "actuals")["tasks"][0]
    assert task["elapsed_hours"] == pytest.approx(6)
    assert task["sources"] == {
        "finished": "spec state.completed_at",
        "started": "spec state.started_at",
    }
    assert task["effort_hours"] is None
    assert task["ratio"] is None


def test_no_commits_and_no_finished_tasks(repo: GitRepo, run: Any) -> None:
    (repo.path / "docs/tasks/active/TASK-2026-001.yaml").write_text(spec_yaml("TASK-2026-001"))
    assert _json(run, repo.path, "actuals")["tasks"] == []
    text = run(repo.path, "actuals")
    assert text.code == 0
    assert "no finished tasks yet" in text.out
    assert run(repo.path, "plan").code == 0


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("    work_mentions: ['implements']\n", "has no {id}"),
        ("    finish_mentions: ['(shipped {id}']\n", "is not a regular expression"),
        ("    session_gap: soon\n", "cannot read 'soon' as a duration"),
    ],
)
def test_bad_actuals_settings_are_refused(
    repo: GitRepo, run: Any, setting: str, message: str
) -> None:
    _small(repo, "version: 1\nestimates:\n  actuals:\n" + setting)
    result = run(repo.path, "actuals")
    assert result.code == 2
    assert "docs/governance/policy.yaml" in result.err
    assert message in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_as_of_an_unknown_commit_is_refused(repo: GitRepo, run: Any) -> None:
    _small(repo)
    result = run(repo.path, "plan", "--as-of", "no-such-rev")
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        f"taskgov: error: --as-of no-such-rev: no such commit in {repo.path.resolve()}"
    ]


def test_library_api(generated: tuple[Path, Truth]) -> None:
    import taskgov

    path, truth = generated
    repo = taskgov.load_repo(path)
    states = taskgov.derive_states(repo, taskgov.read_activity(repo.root, "main"))
    actuals = taskgov.actuals_of(repo, states, "HEAD")
    assert len(actuals.with_ratio()) == 400
    assert {(g.by, g.name) for g in actuals.groups} >= {("agent", "Claude"), ("type", "bugfix")}
    # Everything is finished at HEAD: nothing to calibrate, and no history read for it.
    done = taskgov.forecast(repo, states, taskgov.PlanOptions(), revision="HEAD")
    assert done["calibration"]["why"] == "nothing left to plan"
    then = taskgov.plan_as_of(repo, truth.as_of, taskgov.PlanOptions(samples=500), calibrate=True)
    assert then["calibration"]["calibrated"] is True
    assert then["as_of"]["commit"] == truth.as_of


def test_a_move_into_completed_and_assisted_by(repo: GitRepo, run: Any) -> None:
    _small(repo)
    (repo.path / "docs/tasks/completed").mkdir(parents=True)
    _commit_at(
        repo,
        "2026-03-02T09:00:00Z",
        "Implements TASK-2026-002\n\nAssisted-by: Copilot",
        name="Ann",
    )
    done = spec_yaml("TASK-2026-002", status="completed", effort="2h")
    (repo.path / "docs/tasks/active/TASK-2026-002.yaml").write_text(done)
    repo.git("mv", "docs/tasks/active/TASK-2026-002.yaml", "docs/tasks/completed/")
    import os

    when = {"GIT_AUTHOR_DATE": "2026-03-02T11:30:00Z", "GIT_COMMITTER_DATE": "2026-03-02T11:30:00Z"}
    subprocess.run(
        ["git", "-C", str(repo.path), "commit", "-qam", "docs(tasks): archive"],
        check=True,
        env={**os.environ, **when},
    )
    task = _json(run, repo.path, "actuals")["tasks"][0]
    assert task["id"] == "TASK-2026-002"
    assert task["sources"]["finished"].startswith("moved into completed/ (")
    assert task["finished"].startswith("2026-03-02T11:30:00")
    assert task["elapsed_hours"] == pytest.approx(2.5)
    assert task["agents"] == ["Copilot"]
    assert task["people"] == ["Ann"]
    groups = {(g["by"], g["name"]) for g in _json(run, repo.path, "actuals")["groups"]}
    assert ("agent", "Copilot") in groups


def test_the_commit_recording_done_counts_and_later_work_does_not(repo: GitRepo, run: Any) -> None:
    extra = '  started_at: "2026-03-02T08:30:00Z"\n  completed_at: "2026-03-02T10:00:00Z"\n'
    text = spec_yaml("TASK-2026-001", status="completed").replace(
        '  status: "completed"\n', '  status: "completed"\n' + extra
    )
    repo.commit("docs(tasks): the plan", {"docs/tasks/active/TASK-2026-001.yaml": text})
    _commit_at(repo, "2026-03-02T09:00:00Z", "feat: a\n\nTask: TASK-2026-001")
    _commit_at(repo, "2026-03-02T10:10:00Z", "Complete TASK-2026-001")  # after `taskgov done`
    _commit_at(repo, "2026-03-09T10:00:00Z", "fixes TASK-2026-001 again")  # a week later
    task = _json(run, repo.path, "actuals")["tasks"][0]
    assert task["sources"]["finished"] == "spec state.completed_at"
    assert task["commits"] == 2
    assert task["effort_hours"] == pytest.approx(2 + 70 / 60, abs=0.01)
    assert task["elapsed_hours"] == pytest.approx(1.5)


def test_simulate_draws_the_calibrated_durations(tmp_path: Path, run: Any) -> None:
    path = tmp_path / "repo"
    build(path, tasks=60, seed=3)
    open_spec = spec_yaml("TASK-2026-900", effort="10h", extra="ownership:\n  assignee: Claude\n")
    GitRepo(path).commit(
        "docs(tasks): one more", {"docs/tasks/active/TASK-2026-900.yaml": open_spec}
    )
    plain = _json(run, path, "simulate", "--workers", "1", "--no-calibrate")
    calibrated = _json(run, path, "simulate", "--workers", "1", "--calibrate")
    assert plain["calibration"]["calibrated"] is False
    assert calibrated["calibration"]["calibrated"] is True
    assert plain["work"]["mean"] == pytest.approx(10, rel=0.05)
    assert calibrated["work"]["mean"] == pytest.approx(16, rel=0.10)


def _specs(repo: GitRepo, ids: list[str], policy: str = "", **fields: str) -> None:
    files: dict[str, str | bytes] = {
        f"docs/tasks/active/{i}.yaml": spec_yaml(i, status="completed", **fields) for i in ids
    }
    if policy:
        files["docs/governance/policy.yaml"] = policy
    repo.commit("docs(tasks): the plan", files)


def test_patterns_with_inline_flags_groups_and_backreferences(repo: GitRepo, run: Any) -> None:
    policy = (
        "version: 1\nestimates:\n  actuals:\n"
        "    finish_mentions: ['(?i)shipped {id}', '(?P<verb>landed) {id}', '(x)\\1 {id}']\n"
    )
    _specs(repo, ["TASK-2026-001", "TASK-2026-002", "TASK-2026-003"], policy)
    _commit_at(repo, "2026-03-02T09:00:00Z", "SHIPPED TASK-2026-001")
    _commit_at(repo, "2026-03-02T09:10:00Z", "landed TASK-2026-002")
    _commit_at(repo, "2026-03-02T09:20:00Z", "xx TASK-2026-003")
    tasks = {t["id"]: t for t in _json(run, repo.path, "actuals")["tasks"]}
    for task_id in tasks:
        assert tasks[task_id]["sources"]["finished"].startswith("commit message ("), task_id
    assert run(repo.path, "plan", "--calibrate").code == 0


def test_ids_end_where_the_id_ends_and_lists_name_each(repo: GitRepo, run: Any) -> None:
    ids = ["TASK-2026-010", "TASK-2026-011", "TASK-2026-012", "TASK-2026-013"]
    _specs(repo, ids)
    _commit_at(repo, "2026-03-02T09:00:00Z", "fixes TASK-2026-010x and TASK-2026-010-followup")
    _commit_at(repo, "2026-03-02T09:00:01Z", "fixes TASK-2026-010_old")
    _commit_at(repo, "2026-03-02T10:00:00Z", "fixes TASK-2026-011, TASK-2026-012 and TASK-2026-013")
    _commit_at(repo, "2026-03-03T10:00:00Z", 'Revert "fixes TASK-2026-013"')
    tasks = {t["id"]: t for t in _json(run, repo.path, "actuals")["tasks"]}
    assert tasks["TASK-2026-010"]["commits"] == 0
    for task_id in ("TASK-2026-011", "TASK-2026-012"):
        assert tasks[task_id]["commits"] == 1
        assert tasks[task_id]["sources"]["finished"].startswith("commit message (")
    # The revert quotes the message: it does not finish the task (nor, a day after the
    # finish, count as its work).
    assert tasks["TASK-2026-013"]["commits"] == 1
    assert tasks["TASK-2026-013"]["finished"].startswith("2026-03-02T10:00:00")


def test_a_fixed_width_id_pattern_is_not_matched_inside_a_longer_id(
    repo: GitRepo, run: Any
) -> None:
    policy = "version: 1\ntasks:\n  id_pattern: '^TASK-\\d{4}-\\d{3}$'\n"
    _specs(repo, ["TASK-2026-010"], policy)
    _commit_at(repo, "2026-03-02T09:00:00Z", "fixes TASK-2026-0101")
    _commit_at(repo, "2026-03-02T09:30:00Z", "feat: x\n\nTask: task-2026-010")  # case
    task = _json(run, repo.path, "actuals")["tasks"][0]
    assert task["commits"] == 1
    assert "Task: trailer" in task["sources"]["started"]


def test_a_bare_spec_date_is_the_whole_day(repo: GitRepo, run: Any) -> None:
    extra = "  started_at: 2026-03-08\n  completed_at: 2026-03-08\n"
    text = spec_yaml("TASK-2026-006", status="completed").replace(
        '  status: "completed"\n', '  status: "completed"\n' + extra
    )
    repo.commit("docs(tasks): the plan", {"docs/tasks/active/TASK-2026-006.yaml": text})
    for when in ("09:00", "10:00", "11:00", "12:30"):
        _commit_at(repo, f"2026-03-08T{when}:00+02:00", "feat: x\n\nTask: TASK-2026-006")
    task = _json(run, repo.path, "actuals")["tasks"][0]
    assert task["commits"] == 4
    assert task["effort_hours"] == pytest.approx(2 + 1 + 1 + 1.5)
    assert task["finished"] == "2026-03-08T23:59:59+00:00"
    assert "a date" in task["sources"]["finished"]


def test_plan_as_of_reports_that_commits_problems(repo: GitRepo, run: Any) -> None:
    _small(repo)
    old = repo.git("rev-parse", "HEAD").strip()
    repo.commit("break it", {"docs/tasks/active/TASK-2026-002.yaml": "task_id: [\n"})
    now = run(repo.path, "plan", "--json")
    then = run(repo.path, "plan", "--as-of", old, "--json")
    assert [p["path"] for p in now.json()["problems"]] == ["docs/tasks/active/TASK-2026-002.yaml"]  # type: ignore[index]
    assert then.json()["problems"] == []  # type: ignore[index]
    assert "could not" not in run(repo.path, "plan", "--as-of", old).err


def test_zero_estimates_and_non_integer_thresholds(repo: GitRepo, run: Any) -> None:
    _specs(repo, ["TASK-2026-001"], effort="0h")
    _commit_at(repo, "2026-03-02T09:00:00Z", "feat: x\n\nCloses: TASK-2026-001")
    data = _json(run, repo.path, "actuals")
    assert data["without_estimate"] == ["TASK-2026-001"]
    assert data["groups"] == []
    policy = "version: 1\nestimates:\n  calibration:\n    auto_after: true\n"
    repo.commit("policy", {"docs/governance/policy.yaml": policy})
    result = run(repo.path, "plan")
    assert result.code == 2
    assert "estimates.calibration.auto_after" in result.err


def test_the_cached_history_grows_by_the_new_commits_only(repo: GitRepo, run: Any) -> None:
    _specs(repo, ["TASK-2026-001", "TASK-2026-002"])
    _commit_at(repo, "2026-03-02T09:00:00Z", "feat: a\n\nTask: TASK-2026-001")
    first = _json(run, repo.path, "actuals")
    _commit_at(repo, "2026-03-02T10:00:00Z", "feat: b\n\nCloses: TASK-2026-001")
    _commit_at(repo, "2026-03-02T11:00:00Z", "Complete TASK-2026-002")
    grown = _json(run, repo.path, "actuals")  # from the cache, extended by two commits
    cache = repo.path / ".git" / "taskgov" / "history.cache"
    assert cache.is_file()
    cache.unlink()
    assert grown == _json(run, repo.path, "actuals")  # the same as read from scratch
    assert grown != first
    # History rewritten (the cached commit is no ancestor any more): read again in full.
    repo.git("reset", "-q", "--hard", "HEAD~2")
    _commit_at(repo, "2026-03-02T12:00:00Z", "feat: c\n\nCloses: TASK-2026-001")
    rewritten = _json(run, repo.path, "actuals")
    cache.unlink()
    assert rewritten == _json(run, repo.path, "actuals")
    assert [t["id"] for t in rewritten["tasks"]] == ["TASK-2026-001", "TASK-2026-002"]
    assert rewritten["tasks"][0]["finished"].startswith("2026-03-02T12:00:00")
