"""Fail closed: "git failed" never looks like "no commits". Real conditions only: git missing
from PATH, a repository git refuses (dubious ownership), a directory that is no repository,
missing objects, a history that dies mid-walk, a target branch that does not exist."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from taskgov.git.activity import read_activity
from taskgov.git.history import GitError, NotARepository, head_and_target, rev_parse, walk
from tests.conftest import GitRepo, Result, run_process, spec_yaml


def _logged(run, repo: GitRepo, commits: int = 3) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """A repository with a contribution log of ``commits`` records; its files' bytes."""
    assert run(repo.path, "init").code == 0
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    for n in range(commits):
        repo.commit(f"feat: step {n}\n\nTask: TASK-2026-001", {f"f{n}.txt": f"{n}\n"})
    assert run(repo.path, "log", "sync").code == 0
    assert list((repo.path / ".claude/contributions").glob("*.jsonl"))
    return repo.snapshot()


def _long_log(run, repo: GitRepo) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """The reported instance: 3,001 commits over 27 months (written by git fast-import) and
    their log, 27 month files; the work tree's bytes."""
    stream = []
    for n in range(3001):
        when = 1704067200 + n * 27 * 30 * 86400 // 3001  # from 2024-01-01, 27 months
        message, data = f"feat: step {n}\n".encode(), f"{n}\n".encode()
        stream.append(
            f"commit refs/heads/main\nauthor A <a@example.com> {when} +0000\n"
            f"committer A <a@example.com> {when} +0000\ndata {len(message)}\n".encode()
            + message
            + f"M 100644 inline f{n % 50}.txt\ndata {len(data)}\n".encode()
            + data
            + b"\n"
        )
    subprocess.run(
        ["git", "-C", str(repo.path), "fast-import", "--quiet"], input=b"".join(stream), check=True
    )
    repo.git("checkout", "-q", "main")
    assert run(repo.path, "log", "sync").code == 0
    assert len(list((repo.path / ".claude/contributions").glob("*.jsonl"))) == 27
    return repo.snapshot()


def _one_line_error(result: Result, *needles: str) -> None:
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("taskgov: error: ")
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0]


GIT_READERS = (
    ("log", "rebuild"),
    ("log", "sync"),
    ("log", "verify"),
    ("check-commits", "HEAD"),
)


def test_git_missing_from_path_is_an_error_and_nothing_is_deleted(
    run, repo: GitRepo, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    before = _logged(run, repo)
    bare = tmp_path / "bin"  # a PATH that holds only python
    bare.mkdir()
    (bare / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(bare)}
    assert shutil.which("git", path=str(bare)) is None
    for args in GIT_READERS:
        _one_line_error(run_process(repo.path, *args, env=env), "cannot run git")
    assert repo.snapshot() == before  # no month file deleted or rewritten


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository to another uid")
def test_dubious_ownership_is_an_error_and_nothing_is_deleted(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    before = _logged(run, repo)
    subprocess.run(["chown", "-R", "nobody", str(repo.path)], check=True)
    try:
        for args in GIT_READERS:
            _one_line_error(
                run(repo.path, *args),
                "git: fatal: detected dubious ownership in repository at",
            )
        assert "safe.directory" not in run(repo.path, "log", "sync").err  # git's advice left out
        install = run(repo.path, "hooks", "install")
        assert install.code == 2
        assert "dubious ownership" in install.err
        assert "not a git repository" not in install.err
        with pytest.raises(GitError, match="dubious ownership"):
            head_and_target(repo.path, "main")
        listed = run(repo.path, "list")  # the history layer: no stale "ready" answer either
        assert listed.code == 2
        assert "dubious ownership" in listed.err
        assert repo.snapshot() == before
    finally:
        subprocess.run(["chown", "-R", f"{os.getuid()}", str(repo.path)], check=True)


def test_outside_a_repository_git_readers_exit_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "docs/tasks/active").mkdir(parents=True)
    (tmp_path / "docs/tasks/active/TASK-2026-001.yaml").write_text(spec_yaml("TASK-2026-001"))
    for args in GIT_READERS:
        _one_line_error(run(tmp_path, *args), "not a git repository")
    assert not (tmp_path / ".claude").exists()  # nothing written
    with pytest.raises(NotARepository):
        rev_parse(tmp_path, "HEAD")
    assert head_and_target(tmp_path, "main") is None  # specs without history still read
    assert run(tmp_path, "ready", "--json").code == 0


def test_an_empty_repository_is_genuinely_empty(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    assert rev_parse(repo.path, "HEAD") is None
    assert rev_parse(repo.path, "no-such-branch") is None
    assert list(walk(repo.path)) == []
    checked = run(repo.path, "check-commits", "HEAD")
    assert (checked.code, checked.out) == (0, "0 commits checked: ok\n")
    assert run(repo.path, "log", "sync", "--json").json()["added"] == []


def test_a_history_that_dies_mid_walk_writes_nothing(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    before = _logged(run, repo, commits=4)
    middle = repo.git("rev-parse", "HEAD~2").strip()
    (repo.path / ".git/objects" / middle[:2] / middle[2:]).unlink()  # a corrupt object store
    newest = _walk_until_error(repo.path)
    assert newest[0] == repo.git("rev-parse", "HEAD").strip()  # some commits came out...
    assert newest[-1].startswith("git: error: Could not read")  # ...then the walk raised
    # (log sync reads only what is new since the last sync: nothing here, so it has no
    # history to fail on.)
    for args in (a for a in GIT_READERS if a != ("log", "sync")):
        result = run(repo.path, *args)
        assert result.code == 2, (args, result)
        assert len(result.err.strip().splitlines()) == 1
    assert repo.snapshot() == before


def _walk_until_error(root: Path) -> list[str]:
    seen: list[str] = []
    try:
        for commit in walk(root, numstat=True):
            seen.append(commit.sha)
    except GitError as exc:
        seen.append(str(exc))
    return seen


def test_missing_file_contents_outside_a_partial_clone_is_corruption(repo: GitRepo) -> None:
    repo.commit("feat: a", {"a.txt": "one\n"})
    repo.commit("feat: b", {"a.txt": "two\n"})
    blob = repo.git("rev-parse", "HEAD~1:a.txt").strip()
    (repo.path / ".git/objects" / blob[:2] / blob[2:]).unlink()
    with pytest.raises(GitError, match="unable to read"):
        list(walk(repo.path, numstat=True))  # not silently "line counts unavailable"


def test_a_branch_naming_a_missing_commit_is_corruption_not_absence(repo: GitRepo) -> None:
    head = repo.commit("feat: a")
    (repo.path / ".git/objects" / head[:2] / head[2:]).unlink()
    with pytest.raises(GitError, match="bad object"):
        rev_parse(repo.path, "HEAD")
    with pytest.raises(GitError, match="bad object"):
        rev_parse(repo.path, "main")
    assert rev_parse(repo.path, head) is None  # an id the repository lacks is just absent
    with pytest.raises(GitError):
        list(walk(repo.path))


def test_bad_revision_is_a_usage_error(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("feat: a")
    _one_line_error(run(repo.path, "check-commits", "nope..HEAD"), "nope..HEAD", "bad revision")


# The target branch `Closes:` counts on.


def _master_repo(tmp_path: Path) -> GitRepo:
    path = tmp_path / "legacy"
    subprocess.run(["git", "init", "-q", "--template=", "-b", "master", str(path)], check=True)
    return GitRepo(path)


def test_init_writes_the_branch_the_repository_works_on(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    legacy = _master_repo(tmp_path)
    assert run(legacy.path, "init").code == 0
    policy = (legacy.path / "docs/governance/policy.yaml").read_text()
    assert "  target_branch: master\n" in policy
    legacy.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    legacy.commit("chore: adopt")
    legacy.git("checkout", "-q", "-b", "side")
    legacy.commit("feat: done on a side branch\n\nCloses: TASK-2026-001")
    listed = run(legacy.path, "list", "--json")
    assert listed.err == ""
    assert listed.json()["tasks"][0]["status"] == "ready"  # not on master yet
    legacy.git("checkout", "-q", "master")
    legacy.git("merge", "-q", "--ff-only", "side")
    assert run(legacy.path, "list", "--json").json()["tasks"][0]["status"] == "completed"


def test_init_in_a_clone_on_a_side_branch_takes_the_remote_default(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    legacy = _master_repo(tmp_path)
    legacy.commit("chore: start")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(legacy.path), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "-b", "feature"], check=True)
    assert run(clone, "init").code == 0
    assert "  target_branch: master\n" in (clone / "docs/governance/policy.yaml").read_text()


def test_a_target_branch_that_does_not_exist_warns_and_closes_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    legacy = _master_repo(tmp_path)
    legacy.write(
        {
            "docs/governance/policy.yaml": "git:\n  target_branch: main\n",
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
        }
    )
    legacy.commit("chore: adopt")
    legacy.git("checkout", "-q", "-b", "side")
    legacy.commit("feat: done on a side branch\n\nCloses: TASK-2026-001")
    listed = run(legacy.path, "list", "--json")
    assert listed.json()["tasks"][0]["status"] == "ready"  # the side branch closes nothing
    assert listed.err == (
        "taskgov: warning: target_branch 'main' does not exist (branches: master, side), so no "
        "Closes: trailer counts; set target_branch in docs/governance/policy.yaml\n"
    )
    assert read_activity(legacy.path, "main").closed == {}
    assert set(read_activity(legacy.path, "side").closed) == {"TASK-2026-001"}


def test_a_ci_checkout_uses_the_remote_tracking_target(run, repo: GitRepo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    repo.commit("chore: adopt")
    repo.commit("feat: done\n\nCloses: TASK-2026-001")
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "--detach"], check=True)
    subprocess.run(["git", "-C", str(clone), "branch", "-q", "-D", "main"], check=True)
    head, target = head_and_target(clone, "main") or ("", "")
    assert target == head != ""
    listed = run(clone, "list", "--json")
    assert listed.err == ""
    assert listed.json()["tasks"][0]["status"] == "completed"


def test_without_a_policy_the_target_is_master_where_the_repository_uses_it(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    legacy = _master_repo(tmp_path)
    legacy.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    legacy.commit("chore: adopt")  # a seed-style repository: no policy.yaml at all
    legacy.git("checkout", "-q", "-b", "side")
    legacy.commit("feat: done on a side branch\n\nCloses: TASK-2026-001")
    side = run(legacy.path, "list", "--json")
    assert side.err == ""
    assert side.json()["tasks"][0]["status"] != "completed"  # not merged into master yet
    legacy.git("checkout", "-q", "master")
    legacy.git("merge", "-q", "--ff-only", "side")
    merged = run(legacy.path, "list", "--json")
    assert merged.err == ""
    assert merged.json()["tasks"][0]["status"] == "completed"


def test_without_a_policy_and_no_main_or_master_nothing_closes(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.git("checkout", "-q", "-b", "trunk")
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    repo.commit("feat: done\n\nCloses: TASK-2026-001")
    listed = run(repo.path, "list", "--json")
    assert listed.json()["tasks"][0]["status"] != "completed"
    assert listed.err == (
        "taskgov: warning: no target branch: the policy names none and there is no main or "
        "master (branches: trunk), so no Closes: trailer counts; set target_branch in "
        "docs/governance/policy.yaml\n"
    )
