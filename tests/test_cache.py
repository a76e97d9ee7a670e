"""Parsed specs are cached by git blob id: warm runs parse nothing and import no parser."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

import taskgov
from taskgov.spec.cache import blob_id
from taskgov.spec.parsecache import SpecCache
from tests.conftest import GitRepo, run_process, spec_yaml


def test_blob_id_matches_git(repo: GitRepo) -> None:
    data = spec_yaml("TASK-2026-001").encode()
    (repo.path / "x.yaml").write_bytes(data)
    assert blob_id(data) == repo.git("hash-object", "x.yaml").strip()


def test_warm_load_reuses_cache_and_sees_changes(repo: GitRepo) -> None:
    repo.write(
        {
            f"docs/tasks/active/TASK-2026-00{n}.yaml": spec_yaml(f"TASK-2026-00{n}")
            for n in range(1, 4)
        }
    )
    cold = taskgov.load_repo(repo.path)
    assert (repo.path / ".git/taskgov/specs.cache").is_file()
    warm = taskgov.load_repo(repo.path)
    assert warm.files == cold.files
    cache = SpecCache.for_root(repo.path, warm.config.fingerprint())
    assert len(cache._stored()) == 3

    # Same size, new content: the blob id changes and the file is parsed again.
    path = repo.spec("TASK-2026-002")
    path.write_text(path.read_text().replace("Implement the feature", "Implement the featurE"))
    changed = taskgov.load_repo(repo.path)
    assert changed.tasks["TASK-2026-002"].title == "Implement the featurE"

    path.unlink()
    assert "TASK-2026-002" not in taskgov.load_repo(repo.path).tasks


def test_policy_change_invalidates_cache(repo: GitRepo) -> None:
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", effort="1d")})
    assert taskgov.load_repo(repo.path).tasks["TASK-2026-001"].estimate.likely == 8  # type: ignore[union-attr]
    repo.write({"docs/governance/policy.yaml": "estimates: {hours_per_day: 6}\n"})
    assert taskgov.load_repo(repo.path).tasks["TASK-2026-001"].estimate.likely == 6  # type: ignore[union-attr]


def test_damaged_cache_is_only_slower(repo: GitRepo) -> None:
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    taskgov.load_repo(repo.path)
    (repo.path / ".git/taskgov/specs.cache").write_bytes(b"not a pickle")
    assert list(taskgov.load_repo(repo.path).tasks) == ["TASK-2026-001"]


def test_warm_ready_imports_no_parser_or_validator(repo: GitRepo) -> None:
    repo.write(
        {
            f"docs/tasks/active/TASK-2026-00{n}.yaml": spec_yaml(f"TASK-2026-00{n}")
            for n in range(1, 4)
        }
    )
    repo.write({"docs/governance/policy.yaml": "version: 1\n"})
    probe = (
        "import sys, json; from taskgov.cli import main; code = main(['ready', '--json']); "
        "heavy = sorted(m for m in ('pydantic', 'ruamel.yaml', 'networkx', 'jinja2', 'git') "
        "if m in sys.modules); print(json.dumps(heavy), file=sys.stderr)"
    )
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=repo.path, capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stderr.strip().splitlines()[-1]))
    assert "pydantic" in runs[0]  # the cold run parsed
    assert runs[1] == []  # the warm run did not even import a parser


def test_parallel_cold_parse_equals_sequential(repo: GitRepo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from taskgov.repo import PARALLEL_MIN

    count = PARALLEL_MIN + 20
    repo.write(
        {
            f"docs/tasks/active/TASK-2026-{n:04d}.yaml": spec_yaml(
                f"TASK-2026-{n:04d}", blocked_by=(f"TASK-2026-{n - 1:04d}",) if n > 1 else ()
            )
            for n in range(1, count + 1)
        }
    )
    repo.write({"docs/tasks/active/TASK-2026-9999.yaml": "title: [broken\n"})
    monkeypatch.setenv("TASKGOV_NO_CACHE", "1")
    monkeypatch.setenv("TASKGOV_JOBS", "1")
    sequential = taskgov.load_repo(repo.path)
    monkeypatch.setenv("TASKGOV_JOBS", "2")
    parallel = taskgov.load_repo(repo.path)
    assert len(parallel.files) == count + 1
    assert parallel.files == sequential.files


class _Planted:
    """Unpickling this runs ``os.mkdir(marker)``: what a planted cache file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def _plant(directory: Path, marker: Path) -> list[str]:
    payload = pickle.dumps(_Planted(marker))
    names = []
    for path in sorted(directory.iterdir()):
        path.write_bytes(payload)
        names.append(path.name)
    return names


def test_planted_pickles_in_the_caches_run_nothing(repo: GitRepo, tmp_path: Path) -> None:
    repo.write(
        {
            "docs/governance/policy.yaml": "version: 1\n",
            **{
                f"docs/tasks/active/TASK-2026-00{n}.yaml": spec_yaml(
                    f"TASK-2026-00{n}", blocked_by=("TASK-2026-001",) if n > 1 else ()
                )
                for n in range(1, 4)
            },
        }
    )
    repo.commit("specs")
    time.sleep(2.1)  # older than two seconds ("racy" otherwise): answers get cached
    expected = run_process(repo.path, "ready", "--json")
    assert expected.code == 0, expected.err
    cache = repo.path / ".git" / "taskgov"
    names = _plant(cache, tmp_path / "marker")
    assert {"specs.cache", "ready.answer", "policy.cache", "activity.cache"} <= set(names)
    pickle.loads((cache / "specs.cache").read_bytes())  # the payload is live: it runs...
    assert (tmp_path / "marker").is_dir()
    (tmp_path / "marker").rmdir()
    _plant(cache, tmp_path / "marker")

    found = run_process(repo.path, "ready", "--json")
    assert not (tmp_path / "marker").exists()  # ...but taskgov never unpickles it
    assert (found.code, found.out, found.err) == (0, expected.out, "")
    again = run_process(repo.path, "ready", "--json")  # the caches were rewritten as JSON
    assert again.out == expected.out
    for path in cache.iterdir():
        assert path.read_bytes()[:1] in (b"{", b"[")


def test_cache_of_the_wrong_shape_is_a_miss(repo: GitRepo) -> None:
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    cold = taskgov.load_repo(repo.path)
    location = repo.path / ".git/taskgov/specs.cache"
    header, line = location.read_text().splitlines()
    head, result = line.split("\t")
    fields = json.loads(result)
    for damaged in (
        f"{head}\t{json.dumps([fields[0]])}",  # a FileResult with one field
        f"{head}\t{json.dumps([fields[0], [1, 2], None, []])}",  # a Task of the wrong width
        f'{head}\t{{"path": 1}}',
        f"{head}\t[1, 2, 3",
        f"{head}",
        f"{json.dumps(json.loads(head)[:1])}\t{result}",
        f"{line}\n{line[:20]}",  # an append cut short
    ):
        location.write_text(header + "\n" + damaged + "\n")
        assert taskgov.load_repo(repo.path).files == cold.files
    location.write_text(header.replace('"format":', '"format":-1,"old":') + "\n" + line + "\n")
    assert taskgov.load_repo(repo.path).files == cold.files
    index = location.with_name("specs.index")
    header, line = index.read_text().splitlines()
    for damaged in ("[1]", "{}", '["a", "b", [1]]', line[:-3], ""):
        index.write_text(header + "\n" + damaged + "\n")
        assert taskgov.load_repo(repo.path).files == cold.files


def test_appends_a_changed_spec_and_compacts_later(repo: GitRepo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from taskgov.spec import parsecache as cache_module

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    repo.write(
        {
            f"docs/tasks/active/TASK-2026-{n:03d}.yaml": spec_yaml(f"TASK-2026-{n:03d}")
            for n in range(1, 5)
        }
    )
    taskgov.load_repo(repo.path)
    location = repo.path / ".git/taskgov/specs.cache"
    first = location.read_text()
    assert len(first.splitlines()) == 5  # the header and four entries
    spec = repo.spec("TASK-2026-002")
    for round in range(1, 80):
        spec.write_text(spec_yaml("TASK-2026-002", title=f"Edit {round}"))
        loaded = taskgov.load_repo(repo.path)
        assert loaded.tasks["TASK-2026-002"].title == f"Edit {round}"
        text = location.read_text()
        if round == 1:
            assert text.startswith(first)
            assert len(text.splitlines()) == 6
    assert len(location.read_text().splitlines()) < 70  # rewritten on the way
    warm = taskgov.load_repo(repo.path)
    assert warm.tasks["TASK-2026-002"].title == "Edit 79"
    assert SpecCache.for_root(repo.path, warm.config.fingerprint()).stats.keys() == {
        f"docs/tasks/active/TASK-2026-{n:03d}.yaml" for n in range(1, 5)
    }


def _chown_tree(top: Path, uid: int) -> None:
    for path in [top, *top.rglob("*")]:
        os.chown(path, uid, -1, follow_symlinks=False)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_repository_of_another_user_found_by_walking_up_is_refused(
    repo: GitRepo, tmp_path: Path
) -> None:
    """A ``.git`` planted in a parent directory by another user: taskgov, like git, refuses
    it unless safe.directory names it, and reads none of its caches either way."""
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    repo.commit("specs")
    assert run_process(repo.path, "ready", "--json").code == 0  # caches written
    _plant(repo.path / ".git" / "taskgov", tmp_path / "marker")
    (repo.path / "work").mkdir()
    _chown_tree(repo.path, 54321)
    env = {k: v for k, v in os.environ.items() if k != "SUDO_UID"}

    refused = run_process(repo.path / "work", "ready", env=env)
    assert refused.code == 2
    assert refused.out == ""
    assert refused.err.count("\n") == 1
    assert "Traceback" not in refused.err
    assert "belongs to another user" in refused.err
    assert str(repo.path) in refused.err
    git = subprocess.run(
        ["git", "-C", str(repo.path / "work"), "status"], capture_output=True, env=env, check=False
    )
    assert git.returncode != 0  # git agrees

    for trusted in (str(repo.path), "*"):
        subprocess.run(
            ["git", "config", "--global", "--replace-all", "safe.directory", trusted], check=True
        )
        found = run_process(repo.path / "work", "ready", "--json", env=env)
        assert found.code == 0, found.err
        assert [t["id"] for t in json.loads(found.out)["ready"]] == ["TASK-2026-001"]
    assert not (tmp_path / "marker").exists()

    # root through sudo may use the repositories of the user who ran sudo, as git does.
    subprocess.run(["git", "config", "--global", "--unset-all", "safe.directory"], check=True)
    sudo = run_process(repo.path / "work", "ready", env={**env, "SUDO_UID": "54321"})
    assert sudo.code == 0, sudo.err
    assert not (tmp_path / "marker").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_untrusted_repository_gets_no_cache(repo: GitRepo) -> None:
    from taskgov.spec.cache import git_dir

    (repo.path / "sub").mkdir()
    _chown_tree(repo.path, 54321)
    assert git_dir(repo.path / "sub") is None  # not a repository root
    env_uid = os.environ.pop("SUDO_UID", None)
    try:
        assert git_dir(repo.path) is None
    finally:
        if env_uid is not None:
            os.environ["SUDO_UID"] = env_uid


def _incremental_repo(repo: GitRepo) -> None:
    specs = {
        "001": spec_yaml("TASK-2026-001", status="completed", blocks=("TASK-2026-002",)),
        "002": spec_yaml("TASK-2026-002", blocked_by=("TASK-2026-001",), blocks=("TASK-2026-004",)),
        "003": spec_yaml("TASK-2026-003", priority="high", milestone="M2"),
        "004": spec_yaml("TASK-2026-004", blocked_by=("TASK-2026-002",)),
        "005": spec_yaml("TASK-2026-005", status="draft"),
    }
    repo.commit(
        "specs", {f"docs/tasks/active/TASK-2026-{n}.yaml": text for n, text in specs.items()}
    )


def test_ready_after_an_edit_matches_a_full_computation(run, repo: GitRepo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every kind of edit, one after the other: the answer brought up to date from the last
    one is the answer computed from scratch."""
    import taskgov.commands

    _incremental_repo(repo)
    full = taskgov.commands.ready_tasks
    computed: list[int] = []

    def counting(*args: object) -> object:
        computed.append(1)
        return full(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(taskgov.commands, "ready_tasks", counting)

    def ready() -> object:
        cached = run(repo.path, "ready", "--json")
        assert cached.code == 0, cached.err
        monkeypatch.setenv("TASKGOV_NO_CACHE", "1")
        monkeypatch.setattr(taskgov.commands, "ready_tasks", full)
        fresh = run(repo.path, "ready", "--json")
        monkeypatch.setattr(taskgov.commands, "ready_tasks", counting)
        monkeypatch.delenv("TASKGOV_NO_CACHE")
        assert cached.json() == fresh.json()
        return cached.json()

    def edit(task: str, old: str, new: str) -> None:
        spec = repo.spec(task)
        text = spec.read_text()
        assert old in text
        spec.write_text(text.replace(old, new))

    ready()
    computed.clear()
    steps = [
        ("TASK-2026-003", 'title: "Implement the feature"', 'title: "A new title"', False),
        ("TASK-2026-003", 'milestone: "M2"', 'milestone: "M3"', False),
        ("TASK-2026-004", 'title: "Implement the feature"', 'title: "Not on the frontier"', False),
        ("TASK-2026-002", "acceptance_criteria:", "notes: some prose\nacceptance_criteria:", False),
        ("TASK-2026-005", 'status: "draft"', 'status: "ready"', True),
        ("TASK-2026-003", 'priority: "high"', 'priority: "low"', True),
        ("TASK-2026-003", 'estimated_effort: "4h"', 'estimated_effort: "3d"', True),
        ("TASK-2026-002", "blocked_by: [", 'blocked_by: ["TASK-2026-005", ', True),
        ("TASK-2026-005", 'title: "Implement the feature"', "title: [broken", True),
        ("TASK-2026-005", "title: [broken", 'title: "Mended"', True),
    ]
    for task, old, new, recomputed in steps:
        edit(task, old, new)
        ready()
        assert computed == ([1] if recomputed else []), (task, new)
        computed.clear()
    frontier = ready()
    assert {"id": "TASK-2026-003", "title": "A new title", "milestone": "M3"}.items() <= next(
        row
        for row in frontier["ready"]
        if row["id"] == "TASK-2026-003"  # type: ignore[index]
    ).items()

    # A file added or removed: computed again.
    repo.write({"docs/tasks/active/TASK-2026-006.yaml": spec_yaml("TASK-2026-006")})
    ready()
    assert computed
    computed.clear()
    repo.spec("TASK-2026-006").unlink()
    ready()
    assert computed
    computed.clear()
    # A commit that closes or starts nothing keeps the answer (the edits above are committed);
    # one that does is computed again, and both match a computation from scratch.
    repo.commit("docs: more")
    ready()
    assert computed == []
    repo.git("commit", "-q", "--allow-empty", "-m", "feat: the work\n\nCloses: TASK-2026-003")
    after = ready()
    assert computed
    assert "TASK-2026-003" not in [row["id"] for row in after["ready"]]  # type: ignore[index]
    computed.clear()
    repo.git("commit", "-q", "--allow-empty", "-m", "feat: start\n\nTask: TASK-2026-005")
    started = ready()
    assert computed
    assert "TASK-2026-005" not in [row["id"] for row in started["ready"]]  # type: ignore[index]


def test_a_duplicate_id_edit_does_not_rename_the_task_shown(
    run, repo: GitRepo, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _incremental_repo(repo)
    copy = repo.path / "docs/tasks/active/TASK-2026-003z.yaml"  # after the original: not shown
    copy.write_text(spec_yaml("TASK-2026-003"))
    first = run(repo.path, "ready", "--json").json()
    copy.write_text(copy.read_text().replace("Implement the feature", "The copy"))
    assert run(repo.path, "ready", "--json").json() == first
    monkeypatch.setenv("TASKGOV_NO_CACHE", "1")
    assert run(repo.path, "ready", "--json").json() == first


def test_ready_reads_the_parse_cache_once_per_run(run, repo: GitRepo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from taskgov.spec import parsecache

    _incremental_repo(repo)
    assert run(repo.path, "ready").code == 0
    repo.commit("again", {"docs/tasks/active/TASK-2026-009.yaml": spec_yaml("TASK-2026-009")})
    loads: list[object] = []
    original = parsecache.SpecCache._load

    def counting(self: parsecache.SpecCache, location: Path) -> None:
        loads.append(location)
        original(self, location)

    monkeypatch.setattr(parsecache.SpecCache, "_load", counting)
    assert run(repo.path, "ready").code == 0  # a commit: the answer is computed again
    assert len(loads) == 1


def _activity_from_scratch(root: Path, target: str) -> object:
    from taskgov.git.activity import read_activity

    (root / ".git/taskgov/activity.cache").unlink(missing_ok=True)
    return read_activity(root, target)


def test_activity_after_new_commits_equals_one_read_from_scratch(repo: GitRepo) -> None:
    from taskgov.git.activity import read_activity

    repo.commit("plan", {"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    repo.commit("feat: a\n\nTask: TASK-2026-001", {"a": "1"})
    first = read_activity(repo.path, "main")
    assert set(first.started) == {"TASK-2026-001"}
    # Forward: two more commits, one closing 001 and starting 002, one naming 001 again.
    repo.commit("feat: b\n\nCloses: TASK-2026-001\nTask: TASK-2026-002", {"b": "1"})
    repo.commit("feat: c\n\nTask: TASK-2026-001\nDecision: DECISION-2026-01-01-001", {"c": "1"})
    grown = read_activity(repo.path, "main")
    assert grown == _activity_from_scratch(repo.path, "main")
    assert grown.started["TASK-2026-001"] == first.started["TASK-2026-001"]  # still the first
    assert set(grown.closed) == {"TASK-2026-001"}
    assert set(grown.decisions) == {"DECISION-2026-01-01-001"}
    # A side branch: HEAD moves on, the target stays; then the target catches up (merge).
    repo.git("switch", "-q", "-c", "side")
    repo.commit("feat: d\n\nCloses: TASK-2026-002", {"d": "1"})
    side = read_activity(repo.path, "main")
    assert side == _activity_from_scratch(repo.path, "main")
    assert "TASK-2026-002" not in side.closed  # closed on a side branch only
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    merged = read_activity(repo.path, "main")
    assert merged == _activity_from_scratch(repo.path, "main")
    assert "TASK-2026-002" in merged.closed
    # Rewritten history (not forward): read again in full, the closing gone.
    repo.git("reset", "-q", "--hard", "HEAD~3")
    rewound = read_activity(repo.path, "main")
    assert rewound == _activity_from_scratch(repo.path, "main")
    assert rewound.closed == {}
