"""The data of a run: its options, one ``Job`` per task, and how it ended."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from taskgov.spec.task import Task

# A job that ends in one of these never satisfies a dependency: its dependents are held.
BAD = frozenset({"failed", "held", "cancelled", "skipped"})


@dataclass(frozen=True)
class RunOptions:
    command: str
    slots: int
    max_retries: int = 0
    backoff: float = 2.0
    timeout: float | None = None


@dataclass(frozen=True)
class RunExtras:
    """What a run is watched and held back by; none of it is saved for ``--resume``.

    ``gate``: ``""`` when new commands may start now, else why they wait (backpressure).
    ``board``: called with the run's board (see ``taskgov.dispatch.board``) a few times a
    second. ``context_budget``: the token budget of each task's context file."""

    gate: Callable[[], str] | None = None
    board: Callable[[dict[str, Any]], None] | None = None
    context_budget: int | None = None


@dataclass
class Job:
    task: Task
    rank: int
    preds: tuple[str, ...]
    need: dict[str, float]
    estimate_hours: float = 0.0
    status: str = "pending"  # pending running queued done failed held cancelled skipped
    attempts: int = 0
    failures: int = 0
    conflicts: int = 0
    not_before: float = 0.0
    reason: str = ""
    worker: str = ""
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    started: float = 0.0
    renewed: float = 0.0
    killed_at: float = 0.0
    timed_out: bool = False
    lost: str = ""  # why its claim stopped being ours while it ran
    path: Path | None = None


@dataclass
class Outcome:
    run: str
    branch: str
    interrupted: bool
    jobs: dict[str, str] = field(default_factory=dict)  # task -> final status

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(s == "done" for s in self.jobs.values())


def new_run_id() -> str:
    import secrets

    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(2)


def count_statuses(statuses: Mapping[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))
