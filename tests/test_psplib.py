"""The PSPLIB reader on real j30 files (copies in tests/data; all 240 when the shared corpus
is present), on generated files and on broken copies, the repository it writes, and
``taskgov import psplib`` end to end."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from taskgov.errors import InputError, UsageError
from taskgov.interop.psplib import read_sm, to_project, write_repository
from taskgov.plan.rcpsp import check, solve
from tests.conftest import DATA, corpus_path
from tests.test_rcpsp import exact_makespan

J30 = DATA / "psplib" / "j30"
SAMPLE = J30 / "j3010_1.sm"  # optimum 42


def test_reads_a_real_instance() -> None:
    instance = read_sm(SAMPLE)
    assert instance.name == "j3010_1.sm"
    assert instance.jobs == 32
    assert instance.resource_names == ("R1", "R2", "R3", "R4")
    assert instance.capacities == (24, 23, 25, 33)
    assert instance.successors[0] == (1, 2, 3)  # job 1 precedes jobs 2, 3 and 4
    assert instance.successors[-1] == ()
    assert instance.durations[1] == 2
    assert instance.demands[1] == (1, 2, 4, 0)
    assert instance.predecessors()[31] == (28, 29, 30)


def reads_and_converts(files: list[Path]) -> None:
    for path in files:
        instance = read_sm(path)
        assert instance.jobs == 32
        assert instance.resource_names == ("R1", "R2", "R3", "R4")
        project = to_project(instance)
        assert len(project.durations) == 32
        assert project.durations[0] == project.durations[-1] == 0


def test_every_j30_instance_reads_and_converts() -> None:
    files = sorted(corpus_path("psplib/j30").glob("*.sm"))
    assert len(files) == 240
    reads_and_converts(files)


def test_the_copied_j30_instances_read_and_convert() -> None:
    files = sorted(J30.glob("*.sm"))
    assert len(files) == 14
    reads_and_converts(files)


def write_sm(
    path: Path,
    durations: list[int],
    demands: list[list[int]],
    capacities: list[int],
    edges: list[tuple[int, int]],
) -> None:
    """A PSPLIB-style file for real jobs 2..n+1 (``edges`` between 0-based real jobs) between
    the dummy source 1 and sink n+2, laid out as the j30 files are."""
    n, resources = len(durations), len(capacities)
    sink = n + 2
    successors = {
        j: sorted({b + 2 for a, b in edges if a + 2 == j}) or [sink] for j in range(2, sink)
    }
    successors[1] = [j for j in range(2, sink) if all(b + 2 != j for _, b in edges)]
    successors[sink] = []
    rule = "*" * 72
    lines = [
        rule,
        "file with basedata            : generated",
        rule,
        "projects                      :  1",
        f"jobs (incl. supersource/sink ):  {sink}",
        f"horizon                       :  {sum(durations)}",
        "RESOURCES",
        f"  - renewable                 :  {resources}   R",
        "  - nonrenewable              :  0   N",
        "  - doubly constrained        :  0   D",
        rule,
        "PRECEDENCE RELATIONS:",
        "jobnr.    #modes  #successors   successors",
        *(
            f"  {j}  1  {len(successors[j])}  " + "  ".join(map(str, successors[j]))
            for j in range(1, sink + 1)
        ),
        rule,
        "REQUESTS/DURATIONS:",
        "jobnr. mode duration  " + "  ".join(f"R {r + 1}" for r in range(resources)),
        "-" * 72,
        *(
            f"  {j}  1  {d}  " + "  ".join(map(str, row))
            for j, d, row in zip(
                range(1, sink + 1),
                [0, *durations, 0],
                [[0] * resources, *demands, [0] * resources],
                strict=True,
            )
        ),
        rule,
        "RESOURCEAVAILABILITIES:",
        "  " + "  ".join(f"R {r + 1}" for r in range(resources)),
        "  " + "  ".join(map(str, capacities)),
        rule,
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("case", range(8))
def test_generated_instances_read_back_and_solve_to_the_exact_optimum(
    tmp_path: Path, case: int
) -> None:
    rng = random.Random(case)
    n = rng.randint(3, 7)
    capacities = [rng.randint(2, 6) for _ in range(rng.randint(1, 4))]
    demands = [[rng.randint(0, c) for c in capacities] for _ in range(n)]
    durations = [rng.randint(1, 5) for _ in range(n)]
    edges = [(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < 0.3]
    path = tmp_path / f"gen{case}.sm"
    write_sm(path, durations, demands, capacities, edges)

    instance = read_sm(path)
    assert instance.jobs == n + 2
    assert instance.durations == (0, *durations, 0)
    assert instance.demands[1:-1] == tuple(map(tuple, demands))
    assert instance.capacities == tuple(capacities)
    assert instance.resource_names == tuple(f"R{r + 1}" for r in range(len(capacities)))
    for a, b in edges:
        assert b + 1 in instance.successors[a + 1]
    assert instance.successors[-1] == ()

    project = to_project(instance)
    schedule = solve(project, seed=case)
    assert check(project, schedule.starts) == []
    assert schedule.makespan == exact_makespan(project)


def edited(tmp_path: Path, changes: dict[int, str | None], keep: int | None = None) -> Path:
    """A copy of the sample with lines replaced (``None`` deletes), or cut after ``keep``."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for number, text in changes.items():
        lines[number - 1] = "" if text is None else text
    if keep is not None:
        lines = lines[:keep]
    path = tmp_path / "broken.sm"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "line", "message"),
    [
        ({17: None}, 91, "no 'PRECEDENCE RELATIONS:' section"),
        ({6: "jobs (incl. supersource/sink ):  thirty"}, 6, "'thirty' is not a whole number"),
        ({10: "  - nonrenewable              :  2   N"}, 10, "only renewable resources"),
        ({59: "  5      1     4x      8    3    0    8"}, 59, "'4x' is not a whole number"),
        ({60: "  6      1     2       3    1    8"}, 60, "found 6 fields"),
        ({23: "   5        1          1           99"}, 23, "successor 99 of job 5 is not"),
        ({23: "   5        1          2           8"}, 23, "found 4 fields"),
        ({47: "  29        1          2          32  26"}, 44, "cycle: 26 -> 29 -> 26"),
        ({21: "   3        2          3           9  15  16"}, 21, "job 3 has 2 modes"),
        ({30: "  13        1          1          30"}, 30, "expected job 12, found job 13"),
        ({58: "  4      1     6      30   10   10    0"}, 58, "job 4 needs 30 of R1, more than"),
        ({55: "  1      1     3       0    0    0    0"}, 55, "job 1 is a dummy"),
        ({90: "   24   23   25"}, 90, "3 capacities for 4 resources"),
        ({53: "jobnr. mode duration  R 1  R 2  R 3"}, 53, "3 resource columns for 4"),
        ({}, 70, "the file ends before the duration and requests of job 17"),
    ],
)
def test_broken_input_names_file_and_line(
    tmp_path: Path, changes: dict[int, str | None], line: int, message: str
) -> None:
    path = edited(tmp_path, changes, keep=70 if not changes else None)
    with pytest.raises(InputError) as caught:
        read_sm(path)
    text = str(caught.value)
    assert text.startswith(f"{path}:{line}: "), text
    assert message in text
    assert "\n" not in text


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No such file"):
        read_sm(tmp_path / "missing.sm")
    binary = tmp_path / "binary.sm"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="not UTF-8"):
        read_sm(binary)


def test_the_written_repository_validates_and_is_the_same_everywhere(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    instance = read_sm(SAMPLE)
    written = write_repository(instance, tmp_path / "a")
    assert len(written) == 31
    names = sorted(p.relative_to(tmp_path / "a").as_posix() for p in written)
    assert names[0] == "docs/governance/policy.yaml"
    assert "docs/tasks/active/J2.yaml" in names
    assert "docs/tasks/active/J31.yaml" in names
    assert not (tmp_path / "a" / "docs" / "tasks" / "active" / "J1.yaml").exists()
    spec = (tmp_path / "a" / "docs" / "tasks" / "active" / "J2.yaml").read_text()
    assert 'blocks: ["J10", "J11", "J28"]' in spec
    assert "estimate: {optimistic: 2, likely: 2, pessimistic: 2}" in spec
    assert "resources: {R1: 1, R2: 2, R3: 4}" in spec
    assert 'blocked_by: ["J4"]' in (tmp_path / "a/docs/tasks/active/J5.yaml").read_text()

    result = run(tmp_path / "a", "validate", "--json")
    assert result.code == 0, result.out
    assert result.json()["problems"] == []

    write_repository(instance, tmp_path / "b")
    heads = {
        subprocess.run(
            ["git", "-C", str(tmp_path / d), "rev-parse", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for d in "ab"
    }
    assert len(heads) == 1
    status = subprocess.run(
        ["git", "-C", str(tmp_path / "a"), "status", "--porcelain"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert status == ""


def test_never_overwrites(tmp_path: Path) -> None:
    instance = read_sm(SAMPLE)
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    with pytest.raises(UsageError, match="not an empty directory"):
        write_repository(instance, target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(UsageError):
        write_repository(instance, afile)
    write_repository(instance, tmp_path / "empty-is-fine")


def test_import_then_plan_end_to_end(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(tmp_path, "import", "psplib", str(SAMPLE), "--out", "j3010_1")
    assert result.code == 0, result.err
    assert "imported j3010_1.sm: 30 jobs, resources R1 24, R2 23, R3 25, R4 33" in result.out
    assert "next: taskgov -C j3010_1 plan" in result.out

    again = run(tmp_path, "import", "psplib", str(SAMPLE), "--out", "j3010_1")
    assert again.code == 2
    assert "not an empty directory" in again.err

    data = run(tmp_path, "import", "psplib", str(SAMPLE), "--out", "other", "--json").json()
    assert isinstance(data, dict)
    assert data["jobs"] == 30
    assert data["resources"] == {"R1": 24, "R2": 23, "R3": 25, "R4": 33}
    assert len(data["commit"]) == 40
    assert len(data["files"]) == 31

    plan = run(tmp_path / "j3010_1", "plan", "--json")
    assert plan.code == 0, plan.err
    makespan = plan.json()["makespan"]
    assert 42 <= makespan <= 42 * 1.06


def test_import_reports_a_broken_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = edited(tmp_path, {23: "   5        1          1           99"})
    result = run(tmp_path, "import", "psplib", "broken.sm", "--out", "repo")
    assert result.code == 2
    assert f"{path}:23: successor 99 of job 5" in result.err
    assert not (tmp_path / "repo").exists()


def test_to_project_solves_to_the_optimum() -> None:
    project = to_project(read_sm(SAMPLE))
    schedule = solve(project)
    assert check(project, schedule.starts) == []
    assert schedule.makespan == 42
