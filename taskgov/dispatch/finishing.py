"""What happens when a task's command ends: its slot is freed, a success goes into the merge
queue (most urgent first, one merge at a time) and a failure is retried with backoff or
fails; a task that waits on one that failed is held. ``Finishing`` is the part of a run's
dispatcher (``taskgov.dispatch.engine``) that does it."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from taskgov.dispatch import gitops
from taskgov.dispatch.claiming import Claimer
from taskgov.dispatch.jobs import BAD, Job, RunOptions
from taskgov.dispatch.journal import Journal
from taskgov.dispatch.pools import Pools
from taskgov.dispatch.processes import KILL_GRACE, kill_group


class Finishing:
    root: Path
    run: str
    branch: str
    merge_tree: Path
    options: RunOptions
    journal: Journal
    claimer: Claimer
    notify: Callable[[dict[str, Any]], None]
    jobs: dict[str, Job]
    pools: Pools
    load: dict[str, int]
    stop_signal: int | None

    def emit(self, kind: str, task: str | None = None, **fields: Any) -> None:
        self.notify(self.journal.event(kind, task, **fields))

    def state(self, status: str) -> dict[str, Any]:
        raise NotImplementedError

    def _reap(self) -> None:
        now = time.monotonic()
        for job in self.jobs.values():
            if job.status != "running" or job.process is None:
                continue
            code = job.process.poll()
            if code is None:
                timeout = self.options.timeout
                if timeout is not None and not job.timed_out and now - job.started > timeout:
                    job.timed_out = True
                    kill_group(job.process, signal.SIGTERM)
                    job.killed_at = now
                elif job.killed_at and now - job.killed_at > KILL_GRACE:
                    kill_group(job.process, signal.SIGKILL)
                continue
            self._finished(job, code, now - job.started)

    def _release_slot(self, job: Job) -> None:
        self.pools.free(job.need)
        self.load[job.worker] -= 1
        if job.log is not None:
            job.log.close()
        job.process = job.log = None

    def _finished(self, job: Job, code: int, seconds: float) -> None:
        self._release_slot(job)
        task_id = job.task.id
        branch = gitops.task_branch(task_id)
        ok = code == 0 and not job.timed_out and not job.lost
        left = bool(job.path and gitops.dirty(job.path))
        self.emit("finished", task_id, exit_code=code, seconds=round(seconds, 3), uncommitted=left)
        if job.path is not None:
            gitops.remove_worktree(self.root, job.path)
            job.path = None
        if ok:
            job.status = "queued"
            return
        gitops.delete_branch(self.root, branch)
        if job.lost:  # another dispatcher may hold it now: never retried, never released
            job.status, job.reason = "failed", job.lost
            self.emit("failed", task_id, reason=job.lost)
            return
        why = f"timed out after {self.options.timeout:g} s" if job.timed_out else f"exit {code}"
        job.failures += 1
        if job.failures <= self.options.max_retries:
            delay = self.options.backoff * 2 ** (job.failures - 1)
            job.status, job.not_before = "pending", time.monotonic() + delay
            self.emit("retried", task_id, reason=why, delay=delay, retry=job.failures)
        else:
            self._fail(job, why)

    def _fail(self, job: Job, why: str, **fields: Any) -> None:
        job.status, job.reason = "failed", why
        self.emit("failed", job.task.id, reason=why, **fields)
        self.claimer.release(job.task.id)

    def _merge_queue(self) -> None:
        while self.stop_signal is None:
            queued = [j for j in self.jobs.values() if j.status == "queued"]
            if not queued:
                return
            self._merge(min(queued, key=lambda j: j.rank))

    def _merge(self, job: Job) -> None:
        task_id = job.task.id
        branch = gitops.task_branch(task_id)
        message = (
            f"dispatch: merge {branch} ({job.task.title})\n\n"
            f"Task: {task_id}\n{gitops.TRAILER}: {task_id}\nDispatch-Run: {self.run}\n"
        )
        result = gitops.merge(self.merge_tree, branch, message)
        if result.ok:
            gitops.delete_branch(self.root, branch)
            job.status = "done"
            self.emit("merged", task_id, commit=result.commit, branch=self.branch)
            self.claimer.finished(task_id, result.commit, self.branch)
            self.journal.save(self.state("running"))
            return
        gitops.delete_branch(self.root, branch)
        if result.conflicts and job.conflicts == 0:
            job.conflicts = 1
            job.status, job.not_before = "pending", 0.0
            self.emit("retried", task_id, reason="merge conflict", paths=list(result.conflicts))
            return
        if result.conflicts:
            paths = list(result.conflicts)
            self._fail(job, "merge conflict again in " + ", ".join(paths), paths=paths)
        else:
            self._fail(job, result.error)

    def _hold(self) -> None:
        """A task that waits on one that failed, was cancelled, skipped or held is held."""
        changed = True
        while changed:
            changed = False
            for job in sorted(self.jobs.values(), key=lambda j: j.rank):
                if job.status != "pending":
                    continue
                stuck = [p for p in job.preds if self.jobs[p].status in BAD]
                if stuck:
                    job.status = "held"
                    job.reason = "; ".join(f"{p} {self.jobs[p].status}" for p in stuck)
                    self.emit("held", job.task.id, reason=job.reason)
                    changed = True
