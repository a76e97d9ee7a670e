"""Parsed specs are cached by git blob id: warm runs parse nothing and import no parser."""

from __future__ import annotations

import json
import subprocess
import sys

import taskgov
from taskgov.spec.cache import SpecCache, blob_id
from tests.conftest import GitRepo, spec_yaml


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
    assert len(cache.results) == 3

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
