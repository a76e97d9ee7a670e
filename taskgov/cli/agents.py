"""Commands for agents: ``context``, everything needed to start one task."""

from __future__ import annotations

import click

from taskgov import output as ui
from taskgov.cli.base import _env, cli, json_option
from taskgov.errors import EXIT_OK, UsageError


@cli.command(
    epilog="""\b
Examples:
  taskgov context TASK-2026-010                 the whole document, as Markdown
  taskgov context TASK-2026-010 --budget 2000   trimmed to about 2,000 tokens
  taskgov context TASK-2026-010 --json          with the token count and what was trimmed"""
)
@click.argument("task_id", metavar="ID")
@click.option(
    "--budget",
    type=int,
    metavar="TOKENS",
    help="Trim to this many tokens (estimated as characters / 4).",
)
@json_option
@click.pass_context
def context(ctx: click.Context, task_id: str, budget: int | None, as_json: bool) -> int:
    """Everything needed to start one task, as one Markdown document.

    The spec, what its dependencies produced (deliverables, interfaces, the commits that
    name them and the paths those changed), the decisions it cites and the policy lines
    that apply to its commits. Over --budget, parts are left out least needed first: the
    spec file verbatim, decision bodies, changed paths, commits, the dependencies'
    deliverables, the decisions, the dependencies; the document says what it left out.
    """
    from taskgov.context import task_context
    from taskgov.state import derive_states

    if budget is not None and budget < 1:
        raise UsageError("--budget: at least 1 token")
    repo, activity = _env(ctx).repo_and_history()
    document = task_context(repo, task_id, derive_states(repo, activity), budget=budget)
    if as_json:
        ui.emit_json(document.as_dict())
    else:
        ui.write(document.markdown)
    if document.over_budget:
        ui.err(
            f"taskgov: {task_id}: {document.tokens} tokens even trimmed, over the budget of "
            f"{budget} (the task and the policy lines are never left out)"
        )
    return EXIT_OK
