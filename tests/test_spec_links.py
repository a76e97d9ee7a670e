"""Symbolic links among the specs: followed inside the repository, named when not."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import GitRepo, spec_yaml


def test_links_to_spec_directories(run, repo: GitRepo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "TASK-2026-003.yaml").write_text(spec_yaml("TASK-2026-003"))
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            "specs/inner/TASK-2026-002.yaml": spec_yaml("TASK-2026-002"),
        }
    )
    active = repo.path / "docs/tasks/active"
    (active / "inner").symlink_to("../../../specs/inner")  # inside the repository: followed
    (active / "elsewhere").symlink_to(outside)  # outside: named, not read
    (active / "loop").symlink_to("..")  # back up: named, not walked again
    listed = run(repo.path, "list", "--json")
    assert listed.code == 0
    ids = [t["id"] for t in listed.json()["tasks"]]
    assert "TASK-2026-002" in ids
    assert "TASK-2026-003" not in ids
    assert ids.count("TASK-2026-001") == 1
    problems = {p["path"]: p["message"] for p in listed.json()["problems"]}
    assert problems["docs/tasks/active/elsewhere"].startswith("symbolic link points outside")
    said = run(repo.path, "list").err
    assert "could not read docs/tasks/active/loop: symbolic link to a directory that holds" in said
    assert run(repo.path, "ready", "--json").json()["ready"][0]["id"] == "TASK-2026-001"
    checked = run(repo.path, "validate")
    assert "TG003" in checked.out
    assert "TG110" not in checked.out  # nothing is read twice through the loop
