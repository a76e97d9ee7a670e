"""``taskgov dispatch``: what to start now, or run it all as a rolling frontier."""

from __future__ import annotations

from typing import Any, NamedTuple

import click

from taskgov import output as ui
from taskgov.cli.base import _env, cli, json_option
from taskgov.errors import EXIT_OK, UsageError


class Extras(NamedTuple):
    cpu_threshold: float | None
    memory_threshold: float | None
    metrics_port: str | None
    context_budget: int | None


@cli.command(
    epilog="""\b
Examples:
  taskgov dispatch                          who would take which task now
  taskgov dispatch --format github-matrix   the same, as a GitHub Actions matrix
  taskgov dispatch --exec 'make task' --workers 3
                                            run every task in its own worktree, merge each
                                            into taskgov/dispatch/<run>
  taskgov dispatch --resume                 carry on the last interrupted run"""
)
@click.option("--dry-run", is_flag=True, help="Only say what would start now (the default).")
@click.option(
    "--exec",
    "command",
    metavar="CMD",
    help="Run CMD (with sh -c) for every task, each in its own git worktree.",
)
@click.option("--workers", type=int, metavar="N", help="Tasks at once (default: the policy's).")
@click.option(
    "--max-retries", type=int, default=0, show_default=True, metavar="K", help="Retries per task."
)
@click.option(
    "--backoff",
    type=float,
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait before the first retry; doubles each time.",
)
@click.option("--timeout", type=float, metavar="SECONDS", help="Stop a task running longer.")
@click.option(
    "--resume",
    "resume",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[RUN]",
    help="Carry on an interrupted run (default: the last one).",
)
@click.option("--remote", metavar="NAME", help="Claim each task on this remote before it starts.")
@click.option(
    "--cpu-threshold",
    type=float,
    metavar="PERCENT",
    help="Hold new starts while the machine's CPU use is above this.",
)
@click.option(
    "--memory-threshold",
    type=float,
    metavar="PERCENT",
    help="Hold new starts while the machine's memory use is above this.",
)
@click.option(
    "--metrics-port",
    metavar="[HOST:]PORT",
    help="Serve Prometheus metrics of the run here (host default 127.0.0.1).",
)
@click.option(
    "--context-budget",
    type=int,
    metavar="TOKENS",
    help="Trim each task's context file to this many tokens (see taskgov context).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github-matrix"]),
    default="text",
    help="Output of the assignment.",
)
@json_option
@click.pass_context
def dispatch(
    ctx: click.Context,
    dry_run: bool,
    command: str | None,
    workers: int | None,
    max_retries: int,
    backoff: float,
    timeout: float | None,
    resume: str | None,
    remote: str | None,
    cpu_threshold: float | None,
    memory_threshold: float | None,
    metrics_port: str | None,
    context_budget: int | None,
    fmt: str,
    as_json: bool,
) -> int:
    """Match the frontier to workers, or run every task in its own worktree.

    Without --exec (or with --dry-run): the assignment the coordinator would make now,
    frontier tasks matched to workers (policy.yaml `workers:`: names, skills, capacity)
    under resource limits, most urgent first.

    With --exec: a rolling frontier. Each task runs CMD in its own git worktree on branch
    task/<id>, forked from the integration branch taskgov/dispatch/<run>; the task's data
    is in the environment (TASKGOV_TASK_ID, TASKGOV_SPEC, TASKGOV_WORKTREE, TASKGOV_RUN,
    TASKGOV_CONTEXT: the task's context document, as `taskgov context` writes it, in the
    worktree's git directory, never committed). A task that exits 0 is merged into the
    integration branch; only a merged task counts as done. On a terminal a live board
    shows the run; otherwise (and with --json) one line per event. Exit 1 when a task
    failed or was held, 130 when interrupted.
    """
    env = _env(ctx)
    if as_json:
        fmt = "json"
    if dry_run or (command is None and resume is None):
        given = (cpu_threshold, memory_threshold, metrics_port, context_budget)
        if max_retries or timeout is not None or remote or any(v is not None for v in given):
            raise UsageError(
                "--max-retries, --timeout, --remote, --cpu-threshold, --memory-threshold, "
                "--metrics-port and --context-budget need --exec or --resume"
            )
        return _dry_run(env, workers, fmt)
    if fmt == "github-matrix":
        raise UsageError("--format github-matrix is for the assignment (without --exec)")
    extras = Extras(cpu_threshold, memory_threshold, metrics_port, context_budget)
    return _execute(
        env, command, workers, max_retries, backoff, timeout, resume, remote, fmt == "json", extras
    )


def _dry_run(env: Any, workers: int | None, fmt: str) -> int:
    from taskgov.dispatch.assign import assignment, github_matrix
    from taskgov.dispatch.workers import dispatch_workers
    from taskgov.state import derive_states

    repo, activity = env.repo_and_history()
    crew, slots = dispatch_workers(repo.config, workers)
    data = assignment(repo, derive_states(repo, activity), crew, slots)
    if fmt == "json":
        ui.emit_json(data)
    elif fmt == "github-matrix":
        ui.emit_json(github_matrix(data))
    else:
        _print_assignment(data)
    return EXIT_OK


def _print_assignment(data: dict[str, Any]) -> None:
    if not data["assigned"] and not data["waiting"]:
        ui.out("nothing is ready to start")
        return
    if data["assigned"]:
        ui.print_table(
            ["TASK", "WORKER", "PRIORITY", "SLACK", "TITLE"],
            [
                (
                    row["task"],
                    row["worker"],
                    row["priority"],
                    "-" if row["slack_hours"] is None else f"{row['slack_hours']:g}h",
                    row["title"],
                )
                for row in data["assigned"]
            ],
        )
    else:
        ui.out("nothing can start now")
    if data["waiting"]:
        ui.out("")
        ui.print_table(
            ["WAITING", "WHY"], [(row["task"], row["reason"]) for row in data["waiting"]]
        )


def _execute(
    env: Any,
    command: str | None,
    workers: int | None,
    max_retries: int,
    backoff: float,
    timeout: float | None,
    resume: str | None,
    remote: str | None,
    as_json: bool,
    extras: Extras,
) -> int:
    import contextlib

    from taskgov.dispatch.claiming import Claimer, RemoteClaimer
    from taskgov.dispatch.jobs import RunExtras, RunOptions, new_run_id
    from taskgov.dispatch.runs import resume_run, start_run
    from taskgov.dispatch.workers import dispatch_workers
    from taskgov.errors import EXIT_INTERRUPTED, EXIT_PROBLEMS
    from taskgov.state import derive_states

    if max_retries < 0 or backoff < 0 or (timeout is not None and timeout <= 0):
        raise UsageError("--max-retries and --backoff cannot be negative, --timeout must be > 0")
    if command is not None and not command.strip():
        raise UsageError("--exec: the command is empty")
    if extras.context_budget is not None and extras.context_budget < 1:
        raise UsageError("--context-budget: at least 1 token")
    repo, activity = env.repo_and_history()
    root = repo.config.root
    crew, slots = dispatch_workers(repo.config, workers)
    states = derive_states(repo, activity)
    lease, grace = repo.config.claims_lease, repo.config.claims_grace

    def claimer_for(name: str | None, run: str) -> Claimer:
        name = remote or name
        return RemoteClaimer(root, name, run, lease, grace) if name else Claimer()

    with contextlib.ExitStack() as stack:
        notify, board = _watchers(stack, as_json, extras)
        gate = None
        if extras.cpu_threshold is not None or extras.memory_threshold is not None:
            from taskgov.dispatch.pressure import Backpressure

            gate = Backpressure(extras.cpu_threshold, extras.memory_threshold)
            board = _with_load(board, gate)
        hooks = RunExtras(gate=gate, board=board, context_budget=extras.context_budget)
        if resume is not None:
            outcome = resume_run(
                root,
                repo,
                states,
                crew,
                notify,
                resume,
                command,
                slots if workers else None,
                claimer_for=claimer_for,
                extras=hooks,
            )
        else:
            assert command is not None
            options = RunOptions(command, slots, max_retries, backoff, timeout)
            run = new_run_id()
            claimer = claimer_for(None, run)
            outcome = start_run(
                root, repo, states, crew, options, notify, claimer, run, extras=hooks
            )
    if outcome.interrupted:
        ui.err(f"taskgov: interrupted; resume with: taskgov dispatch --resume {outcome.run}")
        return EXIT_INTERRUPTED
    return EXIT_OK if outcome.ok else EXIT_PROBLEMS


Watch = Any  # a callable taking one event or board (dict)


def _watchers(stack: Any, as_json: bool, extras: Extras) -> tuple[Watch, Watch]:
    """Who hears the run's events and sees its board: the live view on a terminal (else one
    line per event), and the metrics server when asked for."""
    from taskgov.cli.live import LiveView, wanted

    listeners: list[Watch] = []
    boards: list[Watch] = []
    if wanted(as_json):
        view = stack.enter_context(LiveView(_event_line))
        listeners.append(view.event)
        boards.append(view.board)
    else:
        listeners.append(_printer(as_json))
    if extras.metrics_port is not None:
        from taskgov.dispatch.metrics import RunMetrics

        metrics = RunMetrics(extras.metrics_port)
        stack.callback(metrics.close)
        ui.err(f"taskgov: metrics on http://{metrics.host}:{metrics.port}/metrics")
        listeners.append(metrics.event)
        boards.append(metrics.board)

    def notify(event: dict[str, Any]) -> None:
        for listener in listeners:
            listener(event)

    def board(data: dict[str, Any]) -> None:
        for watcher in boards:
            watcher(data)

    return notify, board if boards else None


def _with_load(board: Watch, gate: Any) -> Watch:
    """The board with the last load sample, for the metrics."""
    if board is None:
        return None

    def show(data: dict[str, Any]) -> None:
        cpu, memory = gate.last
        board({**data, "load": {"cpu": cpu, "memory": memory}})

    return show


def _shown(value: Any) -> str:
    """An event field on one line: a count per status reads `merged 4, failed 1`."""
    if isinstance(value, dict):
        return ", ".join(f"{key} {_shown(item)}" for key, item in value.items()) or "-"
    if isinstance(value, (list, tuple)):
        return ",".join(_shown(item) for item in value) or "-"
    return ui.one_line(str(value))


def _event_line(event: dict[str, Any]) -> str:
    extra = {k: v for k, v in event.items() if k not in ("time", "event", "task")}
    detail = " ".join(f"{k}={_shown(v)}" for k, v in sorted(extra.items()))
    return " ".join(
        p for p in (event["time"][11:19], event["event"], event.get("task"), detail) if p
    )


def _printer(as_json: bool) -> Watch:
    import json

    def plain(event: dict[str, Any]) -> None:
        ui.out(json.dumps(event, sort_keys=True) if as_json else _event_line(event))

    return plain
