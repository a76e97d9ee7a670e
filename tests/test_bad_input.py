"""Every kind of bad input named by the product: a clear one-line error naming the file (and
line), the documented exit code, no traceback, and nothing changed on disk."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import GitRepo, spec_yaml

BOMB = "a: &a ['x','x','x','x','x','x','x','x','x']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)}]\n"
    for i in range(9)
)


def _validate(run, repo: GitRepo, *args: str):  # type: ignore[no-untyped-def]
    before = repo.snapshot()
    result = run(repo.path, "validate", *args)
    assert repo.snapshot() == before, "validate must never change files"
    assert "Traceback" not in result.out + result.err
    return result


@pytest.mark.parametrize(
    ("content", "rule", "line", "code"),
    [
        ('task_id: "TASK-2026-001"\ntitle: [unclosed\n', "TG001", 3, 2),
        ("task_id: TASK-2026-001\n\ttitle: tab\n", "TG001", 2, 2),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "TG002", 3, 2),
        ('task_id: "TASK-2026-001"\ntitle: "caf\xe9"\n'.encode("latin-1"), "TG002", 2, 2),
        ("", "TG010", 1, 1),
        ("# only a comment\n", "TG010", 1, 1),
        ("- a\n- list\n", "TG011", 1, 1),
        ("just text\n", "TG011", 1, 1),
        (BOMB, "TG004", None, 2),
        ("a: &a [*a]\n", "TG004", None, 2),
        ('task_id: "TASK-2026-001"\ntitle: "Fix it"\ntitle: "Fix again"\n', "TG006", 3, 1),
    ],
    ids=[
        "syntax",
        "tab",
        "binary",
        "latin1",
        "empty",
        "comment-only",
        "list",
        "scalar",
        "alias-bomb",
        "recursive-alias",
        "duplicate-key",
    ],
)
def test_unreadable_or_malformed_file(run, repo: GitRepo, content, rule, line, code) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": content,
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002"),
        }
    )
    started = time.perf_counter()
    result = _validate(run, repo, "--json")
    assert time.perf_counter() - started < 5
    assert result.code == code
    report = result.json()
    broken = [p for p in report["problems"] if p["path"].endswith("TASK-2026-001.yaml")]
    errors = [p for p in broken if p["severity"] == "error"]
    assert [p["rule"] for p in errors] == [rule]
    if line is not None:
        assert errors[0]["line"] == line
    # The other, valid file is still checked and loaded.
    assert not [p for p in report["problems"] if p["path"].endswith("TASK-2026-002.yaml")]
    text = _validate(run, repo)
    assert text.code == code
    first = next(line for line in text.out.splitlines() if " error " in line)
    assert first.startswith("docs/tasks/active/TASK-2026-001.yaml")
    assert rule in first


def test_wrong_types_name_field_and_line(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": """\
        task_id: "TASK-2026-001"
        title: "Implement it"
        classification:
          priority: "urgent"
        acceptance_criteria: "all of them"
        state:
          status: "done"
          blocked_by: [1, 2]
        planning:
          estimate: {optimistic: 8, likely: 4, pessimistic: 12}
          resources: {gpu: -1}
        """
        }
    )
    result = _validate(run, repo, "--json")
    assert result.code == 1
    found = {(p["field"], p["line"]) for p in result.json()["problems"] if p["rule"] == "TG100"}
    assert ("classification.priority", 4) in found
    assert ("state.status", 7) in found
    assert ("state.blocked_by.0", 8) in found
    assert ("planning.estimate", 10) in found
    assert ("planning.resources", 11) in found
    messages = " ".join(p["message"] for p in result.json()["problems"])
    assert "'urgent' is not allowed" in messages


def test_missing_required_fields(run, repo: GitRepo) -> None:
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": 'task_id: "TASK-2026-001"\n'})
    result = _validate(run, repo, "--json")
    assert result.code == 1
    problems = result.json()["problems"]
    assert [(p["rule"], p["field"]) for p in problems] == [("TG100", "title")]
    assert problems[0]["message"] == "required field is missing"


def test_unsafe_id(run, repo: GitRepo) -> None:
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("../x")})
    result = _validate(run, repo, "--json")
    assert result.code == 1
    rules = {p["rule"] for p in result.json()["problems"]}
    assert "TG112" in rules


def test_symlink_outside_repository(run, repo: GitRepo, tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text(spec_yaml("TASK-2026-001"))
    os.symlink(outside, repo.path / "docs/tasks/active/TASK-2026-001.yaml")
    result = _validate(run, repo, "--json")
    assert result.code == 2
    assert [p["rule"] for p in result.json()["problems"]] == ["TG003"]


def test_symlink_inside_repository_is_fine(run, repo: GitRepo) -> None:
    repo.write({"specs/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    os.symlink(
        repo.path / "specs/TASK-2026-001.yaml", repo.path / "docs/tasks/active/TASK-2026-001.yaml"
    )
    assert _validate(run, repo).code == 0


def test_oversized_file(run, repo: GitRepo) -> None:
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": "x: " + "a" * (2 << 20) + "\n"})
    result = _validate(run, repo, "--json")
    assert result.code == 2
    assert result.json()["problems"][0]["rule"] == "TG005"


def test_missing_active_directory(run, tmp_path: Path) -> None:
    result = run(tmp_path, "validate")
    assert result.code == 2
    assert result.err.strip() == (
        "taskgov: error: docs/tasks/active: no such directory (run `taskgov init`, or set "
        "paths.active in docs/governance/policy.yaml)"
    )
    assert run(tmp_path, "list").code == 2
    assert run(tmp_path, "ready").code == 2


def test_broken_policy_file(run, repo: GitRepo) -> None:
    repo.write({"docs/governance/policy.yaml": "estimates:\n  hours_per_day: many\n"})
    result = run(repo.path, "validate")
    assert result.code == 2
    assert result.err.startswith("taskgov: error: docs/governance/policy.yaml:2:")
    assert len(result.err.strip().splitlines()) == 1


def test_policy_syntax_error_and_unknown_rule(run, repo: GitRepo) -> None:
    repo.write({"docs/governance/policy.yaml": "rules: {TG999: off}\n"})
    result = run(repo.path, "list")
    assert (result.code, result.err.strip()) == (
        2,
        "taskgov: error: docs/governance/policy.yaml:1: rules.TG999: no such rule",
    )
    repo.write({"docs/governance/policy.yaml": "rules: [\n"})
    result = run(repo.path, "list")
    assert result.code == 2
    assert "policy.yaml:2" in result.err


def test_one_broken_file_never_hides_the_others(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": "title: [\n",
            "docs/tasks/active/TASK-2026-002.yaml": b"\x00\x01",
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml("TASK-2026-003", status="done"),
            "docs/tasks/active/TASK-2026-004.yaml": spec_yaml(
                "TASK-2026-004", blocked_by=("NOPE",)
            ),
        }
    )
    result = _validate(run, repo, "--json")
    paths = {p["path"].rsplit("/", 1)[1] for p in result.json()["problems"]}
    assert paths == {f"TASK-2026-00{n}.yaml" for n in range(1, 5)}
    assert result.code == 2  # an unreadable file outranks other errors


def test_bad_usage_exits_2_without_traceback(run, repo: GitRepo) -> None:
    for args in (
        ("validate", "--format", "xml"),
        ("nope",),
        ("show",),
        ("validate", "--json", "--format", "github"),
        ("validate", "missing.yaml"),
    ):
        result = run(repo.path, *args)
        assert result.code == 2, args
        assert "Traceback" not in result.err
        assert result.err.startswith("taskgov: error:"), result.err
