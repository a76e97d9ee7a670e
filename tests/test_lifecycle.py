"""start, done and status: the spec's state written with surgical edits, legal transitions
only, under the write lock; through the real entry point and the library API."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import taskgov
from taskgov.spec.yamlio import load
from tests.conftest import GOVERNANCE, GitRepo, run_process, spec_yaml, start_together

ACTIVE = "docs/tasks/active"
COMPLETED = "docs/tasks/completed"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
STAMP = "2026-01-01T00:00:00Z"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def governance(repo: GitRepo) -> GitRepo:
    """The real governance files, with the prerequisite 014 waits for, completed."""
    shutil.copytree(GOVERNANCE / "docs", repo.path / "docs", dirs_exist_ok=True)
    for path in (repo.path / "docs").rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    repo.commit(
        "import the governance files",
        {f"{ACTIVE}/TASK-2026-013.yaml": spec_yaml("TASK-2026-013", status="completed")},
    )
    return repo


def _diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines removed, lines added), line endings included."""
    removed: list[str] = []
    added: list[str] = []
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


def _without(data: dict[str, Any], paths: list[tuple[str, ...]]) -> dict[str, Any]:
    import copy

    data = copy.deepcopy(data)
    for path in paths:
        cursor = data
        for part in path[:-1]:
            cursor = cursor.get(part) or {}
        if isinstance(cursor, dict):
            cursor.pop(path[-1], None)
    return data


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("taskgov: error: ")
    return lines[0]


# --- the edits: only the intended lines change -------------------------------------------


def test_start_on_a_real_spec_changes_exactly_its_state_lines(run, governance: GitRepo) -> None:  # type: ignore[no-untyped-def]
    spec = governance.spec("TASK-2026-014")
    before = spec.read_text()
    found = run(governance.path, "validate", "--json", f"{ACTIVE}/TASK-2026-014.yaml").json()
    result = run(governance.path, "start", "TASK-2026-014", "--json")
    assert result.code == 0, result.err
    after = spec.read_text()
    removed, added = _diff(before, after)
    assert removed == [
        'updated_at: "2026-04-16T00:00:00Z"\n',
        '  status: "ready"\n',
        '  started_at: ""\n',
    ]
    assert added == [
        f'updated_at: "{STAMP}"\n',
        '  status: "in_progress"\n',
        f'  started_at: "{STAMP}"\n',
        '  - date: "2026-01-01"\n',
        '    author: "Test Person"\n',
        '    note: "Started"\n',
    ]
    assert after.index('note: "Started"') < after.index("\nreview:")  # the list's end
    data = result.json()
    assert data == {
        "id": "TASK-2026-014",
        "path": f"{ACTIVE}/TASK-2026-014.yaml",
        "old_status": "ready",
        "new_status": "in_progress",
        "changed": True,
        "fields": {
            "state.status": "in_progress",
            "state.started_at": STAMP,
            "updated_at": STAMP,
            "progress": {"date": "2026-01-01", "author": "Test Person", "note": "Started"},
        },
        "moved_from": None,
        "git_mv": False,
        "forced": [],
        "now_ready": [],
    }
    # everything else loads to the same values, and the spec validates as before
    old, _ = load(before)
    new, _ = load(after)
    changed = [("updated_at",), ("state", "status"), ("state", "started_at"), ("progress",)]
    assert _without(old, changed) == _without(new, changed)
    assert new["progress"] == [*old["progress"], data["fields"]["progress"]]
    task = taskgov.load_repo(governance.path).tasks["TASK-2026-014"]
    assert (task.status, task.valid) == ("in_progress", True)
    again = run(governance.path, "validate", "--json", f"{ACTIVE}/TASK-2026-014.yaml").json()
    same = lambda report: sorted((p["rule"], p["field"], p["message"]) for p in report["problems"])  # noqa: E731
    assert same(again) == same(found)  # the real spec's own findings, no new one


def test_done_sets_completed_at_and_makes_the_dependents_ready(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.commit(
        "specs",
        {
            f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", blocks=("TASK-2026-002",))
            + '  started_at: ""\n',
            f"{ACTIVE}/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",)
            ),
            f"{ACTIVE}/TASK-2026-003.yaml": spec_yaml(
                "TASK-2026-003", blocked_by=("TASK-2026-001", "TASK-2026-004")
            ),
            f"{ACTIVE}/TASK-2026-004.yaml": spec_yaml("TASK-2026-004"),
        },
    )
    ready = run(repo.path, "ready", "--json").json()
    assert sorted(t["id"] for t in ready["ready"]) == ["TASK-2026-001", "TASK-2026-004"]
    assert run(repo.path, "start", "TASK-2026-001").code == 0
    ready = run(repo.path, "ready", "--json").json()
    assert [t["id"] for t in ready["ready"]] == ["TASK-2026-004"]  # started: left out
    listed = {t["id"]: t["status"] for t in run(repo.path, "list", "--json").json()["tasks"]}
    assert listed["TASK-2026-001"] == "in_progress"

    result = run(repo.path, "done", "TASK-2026-001")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"TASK-2026-001: in_progress -> completed  ({ACTIVE}/TASK-2026-001.yaml)",
        "now ready: TASK-2026-002",
    ]
    data, _ = load(repo.spec("TASK-2026-001").read_text())
    assert data["state"]["status"] == "completed"
    assert data["state"]["started_at"] == STAMP
    assert data["state"]["completed_at"] == STAMP
    assert [p["note"] for p in data["progress"]] == ["Started", "Completed"]
    ready = run(repo.path, "ready", "--json").json()
    assert sorted(t["id"] for t in ready["ready"]) == ["TASK-2026-002", "TASK-2026-004"]


SHAPES = {
    "comments, block scalars and flow lists": (
        "task_id: TASK-2026-001  # the id\n"
        "title: 'A task'\n"
        "objective: |\n"
        "  Line one.\n"
        "\n"
        "  Line three, after a blank line.\n"
        "\n"
        "state:   # state tracking\n"
        "  status: ready        # draft | ready\n"
        "  blocked_by: []       # ids\n"
        "  blocks: [TASK-2026-009, 'TASK-2026-010']\n"
        "  started_at: ~\n"
        "  completed_at:\n"
        "  # the end of state\n"
        "\n"
        "# Progress notes (append-only log)\n"
        "progress:\n"
        "  - date: '2026-01-01'\n"
        "    author: someone\n"
        "    note: >\n"
        "      folded\n"
        "      note\n"
        "\n"
        "review: {pull_request: ''}\n"
    ),
    "a key missing from state, no progress": (
        'task_id: "TASK-2026-001"\ntitle: "A task"\nstate:\n  status: "ready"\n  blocks: []\n'
        "references: []\n"
    ),
    "no state at all": 'task_id: "TASK-2026-001"\ntitle: "A task"\n',
    "a flow progress list": (
        'task_id: "TASK-2026-001"\ntitle: "A task"\nstate:\n  status: "ready"\n'
        "progress: []   # none yet\n"
    ),
    "block list items indented at the key's column": (
        'task_id: "TASK-2026-001"\ntitle: "A task"\nstate:\n  status: "ready"\n'
        'progress:\n- date: "2026-01-01"\n  note: "Task created"\nreview: {}\n'
    ),
}


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("final_newline", [True, False], ids=["eol", "no-eol"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_start_then_done_keep_every_other_byte(
    run,  # type: ignore[no-untyped-def]
    repo: GitRepo,
    shape: str,
    newline: str,
    final_newline: bool,
) -> None:
    text = SHAPES[shape].replace("\n", newline)
    if not final_newline:
        text = text.rstrip("\r\n")
    original = text.encode()
    repo.write({f"{ACTIVE}/TASK-2026-001.yaml": original})
    spec = repo.spec("TASK-2026-001")
    old, _ = load(text)
    force = ("--force",) if "state" not in old else ()  # no state: a draft
    for command, changed in (
        ("start", [("state", "status"), ("state", "started_at"), ("progress",)]),
        ("done", [("state", "status"), ("state", "completed_at"), ("progress",)]),
    ):
        before = spec.read_bytes()
        result = run(repo.path, command, "TASK-2026-001", *force)
        assert result.code == 0, result.err
        after = spec.read_bytes()
        removed, added = _diff(before.decode(), after.decode())
        fields = ("status:", "started_at:", "completed_at:", "progress:", "state:")
        last_line = before.decode().splitlines(keepends=True)[-1]
        for line in removed:  # only a changed value's line (or a flow list it grew)
            if any(f in line for f in fields):
                continue
            assert not final_newline, (line, removed)
            assert line == last_line, (line, removed)
            assert line + newline in added  # the old last line gains a line ending
        for line in added:  # the file's own line ending; only its last line may lack one
            assert line.endswith(newline) or not line.endswith("\n"), repr(line)
        assert after.endswith(b"\n") == final_newline
        if newline == "\r\n":
            assert after.count(b"\n") == after.count(b"\r\n")
        new, _ = load(after.decode())
        ignored = [*changed, ("state", "started_at")] if force == () else [("state",), *changed]
        assert _without(old, ignored) == _without(new, ignored)
        old = new
    data, _ = load(spec.read_text())
    assert data["state"]["status"] == "completed"
    assert data["state"]["started_at"] == STAMP
    assert data["state"]["completed_at"] == STAMP
    assert [p["note"] for p in data["progress"]][-2:] == ["Started", "Completed"]
    task = taskgov.load_repo(repo.path).tasks["TASK-2026-001"]
    assert (task.status, task.valid, task.title) == ("completed", True, "A task")


def test_a_byte_order_mark_and_unchanged_values_survive(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    text = spec_yaml("TASK-2026-001") + '  started_at: "2025-12-31T09:00:00Z"\n'
    repo.write({f"{ACTIVE}/TASK-2026-001.yaml": b"\xef\xbb\xbf" + text.encode()})
    assert run(repo.path, "start", "TASK-2026-001").code == 0
    after = repo.spec("TASK-2026-001").read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    assert b'started_at: "2025-12-31T09:00:00Z"' in after  # a restart keeps the first start


# --- refusals: one line, a documented exit code, nothing written ---------------------------


@pytest.fixture
def tasks(repo: GitRepo) -> GitRepo:
    repo.commit(
        "specs",
        {
            f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", status="completed"),
            f"{ACTIVE}/TASK-2026-002.yaml": spec_yaml("TASK-2026-002", status="in_progress"),
            f"{ACTIVE}/TASK-2026-003.yaml": spec_yaml(
                "TASK-2026-003", blocked_by=("TASK-2026-002", "TASK-2026-004", "TASK-2026-009")
            ),
            f"{ACTIVE}/TASK-2026-004.yaml": spec_yaml("TASK-2026-004", status="draft"),
            f"{ACTIVE}/TASK-2026-005.yaml": 'task_id: "TASK-2026-005"\nstate:\n  status: [\n',
        },
    )
    return repo


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("status", "TASK-2026-001", "ready"),
            1,
            "TASK-2026-001 is completed: cannot make it ready; completed is final "
            "(use --force to reopen it)",
        ),
        (
            ("start", "TASK-2026-001"),
            1,
            "TASK-2026-001 is completed: cannot start it; completed is final",
        ),
        (
            ("start", "TASK-2026-002"),
            1,
            "TASK-2026-002 is already in_progress; from in_progress it may go to review, "
            "blocked, completed, ready, assigned, cancelled",
        ),
        (
            ("done", "TASK-2026-001"),
            1,
            "TASK-2026-001 is already completed; completed is final",
        ),
        (
            ("start", "TASK-2026-003"),
            1,
            "TASK-2026-003 cannot start: hard dependencies unfinished: TASK-2026-002 "
            "(in_progress), TASK-2026-004 (draft), TASK-2026-009 (exists nowhere); "
            "finish them first, or use --force",
        ),
        (
            ("done", "TASK-2026-003"),
            1,
            "TASK-2026-003 cannot be completed: hard dependencies unfinished: TASK-2026-002",
        ),
        (
            ("start", "TASK-2026-004"),
            1,
            "TASK-2026-004 is draft: cannot start it; from draft it may go to ready, assigned, "
            "blocked, cancelled (or use --force)",
        ),
        (
            ("status", "TASK-2026-003", "in-progres"),
            2,
            "'in-progres' is not a status (one of: draft, ready, assigned, in_progress, review, "
            "blocked, completed, cancelled); did you mean in_progress?",
        ),
        (
            ("status", "TASK-2026-003", "unreadable"),
            2,
            "'unreadable' is not a status",
        ),
        (("start", "TASK-2026-03"), 2, "no task 'TASK-2026-03'; did you mean TASK-2026-003?"),
        (("done", "NOPE-1"), 2, "no task 'NOPE-1' in docs/tasks/active"),
        (
            ("start", "TASK-2026-005"),
            2,
            f"TASK-2026-005: cannot change its status: {ACTIVE}/TASK-2026-005.yaml:4 cannot "
            "be read:",
        ),
    ],
)
def test_illegal_changes_are_refused_in_one_line(
    run,  # type: ignore[no-untyped-def]
    tasks: GitRepo,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    before = tasks.snapshot()
    result = run(tasks.path, *args)
    assert result.code == code
    assert result.out == ""
    assert message in _one_error_line(result.err)
    assert tasks.snapshot() == before
    as_process = run_process(tasks.path, *args, "--json")  # the real entry point
    assert as_process.code == code
    assert message in _one_error_line(as_process.err)
    assert as_process.out == ""


def test_force_reopens_a_completed_task_and_says_what_it_skipped(run, tasks: GitRepo) -> None:  # type: ignore[no-untyped-def]
    tasks.write(
        {
            f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", status="completed")
            + '  completed_at: "2025-12-01T10:00:00Z"\n'
        }
    )
    result = run(tasks.path, "status", "TASK-2026-001", "ready", "--force", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["forced"] == ["transition"]
    assert data["fields"]["state.completed_at"] == ""
    state, _ = load(tasks.spec("TASK-2026-001").read_text())
    assert state["state"] == {
        "status": "ready",
        "blocked_by": [],
        "blocks": [],
        "completed_at": "",
    }


def test_force_starts_a_task_whose_dependencies_are_unfinished(run, tasks: GitRepo) -> None:  # type: ignore[no-untyped-def]
    result = run(tasks.path, "start", "TASK-2026-003", "--force", "--json")
    assert result.code == 0, result.err
    assert result.json()["forced"] == ["dependencies"]
    assert "warning" not in result.err  # --json: the data says it
    text = run(tasks.path, "status", "TASK-2026-004", "in_progress", "--force")
    assert text.code == 0
    assert "--force: transition check skipped for TASK-2026-004" in text.err


def test_the_status_a_task_has_changes_nothing(run, tasks: GitRepo) -> None:  # type: ignore[no-untyped-def]
    before = tasks.snapshot()
    result = run(tasks.path, "status", "task-2026-002", "In Progress")
    assert result.code == 0
    assert result.out == "TASK-2026-002 is already in_progress: nothing changed\n"
    assert tasks.snapshot() == before
    data = run(tasks.path, "status", "TASK-2026-002", "in_progress", "--json").json()
    assert (data["changed"], data["fields"]) == (False, {})


def test_history_that_closed_a_task_makes_a_status_change_a_reopen(run, tasks: GitRepo) -> None:  # type: ignore[no-untyped-def]
    tasks.commit("feat: the thing\n\nCloses: TASK-2026-002")
    result = run(tasks.path, "status", "TASK-2026-002", "review")
    assert result.code == 1
    assert "TASK-2026-002 is completed (closed by " in _one_error_line(result.err)
    done = run(tasks.path, "done", "TASK-2026-002", "--json")  # the spec catches up
    assert done.code == 0, done.err
    assert done.json()["old_status"] == "in_progress"


def test_an_edit_that_cannot_be_made_safely_is_refused(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        {f"{ACTIVE}/TASK-2026-001.yaml": 'task_id: "TASK-2026-001"\nstate: {status: ready}\n'}
    )
    before = repo.snapshot()
    result = run(repo.path, "start", "TASK-2026-001")
    assert result.code == 2
    assert _one_error_line(result.err) == (
        f"taskgov: error: {ACTIVE}/TASK-2026-001.yaml: cannot update it safely: no block "
        "mapping to add the key to; edit it by hand"
    )
    assert repo.snapshot() == before


# --- --move ----------------------------------------------------------------------------------


def test_done_move_records_a_rename_with_git_mv(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("spec", {f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    result = run(repo.path, "done", "TASK-2026-001", "--move", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["path"] == f"{COMPLETED}/TASK-2026-001.yaml"
    assert data["moved_from"] == f"{ACTIVE}/TASK-2026-001.yaml"
    assert data["git_mv"] is True
    status = repo.git("status", "--porcelain")
    assert status.splitlines() == [
        f"RM {ACTIVE}/TASK-2026-001.yaml -> {COMPLETED}/TASK-2026-001.yaml"
    ]
    assert not repo.spec("TASK-2026-001").exists()
    moved, _ = load((repo.path / COMPLETED / "TASK-2026-001.yaml").read_text())
    assert moved["state"]["status"] == "completed"
    task = taskgov.load_repo(repo.path).tasks["TASK-2026-001"]
    assert (task.archived, task.status) == (True, "completed")
    again = run(repo.path, "done", "TASK-2026-001", "--move")
    assert again.code == 1
    assert "TASK-2026-001 is already completed" in _one_error_line(again.err)


def test_done_move_of_an_untracked_spec_is_a_plain_move(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("layout", {"README.md": "x\n"})
    repo.write({f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    result = run(repo.path, "done", "TASK-2026-001", "--move")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == (
        f"TASK-2026-001: moved {ACTIVE}/TASK-2026-001.yaml -> {COMPLETED}/TASK-2026-001.yaml"
    )
    assert repo.git("status", "--porcelain", "-uall").splitlines() == [
        f"?? {COMPLETED}/TASK-2026-001.yaml"
    ]


def test_done_move_of_a_spec_already_completed_only_moves_it(run, governance: GitRepo) -> None:  # type: ignore[no-untyped-def]
    spec = governance.spec("TASK-2026-006")
    before = spec.read_bytes()
    result = run(governance.path, "done", "TASK-2026-006", "--move", "--json")
    assert result.code == 0, result.err
    assert result.json()["fields"] == {}
    assert (governance.path / COMPLETED / "TASK-2026-006.yaml").read_bytes() == before
    assert governance.git("status", "--porcelain").splitlines() == [
        f"R  {ACTIVE}/TASK-2026-006.yaml -> {COMPLETED}/TASK-2026-006.yaml"
    ]


def test_done_move_refuses_an_existing_target_and_changes_nothing(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.commit(
        "specs",
        {
            f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            f"{COMPLETED}/TASK-2026-001.yaml": "# an old copy\n",
        },
    )
    before = repo.snapshot()
    result = run(repo.path, "done", "TASK-2026-001", "--move")
    assert result.code == 2
    assert _one_error_line(result.err) == (
        f"taskgov: error: {COMPLETED}/TASK-2026-001.yaml already exists: TASK-2026-001 not "
        "changed, not moved"
    )
    assert repo.snapshot() == before


# --- parallel runs ---------------------------------------------------------------------------


def _parallel(cwd: Path, runs: list[list[str]], env: dict[str, str]) -> list[tuple[int, str, str]]:
    return start_together(cwd, runs, env)


def _slow_writes() -> dict[str, str]:
    # every write waits before its rename: without the lock, each run would read the old file
    return {**os.environ, "TASKGOV_TEST_RENAME_DELAY": "0.2"}


def test_parallel_starts_have_exactly_one_winner(repo: GitRepo) -> None:
    repo.commit("spec", {f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    results = _parallel(repo.path, [["start", "TASK-2026-001"]] * 8, _slow_writes())
    codes = sorted(code for code, _, _ in results)
    assert codes == [0] + [1] * 7, results
    for code, _, err in results:
        if code:
            assert "TASK-2026-001 is already in_progress" in _one_error_line(err)
    data, _ = load(repo.spec("TASK-2026-001").read_text())
    assert [p["note"] for p in data.get("progress", [])] == ["Started"]


def test_parallel_status_changes_lose_no_update(repo: GitRepo) -> None:
    repo.commit("spec", {f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    runs = [
        ["status", "TASK-2026-001", "blocked" if n % 2 else "ready", "--note", f"n{n}", "--json"]
        for n in range(10)
    ]
    results = _parallel(repo.path, runs, _slow_writes())
    assert all(code == 0 for code, _, _ in results), results
    changes = [json.loads(out) for _, out, _ in results]
    made = [c for c in changes if c["changed"]]
    assert made  # at least the first blocked one
    data, _ = load(repo.spec("TASK-2026-001").read_text())
    notes = [p["note"] for p in data["progress"]]
    assert sorted(notes) == sorted(c["fields"]["progress"]["note"] for c in made)
    # each change saw the one before it: they chain from ready to the status written last
    chain = "ready"
    for entry in data["progress"]:
        change = next(c for c in made if c["fields"]["progress"]["note"] == entry["note"])
        assert change["old_status"] == chain
        chain = change["new_status"]
    assert data["state"]["status"] == chain


# --- branches, working directories, the library ----------------------------------------------


def test_master_default_branch_and_a_subdirectory(tmp_path: Path) -> None:
    path = tmp_path / "repo"
    subprocess.run(["git", "init", "--quiet", "--template=", "-b", "master", str(path)], check=True)
    repo = GitRepo(path)
    repo.commit(
        "specs",
        {
            f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            f"{ACTIVE}/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",)
            ),
        },
    )
    repo.commit("feat: first\n\nCloses: TASK-2026-001")
    inside = path / "docs" / "tasks"
    start = run_process(inside, "start", "TASK-2026-002", "--json")  # closed on master
    assert start.code == 0, start.err
    assert start.json()["path"] == f"{ACTIVE}/TASK-2026-002.yaml"
    reopen = run_process(inside, "start", "TASK-2026-001")
    assert reopen.code == 1
    assert "TASK-2026-001 is completed (closed by " in _one_error_line(reopen.err)
    done = run_process(inside, "done", "TASK-2026-001", "--move")
    assert done.code == 0, done.err
    assert (path / COMPLETED / "TASK-2026-001.yaml").is_file()
    assert f"RM {ACTIVE}/TASK-2026-001.yaml -> {COMPLETED}/TASK-2026-001.yaml" in repo.git(
        "status", "--porcelain"
    )


def test_the_library_api(repo: GitRepo) -> None:
    repo.commit(
        "specs",
        {
            f"{ACTIVE}/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            f"{ACTIVE}/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",)
            ),
        },
    )
    started = taskgov.start_task("TASK-2026-001", path=repo.path, note="picked up")
    assert (started.old_status, started.new_status) == ("ready", "in_progress")
    assert started.fields["progress"]["note"] == "picked up"
    with pytest.raises(taskgov.CheckFailed, match="already in_progress"):
        taskgov.start_task("TASK-2026-001", path=repo.path)
    with pytest.raises(taskgov.UsageError, match="did you mean review"):
        taskgov.set_status("TASK-2026-001", "reveiw", path=repo.path)
    with pytest.raises(taskgov.NotFoundError):
        taskgov.finish_task("TASK-2026-404", path=repo.path)
    reviewed = taskgov.set_status("TASK-2026-001", "review", path=repo.path)
    assert reviewed.fields["progress"]["note"] == "Status in_progress -> review"
    finished = taskgov.finish_task("TASK-2026-001", path=repo.path, move=True)
    assert finished.now_ready == ("TASK-2026-002",)
    assert finished.path == f"{COMPLETED}/TASK-2026-001.yaml"
    states = taskgov.derive_states(taskgov.load_repo(repo.path))
    assert (states["TASK-2026-001"].status, states["TASK-2026-002"].status) == (
        "completed",
        "ready",
    )


def test_the_main_help_lists_start_and_done(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    result = run(repo.path, "--help")
    assert "taskgov start ID / taskgov done ID" in result.out
    for command in ("start", "done", "status"):
        assert run(repo.path, command, "--help").code == 0
