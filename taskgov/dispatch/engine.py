"""``taskgov dispatch --exec``: a rolling frontier of real commands in git worktrees.

One loop, one thread: reap finished commands, merge what succeeded (one merge queue, most
urgent first), start what has become ready, repeat. A task starts when every hard dependency
is merged into the integration branch, a worker with its skills is free, its resources are
free and the machine is not too loaded (``RunExtras.gate``); it runs ``sh -c CMD`` in its own
worktree and process group. Only a merged task is done. A signal only sets a flag the loop
reads between steps, so a merge is never cut in half; the running commands are then
terminated (their process groups) and the state saved. Reaping and merging are in
``taskgov.dispatch.finishing``.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from taskgov.dispatch import gitops
from taskgov.dispatch.board import board
from taskgov.dispatch.claiming import Claimer
from taskgov.dispatch.finishing import Finishing
from taskgov.dispatch.jobs import Job, Outcome, RunExtras, RunOptions, count_statuses
from taskgov.dispatch.journal import Journal
from taskgov.dispatch.pools import Pools, task_demands
from taskgov.dispatch.processes import kill_group, spawn, stop_all, task_environment
from taskgov.dispatch.workers import Worker
from taskgov.errors import CycleError
from taskgov.repo import Repository
from taskgov.state import TaskState

RUNNABLE = ("ready", "blocked")
TICK = 0.05
BOARD_EVERY = 0.25  # seconds between boards handed to the live view
CONTEXT_FILE = "taskgov-context.md"


class Dispatcher(Finishing):
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
        extras: RunExtras | None = None,
    ) -> None:
        self.root, self.repo, self.options, self.run = root, repo, options, run
        self.base, self.journal, self.claimer, self.notify = base, journal, claimer, notify
        self.states, self.workers, self.extras = states, workers, extras or RunExtras()
        self.branch = gitops.integration_branch(run)
        self.directory = journal.directory
        self.merge_tree = self.directory / "merge"
        self.load = {w.name: 0 for w in workers}
        self.stop_signal: int | None = None
        self.plan_hours = 0.0
        self.jobs = self._jobs(states, done)
        self.pools = Pools.of(repo, {j.task.id: j.need for j in self.jobs.values()})
        self.throttled = ""
        self.started = time.monotonic()
        self.shown = 0.0

    # -- setting up -------------------------------------------------------------------
    def _jobs(self, states: Mapping[str, TaskState], done: set[str]) -> dict[str, Job]:
        from taskgov.plan.build import ranked, timing_of
        from taskgov.plan.network import build_network

        network = build_network(self.repo, states)
        if network.cycles:
            raise CycleError("dependency cycle: " + " -> ".join(network.cycles[0]))
        _, timing = timing_of(network)
        self.plan_hours = timing.length
        order = ranked(network, timing)
        demands = task_demands(self.repo, network.tasks)
        jobs: dict[str, Job] = {}
        for rank, node in enumerate(order):
            task = network.tasks[node]
            preds = tuple(network.tasks[p].id for p in network.preds[node])
            job = Job(task, rank, preds, demands.get(task.id, {}), timing.durations[node])
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

    def board(self) -> dict[str, Any]:
        return board(self.run, self.jobs, self.started, self.plan_hours, self.throttled)

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
                self._renew()
                self._start()
                self._show()
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
        self._show(force=True)
        interrupted = self.stop_signal is not None
        self.journal.save(self.state("interrupted" if interrupted else "finished"))
        statuses = {i: j.status for i, j in self.jobs.items()}
        self.emit("interrupted" if interrupted else "finished", summary=count_statuses(statuses))
        return Outcome(self.run, self.branch, interrupted, statuses)

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        self.stop_signal = number

    def _live(self) -> bool:
        return any(j.status in ("pending", "running", "queued") for j in self.jobs.values())

    def _show(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.extras.board is not None and (force or now - self.shown >= BOARD_EVERY):
            self.shown = now
            self.extras.board(self.board())

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
            if self._gated():
                return
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

    def _gated(self) -> bool:
        """Whether backpressure holds new starts now; says so when that changes."""
        why = self.extras.gate() if self.extras.gate is not None else ""
        if why and not self.throttled:
            self.emit("throttled", reason=why)
        elif self.throttled and not why:
            self.emit("unthrottled", reason=self.throttled)
        self.throttled = why  # the board shows the latest reason
        return bool(why)

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
        context = gitops.worktree_git_dir(path) / CONTEXT_FILE  # never committed
        context.write_text(self._context(job, tip), encoding="utf-8")
        env = task_environment(
            {
                "TASKGOV_TASK_ID": task.id,
                "TASKGOV_SPEC": str(path / task.path),
                "TASKGOV_WORKTREE": str(path),
                "TASKGOV_RUN": self.run,
                "TASKGOV_CONTEXT": str(context),
                "TASKGOV_ATTEMPT": str(job.attempts),
            }
        )
        log = open(self.journal.log_path(task.id), "ab")  # noqa: SIM115 (closed when reaped)
        log.write(f"--- {task.id} attempt {job.attempts} in {path}\n".encode())
        log.flush()
        job.process = spawn(self.options.command, path, env, log)
        job.log, job.path, job.status = log, path, "running"
        job.started, job.killed_at, job.timed_out = time.monotonic(), 0.0, False
        job.renewed, job.lost = job.started, ""
        self.emit(
            "started",
            task.id,
            attempt=job.attempts,
            worker=job.worker,
            worktree=str(path),
            pid=job.process.pid,
        )

    def _context(self, job: Job, tip: str) -> str:
        """The task's context document (``taskgov.context``), read from the fork point."""
        from taskgov.context import task_context

        notes = (
            f"run: {self.run}, attempt {job.attempts}; work on branch "
            f"{gitops.task_branch(job.task.id)}, merged into {self.branch} when the command "
            "exits 0",
        )
        document = task_context(
            self.repo,
            job.task.id,
            self.states,
            budget=self.extras.context_budget,
            revision=tip,
            notes=notes,
        )
        return document.markdown

    def _renew(self) -> None:
        """Renew the claims of running tasks every half lease; a task whose claim is no
        longer ours is stopped and fails (another dispatcher may run it)."""
        every = self.claimer.renew_every
        if every is None:
            return
        now = time.monotonic()
        for job in self.jobs.values():
            if job.status != "running" or job.lost or now - job.renewed < every:
                continue
            job.renewed = now
            lost = self.claimer.renew(job.task.id)
            if lost:
                job.lost = lost
                kill_group(job.process, signal.SIGTERM)
                job.killed_at = now
                self.emit("claim_lost", job.task.id, reason=lost)
            else:
                self.emit("renewed", job.task.id)

    # -- stopping -----------------------------------------------------------------------
    def _cancel_all(self) -> None:
        running = [j for j in self.jobs.values() if j.status == "running"]
        stop_all([j.process for j in running if j.process is not None])
        for job in running:
            self._release_slot(job)
            if job.path is not None:
                gitops.remove_worktree(self.root, job.path)
                job.path = None
            gitops.delete_branch(self.root, gitops.task_branch(job.task.id))
            job.status = "pending"  # not done: a resumed run runs it again
            self.emit("cancelled", job.task.id, signal=self.stop_signal)
            self.claimer.release(job.task.id)
