"""History from one streaming git log, and what it says about tasks."""

from __future__ import annotations

import re
import subprocess

from taskgov.git.activity import read_activity, trailer_ids
from taskgov.git.history import walk
from tests.conftest import GitRepo, spec_yaml


def _shortstat(repo: GitRepo) -> dict[str, tuple[int, int, int]]:
    """git's own per-commit totals (files, insertions, deletions), the oracle."""
    out = repo.git("log", "-M", "--shortstat", "--format=%x01%H")
    totals: dict[str, tuple[int, int, int]] = {}
    for block in out.split("\x01")[1:]:
        sha, _, rest = block.partition("\n")
        files = re.search(r"(\d+) files? changed", rest)
        added = re.search(r"(\d+) insertions?", rest)
        removed = re.search(r"(\d+) deletions?", rest)
        totals[sha.strip()] = (
            int(files.group(1)) if files else 0,
            int(added.group(1)) if added else 0,
            int(removed.group(1)) if removed else 0,
        )
    return totals


def test_walk_matches_git_on_a_varied_history(repo: GitRepo) -> None:
    repo.commit("root: empty")
    repo.commit(
        "add files",
        {"a.txt": "1\n2\n3\n", "bin.dat": b"\x00\x01\x02", "dir with space/ünï.txt": "x\n"},
    )
    repo.git("mv", "a.txt", "b.txt")
    repo.commit("rename with an edit", {"b.txt": "1\n2\n3\n4\n"})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side work", {"side.txt": "s\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main work", {"main.txt": "m\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side")
    repo.commit("remove", {"b.txt": ""})
    (repo.path / "b.txt").unlink()
    repo.commit("delete b.txt")
    subprocess.run(
        [
            "git",
            "-C",
            str(repo.path),
            "-c",
            "i18n.commitEncoding=ISO-8859-1",
            "commit",
            "-q",
            "--allow-empty",
            "-F",
            "-",
        ],
        input="Caf\xe9 latin-1 message\n".encode("latin-1"),
        check=True,
    )
    commits = list(walk(repo.path, numstat=True))
    oracle = _shortstat(repo)
    assert [c.sha for c in commits] == repo.git("rev-list", "HEAD").split()
    for commit in commits:
        files, added, removed = oracle[commit.sha]
        assert len(commit.changes) == files, commit.subject
        assert sum(c.added or 0 for c in commit.changes) == added, commit.subject
        assert sum(c.removed or 0 for c in commit.changes) == removed, commit.subject
    by_subject = {c.subject: c for c in commits}
    assert by_subject["Café latin-1 message"].changes == ()  # re-encoded to UTF-8
    renamed = by_subject["rename with an edit"].changes[0]
    assert (renamed.old_path, renamed.path) == ("a.txt", "b.txt")
    binary = next(c for c in by_subject["add files"].changes if c.path == "bin.dat")
    assert (binary.added, binary.removed) == (None, None)
    assert "dir with space/ünï.txt" in {c.path for c in by_subject["add files"].changes}
    assert by_subject["Merge branch 'side'"].is_merge
    assert by_subject["root: empty"].parents == ()


def test_walk_of_an_empty_repository(repo: GitRepo) -> None:
    assert list(walk(repo.path)) == []


def test_trailer_ids() -> None:
    trailers = [("closes", "TASK-1, TASK-2"), ("Task", "TASK-3"), ("Refs", "TASK-4")]
    assert trailer_ids(trailers, "closes") == ["TASK-1", "TASK-2"]
    assert trailer_ids(trailers, "task") == ["TASK-3"]


def _plan(repo: GitRepo) -> None:
    repo.commit(
        "plan",
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", blocks=("TASK-2026-002",)
            ),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",)
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml("TASK-2026-003"),
        },
    )


def test_history_drives_the_derived_state(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _plan(repo)
    assert [t["id"] for t in run(repo.path, "ready", "--json").json()["ready"]] == [
        "TASK-2026-001",
        "TASK-2026-003",
    ]
    repo.commit("feat: start\n\nTask: TASK-2026-003")
    repo.commit("feat: finish\n\nbody\n\ncloses: TASK-2026-001")
    tasks = {t["id"]: t for t in run(repo.path, "list", "--json").json()["tasks"]}
    assert tasks["TASK-2026-001"]["status"] == "completed"
    assert tasks["TASK-2026-003"]["status"] == "in_progress"
    assert tasks["TASK-2026-002"]["status"] == "ready"  # its prerequisite closed in history
    assert [t["id"] for t in run(repo.path, "ready", "--json").json()["ready"]] == ["TASK-2026-002"]
    shown = run(repo.path, "show", "TASK-2026-001", "--json").json()
    assert shown["state"]["commit"] == repo.git("rev-parse", "HEAD").strip()
    report = run(repo.path, "validate", "--json").json()
    stale = {p["task"]: p["message"] for p in report["problems"] if p["rule"] == "TG160"}
    assert set(stale) == {"TASK-2026-001", "TASK-2026-003"}
    assert "set it to completed" in stale["TASK-2026-001"]
    assert "set it to in_progress" in stale["TASK-2026-003"]


def test_closes_counts_only_on_the_target_branch(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _plan(repo)
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feat: done on a branch\n\nCloses: TASK-2026-003")
    tasks = {t["id"]: t for t in run(repo.path, "list", "--json").json()["tasks"]}
    assert tasks["TASK-2026-003"]["status"] == "ready"  # not merged into main yet
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "feature")
    tasks = {t["id"]: t for t in run(repo.path, "list", "--json").json()["tasks"]}
    assert tasks["TASK-2026-003"]["status"] == "completed"


def test_unknown_task_in_history_and_cache_follows_new_commits(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _plan(repo)
    first = read_activity(repo.path, "main")
    assert first.closed == {}
    repo.commit("fix\n\nCloses: TASK-2026-404, #12")
    second = read_activity(repo.path, "main")
    assert set(second.closed) == {"TASK-2026-404", "#12"}
    report = run(repo.path, "validate", "--json").json()
    unknown = [p for p in report["problems"] if p["rule"] == "TG161"]
    assert [p["task"] for p in unknown] == ["TASK-2026-404"]  # '#12' is not a task id


def test_outside_git_there_is_no_history(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "docs/tasks/active").mkdir(parents=True)
    (tmp_path / "docs/tasks/active/TASK-2026-001.yaml").write_text(spec_yaml("TASK-2026-001"))
    assert run(tmp_path, "ready", "--json").json()["ready"][0]["id"] == "TASK-2026-001"


def test_partial_clone_with_missing_objects_keeps_going(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = tmp_path / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(server)], check=True)
    subprocess.run(
        ["git", "-C", str(server), "config", "uploadpack.allowFilter", "true"], check=True
    )
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(server), str(work)], check=True, capture_output=True)
    author = GitRepo(work)
    for n in range(4):
        author.commit(f"feat: version {n}", {"f.txt": "".join(f"{k}\n" for k in range(n + 2))})
    author.git("push", "-q", "origin", "HEAD:main")
    partial = tmp_path / "partial"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--filter=blob:none",
            "-b",
            "main",
            f"file://{server}",
            str(partial),
        ],
        check=True,
        capture_output=True,
    )
    server.rename(tmp_path / "gone.git")  # the promisor remote can no longer be reached
    commits = list(walk(partial, numstat=True))
    assert len(commits) == 4  # every commit, none dropped
    assert [c.changes[0].path for c in commits] == ["f.txt"] * 4
    assert not all(c.complete for c in commits)  # line counts lost where objects are missing
    result = run(partial, "log", "sync", "--json")
    assert result.code == 0
    data = result.json()
    assert len(data["added"]) == 4
    assert data["incomplete"]
    assert run(partial, "log", "verify").code == 0


def test_shallow_clone(run, repo: GitRepo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        repo.commit(f"feat: step {n}", {"f.txt": f"{n}\n"})
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(shallow)],
        check=True,
        capture_output=True,
    )
    commits = list(walk(shallow, numstat=True))
    assert [c.subject for c in commits] == ["feat: step 4", "feat: step 3"]
    assert run(shallow, "log", "sync", "--json").json()["added"] == [c.sha for c in commits][::-1]
    assert run(shallow, "log", "verify").code == 0
