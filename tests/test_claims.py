"""Claims: atomic across clones through one bare remote, and across worktrees without one.

Every race here is real: separate ``python -m taskgov`` processes started together, each in its
own clone (or worktree), pushing to the same bare repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from taskgov.claims.model import Claim, parse_claim
from taskgov.claims.ops import Where, claim_task, claims_location
from taskgov.claims.refs import read_claims
from taskgov.errors import UsageError
from taskgov.spec.effort import EffortError, parse_duration
from tests.conftest import GitRepo, Result, run_process, spec_yaml

TASK = "TASK-2026-001"
REF = f"refs/taskgov/claims/{TASK}"
SPECS = {
    "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(TASK, priority="high"),
    "docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002", status="completed"),
    "docs/tasks/active/TASK-2026-003.yaml": spec_yaml("TASK-2026-003"),
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True
    ).stdout


def seed(repo: GitRepo, object_format: str = "sha1") -> Path:
    """A bare remote holding ``repo``'s specs; returns the remote's path."""
    repo.commit("specs", dict(SPECS))
    remote = repo.path.parent / "remote.git"
    subprocess.run(
        ["git", "init", "-q", "--bare", f"--object-format={object_format}", str(remote)],
        check=True,
    )
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "origin", "main")
    return remote


def clones(remote: Path, count: int, start: int = 0) -> list[Path]:
    paths = []
    for number in range(start, start + count):
        path = remote.parent / f"clone-{number:02d}"
        subprocess.run(["git", "clone", "-q", str(remote), str(path)], check=True)
        paths.append(path)
    return paths


def race(jobs: list[tuple[Path, tuple[str, ...]]]) -> list[Result]:
    """Start every ``taskgov -C DIR ARGS`` at once; wait for all of them."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "taskgov", "-C", str(cwd), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cwd, args in jobs
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        results.append(Result(proc.returncode, out, err))
    return results


def tg(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """``taskgov -C CWD ARGS``: in this process (fast), or as a process with ``env``."""
    if env is not None:
        return run_process(cwd, "-C", str(cwd), *args, env=env)
    import contextlib
    import io

    from taskgov.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["-C", str(cwd), *args])
    return Result(code, out.getvalue(), err.getvalue())


def remote_claim(remote: Path, task: str = TASK) -> Claim | None:
    return read_claims(remote, task).claims.get(task)


def one_error_line(result: Result) -> None:
    assert result.code == 2, result
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("taskgov: error: "), result.err


# --------------------------------------------------------------------------- races


def test_sixteen_clones_race_for_one_claim_and_exactly_one_wins(repo: GitRepo) -> None:
    remote = seed(repo)
    paths = clones(remote, 16)
    results = race([(p, ("claim", TASK, "--as", f"agent-{n:02d}")) for n, p in enumerate(paths)])
    winners = [n for n, r in enumerate(results) if r.code == 0]
    assert len(winners) == 1, [(r.code, r.out, r.err) for r in results]
    winner = f"agent-{winners[0]:02d}"
    held = remote_claim(remote)
    assert held is not None
    assert held.holder == winner
    for n, result in enumerate(results):
        if n == winners[0]:
            assert result.out.startswith(f"claimed {TASK} as {winner}")
            continue
        assert result.code == 1, result
        assert f"{TASK} is held by {winner} since " in result.out, result
        assert "lease until" in result.out
    # The winner's clone and every loser's clone know who holds it without fetching.
    for path in (paths[winners[0]], paths[(winners[0] + 1) % 16]):
        listed = tg(path, "claims", "--json").json()
        assert [c["holder"] for c in listed["claims"]] == [winner]  # type: ignore[index]


def test_release_then_claim_again_from_another_clone(repo: GitRepo) -> None:
    remote = seed(repo)
    first, second = clones(remote, 2)
    for key in ("commit.gpgSign", "push.gpgSign"):  # would ask for a key: claims never sign
        git(first, "config", key, "true")
    assert tg(first, "claim", TASK, "--as", "ann").code == 0
    taken = tg(second, "claim", TASK, "--as", "bob")
    assert taken.code == 1
    assert "held by ann" in taken.out
    refused = tg(second, "release", TASK, "--as", "bob")
    assert refused.code == 1
    assert "held by ann" in refused.out
    assert "release --force" in refused.err
    released = tg(first, "release", TASK, "--as", "ann")
    assert released.code == 0
    assert released.out.startswith(f"released {TASK}")
    assert remote_claim(remote) is None
    assert tg(first, "claims").out.strip() == "no claims"
    again = tg(second, "claim", TASK, "--as", "bob")
    assert again.code == 0, again
    assert remote_claim(remote).holder == "bob"  # type: ignore[union-attr]
    # The first clone sees bob's claim once it fetches; --force takes it away.
    assert tg(first, "claims").out.strip() == "no claims"
    assert "bob" in tg(first, "claims", "--fetch").out
    assert tg(first, "release", TASK, "--force", "--as", "ann").code == 0
    assert remote_claim(remote) is None
    assert tg(first, "release", TASK, "--as", "ann").out.startswith(f"{TASK} was not claimed")


def test_an_expired_lease_is_taken_over_by_exactly_one_of_eight(repo: GitRepo) -> None:
    remote = seed(repo)
    old, *racers = clones(remote, 9)
    hour_ago = time.time() - 3600
    first = claim_task(old, TASK, "gone", where=Where("origin"), lease=600, now=hour_ago)
    assert first.action == "claimed"
    results = race([(p, ("claim", TASK, "--as", f"taker-{n}")) for n, p in enumerate(racers)])
    winners = [n for n, r in enumerate(results) if r.code == 0]
    assert len(winners) == 1, [(r.code, r.out, r.err) for r in results]
    winner = f"taker-{winners[0]}"
    assert "the lease of gone ended" in results[winners[0]].out
    for n, result in enumerate(results):
        if n != winners[0]:
            assert result.code == 1, result
            assert f"held by {winner}" in result.out, result
    assert remote_claim(remote).holder == winner  # type: ignore[union-attr]


def test_worktrees_of_one_repository_race_on_a_local_ref(repo: GitRepo) -> None:
    repo.commit("specs", dict(SPECS))
    trees = [repo.path]
    for n in range(7):
        path = repo.path.parent / f"wt-{n}"
        repo.git("worktree", "add", "-q", "--detach", str(path))
        trees.append(path)
    results = race([(p, ("claim", TASK, "--as", f"w{n}")) for n, p in enumerate(trees)])
    winners = [n for n, r in enumerate(results) if r.code == 0]
    assert len(winners) == 1, [(r.code, r.out, r.err) for r in results]
    assert "(this repository (no remote))" in results[winners[0]].out
    assert all(r.code == 1 and f"held by w{winners[0]}" in r.out for r in results if r.code)
    # every worktree sees the one claim, and ready leaves the task out in each of them
    for path in trees[:3]:
        assert [c["holder"] for c in tg(path, "claims", "--json").json()["claims"]] == [  # type: ignore[index]
            f"w{winners[0]}"
        ]
        ready = tg(path, "ready", "--json").json()
        assert [t["id"] for t in ready["ready"]] == ["TASK-2026-003"]  # type: ignore[index]


# --------------------------------------------------------------------------- derived state


def test_ready_in_a_clone_that_fetched_the_claims_leaves_the_task_out(repo: GitRepo) -> None:
    remote = seed(repo)
    holder, other = clones(remote, 2)
    assert tg(holder, "claim", TASK, "--as", "ann").code == 0

    def ready_ids(*args: str) -> list[str]:
        result = tg(other, "ready", "--json", *args)
        assert result.code == 0, result
        return [t["id"] for t in result.json()["ready"]]  # type: ignore[index]

    assert ready_ids() == [TASK, "TASK-2026-003"]  # not fetched yet: custom refs are not
    git(other, "fetch", "-q")  # a plain fetch does not bring claims
    assert ready_ids() == [TASK, "TASK-2026-003"]
    assert ready_ids("--fetch") == ["TASK-2026-003"]
    assert ready_ids() == ["TASK-2026-003"]  # the cached answer knows the claims changed
    everything = tg(other, "ready", "--all", "--json").json()
    claimed = [t for t in everything["not_ready"] if t["id"] == TASK]  # type: ignore[index]
    assert claimed[0]["status"] == "claimed"
    assert claimed[0]["claim"]["holder"] == "ann"
    assert "claimed by ann" in tg(other, "list").out
    assert "claimed by ann" in tg(other, "ready", "--all").out
    shown = tg(other, "show", TASK)
    assert "claim      ann since" in shown.out
    assert tg(other, "show", TASK, "--json").json()["state"]["claim"]["holder"] == "ann"  # type: ignore[index]
    assert [
        t["id"] for t in tg(other, "list", "--status", "claimed", "--json").json()["tasks"]
    ] == [  # type: ignore[index]
        TASK
    ]
    # a release reaches the other clone with the next fetch (the fetch prunes)
    assert tg(holder, "release", TASK, "--as", "ann").code == 0
    assert ready_ids("--fetch") == [TASK, "TASK-2026-003"]


def test_the_ready_answer_changes_when_a_lease_runs_out(run, repo: GitRepo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import taskgov.spec.snapshot

    monkeypatch.setattr(taskgov.spec.snapshot, "RACY_NS", 0)  # answers cached at once
    repo.commit(
        "specs",
        {**SPECS, "docs/governance/policy.yaml": "version: 1\nclaims: {grace: 0s}\n"},
    )

    def first_ready() -> str:
        result = run(repo.path, "ready", "--json")
        assert result.code == 0, result
        return str(result.json()["ready"][0]["id"])

    assert first_ready() == TASK
    assert (repo.path / ".git" / "taskgov" / "ready.answer").is_file()
    claim_task(repo.path, TASK, "ann", where=Where(None), lease=60, now=time.time() - 58)
    assert first_ready() == "TASK-2026-003"
    time.sleep(2.2)  # the lease is over: the same refs, but another answer
    assert first_ready() == TASK


def test_a_lease_within_the_grace_is_not_taken(repo: GitRepo) -> None:
    repo.commit("specs", dict(SPECS))
    now = time.time()
    claim_task(repo.path, TASK, "ann", where=Where(None), lease=60, now=now - 120)
    held = tg(repo.path, "claim", TASK, "--as", "bob")  # ended 60 s ago: within 5 minutes
    assert held.code == 1
    assert "held by ann" in held.out
    claim_task(repo.path, TASK, "ann", where=Where(None), lease=60, now=now - 400)
    taken = tg(repo.path, "claim", TASK, "--as", "bob")  # renewed by ann, then ended 340 s ago
    assert taken.code == 0
    assert "the lease of ann ended" in taken.out


def test_renew_extends_the_lease_of_the_holder_only(repo: GitRepo) -> None:
    repo.commit("specs", dict(SPECS))
    not_claimed = tg(repo.path, "claim", "--renew", TASK, "--as", "ann")
    one_error_line(not_claimed)
    assert "not claimed" in not_claimed.err
    first = claim_task(repo.path, TASK, "ann", where=Where(None), lease=60, now=time.time() - 30)
    renewed = tg(repo.path, "claim", "--renew", TASK, "--as", "ann", "--lease", "2h", "--json")
    assert renewed.code == 0, renewed
    data = renewed.json()
    assert data["action"] == "renewed"  # type: ignore[index]
    now = read_claims(repo.path).claims[TASK]
    assert now.claimed_at == first.claim.claimed_at  # type: ignore[union-attr]
    assert now.lease_until >= time.time() + 7000
    assert now.renewed_at is not None
    again = tg(repo.path, "claim", TASK, "--as", "ann")  # claiming what you hold: a renewal
    assert again.code == 0
    assert again.out.startswith("renewed")
    assert read_claims(repo.path).claims[TASK].lease_seconds == 7200
    assert tg(repo.path, "claim", "--renew", TASK, "--as", "bob").code == 1


def test_validate_warns_on_claims_of_finished_or_unknown_tasks(repo: GitRepo) -> None:
    repo.commit("specs", dict(SPECS))
    assert tg(repo.path, "claim", "TASK-2026-002", "--force", "--as", "ann").code == 0
    assert tg(repo.path, "claim", "TASK-2026-999", "--force", "--as", "ann").code == 0
    assert tg(repo.path, "claim", TASK, "--as", "ann").code == 0
    report = tg(repo.path, "validate", "--json")
    assert report.code == 0, report
    rules = {(p["rule"], p["task"]) for p in report.json()["problems"]}  # type: ignore[index]
    assert rules == {("TG165", "TASK-2026-002"), ("TG166", "TASK-2026-999")}
    text = tg(repo.path, "validate").out
    assert "warning TG165" in text
    assert "taskgov release --force TASK-2026-002" in text


# --------------------------------------------------------------------------- failures


def test_an_unreachable_remote_is_an_error_naming_it_never_a_local_claim(repo: GitRepo) -> None:
    remote = seed(repo)
    (clone,) = clones(remote, 1)
    git(clone, "remote", "set-url", "origin", str(remote.parent / "gone.git"))
    for args in (("claim", TASK), ("claims", "--fetch"), ("ready", "--fetch"), ("release", TASK)):
        result = tg(clone, *args)
        one_error_line(result)
        assert "cannot reach remote 'origin'" in result.err
        assert "gone.git" in result.err
    assert git(clone, "for-each-ref", "refs/taskgov") == ""


def test_sha256_repositories(tmp_path: Path) -> None:
    path = tmp_path / "sha256"
    subprocess.run(
        ["git", "init", "-q", "--object-format=sha256", "--template=", str(path)], check=True
    )
    sha256 = GitRepo(path)
    remote = seed(sha256, "sha256")
    first, second = clones(remote, 2)
    assert tg(first, "claim", TASK, "--as", "ann").code == 0
    assert len(remote_claim(remote).sha) == 64  # type: ignore[union-attr]
    assert tg(second, "claim", TASK, "--as", "bob").code == 1
    # without a remote: update-ref with the 64-digit null id
    assert tg(path, "claim", "TASK-2026-003", "--local", "--as", "ann").code == 0
    assert tg(path, "claim", "TASK-2026-003", "--local", "--as", "bob").code == 1
    assert tg(path, "release", "TASK-2026-003", "--local", "--as", "ann").code == 0
    assert git(path, "for-each-ref", "refs/taskgov/claims/TASK-2026-003") == ""


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("claim", "TASK-2026-01"), "did you mean TASK-2026-001?"),
        (("claim", "TASK-2026-002"), "TASK-2026-002 is completed"),
        (("claim", TASK, "--lease", "5x"), "--lease: unknown unit 'x'"),
        (("claim", TASK, "--lease", "0m"), "more than zero"),
        (("claim", TASK, "--lease", "30"), "cannot read '30' as a duration"),
        (("claim", TASK, "--as", " "), "holder name is empty"),
        (("claim", TASK, "--as", "evil\x1b[2J"), "control character"),
        (("claim", TASK, "--remote", "nope"), "no remote named 'nope' (remotes: none)"),
        (("claim", TASK, "--local", "--remote", "origin"), "exclusive"),
        (("claim", "--renew", TASK), "not claimed: nothing to renew"),
        (("claim", "TASK-2026-004"), "spec cannot be read"),
        (("claim", "../x", "--force"), "cannot name a claim"),
        (("release", "bad id"), "cannot name a claim"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(repo: GitRepo, args: tuple[str, ...], said: str) -> None:
    repo.commit("specs", {**SPECS, "docs/tasks/active/TASK-2026-004.yaml": "task_id: [unclosed\n"})
    result = tg(repo.path, *args)
    one_error_line(result)
    assert said in result.err
    assert git(repo.path, "for-each-ref", "refs/taskgov") == ""


def test_force_claims_a_completed_task_and_no_identity_needs_as(repo: GitRepo) -> None:
    repo.commit("specs", dict(SPECS))
    assert tg(repo.path, "claim", "TASK-2026-002", "--force").code == 0
    held = read_claims(repo.path).claims["TASK-2026-002"]
    assert held.holder == held.identity == "Test Person <test@example.com>"
    message = git(
        repo.path, "log", "-1", "--format=%an <%ae>%n%P|%B", "refs/taskgov/claims/TASK-2026-002"
    )
    assert message.startswith("Test Person <test@example.com>\n|")  # no parent
    tree = git(repo.path, "ls-tree", "refs/taskgov/claims/TASK-2026-002").split()
    assert tree[-1] == "claim.json"
    assert json.loads(git(repo.path, "cat-file", "blob", tree[2]))["holder"] == held.holder
    assert git(repo.path, "status", "--porcelain") == ""  # nothing in the work tree or index
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,  # no identity, and none guessed from the host
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "user.useConfigOnly",
        "GIT_CONFIG_VALUE_0": "true",
    }
    nobody = run_process(repo.path, "-C", str(repo.path), "claim", TASK, env=env)
    one_error_line(nobody)
    assert "--as NAME" in nobody.err
    agent = run_process(repo.path, "-C", str(repo.path), "claim", TASK, "--as", "agent", env=env)
    assert agent.code == 0, agent


# --------------------------------------------------------------------------- git facts


def _claim_commit(cwd: Path, text: str, parent: str | None = None) -> str:
    tree = git(cwd, "write-tree").strip()
    args = ["commit-tree", tree, "-m", text] + (["-p", parent] if parent else [])
    return git(cwd, *args).strip()


def test_git_facts_a_plus_drops_the_lease_and_taskgov_never_uses_one(repo: GitRepo) -> None:
    remote = seed(repo)
    (clone,) = clones(remote, 1)
    mine, theirs = _claim_commit(clone, "a"), _claim_commit(clone, "b")
    git(clone, "push", "-q", "origin", f"{theirs}:refs/taskgov/claims/X")
    lease = "--force-with-lease=refs/taskgov/claims/X:"  # "must be absent"
    refused = subprocess.run(
        ["git", "-C", str(clone), "push", "-q", lease, "origin", f"{mine}:refs/taskgov/claims/X"],
        capture_output=True,
        check=False,
    )
    assert refused.returncode != 0  # the lease holds...
    git(clone, "push", "-q", lease, "origin", f"+{mine}:refs/taskgov/claims/X")
    assert git(remote, "rev-parse", "refs/taskgov/claims/X").strip() == mine  # ...unless '+'
    # What taskgov runs: every push has an explicit expected value and no '+' refspec.
    trace = clone / "trace.log"
    env = {**os.environ, "GIT_TRACE": str(trace)}
    assert tg(clone, "claim", TASK, "--as", "ann", env=env).code == 0
    assert tg(clone, "claim", TASK, "--as", "ann", env=env).code == 0  # renew: CAS on its sha
    assert tg(clone, "release", TASK, "--as", "ann", env=env).code == 0
    pushes = [line for line in trace.read_text().splitlines() if "built-in: git push" in line]
    assert len(pushes) == 3
    seen = []
    for line in pushes:
        words = line.split("git push", 1)[1].split()
        leases = [w for w in words if w.startswith("--force-with-lease=")]
        assert len(leases) == 1, line
        assert leases[0].count(":") == 1, line  # an explicit expected value, maybe empty
        refspec = words[-1].strip("'")
        assert not refspec.startswith("+"), line
        assert refspec.endswith(f":{REF}"), line
        seen.append(leases[0].split(":", 1)[1].strip("'"))
    assert read_claims(clone, TASK).claims == {}  # released
    assert seen[0] == ""  # create: must be absent
    assert len(seen[1]) == 40
    assert len(seen[2]) == 40
    assert seen[1] != seen[2]


def test_git_facts_a_plain_push_fast_forwards_custom_refs(repo: GitRepo) -> None:
    remote = seed(repo)
    (clone,) = clones(remote, 1)
    first = _claim_commit(clone, "first")
    child = _claim_commit(clone, "child", parent=first)
    git(clone, "push", "-q", "origin", f"{first}:refs/taskgov/claims/Y")
    git(clone, "push", "-q", "origin", f"{child}:refs/taskgov/claims/Y")  # no rejection
    assert git(remote, "rev-parse", "refs/taskgov/claims/Y").strip() == child
    # taskgov's claim commits have no parent, and the lease, not history, refuses a taken ref
    assert tg(clone, "claim", TASK, "--as", "ann").code == 0
    assert git(remote, "log", "-1", "--format=%P", REF).strip() == ""


def test_git_facts_a_lease_without_a_value_is_defeated_by_a_fetch(repo: GitRepo) -> None:
    remote = seed(repo)
    mine, theirs = clones(remote, 2)
    base = git(mine, "rev-parse", "HEAD").strip()
    git(theirs, "commit", "-q", "--allow-empty", "-m", "theirs")
    git(theirs, "push", "-q", "origin", "main")
    git(mine, "fetch", "-q")  # what an editor or a background job does
    git(mine, "commit", "-q", "--allow-empty", "-m", "mine")
    explicit = subprocess.run(
        ["git", "-C", str(mine), "push", "-q", f"--force-with-lease=main:{base}", "origin", "main"],
        capture_output=True,
        check=False,
    )
    assert explicit.returncode != 0  # an explicit expected value protects their commit
    git(mine, "push", "-q", "--force-with-lease=main", "origin", "main")  # the implicit one not
    assert git(remote, "log", "-1", "--format=%s", "main").strip() == "mine"


def test_git_facts_custom_refs_are_not_fetched_by_default(repo: GitRepo) -> None:
    remote = seed(repo)
    (first,) = clones(remote, 1)
    assert tg(first, "claim", TASK, "--as", "ann").code == 0
    (late,) = clones(remote, 1, start=1)
    git(late, "fetch", "-q")
    assert git(late, "for-each-ref", "refs/taskgov") == ""
    assert "ann" in tg(late, "claims", "--fetch").out
    assert git(late, "for-each-ref", "--format=%(refname)", "refs/taskgov").strip() == REF


# --------------------------------------------------------------------------- pieces


def test_durations() -> None:
    assert parse_duration("30m") == 1800
    assert parse_duration("2h") == 7200
    assert parse_duration("1d") == 86_400  # a lease counts wall-clock days
    assert parse_duration("1.5w") == 1.5 * 604_800
    assert parse_duration("90s") == 90
    assert parse_duration("0s", allow_zero=True) == 0
    for bad in ("", "30", "2 parsecs", "0h", "400d", "-1h"):
        with pytest.raises(EffortError):
            parse_duration(bad)


def test_a_claim_round_trips_through_its_message() -> None:
    claim = Claim(TASK, "ann", "Ann <a@x>", 1_700_000_000, 1_700_003_600, 3600, nonce="n")
    body = claim.message().split("\n\n", 1)[1]
    assert parse_claim(body, "abc", REF) == claim._replace(sha="abc")
    assert not claim.expired(1_700_003_600 + 300, grace=300)
    assert claim.expired(1_700_003_600 + 301, grace=300)


def test_where_claims_live(repo: GitRepo) -> None:
    repo.commit("specs", dict(SPECS))
    assert claims_location(repo.path) == Where(None)
    repo.git("remote", "add", "upstream", str(repo.path))
    assert claims_location(repo.path) == Where("upstream")  # the only remote
    repo.git("remote", "add", "fork", str(repo.path))
    with pytest.raises(UsageError, match="several remotes"):
        claims_location(repo.path)
    assert claims_location(repo.path, "fork") == Where("fork")
    assert claims_location(repo.path, "local") == Where(None)
    repo.git("remote", "add", "origin", str(repo.path))
    assert claims_location(repo.path) == Where("origin")
    assert claims_location(repo.path, remote="fork") == Where("fork")
    assert claims_location(repo.path, local=True) == Where(None)


def test_a_ref_that_holds_no_claim_is_refused_until_forced_away(repo: GitRepo) -> None:
    head = repo.commit("specs", dict(SPECS))
    repo.git("update-ref", REF, head)  # a commit, but not a claim
    refused = tg(repo.path, "claim", TASK, "--as", "ann")
    one_error_line(refused)
    assert f"release --force {TASK}" in refused.err
    listed = tg(repo.path, "claims")
    assert "warning" in listed.err
    assert listed.out.strip() == "no claims"
    one_error_line(tg(repo.path, "release", TASK, "--as", "ann"))
    assert tg(repo.path, "release", TASK, "--force", "--as", "ann").code == 0
    assert tg(repo.path, "claim", TASK, "--as", "ann").code == 0
