"""The command of a task: started in its worktree in a process group of its own, with the
task's data in the environment (never in the shell string), and stopped as a whole."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import IO

KILL_GRACE = 3.0  # seconds between SIGTERM and SIGKILL
# A command runs git in its worktree: variables that would point git elsewhere are dropped.
_SCRUB = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_PREFIX")


def task_environment(values: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without git's redirections, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update(values)
    return env


def spawn(
    command: str, cwd: Path, env: Mapping[str, str], log: IO[bytes]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["sh", "-c", command],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: terminated as a whole
    )


def kill_group(process: subprocess.Popen[bytes] | None, number: int) -> None:
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, number)


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every group, SIGKILL what is still there after ``KILL_GRACE``, reap all."""
    import time

    for process in processes:
        kill_group(process, signal.SIGTERM)
    deadline = time.monotonic() + KILL_GRACE
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            kill_group(process, signal.SIGKILL)
            process.wait()
