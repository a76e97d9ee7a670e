"""Commands that give a plan to other tools and people: export, report."""

from __future__ import annotations

from pathlib import Path

import click

from taskgov import output as ui
from taskgov.cli.base import _env, _read_problems, _say_unread, cli, json_option
from taskgov.errors import EXIT_OK, UsageError
from taskgov.interop.export import EXPORT_FORMATS


@cli.command(
    "export",
    epilog="""\b
Examples:
  taskgov export tasks-v3 --out build/tasks   features.json ... Plan.md, Decisions.md
  taskgov export taskmaster > .taskmaster/tasks/tasks.json
  taskgov export speckit --out specs/plan     specs/plan/tasks.md
  taskgov export mermaid                      the dependency graph for a Markdown page""",
)
@click.argument("fmt", metavar="FORMAT", type=click.Choice(list(EXPORT_FORMATS)))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Write the files into DIR (absent, empty, or an earlier export of the same format).",
)
@json_option
@click.pass_context
def export(ctx: click.Context, fmt: str, out_dir: str | None, as_json: bool) -> int:
    """Export every task in another planner's format.

    tasks-v3 writes features.json, tasks.json, dag.json, waves.json and coordinator.json
    (valid against the T.A.S.K.S v3 schemas, each with the SHA-256 of its normalised JSON),
    Plan.md and Decisions.md; finished tasks are marked. taskmaster writes a tagged
    tasks.json, speckit a tasks.md, mermaid and dot the dependency graph. Statuses are the
    derived ones (history included). Anything that looks like a credential is written as
    [REDACTED]. Without --out a single-file format goes to stdout. Files are written all at
    once: a failure leaves nothing behind.
    """
    from taskgov.interop.export import export_plan, write_export

    env = _env(ctx)
    names = EXPORT_FORMATS[fmt]
    if out_dir is None and (len(names) > 1 or as_json):
        what = f"{fmt} writes {len(names)} files" if len(names) > 1 else "--json"
        raise UsageError(f"{what}: give --out DIR")
    repo, activity = env.repo_and_history()
    problems = _read_problems(repo)
    if not as_json:
        _say_unread(problems, "left out of the export")
    result = export_plan(repo, fmt, activity)
    if out_dir is None:
        ui.write(result.files[names[0]])
        return EXIT_OK
    written = write_export(result.files, env.cwd / out_dir, names)
    if as_json:
        ui.emit_json({**result.as_dict(), "out": out_dir, "problems": problems})
        return EXIT_OK
    ui.out(
        f"exported {ui.plural(result.tasks, 'task')} ({result.finished} finished), "
        f"{ui.plural(result.dependencies, 'dependency', 'dependencies')} as {fmt}"
        + (f"; {ui.plural(result.redacted, 'secret')} redacted" if result.redacted else "")
    )
    for path in written:
        ui.out(f"wrote {Path(out_dir) / path.name}")
    return EXIT_OK


@cli.group("report")
def report_group() -> None:
    """Reports for people, built from the specs and the history."""


@report_group.command(
    "weekly",
    epilog="""\b
Examples:
  taskgov report weekly                        this week (UTC)
  taskgov report weekly --week 2026-W48 > log/2026-W48.md
  taskgov import markdown log/2026-W48.md --out week   reads it back""",
)
@click.option("--week", metavar="W", help="The ISO week, like 2026-W48 (default: this week).")
@json_option
@click.pass_context
def report_weekly(ctx: click.Context, week: str | None, as_json: bool) -> int:
    """The week in the weekly task-log format: completed, in progress, blocked, next.

    Tables | Date | Task | ID | Hours | Status | Notes | with ☑/☐, as `taskgov import
    markdown` reads them. Completed means closed during the week (a Closes: trailer, or the
    spec's completed_at); hours are each task's expected hours; the week's commits come from
    the history and the contribution log.
    """
    from taskgov.interop.weekly import parse_week, render_weekly, weekly_report

    parse_week(week)  # a bad --week is refused before anything is read
    repo, activity = _env(ctx).repo_and_history()
    problems = _read_problems(repo)
    data = weekly_report(repo, activity, week)
    if as_json:
        ui.emit_json({**data, "problems": problems})
        return EXIT_OK
    _say_unread(problems, "left out of the report")
    ui.write(render_weekly(data))
    return EXIT_OK
