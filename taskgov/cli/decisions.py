"""The ``decision`` command group: decision records."""

from __future__ import annotations

import click

from taskgov import output as ui
from taskgov.cli.base import _env, _say_unread, cli, json_option
from taskgov.errors import (
    EXIT_OK,
    UsageError,
)


@cli.group()
def decision() -> None:
    """Decision records (.claude/decisions/DECISION-YYYY-MM-DD-NNN.yaml): why, not just what.

    Dated ids never collide across branches. Markdown ADRs in docs/adr or docs/decisions
    (adr-tools, MADR) are listed and shown too, read-only.
    """


@decision.command("new", epilog='Example: taskgov decision new "Use CPM over PERT sampling"')
@click.argument("title")
@json_option
@click.pass_context
def decision_new(ctx: click.Context, title: str, as_json: bool) -> int:
    """Write a proposed record from the template; TITLE becomes the summary."""
    from taskgov.decisions.ops import new_decision

    config = _env(ctx).config()
    decision_id, path = new_decision(config, title)
    relative = path.relative_to(config.root).as_posix()
    if as_json:
        ui.emit_json({"id": decision_id, "path": relative})
    else:
        ui.out(relative)
    return EXIT_OK


@decision.command("list", epilog="Example: taskgov decision list --status accepted --json")
@click.option(
    "--status", type=click.Choice(["proposed", "accepted", "rejected", "superseded", "deprecated"])
)
@click.option("--task", metavar="ID", help="Only decisions that govern this task.")
@json_option
@click.pass_context
def decision_list(ctx: click.Context, status: str | None, task: str | None, as_json: bool) -> int:
    """List decision records (and Markdown ADRs), by id."""
    from taskgov.decisions.ops import list_decisions

    env = _env(ctx)
    data = list_decisions(env.config(), status, task)
    if task is not None and not data["decisions"] and task not in env.repo().known_ids:
        # a typo would otherwise read as "no decision governs it"
        paths = env.config().paths
        raise UsageError(f"no task {task!r} in {paths.active} or {paths.completed}")
    if as_json:
        ui.emit_json(data)
        return EXIT_OK
    if data["decisions"]:
        rows = [
            (d["id"], d["status"], d["timestamp"][:10] or None, d["summary"])
            for d in data["decisions"]
        ]
        ui.print_table(("ID", "STATUS", "DATE", "SUMMARY"), rows)
    else:
        ui.out("no decisions")
    _say_unread(data["problems"], "listed as unreadable")
    return EXIT_OK


@decision.command("show", epilog="Example: taskgov decision show DECISION-2026-01-23-001")
@click.argument("decision_id", metavar="ID")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "yaml", "json"]), default="md", show_default=True
)
@click.pass_context
def decision_show(ctx: click.Context, decision_id: str, fmt: str) -> int:
    """Show a record: Markdown for people (alternatives, pros and cons, the choice, impact,
    risks), or the YAML, or JSON."""
    from taskgov.decisions.ops import show_decision

    ui.write(show_decision(_env(ctx).config(), decision_id, fmt).rstrip("\n") + "\n")
    return EXIT_OK


@decision.command("accept")
@click.argument("decision_id", metavar="ID")
@click.pass_context
def decision_accept(ctx: click.Context, decision_id: str) -> int:
    """Mark a record accepted by you (status, decided_by, review).

    The policy requires a person by default (decisions.accept_requires_human): run by an agent
    (an agent environment variable, or an agent's git identity) it is refused with exit 1. An
    incomplete record (no summary, fewer than two alternatives, not exactly one selected) is
    refused with exit 1 too.
    """
    from taskgov.decisions.ops import accept_decision

    ui.out(accept_decision(_env(ctx).config(), decision_id))
    return EXIT_OK


@decision.command(
    "supersede",
    epilog="Example: taskgov decision supersede DECISION-2026-01-23-001 DECISION-2026-03-02-004",
)
@click.argument("old_id", metavar="OLD")
@click.argument("new_id", metavar="NEW")
@click.pass_context
def decision_supersede(ctx: click.Context, old_id: str, new_id: str) -> int:
    """Record that NEW replaces OLD, on both records (comments and layout kept).

    Refused (exit 2) when OLD already supersedes NEW, directly or through other records: a
    loop leaves no decision in force (validate reports such loops as TG179).
    """
    from taskgov.decisions.ops import supersede

    for path in supersede(_env(ctx).config(), old_id, new_id):
        ui.out(path)
    return EXIT_OK


@decision.command("index")
@click.option(
    "--write",
    is_flag=True,
    help="Refresh .claude/decisions/index.md between its markers (text outside them is kept).",
)
@click.pass_context
def decision_index(ctx: click.Context, write: bool) -> int:
    """A Markdown index of all decisions and a Mermaid graph of supersession and task links."""
    from taskgov.decisions.ops import index_markdown, write_index

    config = _env(ctx).config()
    if write:
        ui.out(write_index(config).relative_to(config.root).as_posix())
    else:
        ui.write(index_markdown(config))
    return EXIT_OK
