"""``taskgov roadmap`` on real git repositories: grouping, derived status, progress, and
``--write`` keeping every byte outside its markers."""

from __future__ import annotations

import pytest

from taskgov.roadmap import END, START
from tests.conftest import GitRepo, spec_yaml

INDEX = "docs/tasks/index.md"


def spec(task_id: str, *, target: str = "", **fields: object) -> str:
    text = spec_yaml(task_id, **fields)  # type: ignore[arg-type]
    if target:
        text = text.replace(
            "  estimated_effort:", f'  target_version: "{target}"\n  estimated_effort:'
        )
    return text


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    """M3 of the calibration demo, a later M10, an unscheduled task; 006 closed in history."""
    repo.commit(
        "chore: specs",
        {
            "docs/tasks/active/TASK-2026-006.yaml": spec(
                "TASK-2026-006",
                title="Roofline fitting",
                milestone="M3",
                effort="8h",
                priority="high",
                target="0.9.0-beta",
            ),
            "docs/tasks/active/TASK-2026-008.yaml": spec(
                "TASK-2026-008",
                title="Energy | fitting",
                milestone="M3",
                effort="8h",
                target="0.9.0-beta",
            ),
            "docs/tasks/active/TASK-2026-010.yaml": spec(
                "TASK-2026-010",
                title="Calibration CLI",
                milestone="M3",
                effort="6h",
                blocked_by=("TASK-2026-006", "TASK-2026-008"),
                target="0.9.0-beta",
            ),
            "docs/tasks/active/TASK-2026-020.yaml": spec(
                "TASK-2026-020",
                title="Later work",
                milestone="M10",
                effort="4h",
            ),
            "docs/tasks/active/TASK-2026-021.yaml": spec(
                "TASK-2026-021",
                title="Dropped idea",
                milestone="M10",
                status="cancelled",
            ),
            "docs/tasks/active/TASK-2026-030.yaml": spec(
                "TASK-2026-030",
                title="Someday",
                milestone="",
                effort="2h",
            ),
        },
    )
    repo.commit("feat: roofline fitting\n\nCloses: TASK-2026-006")
    return repo


def test_milestones_in_natural_order_with_derived_status_and_progress(
    run, project: GitRepo
) -> None:
    result = run(project.path, "roadmap", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert [m["name"] for m in data["milestones"]] == ["M3", "M10", "Unscheduled"]
    m3 = data["milestones"][0]
    assert m3["target_versions"] == ["0.9.0-beta"]
    rows = {t["id"]: t for t in m3["tasks"]}
    assert rows["TASK-2026-006"]["status"] == "completed"  # from the Closes: trailer
    assert rows["TASK-2026-006"]["spec_status"] == "ready"
    assert rows["TASK-2026-010"]["status"] == "blocked"
    assert rows["TASK-2026-010"]["blocked_by"] == ["TASK-2026-008"]  # 006 is done
    assert m3["progress"] == {
        "done": 1,
        "total": 3,
        "cancelled": 0,
        "percent": 33,
        "hours_done": 8.0,
        "hours_remaining": 14.0,
        "unestimated": 0,
    }
    m10 = data["milestones"][1]["progress"]
    assert (m10["done"], m10["total"], m10["cancelled"]) == (0, 1, 1)
    assert data["progress"]["done"] == 1
    assert data["progress"]["total"] == 5


def test_markdown_tables(run, project: GitRepo) -> None:
    result = run(project.path, "roadmap")
    assert result.code == 0
    text = result.out
    assert text.startswith("## Roadmap\n\n1 of 5 tasks done (20%)")
    assert "| M3 | 0.9.0-beta | 1/3 |" in text
    assert text.index("### M3") < text.index("### M10") < text.index("### Unscheduled")
    assert (
        "| TASK-2026-010 | Calibration CLI | medium | blocked (spec: ready) | TASK-2026-008 "
        "| 0.9.0-beta | 6 |"
    ) in text
    assert "| Energy \\| fitting |" in text
    assert "| TASK-2026-006 | Roofline fitting | high | completed (spec: ready) |" in text


def test_no_tasks(run, repo: GitRepo) -> None:
    result = run(repo.path, "roadmap")
    assert result.code == 0
    assert "No tasks yet." in result.out
    assert run(repo.path, "roadmap", "--json").json()["milestones"] == []


def test_write_creates_the_file_with_markers(run, project: GitRepo) -> None:
    result = run(project.path, "roadmap", "--write")
    assert result.code == 0, result.err
    assert result.out.strip() == INDEX
    text = (project.path / INDEX).read_text(encoding="utf-8")
    assert text.startswith(f"# Tasks\n\n{START}\n## Roadmap\n")
    assert text.endswith(f"{END}\n")
    assert run(project.path, "roadmap").out in text


def test_write_keeps_every_byte_outside_the_markers(run, project: GitRepo) -> None:
    before = "# Task Registry\r\n\r\nHand-written intro ✓\r\n\r\n"
    after = "\r\n## Templates\r\n\r\n- keep me   \r\n<!-- other:start -->x<!-- other:end -->"
    index = project.path / INDEX
    index.write_bytes(f"{before}{START}\nstale table\n{END}{after}".encode())
    assert run(project.path, "roadmap", "--write").code == 0
    data = index.read_bytes().decode("utf-8")
    assert data.startswith(before + START + "\n## Roadmap\n")
    assert data.endswith(END + after)
    assert "stale table" not in data
    again = index.read_bytes()
    assert run(project.path, "roadmap", "--write").code == 0
    assert index.read_bytes() == again


def test_write_appends_markers_to_a_file_without_them(run, project: GitRepo) -> None:
    index = project.path / INDEX
    index.write_bytes(b"# Task Registry\n\nno newline at the end")
    assert run(project.path, "roadmap", "--write").code == 0
    data = index.read_text(encoding="utf-8")
    assert data.startswith(f"# Task Registry\n\nno newline at the end\n\n{START}\n")
    assert data.endswith(f"{END}\n")


def test_write_follows_the_configured_task_directory(run, project: GitRepo) -> None:
    project.write({"docs/governance/policy.yaml": "paths: {active: work/active}\n"})
    (project.path / "work").mkdir()
    (project.path / "docs/tasks/active").rename(project.path / "work/active")
    result = run(project.path, "roadmap", "--write")
    assert result.code == 0, result.err
    assert result.out.strip() == "work/index.md"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (f"# T\n\n{START}\nx\n{END}\n{START}\n{END}\n", 6, "second"),
        (f"# T\n{START}\n{END}\n\n{END}\n", 5, "second"),
        (f"# T\n\n{START}\nx\n", 3, "has no"),
        (f"# T\n{END}\n", 2, "has no"),
        (f"# T\n{END}\nx\n{START}\n", 2, "comes before"),
    ],
    ids=["two starts", "two ends", "start only", "end only", "reversed"],
)
def test_broken_markers_are_refused_with_file_and_line(
    run, project: GitRepo, text: str, line: int, words: str
) -> None:
    index = project.path / INDEX
    index.write_text(text, encoding="utf-8")
    result = run(project.path, "roadmap", "--write")
    assert result.code == 2
    assert result.err.startswith(f"taskgov: error: {INDEX}:{line}: ")
    assert words in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    assert index.read_text(encoding="utf-8") == text


def test_without_write_nothing_changes(run, project: GitRepo) -> None:
    before = project.snapshot()
    assert run(project.path, "roadmap").code == 0
    assert run(project.path, "roadmap", "--json").code == 0
    assert project.snapshot() == before
