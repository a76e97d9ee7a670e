"""A run's record in ``<git common dir>/taskgov/dispatch/<run>/``: ``state.json`` (the run's
settings and where each task stands, rewritten atomically), ``events.jsonl`` (one JSON event
per line, appended) and ``logs/<id>.log`` (each task's output, every attempt).

The event log is appended with one ``write`` per line on a file opened ``O_APPEND``: a crash
can cut at most the last line, which ``read_events`` skips. Git itself, not this record,
says what is done (see ``gitops.merged_tasks``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from taskgov.errors import UsageError
from taskgov.fsops import Write, write_files

STATE = "state.json"
EVENTS = "events.jsonl"


def now_iso() -> str:
    moment = time.time()
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{int(moment % 1 * 1000):03d}Z"
    )


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        (directory / "logs").mkdir(parents=True, exist_ok=True)
        self._fd = os.open(directory / EVENTS, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def event(self, kind: str, task: str | None = None, **fields: Any) -> dict[str, Any]:
        record: dict[str, Any] = {"time": now_iso(), "event": kind}
        if task is not None:
            record["task"] = task
        record.update(fields)
        os.write(self._fd, (json.dumps(record, sort_keys=True) + "\n").encode())
        return record

    def save(self, state: dict[str, Any]) -> None:
        data = json.dumps(state, indent=2, sort_keys=True) + "\n"
        write_files(None, [Write(self.directory / STATE, data)])

    def log_path(self, task_id: str) -> Path:
        return self.directory / "logs" / f"{task_id}.log"

    def close(self) -> None:
        os.close(self._fd)


def load_state(directory: Path) -> dict[str, Any]:
    try:
        data = json.loads((directory / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"no dispatch run to resume in {directory} ({exc})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{directory / STATE}: not a dispatch state")
    return data


def read_events(directory: Path) -> list[dict[str, Any]]:
    """Every complete event of a run, in order."""
    events = []
    try:
        lines = (directory / EVENTS).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            continue  # the last line of a crashed run
    return events


def latest_run(runs: Path) -> str | None:
    """The run whose state changed last."""
    found = [(p.stat().st_mtime, p.parent.name) for p in runs.glob(f"*/{STATE}")]
    return max(found)[1] if found else None
