"""The CLI end to end on real repositories: init, new, list, show, validate, ready, schema."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from taskgov.checks.text import find_placeholders
from tests.conftest import GitRepo, run_process, spec_yaml


def test_init_scaffolds_and_is_idempotent(run, tmp_path: Path) -> None:
    first = run(tmp_path, "init", "--json")
    assert first.code == 0
    created = first.json()["created"]
    for path in (
        "docs/tasks/active/",
        "docs/tasks/completed/",
        ".claude/contributions/",
        "docs/tasks/templates/task-spec.yaml",
        "docs/governance/policy.yaml",
        "docs/governance/AI-CONTRIBUTION-POLICY.md",
        ".claude/decisions/template.yaml",
        ".githooks/commit-msg",
        ".githooks/pre-push",
    ):
        assert path in created
    assert os.stat(tmp_path / ".githooks/commit-msg").st_mode & stat.S_IXUSR
    second = run(tmp_path, "init", "--json")
    assert second.json()["created"] == []
    assert sorted(second.json()["kept"]) == sorted(created)
    assert run(tmp_path, "validate").code == 0


def test_init_never_overwrites(run, tmp_path: Path) -> None:
    policy = tmp_path / "docs/governance/policy.yaml"
    policy.parent.mkdir(parents=True)
    policy.write_text("# mine\nversion: 1\n")
    result = run(tmp_path, "init", "--json")
    assert "docs/governance/policy.yaml" in result.json()["kept"]
    assert policy.read_text() == "# mine\nversion: 1\n"


def test_new_fills_template_without_placeholders(run, repo: GitRepo) -> None:
    run(repo.path, "init")
    result = run(
        repo.path,
        "new",
        "Implement roofline fitting",
        "--priority",
        "high",
        "--estimate",
        "4,6,12",
        "--resource",
        "gpu=1",
        "--milestone",
        "M3",
        "--json",
    )
    assert result.code == 0
    created = result.json()
    assert created == {
        "id": "TASK-2026-001",
        "path": "docs/tasks/active/TASK-2026-001.yaml",
        "linked": [],
        "notes": [],
    }
    text = (repo.path / created["path"]).read_text()
    assert list(find_placeholders(text)) == []
    assert "src/package/module.py" not in text
    assert "Describe the desired outcome" not in text
    assert "# Concrete outputs that will be produced" in text  # comments are kept
    shown = run(repo.path, "show", "TASK-2026-001", "--json").json()
    assert shown["status"] == "ready"
    assert shown["priority"] == "high"
    assert shown["milestone"] == "M3"
    assert shown["resources"] == {"gpu": 1}
    assert shown["estimate_hours"]["likely"] == 6
    assert shown["estimate_hours"]["source"] == "planning.estimate"


def test_new_ids_dependencies_and_validation(run, repo: GitRepo) -> None:
    run(repo.path, "init")
    repo.write(
        {"docs/tasks/completed/TASK-2026-007.yaml": spec_yaml("TASK-2026-007", status="completed")}
    )
    result = run(repo.path, "new", "Create the CLI", "--depends-on", "TASK-2026-007", "--json")
    assert result.json()["id"] == "TASK-2026-008"  # unique across active/ and completed/
    assert result.json()["linked"] == ["docs/tasks/completed/TASK-2026-007.yaml"]
    completed = (repo.path / "docs/tasks/completed/TASK-2026-007.yaml").read_text()
    assert completed == spec_yaml("TASK-2026-007", status="completed").replace(
        "blocks: []", 'blocks: ["TASK-2026-008"]'
    )
    assert run(repo.path, "validate").code == 0  # no blocks/blocked_by disagreement
    shown = run(repo.path, "show", "TASK-2026-008", "--json").json()
    assert shown["depends_on"] == ["TASK-2026-007"]
    assert shown["dependencies"][0]["sources"] == ["state.blocked_by", "state.blocks"]
    assert (
        run(repo.path, "new", "Write docs", "--status", "draft", "--id", "TASK-2026-100").code == 0
    )
    assert run(repo.path, "show", "TASK-2026-100", "--json").json()["status"] == "draft"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--id", "../escape"), "not a safe file name"),
        (("--id", "TASK-2026-001"), "already exists"),
        (("--id", "FOO-1"), "does not match tasks.id_pattern"),
        (("--depends-on", "TASK-2026-404"), "no such task"),
        (("--estimate", "8,4,2"), "optimistic <= likely <= pessimistic"),
        (("--estimate", "1,2"), "expected three values"),
        (("--resource", "gpu"), "expected NAME=N"),
        (("--resource", "gpu=-1"), "cannot be negative"),
        (("--effort", "five"), "cannot read 'five'"),
        (("--priority", "urgent"), "Invalid value for '--priority'"),
    ],
)
def test_new_refuses_bad_input(run, repo: GitRepo, args, message) -> None:  # type: ignore[no-untyped-def]
    run(repo.path, "init")
    run(repo.path, "new", "Implement the base")
    before = repo.snapshot()
    result = run(repo.path, "new", "Implement more", *args)
    assert result.code == 2
    assert message in result.err
    assert repo.snapshot() == before


def test_list_json_shape_and_filters(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",)
            ),
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", effort="3-5d", blocks=("TASK-2026-002",), milestone="M2"
            ),
        }
    )
    data = run(repo.path, "list", "--json").json()
    assert [t["id"] for t in data["tasks"]] == ["TASK-2026-001", "TASK-2026-002"]
    first = data["tasks"][0]
    assert set(first) >= {
        "id",
        "title",
        "status",
        "priority",
        "milestone",
        "depends_on",
        "estimate_hours",
        "path",
    }
    assert first["estimate_hours"]["optimistic"] == 24
    assert first["estimate_hours"]["pessimistic"] == 40
    assert data["tasks"][1]["depends_on"] == ["TASK-2026-001"]
    assert data["tasks"][1]["status"] == "blocked"
    assert data["tasks"][1]["spec_status"] == "ready"
    only = run(repo.path, "list", "--milestone", "M2", "--json").json()["tasks"]
    assert [t["id"] for t in only] == ["TASK-2026-001"]
    blocked = run(repo.path, "list", "--status", "blocked", "--json").json()["tasks"]
    assert [t["id"] for t in blocked] == ["TASK-2026-002"]
    text = run(repo.path, "list")
    assert "blocked (spec: ready)" in text.out


def test_show_resolves_dependencies_and_dependents(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", blocks=("TASK-2026-002",)
            ),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002",
                extra="""\
            references:
              - type: "related_task"
                task_id: "TASK-2026-003"
                relationship: "depends_on"
            planning:
              depends_on:
                - {task: TASK-2026-001, type: knowledge, confidence: 0.5, hard: false}
            """,
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml("TASK-2026-003", status="completed"),
        }
    )
    data = run(repo.path, "show", "TASK-2026-002", "--json").json()
    deps = {d["id"]: d for d in data["dependencies"]}
    assert deps["TASK-2026-001"]["sources"] == ["planning.depends_on", "state.blocks"]
    assert deps["TASK-2026-001"]["type"] == "knowledge"
    assert deps["TASK-2026-001"]["hard"] is True  # state.blocks is a hard declaration
    assert deps["TASK-2026-003"] == {
        "id": "TASK-2026-003",
        "status": "completed",
        "type": "technical",
        "hard": True,
        "confidence": 1.0,
        "sources": ["references"],
    }
    dependents = run(repo.path, "show", "TASK-2026-001", "--json").json()["dependents"]
    assert [d["id"] for d in dependents] == ["TASK-2026-002"]
    assert data["spec"]["planning"]["depends_on"][0]["confidence"] == 0.5
    text = run(repo.path, "show", "TASK-2026-002")
    assert "TASK-2026-001  [ready]  via planning.depends_on, state.blocks" in text.out
    assert "    - Criterion 0  (pytest)" in text.out
    missing = run(repo.path, "show", "TASK-2026-404")
    assert missing.code == 2
    assert "no task 'TASK-2026-404'" in missing.err


def test_validate_exit_codes_and_json_always_printed(run, repo: GitRepo) -> None:
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    clean = run(repo.path, "validate", "--json")
    assert clean.code == 0
    assert clean.json()["ok"] is True

    repo.write(
        {
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", title="Calibration tool"
            )
        }
    )
    warned = run(repo.path, "validate", "--json")
    assert warned.code == 0  # warnings alone pass
    assert [p["rule"] for p in warned.json()["problems"]] == ["TG140"]

    repo.write(
        {
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml(
                "TASK-2026-003", blocked_by=("TASK-2026-999",)
            )
        }
    )
    failed = run(repo.path, "validate", "--json")
    assert failed.code == 1
    assert failed.json()["ok"] is False

    repo.write(
        {
            "docs/tasks/active/TASK-2026-004.yaml": spec_yaml(
                "TASK-2026-004", blocked_by=("TASK-2026-005",)
            ),
            "docs/tasks/active/TASK-2026-005.yaml": spec_yaml(
                "TASK-2026-005", blocked_by=("TASK-2026-004",)
            ),
        }
    )
    cyclic = run(repo.path, "validate", "--json")
    assert cyclic.code == 3
    cycle = [p for p in cyclic.json()["problems"] if p["rule"] == "TG130"]
    assert (
        cycle[0]["message"] == "dependency cycle: TASK-2026-004 -> TASK-2026-005 -> TASK-2026-004"
    )
    text = run(repo.path, "validate")
    assert "dependency cycle: TASK-2026-004 -> TASK-2026-005 -> TASK-2026-004" in text.out


def test_validate_paths_and_formats(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", title="Bad, title"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002", blocked_by=("X-1",)),
        }
    )
    only = run(repo.path, "validate", "docs/tasks/active/TASK-2026-001.yaml", "--json").json()
    assert {p["path"] for p in only["problems"]} == {"docs/tasks/active/TASK-2026-001.yaml"}
    assert only["files"] == 1
    github = run(repo.path, "validate", "--format", "github")
    assert github.code == 1
    assert ("::error file=docs/tasks/active/TASK-2026-002.yaml,line=") in github.out
    assert "title=TG120::state.blocked_by: names X-1" in github.out


def test_validate_strict_and_rule_levels(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", title="Calibration tool", extra="owner: me\n"
            )
        }
    )
    loose = run(repo.path, "validate", "--json")
    assert loose.code == 0
    assert {p["rule"]: p["severity"] for p in loose.json()["problems"]} == {
        "TG101": "warning",
        "TG140": "warning",
    }
    strict = run(repo.path, "validate", "--strict", "--json")
    assert strict.code == 1
    repo.write(
        {"docs/governance/policy.yaml": "rules:\n  title-not-verb-first: off\n  TG101: error\n"}
    )
    configured = run(repo.path, "validate", "--json")
    assert configured.code == 1
    assert [p["rule"] for p in configured.json()["problems"]] == ["TG101"]


def test_minimum_counts_are_off_by_default_and_configurable(run, repo: GitRepo) -> None:
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", criteria=2)})
    assert run(repo.path, "validate").code == 0
    repo.write(
        {
            "docs/governance/policy.yaml": (
                "quality: {min_acceptance_criteria: 8, min_scenarios: 6, min_risks: 4}\n"
            )
        }
    )
    result = run(repo.path, "validate", "--json")
    assert result.code == 1
    messages = sorted(p["message"] for p in result.json()["problems"])
    assert messages == [
        "0 risks, the policy asks for at least 4",
        "0 scenarios, the policy asks for at least 6",
        "2 acceptance criteria, the policy asks for at least 8",
    ]


def test_secret_in_spec_is_an_error_and_redacted(run, repo: GitRepo) -> None:
    token = "ghp_" + "Ab1" * 12
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", extra=f'objective: "use {token} to push"\n'
            )
        }
    )
    result = run(repo.path, "validate", "--json")
    assert result.code == 1
    problem = result.json()["problems"][0]
    assert problem["rule"] == "TG150"
    assert problem["line"] == 16
    assert token not in result.out


def test_ready_lists_the_frontier(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", status="completed"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", priority="low", blocked_by=("TASK-2026-001",)
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml("TASK-2026-003", priority="critical"),
            "docs/tasks/active/TASK-2026-004.yaml": spec_yaml(
                "TASK-2026-004", blocked_by=("TASK-2026-003",)
            ),
            "docs/tasks/active/TASK-2026-005.yaml": spec_yaml("TASK-2026-005", status="draft"),
            "docs/tasks/active/TASK-2026-006.yaml": spec_yaml(
                "TASK-2026-006", status="in_progress"
            ),
        }
    )
    ready = run(repo.path, "ready", "--json").json()["ready"]
    assert [t["id"] for t in ready] == ["TASK-2026-003", "TASK-2026-002"]


def test_schema_is_json_schema(run, repo: GitRepo) -> None:
    result = run(repo.path, "schema")
    schema = json.loads(result.out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"task_id", "title", "state", "planning"} <= set(schema["properties"])
    assert schema["required"] == ["task_id", "title"]


def test_help_explains_with_examples(run, tmp_path: Path) -> None:
    top = run(tmp_path, "--help")
    assert top.code == 0
    assert "taskgov init" in top.out
    assert "Exit codes" in top.out
    for command in ("init", "new", "list", "show", "validate", "ready", "schema"):
        assert run(tmp_path, command, "--help").code == 0
    assert "TG130" in run(tmp_path, "validate", "--help").out


def test_module_entry_point_and_minus_c(repo: GitRepo, tmp_path: Path) -> None:
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    result = run_process(tmp_path, "-C", str(repo.path), "list", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["tasks"][0]["id"] == "TASK-2026-001"
    sub = repo.path / "docs" / "tasks"
    assert run_process(sub, "list", "--json").code == 0  # the root is found from below
    version = run_process(tmp_path, "--version")
    assert version.code == 0
    assert version.out.startswith("taskgov, version")


def test_new_links_prerequisites_without_touching_anything_else(run, repo: GitRepo) -> None:
    run(repo.path, "init")
    original = """\
        # hand-written, with comments
        task_id: TASK-2026-001
        title:   Implement   the base      # odd spacing is kept
        state:
          status: ready
          blocks:
            - TASK-2026-050   # waits for us
        """
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": original,
            "docs/tasks/active/TASK-2026-050.yaml": spec_yaml(
                "TASK-2026-050", blocked_by=("TASK-2026-001",)
            ),
            "docs/tasks/active/TASK-2026-002.yaml": "task_id: TASK-2026-002\ntitle: Fix it\n"
            "state: {status: ready}\n",
        }
    )
    result = run(
        repo.path,
        "new",
        "Build on both",
        "--depends-on",
        "TASK-2026-001",
        "--depends-on",
        "TASK-2026-002",
        "--json",
    )
    assert result.code == 0
    after = repo.spec("TASK-2026-001").read_text()
    import textwrap

    assert after == textwrap.dedent(original).replace(
        "    - TASK-2026-050   # waits for us\n",
        '    - TASK-2026-050   # waits for us\n    - "TASK-2026-051"\n',
    )
    # A flow-style state mapping is not rewritten: the user is told what to add instead.
    assert result.json()["notes"] == [
        "docs/tasks/active/TASK-2026-002.yaml: state.blocks not updated (state is written in "
        "flow style); add TASK-2026-051 by hand"
    ]
    assert "warning: docs/tasks/active/TASK-2026-002.yaml" in result.err


def test_enumerations_are_read_as_people_type_them(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", status="In Progress", priority="High"
            )
        }
    )
    assert run(repo.path, "validate").code == 0
    task = run(repo.path, "list", "--json").json()["tasks"][0]
    assert (task["status"], task["priority"]) == ("in_progress", "high")


def test_a_spec_with_a_wrong_value_is_still_listed_but_never_ready(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", priority="P1", blocks=("TASK-2026-002",)
            ),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",)
            ),
        }
    )
    report = run(repo.path, "validate", "--json")
    assert report.code == 1
    assert [(p["rule"], p["field"]) for p in report.json()["problems"]] == [
        ("TG100", "classification.priority")
    ]
    listed = {t["id"]: t for t in run(repo.path, "list", "--json").json()["tasks"]}
    assert listed["TASK-2026-001"]["valid"] is False
    assert listed["TASK-2026-001"]["title"] == "Implement the feature"
    assert listed["TASK-2026-002"]["depends_on"] == ["TASK-2026-001"]
    assert "ready (invalid spec)" in run(repo.path, "list").out
    assert run(repo.path, "show", "TASK-2026-001").code == 0
    assert run(repo.path, "ready", "--json").json()["ready"] == []


def test_configured_paths_and_nested_directories(run, repo: GitRepo) -> None:
    repo.write(
        {
            "docs/governance/policy.yaml": "paths: {active: specs, completed: specs-done}\n",
            "specs/M1/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            "specs/.hidden/TASK-2026-009.yaml": "not: a spec\n",
            "specs/README.md": "# notes\n",
            "specs-done/TASK-2026-002.yaml": spec_yaml("TASK-2026-002", status="ready"),
        }
    )
    data = run(repo.path, "list", "--json").json()["tasks"]
    assert [(t["id"], t["path"], t["status"]) for t in data] == [
        ("TASK-2026-001", "specs/M1/TASK-2026-001.yaml", "ready"),
        ("TASK-2026-002", "specs-done/TASK-2026-002.yaml", "completed"),  # archived
    ]


def test_the_command_table_names_every_command_and_ready_loads_only_its_own() -> None:
    from taskgov.cli.base import COMMAND_MODULES, cli, load_all_commands

    load_all_commands()
    registered = {name: command.callback.__module__ for name, command in cli.commands.items()}
    assert registered == {name: f"taskgov.cli.{m}" for name, m in COMMAND_MODULES.items()}
    code = (
        "import sys; from taskgov.cli import main; main(['ready', '--help']); "
        "print(sorted(m for m in sys.modules if m.startswith('taskgov.cli.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "['taskgov.cli.base', 'taskgov.cli.tasks']"
