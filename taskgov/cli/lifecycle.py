"""The task lifecycle: start, done, status."""

from __future__ import annotations

from typing import Any

import click

from taskgov import output as ui
from taskgov.cli.base import _env, cli, json_option
from taskgov.errors import EXIT_OK

LIFECYCLE_CODES = """\b
Exit codes: 0 done (or nothing to change) · 1 refused: not a legal change now ·
2 unknown task or status, unreadable spec, --move target exists."""

FORCE_HELP = (
    "Make the change even though the status may not move there (completed and cancelled are "
    "final, draft is not started) or a hard dependency is unfinished. Nothing else is skipped."
)

_note = click.option(
    "--note", default="", metavar="TEXT", help="The progress entry's note (default: what changed)."
)
_force = click.option("--force", is_flag=True, help=FORCE_HELP)


@cli.command(
    epilog="""\b
Examples:
  taskgov start TASK-2026-008
  taskgov start TASK-2026-010 --note "Picked up by the calibration agent" --json

"""
    + LIFECYCLE_CODES
)
@click.argument("task_id", metavar="ID")
@_note
@_force
@json_option
@click.pass_context
def start(ctx: click.Context, task_id: str, note: str, force: bool, as_json: bool) -> int:
    """Mark a task in progress in its spec.

    Sets state.status to in_progress, state.started_at (on the first start) and updated_at,
    and appends a progress entry; every other byte of the file is kept. Refused when the task
    is already in progress, completed, cancelled or draft, or waits on an unfinished hard
    dependency.
    """
    from taskgov.lifecycle import start_task

    change = start_task(task_id, config=_env(ctx).config(), force=force, note=note)
    return _report(change, as_json)


@cli.command(
    epilog="""\b
Examples:
  taskgov done TASK-2026-008
  taskgov done TASK-2026-008 --move      and git mv it to docs/tasks/completed/

"""
    + LIFECYCLE_CODES
)
@click.argument("task_id", metavar="ID")
@click.option(
    "--move",
    is_flag=True,
    help="Also move the spec to the completed directory (git mv when it is tracked; "
    "refused when the target exists). A spec already completed is only moved.",
)
@_note
@_force
@json_option
@click.pass_context
def done(
    ctx: click.Context, task_id: str, move: bool, note: str, force: bool, as_json: bool
) -> int:
    """Mark a task completed in its spec.

    Sets state.status to completed, state.completed_at and updated_at, and appends a progress
    entry; every other byte of the file is kept. Prints the dependents it made ready.
    """
    from taskgov.lifecycle import finish_task

    change = finish_task(task_id, config=_env(ctx).config(), move=move, force=force, note=note)
    return _report(change, as_json)


@cli.command(
    epilog="""\b
Examples:
  taskgov status TASK-2026-008 review
  taskgov status TASK-2026-008 blocked --note "waiting for GPU quota"

\b
Legal changes (others need --force):
  draft        -> ready, assigned, blocked, cancelled
  ready        -> draft, assigned, in_progress, blocked, completed, cancelled
  assigned     -> ready, in_progress, blocked, completed, cancelled
  in_progress  -> review, blocked, completed, ready, assigned, cancelled
  review       -> in_progress, completed, blocked, cancelled
  blocked      -> ready, assigned, in_progress, completed, cancelled
  completed, cancelled: final
In progress, review and completed also need every hard dependency finished.

"""
    + LIFECYCLE_CODES
)
@click.argument("task_id", metavar="ID")
@click.argument("status", metavar="STATUS")
@_note
@_force
@json_option
@click.pass_context
def status(
    ctx: click.Context, task_id: str, status: str, note: str, force: bool, as_json: bool
) -> int:
    """Set a task's status in its spec (with the timestamps start and done write).

    STATUS is one of draft, ready, assigned, in_progress, review, blocked, completed,
    cancelled ("In Progress" and in-progress are in_progress). The status a task already has
    changes nothing.
    """
    from taskgov.lifecycle import set_status

    change = set_status(task_id, status, config=_env(ctx).config(), force=force, note=note)
    return _report(change, as_json)


def _report(change: Any, as_json: bool) -> int:
    if as_json:
        ui.emit_json(change.as_dict())
        return EXIT_OK
    if not change.changed:
        ui.out(f"{change.task_id} is already {change.new_status}: nothing changed")
        return EXIT_OK
    if change.fields:
        ui.out(f"{change.task_id}: {change.old_status} -> {change.new_status}  ({change.path})")
    if change.moved_from is not None:
        how = "git mv" if change.git_mv else "moved"
        ui.out(f"{change.task_id}: {how} {change.moved_from} -> {change.path}")
    for skipped in change.forced:
        ui.err(f"taskgov: warning: --force: {skipped} check skipped for {change.task_id}")
    if change.now_ready:
        ui.out(f"now ready: {', '.join(change.now_ready)}")
    return EXIT_OK
