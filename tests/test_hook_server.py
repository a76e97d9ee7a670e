"""The commit-msg check answered by the pre-commit hook's process: one interpreter per commit,
the same answers as a fresh one, and never a hang or a pass when that process is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgov.git.process import GitError, Running
from taskgov.log.records import _utc_date_of_any, utc_date
from tests.conftest import GitRepo
from tests.test_log_daily import LOG, assert_clean_and_exact, commit, git, records, taskgov

POLICY = "commits:\n  require_task: ['src/*']\n"
REFUSAL = "TG206 task-required: changes to src/x.py need a trailer"


@pytest.fixture
def counted(repo: GitRepo, tmp_path: Path) -> tuple[Path, Path]:
    """A repository with the hooks, whose interpreter notes every start in a file."""
    assert taskgov(repo.path, "init").returncode == 0
    (repo.path / "docs/governance/policy.yaml").write_text(POLICY)
    assert taskgov(repo.path, "hooks", "install").returncode == 0
    starts = tmp_path / "starts"
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\necho "$3" >> "{starts}"\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    git(repo.path, "config", "taskgov.python", str(wrapper))
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "chore: adopt taskgov")
    starts.write_text("")
    return repo.path, starts


def channels(repo: Path) -> list[str]:
    return sorted(p.name for p in (repo / ".git/taskgov").glob("commit-msg.*"))


def wait_for_no_channel(repo: Path) -> None:
    deadline = time.monotonic() + 20
    while channels(repo) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert channels(repo) == []


def committing(
    repo: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {
        k: v for k, v in os.environ.items() if k not in ("CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT")
    }
    return subprocess.run(
        ["git", "-C", str(repo), "commit", *args],
        capture_output=True,
        text=True,
        env={**full, **(env or {})},
        timeout=60,  # a hang fails here
        check=False,
    )


def test_a_commit_starts_one_interpreter_and_is_checked_as_before(
    counted: tuple[Path, Path],
) -> None:
    repo, starts = counted
    commit(repo, "feat: one", {"a.txt": "1\n"})
    (repo / "src").mkdir()
    (repo / "src/x.py").write_text("x = 1\n")
    git(repo, "add", "src/x.py")
    refused = committing(repo, "-q", "-m", "feat: x")
    assert refused.returncode == 1
    assert REFUSAL in refused.stderr
    # the same words as an interpreter of its own gives (the hook run alone has no server)
    message = repo / ".git/COMMIT_EDITMSG"
    alone = subprocess.run(
        [str(repo / ".githooks/commit-msg"), str(message)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (alone.returncode, alone.stderr) == (1, refused.stderr)
    assert git(repo, "status", "--porcelain") == "A  src/x.py\n"  # the log taken back
    done = committing(repo, "-q", "-m", "feat: x\n\nTask: TASK-2026-001")
    assert done.returncode == 1, done.stderr  # a task that does not exist
    assert "TASK-2026-001" in done.stderr
    git(repo, "reset", "-q")
    (repo / "src/x.py").unlink()
    commit(repo, "feat: two", {"b.txt": "1\n"})
    # an interpreter for each commit's pre-commit; for commit-msg only when run alone above
    assert starts.read_text().split() == [
        *("pre-commit", "pre-commit", "commit-msg"),
        *("pre-commit", "pre-commit"),
    ]
    wait_for_no_channel(repo)
    assert_clean_and_exact(repo)


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_a_server_gone_before_commit_msg_is_replaced_by_an_interpreter(
    counted: tuple[Path, Path], tmp_path: Path, signal_name: str
) -> None:
    repo, starts = counted
    editor = tmp_path / "editor"
    editor.write_text(
        "#!/bin/sh\n"
        f'for pid in "{repo}"/.git/taskgov/commit-msg.*/pid; do read -r server token < "$pid"; '
        f'kill -{signal_name[3:]} "$server"; done\n'
        "sleep 0.2\n"
        'printf "feat: x\\n" > "$1"\n'
    )
    editor.chmod(0o755)
    (repo / "src").mkdir()
    (repo / "src/x.py").write_text("x = 1\n")
    git(repo, "add", "src/x.py")
    refused = committing(repo, env={"GIT_EDITOR": str(editor)})
    assert refused.returncode == 1, refused.stderr
    assert REFUSAL in refused.stderr  # still checked: by a new interpreter
    assert starts.read_text().split() == ["pre-commit", "commit-msg"]
    assert git(repo, "status", "--porcelain") == "A  src/x.py\n"


@pytest.mark.parametrize("editor", ["false", "true"])
def test_a_commit_git_gives_up_on_leaves_the_index_as_it_was(
    counted: tuple[Path, Path], editor: str
) -> None:
    """The editor fails (git stops before commit-msg) or leaves the message empty."""
    repo, _ = counted
    commit(repo, "feat: one", {"a.txt": "1\n"})
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    given_up = committing(repo, env={"GIT_EDITOR": editor})
    assert given_up.returncode != 0
    wait_for_no_channel(repo)
    assert git(repo, "status", "--porcelain") == "A  b.txt\n"
    commit(repo, "feat: b")
    assert_clean_and_exact(repo)
    assert len(records(repo)) == 2  # adopt and one: logged once each


def test_git_and_its_caller_never_wait_for_the_server(counted: tuple[Path, Path]) -> None:
    """A commit-msg hook that is not taskgov's never asks: git returns at once (nothing holds
    its output open), the server leaves when git does, and the commit's log stays in it."""
    repo, _ = counted
    (repo / ".githooks/commit-msg").write_text("#!/bin/sh\nexit 0\n")
    started = time.monotonic()
    done = committing(repo, "-q", "--allow-empty", "-m", "feat: one")
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 10
    wait_for_no_channel(repo)
    git(repo, "checkout", "-q", "--", ".githooks/commit-msg")
    assert git(repo, "status", "--porcelain") == ""
    assert len(records(repo)) == 1


def test_channels_of_gone_commits_are_swept(counted: tuple[Path, Path]) -> None:
    repo, _ = counted
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = repo / f".git/taskgov/commit-msg.{gone.pid}"
    stale.mkdir()
    (stale / "pid").write_text(f"{gone.pid}\n")
    os.mkfifo(stale / "out")
    commit(repo, "feat: one", {"a.txt": "1\n"})
    wait_for_no_channel(repo)


def test_an_unstaged_deletion_of_a_month_file_is_left_alone(counted: tuple[Path, Path]) -> None:
    repo, _ = counted
    commit(repo, "feat: one", {"a.txt": "1\n"})
    month = next((repo / LOG).glob("*.jsonl"))
    month.unlink()
    commit(repo, "feat: two", {"b.txt": "1\n"})
    assert git(repo, "status", "--porcelain") == f" D {LOG}/{month.name}\n"


@given(st.datetimes(timezones=st.timezones()).filter(lambda moment: moment.utcoffset() is not None))
def test_utc_dates_are_those_datetime_gives(moment) -> None:  # type: ignore[no-untyped-def]
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60)
    if offset.total_seconds() % 60 or abs(minutes) >= 24 * 60:
        return  # git prints whole minutes
    sign = "-" if minutes < 0 else "+"
    stamp = moment.replace(tzinfo=None, microsecond=0).isoformat()
    stamp += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    try:
        expected = _utc_date_of_any(stamp)
    except OverflowError:  # beyond datetime's years
        return
    assert utc_date(stamp) == expected


@pytest.mark.parametrize(
    "stamp", ["2026-02-30T10:00:00+00:00", "2026-12-02T24:00:00Z", "2026-12-02", "soon"]
)
def test_odd_stamps_are_read_as_datetime_reads_them(stamp: str) -> None:
    assert utc_date(stamp) == _utc_date_of_any(stamp)


BOTH = (
    "import sys; data = sys.stdin.buffer.read(); sys.stderr.buffer.write(data); "
    "sys.stdout.buffer.write(data[::-1])"
)


def test_a_process_fed_and_read_at_once_never_waits_on_a_full_pipe() -> None:
    data = os.urandom(1 << 20)  # far more than a pipe holds, in and out on both streams
    running = Running([sys.executable, "-c", BOTH], data)
    assert b"".join(running.output()) == data[::-1]
    assert (running.returncode, running.stderr) == (0, data)


def test_a_reader_that_stops_early_ends_the_process() -> None:
    running = Running([sys.executable, "-c", "import sys\nwhile True: print('x' * 99)"])
    for _ in running.output():
        break
    assert running.returncode != 0  # ended and waited for: no process left behind


def test_without_posix_spawn_subprocess_runs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "posix_spawnp")
    running = Running([sys.executable, "-c", BOTH], b"abc")
    assert b"".join(running.output()) == b"cba"
    assert running.stderr == b"abc"


def test_a_missing_program_is_a_git_error() -> None:
    with pytest.raises(GitError, match="cannot run git"):
        list(Running(["no-such-program-here"]).output())
