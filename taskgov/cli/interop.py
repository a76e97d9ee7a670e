"""Commands that read and write other formats: import, schema."""

from __future__ import annotations

import sys

import click

from taskgov import output as ui
from taskgov.cli.base import _env, cli, json_option
from taskgov.errors import (
    EXIT_OK,
)


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
