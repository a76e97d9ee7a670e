"""``taskgov dispatch --exec``: a rolling frontier of real commands in git worktrees.

One loop, one thread: reap finished commands, merge what succeeded (one merge queue, most
urgent first), start what has become ready, repeat. A task starts when every hard dependency
is merged into the integration branch, a worker with its skills is free and its resources
are free; it runs ``sh -c CMD`` in its own worktree and process group. Only a merged task is
done. A signal only sets a flag the loop reads between steps, so a merge is never cut in
half; the running commands are then terminated (their process groups) and the state saved.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

from taskgov.dispatch import gitops
from taskgov.dispatch.claiming import Claimer
from taskgov.dispatch.journal import Journal
from taskgov.dispatch.pools import Pools, task_demands
from taskgov.dispatch.workers import Worker
from taskgov.errors import CycleError
from taskgov.repo import Repository
from taskgov.spec.task import Task
from taskgov.state import TaskState

RUNNABLE = ("ready", "blocked")
KILL_GRACE = 3.0  # seconds between SIGTERM and SIGKILL
TICK = 0.05
_SCRUB = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_PREFIX")


@dataclass(frozen=True)
class RunOptions:
    command: str
    slots: int
    max_retries: int = 0
    backoff: float = 2.0
    timeout: float | None = None


@dataclass
class Job:
    task: Task
    rank: int
    preds: tuple[str, ...]
    need: dict[str, float]
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
    killed_at: float = 0.0
    timed_out: bool = False
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


class Dispatcher:
    """One run: its integration branch, merge worktree, jobs and journal."""

    def __init__(
        self,
        root: Path,
        repo: Repository,
        states: Mapping[str, TaskState],
        workers: list[Worker],
        options: RunOptions,
        run: str,
        base: str,
        journal: Journal,
        claimer: Claimer,
        done: set[str],
        notify: Callable[[dict[str, Any]], None],
    ) -> None:
        self.root, self.repo, self.options, self.run = root, repo, options, run
        self.base, self.journal, self.claimer, self.notify = base, journal, claimer, notify
        self.workers = workers
        self.branch = gitops.integration_branch(run)
        self.directory = journal.directory
        self.merge_tree = self.directory / "merge"
        self.load = {w.name: 0 for w in workers}
        self.stop_signal: int | None = None
        self.jobs = self._jobs(states, done)
        self.pools = Pools.of(repo, {j.task.id: j.need for j in self.jobs.values()})

    # -- setting up -------------------------------------------------------------------
    def _jobs(self, states: Mapping[str, TaskState], done: set[str]) -> dict[str, Job]:
        from taskgov.plan.build import ranked, timing_of
        from taskgov.plan.network import build_network

        network = build_network(self.repo, states)
        if network.cycles:
            raise CycleError("dependency cycle: " + " -> ".join(network.cycles[0]))
        _, timing = timing_of(network)
        order = ranked(network, timing)
        demands = task_demands(self.repo, network.tasks)
        jobs: dict[str, Job] = {}
        for rank, node in enumerate(order):
            task = network.tasks[node]
            preds = tuple(network.tasks[p].id for p in network.preds[node])
            job = Job(task, rank, preds, demands.get(task.id, {}))
            status = states[task.id]
            if task.id in done:
                job.status = "done"
            elif not task.valid:
                job.status, job.reason = "skipped", "the spec has errors"
            elif status.status not in RUNNABLE and not self.claimer.ours(status.claim):
                job.status, job.reason = "skipped", f"{status.status}: {status.reason}"
            elif not any(w.can_take(task.skills) for w in self.workers):
                job.status = "held"
                job.reason = f"no worker has the skills {', '.join(sorted(task.skills))}"
            jobs[task.id] = job
        return jobs

    def state(self, status: str) -> dict[str, Any]:
        return {
            "run": self.run,
            "branch": self.branch,
            "base": self.base,
            "command": self.options.command,
            "slots": self.options.slots,
            "max_retries": self.options.max_retries,
            "backoff": self.options.backoff,
            "timeout": self.options.timeout,
            "remote": self.claimer.remote,
            "status": status,
            "tasks": {i: j.status for i, j in self.jobs.items()},
        }

    def emit(self, kind: str, task: str | None = None, **fields: Any) -> None:
        self.notify(self.journal.event(kind, task, **fields))

    # -- the loop ----------------------------------------------------------------------
    def execute(self) -> Outcome:
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        self.journal.save(self.state("running"))
        self.emit("run", run=self.run, branch=self.branch, command=self.options.command)
        for job in self.jobs.values():
            if job.status in ("held", "skipped"):
                self.emit(job.status, job.task.id, reason=job.reason)
        try:
            while self.stop_signal is None:
                self._reap()
                self._merge_queue()
                self._hold()
                if self.stop_signal is not None:
                    break
                self._start()
                if not self._live():
                    break
                time.sleep(TICK)
            if self.stop_signal is not None:
                self._cancel_all()
        except BaseException:
            self._cancel_all()  # no command outlives the dispatcher, whatever went wrong
            raise
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        interrupted = self.stop_signal is not None
        self.journal.save(self.state("interrupted" if interrupted else "finished"))
        statuses = {i: j.status for i, j in self.jobs.items()}
        self.emit("interrupted" if interrupted else "finished", summary=_count(statuses))
        return Outcome(self.run, self.branch, interrupted, statuses)

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        self.stop_signal = number

    def _live(self) -> bool:
        return any(j.status in ("pending", "running", "queued") for j in self.jobs.values())

    # -- starting --------------------------------------------------------------------------
    def _start(self) -> None:
        now = time.monotonic()
        running = sum(1 for j in self.jobs.values() if j.status == "running")
        for job in sorted(self.jobs.values(), key=lambda j: j.rank):
            if running >= self.options.slots:
                return
            if job.status != "pending" or job.not_before > now:
                continue
            if any(self.jobs[p].status != "done" for p in job.preds if p in self.jobs):
                continue
            worker = self._worker(job)
            if worker is None or self.pools.busy(job.need):
                continue
            claimed = self.claimer.claim(job.task.id)
            if claimed:
                job.status, job.reason = "skipped", claimed
                self.emit("skipped", job.task.id, reason=claimed)
                continue
            self.pools.book(job.need)
            self.load[worker.name] += 1
            job.worker = worker.name
            self._launch(job)
            running += 1

    def _worker(self, job: Job) -> Worker | None:
        free = [
            w
            for w in self.workers
            if w.can_take(job.task.skills) and self.load[w.name] < w.capacity
        ]
        return min(free, key=lambda w: self.load[w.name] / w.capacity) if free else None

    def _launch(self, job: Job) -> None:
        task = job.task
        job.attempts += 1
        branch = gitops.task_branch(task.id)
        gitops.delete_branch(self.root, branch)  # a leftover of ours: checked at the run's start
        tip = gitops.branch_tip(self.root, self.branch) or self.base
        path = self.directory / "worktrees" / f"{task.id}-{job.attempts}"
        gitops.add_worktree(self.root, path, branch, tip)
        context = gitops.worktree_git_dir(path) / "taskgov-context.md"
        context.write_text(_context(task, path, self.run), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
        env.update(
            TASKGOV_TASK_ID=task.id,
            TASKGOV_SPEC=str(path / task.path),
            TASKGOV_WORKTREE=str(path),
            TASKGOV_RUN=self.run,
            TASKGOV_CONTEXT=str(context),
            TASKGOV_ATTEMPT=str(job.attempts),
        )
        log = open(self.journal.log_path(task.id), "ab")  # noqa: SIM115 (closed when reaped)
        log.write(f"--- {task.id} attempt {job.attempts} in {path}\n".encode())
        log.flush()
        job.process = subprocess.Popen(
            ["sh", "-c", self.options.command],
            cwd=path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: terminated as a whole
        )
        job.log, job.path, job.status = log, path, "running"
        job.started, job.killed_at, job.timed_out = time.monotonic(), 0.0, False
        self.emit(
            "started",
            task.id,
            attempt=job.attempts,
            worker=job.worker,
            worktree=str(path),
            pid=job.process.pid,
        )

    # -- finishing ---------------------------------------------------------------------
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
                    _kill(job, signal.SIGTERM)
                    job.killed_at = now
                elif job.killed_at and now - job.killed_at > KILL_GRACE:
                    _kill(job, signal.SIGKILL)
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
        ok = code == 0 and not job.timed_out
        left = bool(job.path and gitops.dirty(job.path))
        self.emit("finished", task_id, exit_code=code, seconds=round(seconds, 3), uncommitted=left)
        if job.path is not None:
            gitops.remove_worktree(self.root, job.path)
            job.path = None
        if ok:
            job.status = "queued"
            return
        gitops.delete_branch(self.root, branch)
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

    # -- stopping -----------------------------------------------------------------------
    def _cancel_all(self) -> None:
        running = [j for j in self.jobs.values() if j.status == "running"]
        for job in running:
            _kill(job, signal.SIGTERM)
        deadline = time.monotonic() + KILL_GRACE
        for job in running:
            assert job.process is not None
            try:
                job.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill(job, signal.SIGKILL)
                job.process.wait()
        for job in running:
            self._release_slot(job)
            if job.path is not None:
                gitops.remove_worktree(self.root, job.path)
                job.path = None
            gitops.delete_branch(self.root, gitops.task_branch(job.task.id))
            job.status = "pending"  # not done: a resumed run runs it again
            self.emit("cancelled", job.task.id, signal=self.stop_signal)
            self.claimer.release(job.task.id)


BAD = frozenset({"failed", "held", "cancelled", "skipped"})


def _kill(job: Job, number: int) -> None:
    if job.process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(job.process.pid, number)


def _count(statuses: Mapping[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))


def _context(task: Task, worktree: Path, run: str) -> str:
    """The context file of a task: what it is and its spec, whole."""
    spec = worktree / task.path
    try:
        text = spec.read_text(encoding="utf-8")
    except OSError:
        text = ""
    return (
        f"# {task.id}: {task.title}\n\n"
        f"- spec: {task.path}\n- priority: {task.priority}\n- run: {run}\n"
        f"- branch: {gitops.task_branch(task.id)} (merged into "
        f"{gitops.integration_branch(run)} when the command exits 0)\n\n"
        f"## Spec\n\n```yaml\n{text.rstrip()}\n```\n"
    )
