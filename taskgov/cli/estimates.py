"""Commands about estimates and what history says of them: actuals."""

from __future__ import annotations

from typing import Any

import click

from taskgov import output as ui
from taskgov.cli.base import _env, _read_problems, _say_unread, cli, json_option
from taskgov.errors import EXIT_OK


@cli.command(
    epilog="""\b
Examples:
  taskgov actuals                  each finished task, then ratios per person and agent
  taskgov actuals --json           the same as JSON: {"tasks": [...], "groups": [...]}
  taskgov plan --calibrate         a forecast that uses these ratios"""
)
@json_option
@click.pass_context
def actuals(ctx: click.Context, as_json: bool) -> int:
    """How long finished tasks really took, against their estimates.

    For every completed task: its estimate (and where it came from), when work started and
    finished, the elapsed hours, the effort hours, and ratio = effort / estimate (1.6: took
    60% longer than planned). Dates come from the spec's state.started_at / completed_at,
    the first commit with `Task: ID`, the commit with `Closes: ID`, commits that name the task
    in prose ("Complete TASK-2026-010: ...", "fixes TASK-2026-003"; patterns in policy
    estimates.actuals) and the move into completed/; each is named. Effort counts commit
    sessions as git-hours does: one person's commits less than session_gap (2h) apart are
    one session, and a session's first commit counts first_commit (2h).

    Then per assignee, agent (Co-Authored-By / Assisted-by), task type and milestone: how
    many tasks, the median ratio, the spread (10th-90th percentile) and how often the
    estimate's P80 covered the real effort. Tasks without an estimate of their own are
    listed but not grouped.
    """
    from taskgov.commands import actuals_data

    repo, activity = _env(ctx).repo_and_history()
    data = actuals_data(repo, activity)
    problems = _read_problems(repo)
    if as_json:
        ui.emit_json({**data, "problems": problems}, rows=True)
        return EXIT_OK
    _say_unread(problems, "not counted")
    _print_actuals(data)
    return EXIT_OK


def _print_actuals(data: dict[str, Any]) -> None:
    tasks = data["tasks"]
    if not tasks:
        ui.out("no finished tasks yet: actuals come from completed tasks and their commits")
        return
    ui.print_table(
        ["ID", "ESTIMATE", "FROM", "ELAPSED", "EFFORT", "RATIO", "TITLE"],
        [
            [
                t["id"],
                _hours(t["estimate_hours"]),
                _source(t["estimate_source"]),
                _hours(t["elapsed_hours"]),
                _hours(t["effort_hours"]),
                "-" if t["ratio"] is None else f"{t['ratio']:.2f}",
                t["title"],
            ]
            for t in tasks
        ],
    )
    groups = data["groups"]
    if groups:
        ui.out("")
        ui.print_table(
            ["BY", "TASKS", "MEDIAN", "SPREAD", "P80 HELD", "NAME"],
            [
                [
                    g["by"],
                    g["count"],
                    f"{g['median_ratio']:.2f}",
                    f"{g['spread'][0]:.2f}-{g['spread'][1]:.2f}",
                    f"{g['p80_coverage'] * 100:.0f}%",
                    g["name"],
                ]
                for g in groups
            ],
        )
    settings = data["settings"]
    ui.err(
        f"note: effort from commit sessions (session_gap {settings['session_gap_hours']:g} h, "
        f"first_commit {settings['first_commit_hours']:g} h; policy estimates.actuals)"
    )
    if data["without_effort"]:
        ui.err(
            f"note: no commit names {ui.some(data['without_effort'], 8)}: no effort measured "
            "(name the task in a Task: or Closes: trailer, or in the message)"
        )
    if data["without_estimate"]:
        ungrouped = ui.some(data["without_estimate"], 8)
        ui.err(f"note: no estimate of their own, not grouped: {ungrouped}")


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:g} h"


def _source(source: str) -> str:
    return {
        "planning.estimate": "3-point",
        "default": "default",
    }.get(source, "effort")
