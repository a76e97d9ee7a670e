"""Starting and resuming runs: the integration branch, the merge worktree, and the
reconciliation of a run's record with what git says is done."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from taskgov.dispatch import gitops
from taskgov.dispatch.claiming import Claimer
from taskgov.dispatch.engine import Dispatcher
from taskgov.dispatch.jobs import Outcome, RunExtras, RunOptions, new_run_id
from taskgov.dispatch.journal import Journal, latest_run, load_state
from taskgov.dispatch.workers import Worker
from taskgov.errors import UsageError
from taskgov.git.process import is_ancestor, rev_parse
from taskgov.repo import Repository
from taskgov.state import TaskState

Notify = Callable[[dict[str, Any]], None]


def start_run(
    root: Path,
    repo: Repository,
    states: dict[str, TaskState],
    workers: list[Worker],
    options: RunOptions,
    notify: Notify,
    claimer: Claimer | None = None,
    run: str | None = None,
    extras: RunExtras | None = None,
) -> Outcome:
    """A new run: ``taskgov/dispatch/<run>`` forked from HEAD, then the rolling frontier."""
    base = rev_parse(root, "HEAD")
    if base is None:
        raise UsageError("dispatch needs a commit to fork from: HEAD has none yet")
    run = run or new_run_id()
    claimer = claimer or Claimer()
    directory = gitops.runs_dir(root) / run
    journal = Journal(directory)
    dispatcher = Dispatcher(
        root, repo, states, workers, options, run, base, journal, claimer, set(), notify, extras
    )
    taken = [
        gitops.task_branch(i)
        for i, job in dispatcher.jobs.items()
        if job.status == "pending" and gitops.branch_tip(root, gitops.task_branch(i))
    ]
    if taken:
        raise UsageError(
            f"{', '.join(taken)} exist already: dispatch creates task/<id> branches "
            "(rename or delete these first)"
        )
    gitops.create_branch(root, dispatcher.branch, base)
    gitops.add_worktree(root, dispatcher.merge_tree, dispatcher.branch)
    try:
        return dispatcher.execute()
    finally:
        _close(root, dispatcher)


def resume_run(
    root: Path,
    repo: Repository,
    states: dict[str, TaskState],
    workers: list[Worker],
    notify: Notify,
    run: str = "",
    command: str | None = None,
    slots: int | None = None,
    claimer_for: Callable[[str | None, str], Claimer] | None = None,
    extras: RunExtras | None = None,
) -> Outcome:
    """Carry on ``run`` (default: the last one): what its integration branch holds is done
    and never runs again; leftover worktrees and task branches are removed and those tasks
    run again."""
    runs = gitops.runs_dir(root)
    run = run or latest_run(runs) or ""
    if not run:
        raise UsageError("no dispatch run to resume")
    directory = runs / run
    saved = load_state(directory)
    branch, base = saved["branch"], saved["base"]
    if gitops.branch_tip(root, branch) is None:
        raise UsageError(f"run {run}: its integration branch {branch} is gone")
    done = gitops.merged_tasks(root, base, branch)
    for task_id in saved.get("tasks", {}):
        task_branch = gitops.task_branch(task_id)
        tip = gitops.branch_tip(root, task_branch)
        if tip and task_id not in done and is_ancestor(root, tip, f"refs/heads/{branch}"):
            done.add(task_id)  # merged, then stopped before the branch was deleted
    _clean(root, directory, list(saved.get("tasks", {})))
    options = RunOptions(
        command=command or saved["command"],
        slots=slots or int(saved["slots"]),
        max_retries=int(saved.get("max_retries", 0)),
        backoff=float(saved.get("backoff", 2.0)),
        timeout=saved.get("timeout"),
    )
    claimer = claimer_for(saved.get("remote"), run) if claimer_for else Claimer()
    journal = Journal(directory)
    dispatcher = Dispatcher(
        root, repo, states, workers, options, run, base, journal, claimer, done, notify, extras
    )
    dispatcher.emit("resumed", done=sorted(done))
    merge_tree = dispatcher.merge_tree
    if merge_tree.exists() and merge_tree in gitops.worktrees(root):
        gitops.settle(merge_tree)
    else:
        shutil.rmtree(merge_tree, ignore_errors=True)
        gitops.add_worktree(root, merge_tree, branch)
    try:
        return dispatcher.execute()
    finally:
        _close(root, dispatcher)


def _clean(root: Path, directory: Path, tasks: list[str]) -> None:
    """Remove what a stopped or crashed run left: task worktrees and branches."""
    scratch = directory / "worktrees"
    for path in gitops.worktrees(root):
        if scratch in path.parents:
            gitops.remove_worktree(root, path)
    shutil.rmtree(scratch, ignore_errors=True)
    gitops.remove_worktree(root, scratch)  # prunes what git still lists
    for task_id in tasks:
        gitops.delete_branch(root, gitops.task_branch(task_id))


def _close(root: Path, dispatcher: Dispatcher) -> None:
    """The merge worktree goes with the run (a resumed run adds it again)."""
    dispatcher.journal.close()
    if dispatcher.merge_tree.exists():
        gitops.remove_worktree(root, dispatcher.merge_tree)
