"""Commands that read and write other formats: import, schema."""

from __future__ import annotations

import re
import sys
from typing import Any

import click

from taskgov import output as ui
from taskgov.cli.base import _env, cli, json_option
from taskgov.errors import EXIT_OK, UsageError


@cli.group("import")
def import_group() -> None:
    """Turn another tool's project file into a taskgov repository."""


@import_group.command(
    "psplib",
    epilog="Example: taskgov import psplib j30/j3010_1.sm --out j3010_1 && taskgov -C j3010_1 plan",
)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="The repository to create (must be absent or empty).",
)
@json_option
@click.pass_context
def import_psplib(ctx: click.Context, file: str, out_dir: str, as_json: bool) -> int:
    """Import a PSPLIB single-mode RCPSP instance (.sm) as a repository `plan` schedules.

    One task spec per real job (J2..Jn; the two dummy jobs are dropped) with its duration as
    a fixed estimate in hours, its resource demands and its precedences as blocked_by/blocks;
    the renewable resources and capacities in docs/governance/policy.yaml. DIR becomes a git
    repository with one commit (fixed identity and date: the same hashes everywhere). Never
    overwrites anything. A malformed file is reported as FILE:LINE.
    """
    from taskgov.git.history import rev_parse
    from taskgov.interop.psplib import read_sm, write_repository

    env = _env(ctx)
    instance = read_sm(env.cwd / file)
    root = env.cwd / out_dir
    written = write_repository(instance, root)
    commit = rev_parse(root, "HEAD") or ""
    files = [path.relative_to(root).as_posix() for path in written]
    resources = dict(zip(instance.resource_names, instance.capacities, strict=True))
    if as_json:
        ui.emit_json(
            {
                "instance": instance.name,
                "jobs": instance.jobs - 2,
                "resources": resources,
                "repository": str(root),
                "commit": commit,
                "files": files,
            }
        )
        return EXIT_OK
    capacities = ", ".join(f"{name} {value}" for name, value in resources.items())
    ui.out(
        f"imported {instance.name}: {ui.plural(instance.jobs - 2, 'job')}, resources {capacities}"
    )
    ui.out(
        f"wrote {files[0]} and {ui.plural(len(files) - 1, 'task spec')} in {out_dir} "
        f"(commit {commit[:7]})"
    )
    ui.out(f"next: taskgov -C {out_dir} plan")
    return EXIT_OK


# Each format: (reader module, reader function, what SOURCE is, example, description).
FORMATS = {
    "speckit": (
        "taskgov.interop.speckit",
        "read_speckit",
        "a spec-kit tasks.md",
        "taskgov import speckit specs/001-feature/tasks.md --out plan",
        "Phases, [P] markers, [USn] stories, [X] done and 'depends on T012' prose become "
        "blocked_by/blocks by the template's rules (Setup, Foundational, each story, Polish).",
    ),
    "taskmaster": (
        "taskgov.interop.taskmaster",
        "read_taskmaster",
        "a Task Master .taskmaster/tasks/tasks.json",
        "taskgov import taskmaster .taskmaster/tasks/tasks.json --tag master --out plan",
        "Tagged or legacy flat; --tag picks the tag (default master). Subtasks become "
        "<id>.<n> tasks their parent waits for.",
    ),
    "beads": (
        "taskgov.interop.beads",
        "read_beads",
        "a beads .beads/issues.jsonl",
        "taskgov import beads .beads/issues.jsonl --out plan",
        "blocks edges order the work; an epic waits for its parent-child children; related "
        "and discovered-from become references.",
    ),
    "dottasks": (
        "taskgov.interop.dottasks",
        "read_dottasks",
        "a .tasks/ directory (manifest.json and tasks/*.yaml)",
        "taskgov import dottasks .tasks --out plan",
        "Task files the manifest omits are imported too; the manifest wins where both say.",
    ),
    "tasks-v3": (
        "taskgov.interop.tasksv3",
        "read_tasks_v3",
        "a T.A.S.K.S v3 tasks.json (features.json beside it is read too)",
        "taskgov import tasks-v3 plan/tasks.json --out plan",
        "Typed, confidence-weighted dependencies become planning.depends_on; durations the "
        "three-point estimate.",
    ),
    "markdown": (
        "taskgov.interop.tasklog",
        "read_tasklog",
        "a Markdown weekly task log",
        "taskgov import markdown log/2026-W12.md --out plan",
        "Tables | Date | Task | ID | Hours | Status | Notes | with ☐/☑; headings group them; "
        "a weekly total that does not match its rows is reported with its line.",
    ),
}


def _import_command(name: str) -> None:
    module, function, what, example, details = FORMATS[name]

    @import_group.command(name, epilog=f"Example: {example}", help=f"Import {what}. {details}")
    @click.argument("source", type=click.Path())
    @click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False),
        metavar="DIR",
        help="Create this repository (absent or empty) instead of adding to the current one.",
    )
    @click.option("--prefix", default="", metavar="P", help="Put P before every imported id.")
    @click.option("--tag", default=None, metavar="T", help="The tag to import (taskmaster).")
    @json_option
    @click.pass_context
    def command(
        ctx: click.Context,
        source: str,
        out_dir: str | None,
        prefix: str,
        tag: str | None,
        as_json: bool,
    ) -> int:
        import importlib

        env = _env(ctx)
        reader = getattr(importlib.import_module(module), function)
        path = env.cwd / source
        plan = reader(path, tag=tag) if name == "taskmaster" else _no_tag(reader, path, tag)
        plan.source = source
        return _write(env, plan, out_dir, prefix, as_json)


def _no_tag(reader: Any, path: Any, tag: str | None) -> Any:
    if tag is not None:
        raise UsageError("--tag applies to taskmaster only")
    return reader(path)


def _write(env: Any, plan: Any, out_dir: str | None, prefix: str, as_json: bool) -> int:
    from taskgov.interop.specs import import_into, import_to_new

    if prefix and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", prefix):
        raise UsageError(f"--prefix {prefix!r}: letters, digits, '.', '_' and '-' only")
    progress = ui.Progress("writing task specs", len(plan.tasks))
    try:
        if out_dir is not None:
            summary = import_to_new(plan, env.cwd / out_dir, prefix, progress)
            shown = out_dir
        else:
            summary = import_into(plan, env.config(), prefix, progress)
            shown = "."
    finally:
        progress.done()
    if as_json:
        ui.emit_json(summary.as_dict())
        return EXIT_OK
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(summary.statuses.items()))
    ui.out(
        f"imported {ui.plural(len(summary.written), 'task')} from {plan.format} {plan.source}: "
        f"{ui.plural(summary.dependencies, 'dependency', 'dependencies')}; {statuses}"
    )
    ui.out(
        f"kept {ui.plural(summary.kept_fields, 'source field')} under references "
        "(type imported_field)"
    )
    for old, new in summary.renamed.items():
        ui.out(f"renamed {old} -> {new}")
    where = f"in {out_dir} (commit {summary.commit[:7]})" if summary.commit else "in ."
    ui.out(f"wrote {ui.plural(len(summary.written), 'task spec')} {where}")
    for finding in summary.findings:
        ui.err(f"taskgov: warning: {finding}")
    ui.out(f"next: taskgov -C {shown} validate" if shown != "." else "next: taskgov validate")
    return EXIT_OK


for _name in FORMATS:
    _import_command(_name)


@cli.command(epilog="Example: taskgov schema > .vscode/taskgov.schema.json")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file.")
@click.pass_context
def schema(ctx: click.Context, output: str | None) -> int:
    """Print the JSON Schema of a task spec, for editors (yaml-language-server)."""
    import json

    from taskgov.spec.model import json_schema

    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        from taskgov.spec.yamlio import atomic_write

        atomic_write(_env(ctx).cwd / output, text)
    return EXIT_OK
