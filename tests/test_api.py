"""The public library API: everything in ``taskgov.__all__`` exists and works together."""

from __future__ import annotations

import taskgov
from tests.conftest import GitRepo, spec_yaml


def test_all_names_exist() -> None:
    for name in taskgov.__all__:
        assert getattr(taskgov, name) is not None, name
    assert callable(taskgov.validate)  # the function, not the taskgov.validate package
    assert callable(taskgov.frontier)


def test_library_round_trip(repo: GitRepo) -> None:
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", blocks=("TASK-2026-002",)
            ),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",)
            ),
        }
    )
    repository = taskgov.load_repo(repo.path)
    report = taskgov.validate(repository)
    assert (report.ok, report.exit_code, report.problems) == (True, 0, ())
    assert [t.id for t in taskgov.frontier(repository)] == ["TASK-2026-001"]
    states = taskgov.derive_states(repository)
    assert states["TASK-2026-002"].status == "blocked"
    assert states["TASK-2026-002"].waiting_on == ("TASK-2026-001",)
    task = repository.task("TASK-2026-001")
    assert isinstance(task, taskgov.Task)
    assert task.estimate == taskgov.Estimate(4, 4, 4, "classification.estimated_effort")


def test_ids_sort_as_numbers() -> None:
    from taskgov.spec.task import id_key

    ids = ["TASK-2026-10000", "TASK-2026-1001", "TASK-2026-999", "TASK-2026-1000", "A-2"]
    assert sorted(ids, key=id_key) == [
        "A-2",
        "TASK-2026-999",
        "TASK-2026-1000",
        "TASK-2026-1001",
        "TASK-2026-10000",
    ]
