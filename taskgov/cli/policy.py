"""Commands that enforce the commit policy: hooks, check, check-commits."""

from __future__ import annotations

from typing import Any

import click

from taskgov import output as ui
from taskgov.cli.base import _env, cli, json_option
from taskgov.errors import (
    EXIT_OK,
    UsageError,
)


@cli.group()
def hooks() -> None:
    """Install or remove the git hooks in .githooks/ (commit-msg checks the policy)."""


@hooks.command("install", epilog="Example: taskgov hooks install && git commit")
@click.option("--force", is_flag=True, help="Take over core.hooksPath from another manager.")
@json_option
@click.pass_context
def hooks_install(ctx: click.Context, force: bool, as_json: bool) -> int:
    """Point git at .githooks/ and record this Python for the hooks.

    Hooks installed before (in .git/hooks or a previous core.hooksPath) keep running: taskgov's
    scripts call them first. Works in worktrees and from GUI clients with a minimal PATH.
    """
    from taskgov.hooks.install import install

    setup = install(_env(ctx).config(), force=force)
    if as_json:
        ui.emit_json(setup.as_dict())
    else:
        ui.out(f"core.hooksPath = {setup.hooks_path}; hooks run with {setup.python}")
        if setup.chained:
            ui.out("still running first: " + ", ".join(setup.chained))
    return EXIT_OK


@hooks.command("uninstall")
@click.pass_context
def hooks_uninstall(ctx: click.Context) -> int:
    """Restore the hooks configuration from before `taskgov hooks install`."""
    from taskgov.hooks.install import uninstall

    previous = uninstall(_env(ctx).config())
    ui.out(f"core.hooksPath restored to {previous}" if previous else "core.hooksPath unset")
    return EXIT_OK


def _print_violations(violations: list[Any], as_json: bool) -> int:
    if as_json:
        ui.emit_json({"violations": [v.as_dict() for v in violations]})
    else:
        for violation in violations:
            ui.out(violation.render())
    return 1 if violations else EXIT_OK


@cli.command(epilog="Example: taskgov check --message-file .git/COMMIT_EDITMSG")
@click.option(
    "--message-file",
    "-F",
    required=True,
    type=click.Path(dir_okay=False),
    help="The commit message to check (what the commit-msg hook receives).",
)
@json_option
@click.pass_context
def check(ctx: click.Context, message_file: str, as_json: bool) -> int:
    """Check one commit message against the policy (the commit-msg hook's check).

    An AI-made commit (an agent environment variable from policy.yaml is set) needs a
    Co-Authored-By or Assisted-by naming an allowed agent; an agent must not add
    Signed-off-by; Task:/Closes:/Decision: must name things that exist; guarded paths need
    their trailer. Exit 1 when the policy is violated; each message says what to add.
    """
    from taskgov.hooks.run import check_message

    env = _env(ctx)
    path = env.cwd / message_file
    try:
        message = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise UsageError(f"{message_file}: {exc.strerror or exc}") from None
    return _print_violations(check_message(message, env.config()), as_json)


@cli.command("check-commits", epilog="Example (CI): taskgov check-commits origin/main..HEAD")
@click.argument("revision_range", metavar="RANGE")
@json_option
@click.pass_context
def check_commits_command(ctx: click.Context, revision_range: str, as_json: bool) -> int:
    """Check every commit in RANGE against the policy (for CI; catches --no-verify).

    Prints each violation, then "N commits checked: ok" (or the count of violations).
    JSON: {"checked": N, "violations": [{"commit", "rule", "message"}]}. Exit 1 when there is
    any violation, 2 when git cannot read RANGE (not a repository, a bad revision, git missing).
    """
    from taskgov.policy.audit import audit_commits

    audit = audit_commits(_env(ctx).config(), revision_range)
    if as_json:
        ui.emit_json(
            {"checked": audit.checked, "violations": [v.as_dict() for v in audit.violations]}
        )
        return 1 if audit.violations else EXIT_OK
    for violation in audit.violations:
        ui.out(violation.render())
    checked = f"{audit.checked} commit{'' if audit.checked == 1 else 's'} checked"
    count = len(audit.violations)
    ui.out(f"{checked}: " + (f"{count} violation{'' if count == 1 else 's'}" if count else "ok"))
    return 1 if audit.violations else EXIT_OK
