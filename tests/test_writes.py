"""Every write stays inside the repository, is whole or absent, and says clearly why it failed.

Real repositories, real symbolic links, a real full filesystem (a small tmpfs, when this
machine lets us mount one), real processes killed with SIGKILL."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import GitRepo, run_process, spec_yaml

SPEC = "docs/tasks/active/TASK-2026-001.yaml"


def _status(repo: GitRepo) -> list[str]:
    """What ``git add -A`` would pick up."""
    return repo.git("status", "--porcelain", "--untracked-files=all").splitlines()


def _leftovers(root: Path) -> list[Path]:
    """Temporary files of the writers: in the work tree, and in the git directory's tmp/."""
    return [
        p
        for p in root.rglob("*")
        if p.name.endswith((".taskgov-tmp", ".tmp"))
        and (".git" not in p.relative_to(root).parts or p.parent.name == "tmp")
    ]


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ----------------------------------------------------------------- containment


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "outside"
    path.mkdir()
    (path / "keep.txt").write_text("mine\n")
    return path


def _before(outside: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in outside.rglob("*") if p.is_file()}


def test_new_refuses_a_symlinked_active_directory(run, repo: GitRepo, outside: Path) -> None:  # type: ignore[no-untyped-def]
    active = repo.path / "docs/tasks/active"
    active.rmdir()
    active.symlink_to(outside, target_is_directory=True)
    before = _before(outside)
    result = run(repo.path, "new", "Write through the link")
    assert result.code == 2
    line = _one_line(result.err)
    assert "docs/tasks/active/TASK-" in line
    assert "leads outside the repository" in line
    assert str(outside) in line
    assert _before(outside) == before


def test_new_refuses_a_prerequisite_linked_outside(run, repo: GitRepo, outside: Path) -> None:  # type: ignore[no-untyped-def]
    (outside / "TASK-2026-001.yaml").write_text(spec_yaml("TASK-2026-001"))
    repo.spec("TASK-2026-001").symlink_to(outside / "TASK-2026-001.yaml")
    before = _before(outside)
    run(repo.path, "new", "Depends on a link", "--depends-on", "TASK-2026-001")
    assert _before(outside) == before


def test_decisions_refuse_a_symlinked_directory(run, repo: GitRepo, outside: Path) -> None:  # type: ignore[no-untyped-def]
    (repo.path / ".claude").mkdir()
    (repo.path / ".claude/decisions").symlink_to(outside, target_is_directory=True)
    before = _before(outside)
    result = run(repo.path, "decision", "new", "Choose a solver")
    assert result.code == 2
    assert "leads outside the repository" in _one_line(result.err)
    result = run(repo.path, "decision", "index", "--write")
    assert result.code == 2
    assert "index.md: leads outside the repository" in _one_line(result.err)
    assert _before(outside) == before


def test_roadmap_refuses_an_index_linked_outside(run, repo: GitRepo, outside: Path) -> None:  # type: ignore[no-untyped-def]
    repo.write({SPEC: spec_yaml("TASK-2026-001")})
    (repo.path / "docs/tasks/index.md").symlink_to(outside / "keep.txt")
    result = run(repo.path, "roadmap", "--write")
    assert result.code == 2
    assert "docs/tasks/index.md: leads outside the repository" in _one_line(result.err)
    assert (outside / "keep.txt").read_text() == "mine\n"


def test_init_refuses_a_symlinked_claude_directory(run, repo: GitRepo, outside: Path) -> None:  # type: ignore[no-untyped-def]
    (repo.path / ".claude").symlink_to(outside, target_is_directory=True)
    before = _before(outside)
    result = run(repo.path, "init")
    assert result.code == 2
    assert "leads outside the repository" in _one_line(result.err)
    assert _before(outside) == before


def test_a_link_that_stays_inside_the_repository_is_followed(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    (repo.path / "specs").mkdir()
    active = repo.path / "docs/tasks/active"
    active.rmdir()
    active.symlink_to(repo.path / "specs", target_is_directory=True)
    assert run(repo.path, "new", "Inside").code == 0
    assert (repo.path / "specs/TASK-2026-001.yaml").is_file()


def test_a_bare_repository_gets_nothing_scaffolded(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "--bare", "--quiet", "--template=", str(bare)], check=True)
    before = sorted(p.relative_to(bare) for p in bare.rglob("*"))
    for args in (("init",), ("decision", "new", "A choice"), ("new", "A task")):
        result = run(bare, *args)
        assert result.code == 2, args
        line = _one_line(result.err)
        if args[0] != "new":  # `new` first reads the (missing) task directory and says so
            assert line == (
                "taskgov: error: a bare repository has no work tree: run taskgov init in a clone"
            )
    assert sorted(p.relative_to(bare) for p in bare.rglob("*")) == before


# ----------------------------------------------------------------- temp files, modes


def test_no_temporary_file_reaches_the_work_tree(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.write({SPEC: spec_yaml("TASK-2026-001")})
    repo.commit("chore: one spec")
    assert run(repo.path, "new", "Second", "--depends-on", "TASK-2026-001").code == 0
    assert sorted(_status(repo)) == [
        " M docs/tasks/active/TASK-2026-001.yaml",
        "?? docs/tasks/active/TASK-2026-002.yaml",
    ]
    assert _leftovers(repo.path) == []


def test_an_edit_keeps_the_file_mode_and_a_byte_order_mark(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    spec = repo.spec("TASK-2026-001")
    spec.write_bytes(b"\xef\xbb\xbf" + spec_yaml("TASK-2026-001").encode())
    spec.chmod(0o640)
    assert run(repo.path, "new", "Second", "--depends-on", "TASK-2026-001").code == 0
    data = spec.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b'blocks: ["TASK-2026-002"]' in data
    assert spec.stat().st_mode & 0o777 == 0o640


def test_stale_temporary_files_of_earlier_runs_are_removed(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.write({SPEC: spec_yaml("TASK-2026-001")})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True).stdout.strip()  # fmt: skip
    active = repo.path / "docs/tasks/active"
    legacy = active / f".TASK-2026-001.yaml.{dead}.tmp"  # what earlier versions left
    beside = active / f".TASK-2026-001.yaml.{dead}.0.taskgov-tmp"
    in_git = repo.path / f".git/taskgov/tmp/TASK-2026-009.yaml.{dead}.3.taskgov-tmp"
    mine = active / ".notes.1.tmp"  # not ours: never touched
    in_git.parent.mkdir(parents=True)
    for path in (legacy, beside, in_git, mine):
        path.write_text("partial")
    assert run(repo.path, "new", "Second", "--depends-on", "TASK-2026-001").code == 0
    assert not in_git.exists()
    assert not legacy.exists()
    assert not beside.exists()
    assert mine.read_text() == "partial"


# ----------------------------------------------------------------- a full disk, for real


def _mount_tmpfs(path: Path, size: str) -> None:
    path.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the short-write test still runs")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")


@pytest.fixture
def full_disk(tmp_path: Path) -> object:
    mount = tmp_path / "disk"
    _mount_tmpfs(mount, "256k")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, leave: int) -> None:
    """Fill the filesystem until fewer than ``leave`` bytes are free."""
    with (mount / "filler").open("wb") as handle:
        try:
            while True:
                stats = os.statvfs(mount)
                free = stats.f_bavail * stats.f_frsize
                if free <= leave:
                    break
                handle.write(b"x" * min(4096, free - leave if free - leave > 0 else 1))
                handle.flush()
        except OSError:
            pass


@pytest.mark.parametrize("leave", [0, 4096])
def test_a_full_disk_is_one_clear_line_and_leaves_nothing(full_disk: Path, leave: int) -> None:
    path = full_disk / "repo"
    subprocess.run(["git", "init", "--quiet", "--template=", str(path)], check=True)
    repo = GitRepo(path)
    repo.write({SPEC: spec_yaml("TASK-2026-001")})
    repo.commit("chore: one spec")
    spec_before = repo.spec("TASK-2026-001").read_bytes()
    _fill(full_disk, leave)
    long_title = "A title long enough to need more space than is left " * 150
    result = run_process(path, "new", long_title[:6000].strip(), "--depends-on", "TASK-2026-001")
    assert result.code == 2, result
    line = _one_line(result.err)
    assert line.startswith("taskgov: error: cannot write docs/tasks/active/TASK-2026-00")
    assert line.endswith("No space left on device")
    (full_disk / "filler").unlink()
    assert _status(repo) == []  # no 0-byte spec, no temp file
    assert repo.spec("TASK-2026-001").read_bytes() == spec_before
    assert _leftovers(path) == []


def test_a_short_write_is_an_error_not_a_success(repo: GitRepo) -> None:
    """RLIMIT_FSIZE makes the kernel accept only part of a write (then EFBIG), as a nearly
    full disk does: the loop over os.write must notice, not report success."""
    repo.write({SPEC: spec_yaml("TASK-2026-001")})
    repo.commit("chore: one spec")
    limit = 3000

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "taskgov", "new", "x" * 4000],
        cwd=repo.path,
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        check=False,
    )
    assert done.returncode == 2, done
    assert _one_line(done.stderr).startswith(
        "taskgov: error: cannot write docs/tasks/active/TASK-2026-002.yaml: File too large"
    )
    assert _status(repo) == []
    assert _leftovers(repo.path) == []


# ----------------------------------------------------------------- kill -9 between renames


def _wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _kill_when(repo: GitRepo, ready: object, *args: str) -> None:
    """Run taskgov pausing before each rename (``TASKGOV_TEST_RENAME_DELAY``, honoured for
    tests); SIGKILL it as soon as ``ready()`` holds."""
    env = {**os.environ, "TASKGOV_TEST_RENAME_DELAY": "30"}
    process = subprocess.Popen(
        [sys.executable, "-m", "taskgov", *args],
        cwd=repo.path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(ready)
    process.send_signal(signal.SIGKILL)
    process.wait()


def _killed_between_renames(repo: GitRepo, first: Path, *args: str) -> None:
    """SIGKILL a two-file write once its first file is in place."""
    mtime = first.stat().st_mtime_ns if first.exists() else None
    _kill_when(repo, lambda: first.exists() and first.stat().st_mtime_ns != mtime, *args)


def test_new_killed_between_its_two_files_is_completed_by_the_next_run(
    run,  # type: ignore[no-untyped-def]
    repo: GitRepo,
) -> None:
    repo.write({SPEC: spec_yaml("TASK-2026-001")})
    repo.commit("chore: one spec")
    new_spec = repo.spec("TASK-2026-002")
    _killed_between_renames(repo, new_spec, "new", "Second", "--depends-on", "TASK-2026-001")
    assert b"TASK-2026-002" not in repo.spec("TASK-2026-001").read_bytes()  # killed in between
    assert sorted(_status(repo)) == ["?? docs/tasks/active/TASK-2026-002.yaml"]  # no temp file
    assert run(repo.path, "new", "Third").code == 0  # the next run completes the first
    assert 'blocks: ["TASK-2026-002"]' in repo.spec("TASK-2026-001").read_text()
    assert list((repo.path / ".git/taskgov/journal").iterdir()) == []
    assert _leftovers(repo.path) == []


def test_supersede_killed_between_its_two_files_is_completed_by_the_next_run(
    run,  # type: ignore[no-untyped-def]
    repo: GitRepo,
) -> None:
    assert run(repo.path, "init").code == 0
    made = [run(repo.path, "decision", "new", f"Choice {n}", "--json").json() for n in (1, 2)]
    ids = [str(m["id"]) for m in made]  # type: ignore[index]
    old, new = (repo.path / str(m["path"]) for m in made)  # type: ignore[index]
    repo.commit("chore: two decisions")
    _killed_between_renames(repo, old, "decision", "supersede", ids[0], ids[1])
    assert "superseded" in old.read_text()
    assert ids[0] not in new.read_text()
    assert _status(repo) == [f" M .claude/decisions/{old.name}"]
    assert run(repo.path, "decision", "list").code == 0  # a reader does not repair
    assert run(repo.path, "decision", "index", "--write").code == 0  # the next writer does
    assert ids[0] in new.read_text().split("supersedes:")[1]
    assert _leftovers(repo.path) == []


def _kill_at_random(repo: GitRepo, args: list[str], iterations: int, seed: int) -> None:
    import random

    chooser = random.Random(seed)
    for _ in range(iterations):
        process = subprocess.Popen(
            [sys.executable, "-m", "taskgov", *args],
            cwd=repo.path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chooser.uniform(0.05, 0.8))  # spans start-up, the writes and the exit
        process.send_signal(signal.SIGKILL)
        process.wait()


def test_kill_9_at_random_moments_leaves_consistent_specs(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    """``TASKGOV_KILL_ITERATIONS`` raises the count (docs/reliability.md quotes 200)."""
    import re

    repo.write({SPEC: spec_yaml("TASK-2026-001")})
    repo.commit("chore: one spec")
    iterations = int(os.environ.get("TASKGOV_KILL_ITERATIONS", "12"))
    _kill_at_random(repo, ["new", "Killed", "--depends-on", "TASK-2026-001"], iterations, 7)
    visible = _status(repo)
    assert all(
        re.fullmatch(r"(\?\?| M) docs/tasks/active/TASK-2026-\d{3}\.yaml", s) for s in visible
    )
    assert run(repo.path, "new", "After", "--depends-on", "TASK-2026-001").code == 0
    blocks = set(
        re.findall(
            r"TASK-2026-\d{3}",
            repo.spec("TASK-2026-001").read_text().split("blocks:")[1].split("\n")[0],
        )
    )
    dependents = {p.stem for p in (repo.path / "docs/tasks/active").glob("*.yaml")} - {
        "TASK-2026-001"
    }
    assert blocks == dependents  # every new spec is linked, no link names a missing spec
    assert _leftovers(repo.path) == []
    assert not list((repo.path / ".git/taskgov/journal").glob("*"))


def _killed_before_rename(repo: GitRepo, *args: str) -> Path:
    """SIGKILL a write once its temporary file exists; returns that file (in the git
    directory)."""
    tmp_dir = repo.path / ".git/taskgov/tmp"
    _kill_when(repo, lambda: tmp_dir.is_dir() and any(tmp_dir.iterdir()), *args)
    (left,) = tmp_dir.iterdir()
    return left


def test_new_killed_before_its_rename_leaves_nothing_for_git(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("chore: start")
    left = _killed_before_rename(repo, "new", "Solo")
    assert _status(repo) == []  # neither a spec nor a temporary file to commit
    assert run(repo.path, "new", "Next").code == 0
    assert not left.exists()  # the next run removed the dead run's file
    assert _status(repo) == ["?? docs/tasks/active/TASK-2026-001.yaml"]


def test_log_rebuild_killed_before_its_rename_leaves_nothing_for_git(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    assert run(repo.path, "init").code == 0
    repo.commit("chore: adopt taskgov")
    repo.commit("feat: one", {"a.txt": "a\n"})
    assert run(repo.path, "log", "sync").code == 0
    repo.commit("chore: log")
    month = next((repo.path / ".claude/contributions").glob("*.jsonl"))
    logged = month.read_bytes()
    month.write_bytes(logged.split(b"\n", 1)[1])  # a record lost: rebuild rewrites the file
    left = _killed_before_rename(repo, "log", "rebuild")
    assert _status(repo) == [f" M .claude/contributions/{month.name}"]  # no temporary file
    assert run(repo.path, "log", "rebuild").code == 0
    assert logged.split(b"\n", 1)[0] in month.read_bytes()  # the lost record is back
    assert not left.exists()


def test_a_read_only_filesystem_is_one_clear_line(full_disk: Path) -> None:
    path = full_disk / "repo"
    subprocess.run(["git", "init", "--quiet", "--template=", str(path)], check=True)
    repo = GitRepo(path)
    repo.write({SPEC: spec_yaml("TASK-2026-001")})
    repo.commit("chore: one spec")
    remount = ["mount", "-o", "remount,ro", str(full_disk)]
    if subprocess.run(remount, capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot remount the tmpfs read-only here")
    try:
        result = run_process(path, "new", "Second", "--depends-on", "TASK-2026-001")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(full_disk)], check=True)
    assert result.code == 2, result
    assert _one_line(result.err).endswith("Read-only file system")
    assert _status(repo) == []
