"""A spec that cannot be read must never vanish: every file under the spec directories is a
task as far as ids go, one bad value keeps the good ones, and every read command says what it
could not read. Also: a stale ``blocked`` status, ``show`` id matching, and layering."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from taskgov.config import Config
from taskgov.spec.loader import parse_spec_text
from taskgov.spec.yamlio import YamlProblem, load
from tests.conftest import HERE, GitRepo, spec_yaml

ACTIVE = "docs/tasks/active"
DEPENDENTS = ("TASK-2026-011", "TASK-2026-012", "TASK-2026-013", "TASK-2026-015")
DUPLICATED = (HERE / "data" / "unreadable" / "TASK-2026-010.yaml").read_text(encoding="utf-8")


def _ids(rows: list[dict[str, object]]) -> list[object]:
    return [row["id"] for row in rows]


# --------------------------------------------------------------------------- duplicate keys


def test_duplicate_key_collected_keeps_the_last_value_unlike_ruamel() -> None:
    text = "state:\n  completed_at: first\n  status: ready\n  completed_at: second\n"
    found: list[YamlProblem] = []
    data, where = load(text, duplicates=found)
    assert data == {"state": {"completed_at": "second", "status": "ready"}}
    assert where.line(("state", "completed_at")) == 4  # the value in use
    assert [(p.rule, p.line) for p in found] == [("TG006", 4)]
    assert "first defined on line 2" in found[0].message
    assert "the value on line 4 is used (the last one" in found[0].message
    with pytest.raises(YamlProblem):  # without a list to collect into, still an error
        load(text)
    # What the message says is a choice: ruamel.yaml's allow_duplicate_keys keeps the first.
    from ruamel.yaml import YAML

    lenient = YAML(typ="safe")
    lenient.allow_duplicate_keys = True
    assert lenient.load(text)["state"]["completed_at"] == "first"


def _duplicated_repo(repo: GitRepo) -> None:
    files = {f"{ACTIVE}/TASK-2026-010.yaml": DUPLICATED}
    for task_id in DEPENDENTS:
        files[f"{ACTIVE}/{task_id}.yaml"] = spec_yaml(task_id, blocked_by=("TASK-2026-010",))
    repo.commit("specs", files)


def test_a_real_spec_with_a_duplicated_key_is_read_by_every_command(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _duplicated_repo(repo)
    path = f"{ACTIVE}/TASK-2026-010.yaml"
    report = run(repo.path, "validate", "--json")
    problems = report.json()["problems"]
    duplicate = [p for p in problems if p["rule"] == "TG006"]
    assert [(p["path"], p["line"], p["severity"]) for p in duplicate] == [(path, 131, "error")]
    assert "the value on line 131 is used" in duplicate[0]["message"]
    assert [p for p in problems if p["rule"] == "TG120"] == []  # no false dangling reference
    assert report.code == 1

    listed = run(repo.path, "list", "--json").json()
    by_id = {t["id"]: t for t in listed["tasks"]}
    assert by_id["TASK-2026-010"]["status"] == "completed"
    assert by_id["TASK-2026-010"]["estimate_hours"]["likely"] == 6
    assert [by_id[d]["status"] for d in DEPENDENTS] == ["ready"] * 4
    assert [(p["rule"], p["path"], p["line"], p["read"]) for p in listed["problems"]] == [
        ("TG006", path, 131, "partial")
    ]
    text = run(repo.path, "list")
    assert f"taskgov: could not fully read {path}:131: duplicate key 'completed_at'" in text.err
    assert "TASK-2026-010" in text.out

    assert _ids(run(repo.path, "ready", "--json").json()["ready"]) == list(DEPENDENTS)
    assert run(repo.path, "stats", "--json").json()["tasks"] == 5
    planned = run(repo.path, "plan", "--json", "--all").json()
    assert "TASK-2026-010" in _ids(planned["tasks"])
    roadmap = run(repo.path, "roadmap", "--json")
    assert "TASK-2026-010" in roadmap.out
    shown = run(repo.path, "show", "TASK-2026-010", "--json")
    assert shown.code == 0
    assert shown.json()["spec"]["state"]["completed_at"] == "2026-01-26T18:30:00Z"


# --------------------------------------------------------------------------- unparsable files

BROKEN = f"{ACTIVE}/TASK-2026-010-calibration-cli.yaml"
BROKEN_TEXT = (
    'task_id: "TASK-2026-010"\ntitle: "Create calibration CLI tool"\nstate:\n'
    "  x: 1\n  status: [unclosed\n"  # the parser notices at the end of the file, line 6
)
REASON = f"depends on TASK-2026-010, whose spec cannot be read ({BROKEN}:6)"


def _broken_repo(repo: GitRepo) -> None:
    references = """\
    references:
      - type: related_task
        task_id: TASK-2026-010
        relationship: depends_on
    """
    repo.commit(
        "specs",
        {
            BROKEN: BROKEN_TEXT,
            f"{ACTIVE}/TASK-2026-011.yaml": spec_yaml(
                "TASK-2026-011", blocked_by=("TASK-2026-010",)
            ),
            f"{ACTIVE}/TASK-2026-012.yaml": spec_yaml("TASK-2026-012", extra=references),
            f"{ACTIVE}/TASK-2026-013.yaml": spec_yaml("TASK-2026-013"),
        },
    )


def test_a_spec_with_a_syntax_error_is_listed_flagged_and_blocks_its_dependents(
    run, repo: GitRepo
) -> None:  # type: ignore[no-untyped-def]
    _broken_repo(repo)
    report = run(repo.path, "validate", "--json")
    assert report.code == 2
    problems = report.json()["problems"]
    assert [(p["rule"], p["path"]) for p in problems if p["severity"] == "error"] == [
        ("TG001", BROKEN)
    ]
    # Nothing claims the id is unknown, or that the unread file's lists disagree.
    assert not [p for p in problems if p["rule"] in ("TG120", "TG121")]

    listed = run(repo.path, "list", "--json").json()
    by_id = {t["id"]: t for t in listed["tasks"]}
    assert list(by_id) == ["TASK-2026-010", "TASK-2026-011", "TASK-2026-012", "TASK-2026-013"]
    broken = by_id["TASK-2026-010"]
    assert (broken["status"], broken["valid"], broken["path"]) == ("unreadable", False, BROKEN)
    assert broken["title"] == "Create calibration CLI tool"
    for dependent in ("TASK-2026-011", "TASK-2026-012"):
        assert by_id[dependent]["status"] == "blocked"
        assert by_id[dependent]["blocked_by"] == [{"id": "TASK-2026-010", "reason": REASON}]
    row = next(line for line in run(repo.path, "list").out.splitlines() if "TASK-2026-010" in line)
    assert row.split()[1] == "unreadable"

    shown = run(repo.path, "show", "TASK-2026-010")
    assert shown.code == 0
    assert "unreadable" in shown.out
    dependent = run(repo.path, "show", "TASK-2026-011")
    assert REASON in dependent.out
    assert "TASK-2026-010  [unreadable]" in dependent.out
    assert _ids(run(repo.path, "ready", "--json").json()["ready"]) == ["TASK-2026-013"]


@pytest.mark.parametrize(
    "command",
    [("list",), ("ready",), ("stats",), ("plan",), ("roadmap",), ("show", "TASK-2026-013")],
    ids=lambda c: c[0],
)
def test_every_read_command_names_the_file_it_could_not_read(
    run, repo: GitRepo, command: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    _broken_repo(repo)
    text = run(repo.path, *command)
    assert text.code == 0
    assert f"taskgov: could not read {BROKEN}:6: YAML syntax error" in text.err
    assert "Traceback" not in text.err
    data = run(repo.path, *command, "--json").json()
    assert [(p["path"], p["line"], p["rule"], p["read"]) for p in data["problems"]] == [
        (BROKEN, 6, "TG001", "unreadable")
    ]
    assert data["problems"][0]["message"].startswith("YAML syntax error")


def test_a_clean_repository_reports_no_read_problems(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("spec", {f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    for command in ("list", "ready", "stats", "plan", "roadmap"):
        result = run(repo.path, command)
        assert "could not" not in result.err
        assert run(repo.path, command, "--json").json()["problems"] == []


def test_the_warm_ready_answer_still_names_unreadable_files(
    run, repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from taskgov.spec import snapshot

    _broken_repo(repo)
    monkeypatch.setattr(snapshot, "RACY_NS", 0)
    answer = repo.path / ".git" / "taskgov" / "ready.answer"
    cold = run(repo.path, "ready")
    assert answer.exists()
    cached = answer.read_bytes()
    warm = run(repo.path, "ready")
    assert answer.read_bytes() == cached  # answered from the cache
    assert warm.err == cold.err
    assert f"could not read {BROKEN}:6" in warm.err


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        ("title: [unclosed\n", "TG001"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "TG002"),
        ("", "TG010"),
        ("- a\n- list\n", "TG011"),
    ],
    ids=["syntax", "binary", "empty", "list"],
)
def test_the_file_name_gives_the_id_when_the_content_cannot(
    run, repo: GitRepo, content: str | bytes, rule: str
) -> None:  # type: ignore[no-untyped-def]
    path = f"{ACTIVE}/TASK-2026-020-some-slug.yaml"
    repo.write(
        {
            path: content,
            f"{ACTIVE}/TASK-2026-021.yaml": spec_yaml(
                "TASK-2026-021", blocked_by=("TASK-2026-020",)
            ),
        }
    )
    problems = run(repo.path, "validate", "--json").json()["problems"]
    assert [p["rule"] for p in problems if p["severity"] == "error"] == [rule]
    listed = {t["id"]: t for t in run(repo.path, "list", "--json").json()["tasks"]}
    assert listed["TASK-2026-020"]["status"] == "unreadable"
    assert listed["TASK-2026-020"]["path"] == path
    assert listed["TASK-2026-021"]["status"] == "blocked"
    assert "whose spec cannot be read" in listed["TASK-2026-021"]["blocked_by"][0]["reason"]


def test_ids_from_raw_text_and_file_names() -> None:
    from taskgov.spec.salvage import guess_id, id_from_name

    pattern = r"^TASK-\d{4}-\d{3,}$"
    assert id_from_name("docs/TASK-2026-010-some-slug.yaml", pattern) == "TASK-2026-010"
    assert id_from_name("docs/TASK-2026-010.yaml", pattern) == "TASK-2026-010"
    assert id_from_name("docs/notes.yaml", pattern) == "notes"
    assert guess_id("# x\ntask_id: 'TASK-2026-077'  # note\n: [", "a/b.yaml", pattern) == (
        "TASK-2026-077"
    )
    # Only a top-level key counts; an unsafe id falls back to the file name.
    assert guess_id("  task_id: TASK-2026-078\n", "a/TASK-2026-001.yaml", pattern) == (
        "TASK-2026-001"
    )
    assert guess_id("task_id: ../../etc\n", "a/TASK-2026-002.yaml", pattern) == "TASK-2026-002"


# --------------------------------------------------------------------------- partial validation

ESTIMATE = """\
planning:
  estimate: {{optimistic: {o}, likely: {m}, pessimistic: {p}}}
"""


def _estimated(task_id: str, o: int, m: int, p: int, **fields: object) -> str:
    return spec_yaml(task_id, extra=ESTIMATE.format(o=o, m=m, p=p), **fields)  # type: ignore[arg-type]


def test_a_wrong_status_keeps_every_other_field() -> None:
    text = _estimated(
        "TASK-2026-002",
        10,
        20,
        40,
        status="finished",
        priority="high",
        blocked_by=("TASK-2026-001",),
    )
    result = parse_spec_text(text, f"{ACTIVE}/TASK-2026-002.yaml", Config(root=Path("/x")))
    task = result.task
    assert task is not None
    assert [(p.rule, p.field) for p in result.problems] == [("TG100", "state.status")]
    assert task.valid is False
    assert task.status == "finished"  # shown as written
    assert task.estimate is not None
    assert (task.estimate.optimistic, task.estimate.likely, task.estimate.pessimistic) == (
        10,
        20,
        40,
    )
    assert task.estimate.source == "planning.estimate"
    assert (task.priority, task.blocked_by, task.milestone) == ("high", ("TASK-2026-001",), "M1")


def test_a_missing_required_value_drops_only_its_mapping() -> None:
    text = spec_yaml("TASK-2026-003", effort="5h", priority="low") + (
        "planning:\n  estimate: {optimistic: 1, pessimistic: 3}\n  skills: [python]\n"
    )
    result = parse_spec_text(text, f"{ACTIVE}/TASK-2026-003.yaml", Config(root=Path("/x")))
    task = result.task
    assert task is not None
    assert task.estimate is not None
    assert [(p.rule, p.field) for p in result.problems] == [("TG100", "planning.estimate.likely")]
    assert task.estimate.likely == 5  # from estimated_effort, the estimate being unusable
    assert (task.skills, task.priority, task.valid) == (("python",), "low", False)


def test_plan_uses_the_estimate_of_a_spec_with_a_wrong_status(
    run, repo: GitRepo, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    def plan_for(status: str) -> dict[str, object]:
        repo.write(
            {
                f"{ACTIVE}/TASK-2026-001.yaml": _estimated(
                    "TASK-2026-001", 2, 4, 6, blocks=("TASK-2026-002",)
                ),
                f"{ACTIVE}/TASK-2026-002.yaml": _estimated(
                    "TASK-2026-002", 10, 20, 40, status=status, blocked_by=("TASK-2026-001",)
                ),
                f"{ACTIVE}/TASK-2026-003.yaml": _estimated("TASK-2026-003", 12, 14, 16),
            }
        )
        result = run(repo.path, "plan", "--json")
        assert result.code == 0
        return result.json()  # type: ignore[no-any-return]

    corrected, wrong = plan_for("ready"), plan_for("finished")
    assert (
        wrong["critical_path"] == corrected["critical_path"] == ["TASK-2026-001", "TASK-2026-002"]
    )
    assert wrong["expected_duration"] == corrected["expected_duration"]

    def timings(plan: dict[str, object]) -> list[tuple[object, ...]]:
        keys = ("id", "expected", "earliest_start", "earliest_finish", "slack", "wave")
        return [tuple(t[k] for k in keys) for t in plan["tasks"]]  # type: ignore[attr-defined]

    assert timings(wrong) == timings(corrected)
    listed = {t["id"]: t for t in run(repo.path, "list", "--json").json()["tasks"]}
    assert listed["TASK-2026-002"]["valid"] is False
    assert listed["TASK-2026-002"]["depends_on"] == ["TASK-2026-001"]


def _pair(repo: GitRepo, first: str, second: str) -> None:
    """TASK-2026-001 (status ``first``) before TASK-2026-002 (status ``second``)."""
    repo.write(
        {
            f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", status=first, blocks=("TASK-2026-002",)
            ),
            f"{ACTIVE}/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", status=second, blocked_by=("TASK-2026-001",)
            ),
        }
    )


def test_a_spec_with_a_wrong_value_is_never_ready_but_keeps_its_dependents_waiting(
    run, repo: GitRepo
) -> None:  # type: ignore[no-untyped-def]
    _pair(repo, "finished", "ready")
    assert run(repo.path, "ready", "--json").json()["ready"] == []
    text = run(repo.path, "list")
    assert "finished (invalid spec)" in text.out
    assert f"could not fully read {ACTIVE}/TASK-2026-001.yaml:" in text.err
    assert "state.status: 'finished' is not allowed" in text.err


# --------------------------------------------------------------------------- stale blocked


def test_blocked_with_nothing_to_wait_for_is_ready_everywhere_and_stale_in_validate(
    run, repo: GitRepo
) -> None:  # type: ignore[no-untyped-def]
    _pair(repo, "completed", "blocked")
    repo.write(
        {
            f"{ACTIVE}/TASK-2026-003.yaml": spec_yaml("TASK-2026-003", status="blocked"),
            f"{ACTIVE}/TASK-2026-004.yaml": spec_yaml(
                "TASK-2026-004", status="blocked", blocked_by=("TASK-2026-005",)
            ),
            f"{ACTIVE}/TASK-2026-005.yaml": spec_yaml("TASK-2026-005", blocks=("TASK-2026-004",)),
        }
    )
    report = run(repo.path, "validate", "--json")
    assert report.code == 0  # a warning
    stale = [p for p in report.json()["problems"] if p["rule"] == "TG162"]
    assert [(p["task"], p["severity"], p["field"]) for p in stale] == [
        ("TASK-2026-002", "warning", "state.status"),
        ("TASK-2026-003", "warning", "state.status"),
    ]
    assert "every hard dependency is complete" in stale[0]["message"]
    assert "it has no dependencies" in stale[1]["message"]

    ready = sorted(_ids(run(repo.path, "ready", "--json").json()["ready"]))  # type: ignore[type-var]
    assert ready == ["TASK-2026-002", "TASK-2026-003", "TASK-2026-005"]
    listed = {t["id"]: t for t in run(repo.path, "list", "--json").json()["tasks"]}
    assert {
        i: (t["status"], t["spec_status"]) for i, t in listed.items() if i != "TASK-2026-001"
    } == {
        "TASK-2026-002": ("ready", "blocked"),
        "TASK-2026-003": ("ready", "blocked"),
        "TASK-2026-004": ("blocked", "blocked"),
        "TASK-2026-005": ("ready", "ready"),
    }
    assert run(repo.path, "show", "TASK-2026-003", "--json").json()["status"] == "ready"
    plan = run(repo.path, "plan", "--json").json()
    statuses = {t["id"]: t["status"] for t in plan["tasks"]}
    assert sorted(plan["waves"][0]) == ready  # wave 1 is the ready work, nothing else
    assert [statuses[i] for i in ready] == ["ready"] * 3
    assert statuses["TASK-2026-004"] == "blocked"


# --------------------------------------------------------------------------- show


def test_show_matches_ids_without_case_and_suggests_the_closest(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.write({f"{ACTIVE}/TASK-2026-004.yaml": spec_yaml("TASK-2026-004")})
    found = run(repo.path, "show", "task-2026-004", "--json")
    assert found.code == 0
    assert found.json()["id"] == "TASK-2026-004"
    missing = run(repo.path, "show", "TASK-2026-04")
    assert missing.code == 2
    assert "no task 'TASK-2026-04'; did you mean TASK-2026-004?" in missing.err
    assert "Traceback" not in missing.err
    far = run(repo.path, "show", "DECISION-9")
    assert far.code == 2
    assert "did you mean" not in far.err


# --------------------------------------------------------------------------- layering

PACKAGE = HERE.parent / "taskgov"
HIGHER = {
    "taskgov.state": ("taskgov.plan", "taskgov.commands", "taskgov.cli"),
    "taskgov.repo": ("taskgov.state", "taskgov.plan", "taskgov.commands", "taskgov.cli"),
    "taskgov.spec": ("taskgov.repo", "taskgov.state", "taskgov.plan", "taskgov.commands"),
    "taskgov.graph": ("taskgov.repo", "taskgov.state", "taskgov.plan", "taskgov.commands"),
}


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(HIGHER))
def test_lower_layers_never_import_higher_ones(layer: str) -> None:
    relative = layer.removeprefix("taskgov.").replace(".", "/")
    files = [PACKAGE / f"{relative}.py"] if (PACKAGE / f"{relative}.py").exists() else []
    files += sorted((PACKAGE / relative).glob("*.py")) if (PACKAGE / relative).is_dir() else []
    assert files
    for path in files:
        wrong = sorted(
            m for m in _imports(path) if any(m == h or m.startswith(h + ".") for h in HIGHER[layer])
        )
        assert wrong == [], f"{path.name} imports {wrong}"


def test_an_unreadable_file_never_hides_a_readable_spec_with_the_same_id(
    run, repo: GitRepo
) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        {
            f"{ACTIVE}/TASK-2026-010-a-draft.yaml": "title: [unclosed\n",
            f"{ACTIVE}/TASK-2026-010.yaml": spec_yaml("TASK-2026-010"),
        }
    )
    problems = run(repo.path, "validate", "--json").json()["problems"]
    assert sorted(p["rule"] for p in problems if p["severity"] == "error") == [
        "TG001",
        "TG110",
        "TG110",
    ]
    listed = run(repo.path, "list", "--json").json()["tasks"]
    assert [(t["id"], t["status"], t["path"]) for t in listed] == [
        ("TASK-2026-010", "ready", f"{ACTIVE}/TASK-2026-010.yaml")
    ]


@pytest.mark.parametrize("value", [1, "x", [1, {"a": 1}], {"a": [1]}, None, True])
def test_any_wrong_value_in_any_section_keeps_the_task_and_its_estimate(value: object) -> None:
    import json

    from taskgov.spec.model import Planning, TaskSpec

    config = Config(root=Path("/x"))
    base, _ = load(_estimated("TASK-2026-005", 1, 2, 3, blocked_by=("TASK-2026-004",)))
    for key in set(TaskSpec.model_fields) - {"task_id", "planning"}:
        text = json.dumps({**base, key: value})  # JSON is YAML
        task = parse_spec_text(text, f"{ACTIVE}/TASK-2026-005.yaml", config).task
        assert task is not None, key
        assert task.id == "TASK-2026-005"
        assert task.estimate is not None, key
        assert task.estimate.likely == 2, key
        if key != "state":
            assert task.blocked_by == ("TASK-2026-004",), key
    for key in set(Planning.model_fields) - {"estimate"}:
        planning = {**base["planning"], key: value}
        text = json.dumps({**base, "planning": planning})
        task = parse_spec_text(text, f"{ACTIVE}/TASK-2026-005.yaml", config).task
        assert task is not None
        assert task.estimate is not None, key
        assert task.estimate.likely == 2, key


def test_a_replaced_value_leaves_no_stale_locations_and_many_duplicates_stay_fast() -> None:
    import time

    found: list[YamlProblem] = []
    data, where = load(
        "state:\n  old: 1\n  list: [a, b]\nstate:\n  status: ready\n", duplicates=found
    )
    assert data == {"state": {"status": "ready"}}
    assert where.line(("state",)) == 4
    assert ("state", "old") not in where
    assert ("state", "list", 1) not in where
    # Each repeat replaces a mapping: forgetting its locations must not rescan the file.
    many = "".join(f"k{n}: {{a: [1, 2]}}\n" for n in range(8_000)) + "".join(
        f"k{n}: 1\n" for n in range(8_000)
    )
    started = time.perf_counter()
    found = []
    load(many, duplicates=found)
    assert len(found) == 8_000
    assert time.perf_counter() - started < 10


def test_history_closes_an_unreadable_spec_without_a_false_stale_warning(
    run, repo: GitRepo
) -> None:  # type: ignore[no-untyped-def]
    repo.commit("specs", {BROKEN: BROKEN_TEXT})
    repo.commit(
        "Finish the CLI\n\nCloses: TASK-2026-010",
        {f"{ACTIVE}/TASK-2026-011.yaml": spec_yaml("TASK-2026-011", blocked_by=("TASK-2026-010",))},
    )
    problems = run(repo.path, "validate", "--json").json()["problems"]
    assert [p["rule"] for p in problems if p["rule"].startswith("TG16")] == []
    listed = {t["id"]: t["status"] for t in run(repo.path, "list", "--json").json()["tasks"]}
    assert listed == {"TASK-2026-010": "completed", "TASK-2026-011": "ready"}  # history wins
