"""Bounded cost and bounded values: huge commit messages are checked in linear time, absurd
estimates and timestamps are errors, not internal failures or plans of absurd hours."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from taskgov.git.trailers import format_trailers, parse_trailers
from taskgov.policy.commits import is_agent
from taskgov.policy.references import SUGGESTIONS, check_references
from taskgov.spec.effort import MAX_HOURS, EffortError, EffortRangeError, parse_effort
from tests.conftest import GitRepo, Result, spec_yaml

PATTERN = r"^TASK-\d{4}-\d{3,}$"


def git_parse(message: str) -> str:
    done = subprocess.run(
        ["git", "interpret-trailers", "--parse"],
        input=message.encode(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    return done.stdout.decode()


def cpu(action: Callable[[], object]) -> float:
    """CPU seconds of ``action``: unlike wall time, not inflated by other work on the machine."""
    started = time.process_time()
    action()
    return time.process_time() - started


LINES = 200_000
HUGE = {
    "continuation lines": "Fix it\n\nKey: v\n" + "".join(f" cont {i}\n" for i in range(LINES)),
    "trailer lines": "Fix it\n\n" + "".join(f"Key-{i}: value {i}\n" for i in range(LINES)),
    "one long line": "Fix it\n\n" + "x" * (LINES * 30) + "\nTask: TASK-2026-001\n",
    "blank lines": "Fix it\n" + "\n" * LINES + "Task: TASK-2026-001\n",
    "comment lines": "Fix it\n\nTask: T-1\n" + "".join(f"# note {i}\n" for i in range(LINES)),
    "a long --- section": "Fix it\n\nTask: T-1\n---\n" + "".join(f"d {i}\n" for i in range(LINES)),
    "tab lines after Conflicts:": "Fix it\n\nTask: T-1\n\nConflicts:\n" + "\tf.c\n" * LINES,
}


@pytest.mark.parametrize("shape", sorted(HUGE))
def test_a_huge_message_parses_as_git_parses_it_in_linear_time(shape: str) -> None:
    message = HUGE[shape]
    trailers: list[tuple[str, str]] = []
    seconds = cpu(lambda: trailers.extend(parse_trailers(message)))
    assert format_trailers(trailers) == git_parse(message)
    # 200,000 continuation lines took 13 s when each was appended to a growing string.
    assert seconds < 3, f"{seconds:.1f} s for {LINES:,} lines"


def test_the_commit_msg_check_of_a_400000_line_message_is_linear(repo: GitRepo) -> None:
    from taskgov.hooks.run import check_message
    from taskgov.policy.load import load_config

    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    people = "".join(f"Co-Authored-By: Person {i} <p{i}@example.com>\n" for i in range(200_000))
    folded = "Refs: x\n" + " more\n" * 100_000
    message = "Fix it\n\n" + people + folded + "Task: TASK-2026-001\n" * 100_000
    config = load_config(repo.path)
    found: list[object] = []
    seconds = cpu(lambda: found.extend(check_message(message, config, files=(), environ={})))
    assert found == []
    # 400,000 lines took 10.8 s: a regex compiled per co-author, four stats per Task: line, a
    # continuation block copied once per line.
    assert seconds < 6, f"{seconds:.1f} s"


def test_each_distinct_reference_is_judged_and_reported_once() -> None:
    asked: list[str] = []

    def exists(task_id: str) -> bool:
        asked.append(task_id)
        return task_id == "TASK-2026-001"

    trailers = [("Task", "TASK-2026-001")] * 10_000 + [("Task", "TASK-2026-999")] * 10_000
    found = check_references(
        trailers, ("task",), "task", PATTERN, "TASK-YYYY-NNN", exists, lambda: ["TASK-2026-001"]
    )
    assert asked == ["TASK-2026-001", "TASK-2026-999"]
    assert found.problems == ["'Task: TASK-2026-999' names no task; did you mean TASK-2026-001?"]
    assert len(found.valid) == 10_000


def test_did_you_mean_costs_a_bounded_number_of_similarity_passes() -> None:
    known = [f"TASK-2026-{n:04d}" for n in range(2_000)]
    wrong = [("Task", f"TASK-2026-{n:04d}x") for n in range(3_000)]
    late_case = ("Task", "task-2026-1999")
    calls = []

    def listing() -> list[str]:
        calls.append(1)
        return known

    found: list[str] = []
    seconds = cpu(
        lambda: found.extend(
            check_references(
                [*wrong, late_case],
                ("task",),
                "task",
                PATTERN,
                "TASK-YYYY-NNN",
                set(known).__contains__,
                listing,
            ).problems
        )
    )
    assert calls == [1]
    assert len(found) == 3_001
    assert found[0].endswith("did you mean TASK-2026-0000?")
    assert sum("did you mean" in p for p in found[:-1]) == SUGGESTIONS
    assert found[-1].endswith("did you mean TASK-2026-1999?")  # same id in other case: free
    assert seconds < 3, f"{seconds:.1f} s"


def test_many_task_ids_are_looked_up_in_one_listing(repo: GitRepo) -> None:
    from taskgov.policy.load import load_config
    from taskgov.policy.lookup import task_lookup

    files = {
        f"docs/tasks/active/TASK-2026-{n:03d}.yaml": spec_yaml(f"TASK-2026-{n:03d}")
        for n in range(30)
    }
    files["docs/tasks/completed/TASK-2026-100.yml"] = spec_yaml("TASK-2026-100")
    files["docs/tasks/active/TASK-2026-200.yaml/keep"] = "a directory, not a spec\n"
    repo.write(files)
    exists = task_lookup(load_config(repo.path))
    answers = {n: exists(f"TASK-2026-{n:03d}") for n in [*range(40), 100, 200]}
    assert answers == {n: n < 30 or n == 100 for n in answers}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Claude <noreply@anthropic.com>", True),
        ("Copilot <c@github.com>", True),
        ("Claudette <c@x>", False),
        ("my-claude-bot <b@x>", True),
        ("Person <p@x>", False),
    ],
)
def test_one_pattern_for_all_agents_keeps_whole_word_matching(value: str, expected: bool) -> None:
    assert is_agent(value, ("Claude", "copilot", "GPT-4")) is expected
    assert is_agent(value, ()) is False


# --------------------------------------------------------------------------- absurd values


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e30h", "more than the 100,000 hours"),
        ("10000000h", "10,000,000 hours, more than"),
        ("12501d", "100,008 hours"),
        ("1e+26", "more than the 100,000 hours"),
        pytest.param("9" * 400, "more than the 100,000 hours", id="400 nines"),
        pytest.param(10**400, "more than the 100,000 hours", id="an int of 401 digits"),
        (1e26, "more than the 100,000 hours"),
        ("nan", "not a number"),
        (float("nan"), "not a number"),
        ("inf", "more than"),
        (float("-inf"), "negative"),
        ("-3", "negative"),
        (-0.5, "negative"),
        ("2-1e9h", "more than"),
    ],
)
def test_absurd_efforts_are_range_errors(text: object, message: str) -> None:
    with pytest.raises(EffortRangeError, match=message) as caught:
        parse_effort(text)
    assert len(str(caught.value)) < 160


@pytest.mark.parametrize(
    ("text", "hours"), [("100000h", MAX_HOURS), ("12500d", MAX_HOURS), ("1e3h", 1000)]
)
def test_large_but_possible_efforts_read(text: str, hours: float) -> None:
    estimate = parse_effort(text)
    assert estimate is not None
    assert estimate.pessimistic == hours


def test_unreadable_efforts_stay_unreadable_not_out_of_range() -> None:
    for text in ("-3h", "4h 30m", "5_0", "+5", "1e"):
        with pytest.raises(EffortError) as caught:
            parse_effort(text)
        assert not isinstance(caught.value, EffortRangeError), text


ESTIMATE = "planning:\n  estimate: {{optimistic: {0}, likely: {1}, pessimistic: {2}}}\n"


@pytest.mark.parametrize(
    ("effort", "estimate", "rule", "line", "words"),
    [
        ("10000000h", None, "TG103", 8, "more than the 100,000 hours"),
        ("1e30h", None, "TG103", 8, "more than the 100,000 hours"),
        ("-4", None, "TG103", 8, "negative"),
        (".nan", None, "TG103", 8, "not a number"),
        ("4h", (4, 6, "1e26"), "TG100", 17, "pessimistic: '1e+26' is 1e+26 hours"),
        ("4h", (4, 6, 10_000_000), "TG100", 17, "10,000,000 hours"),
        ("4h", (20, 6, 10), "TG100", 17, "optimistic <= likely <= pessimistic"),
        ("4h", (4, 6, ".nan"), "TG100", 17, "not a number"),
        ("4h", (4, 6, "'inf'"), "TG100", 17, "more than"),
        ("4h", (-3, 6, 10), "TG100", 17, "negative"),
    ],
)
def test_absurd_estimates_are_findings_at_their_line_and_never_planned(
    repo: GitRepo,
    run: Callable[..., Result],
    effort: str,
    estimate: tuple[object, object, object] | None,
    rule: str,
    line: int,
    words: str,
) -> None:
    extra = ESTIMATE.format(*estimate) if estimate else ""
    text = spec_yaml("TASK-2026-001", effort="EFFORT", extra=extra)
    text = text.replace('"EFFORT"', effort if effort.startswith((".", "-")) else f'"{effort}"')
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": text})
    checked = run(repo.path, "validate", "--json")
    assert checked.code == 1
    problems = [p for p in checked.json()["problems"] if p["rule"] == rule]  # type: ignore[index]
    assert len(problems) == 1, checked.out
    assert problems[0]["line"] == line
    assert words in problems[0]["message"]
    planned = run(repo.path, "plan", "--json")
    assert planned.code == 0, planned.err
    plan = planned.json()
    # the absurd value is not planned: the task keeps its effort (or the default) and its spread
    for task in plan["tasks"]:  # type: ignore[index]
        assert task["pessimistic"] == pytest.approx(1.75 * task["expected"], abs=0.01)
    assert plan["makespan"] <= 100, plan["makespan"]  # type: ignore[index]


@pytest.mark.parametrize("epoch", ["99999999999999999999", "253402300800", "-5", "abc", "1.5", "٣"])
def test_a_bad_source_date_epoch_is_a_usage_error(
    repo: GitRepo,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    epoch: str,
) -> None:
    repo.commit("init", {"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    done = run(repo.path, "plan", "--out", str(tmp_path / "out"))
    assert done.code == 2
    assert done.err.count("\n") == 1, done.err
    assert "SOURCE_DATE_EPOCH=" in done.err
    assert "Traceback" not in done.err
    assert not (tmp_path / "out").exists()


def test_a_good_source_date_epoch_stamps_the_plan(
    repo: GitRepo, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo.commit("init", {"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    for epoch, stamp in (("253402300799", "9999-12-31T23:59:59Z"), (" ", None)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        done = run(repo.path, "plan", "--json")
        assert done.code == 0, done.err
        generated = json.loads(done.out)["generated_at"]
        assert generated == stamp if stamp else generated.startswith("20")


@pytest.mark.parametrize("hours", ["1e26", ".inf", "100001"])
def test_an_absurd_default_estimate_in_the_policy_is_refused(
    repo: GitRepo, run: Callable[..., Result], hours: str
) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", effort=""),
            "docs/governance/policy.yaml": f"estimates:\n  default_hours: {hours}\n",
        }
    )
    done = run(repo.path, "plan", "--json")
    assert done.code == 2
    assert "policy.yaml:2: estimates.default_hours:" in done.err
    assert "100000" in done.err
