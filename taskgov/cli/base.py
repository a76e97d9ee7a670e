"""What every command shares: the root group, the per-command environment, common options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from taskgov import __version__
from taskgov import output as ui
from taskgov.errors import (
    UsageError,
)

EXIT_CODES = """\b
Exit codes: 0 ok (warnings allowed) · 1 problems found · 2 bad usage or
unreadable input · 3 dependency cycle · 130 interrupted."""

MAIN_HELP = f"""Git-native governance for repositories where people and AI agents work side by side.

Task specs live as YAML in docs/tasks/active/. taskgov reads them and the commit history to
validate them, plan them and say what can start now.

\b
Start here:
  taskgov init                          scaffold docs/tasks, docs/governance, .githooks
  taskgov new "Implement the parser" --priority high --estimate 4,6,12
  taskgov validate                      schema, dependency and quality checks
  taskgov ready                         the frontier: tasks that can start now
  taskgov claim TASK-2026-008           take a task, atomically across clones (1: held)
  taskgov claims --fetch                who holds what, as the remote says (release ID)
  taskgov start ID / taskgov done ID    mark a task in progress / completed, in its spec
  taskgov plan --workers 3              critical path, P50/P80/P95, waves, schedule
  taskgov dispatch --exec CMD           run the frontier in worktrees, merged as they finish
  taskgov stats                         counts, hours, 1 vs N workers
  taskgov actuals                       how long finished tasks really took, per person
  taskgov roadmap --write               milestone tables in docs/tasks/index.md
  taskgov list --json                   every task, for scripts
  taskgov decision new "Use X over Y"    record why, with alternatives
  taskgov hooks install                 commit policy and contribution log, in this clone
  taskgov log verify                    the contribution log, checked against history
  taskgov check-commits origin/main..   the same policy over a range, for CI
  taskgov review origin/main HEAD       what a pull request does to the plan (--format md)
  taskgov export tasks-v3 --out DIR     the plan for other planners (taskmaster, speckit...)
  taskgov report weekly                 this week as a task log: done, in progress, next

{EXIT_CODES}"""


@dataclass
class Env:
    cwd: Path
    _config: Any = None

    def config(self) -> Any:
        """The repository's policy, read once per command."""
        if self._config is None:
            from taskgov.config import find_root
            from taskgov.policy.load import load_config

            self._config = load_config(find_root(self.cwd))
        return self._config

    def repo(self) -> Any:
        from taskgov.repo import load_repo

        return _settled(load_repo(config=self.config()))

    def repo_and_history(self) -> tuple[Any, Any]:
        """The specs and what the commit history says about them."""
        from taskgov.git.activity import read_activity
        from taskgov.repo import load_repo

        config = self.config()
        repo = _settled(load_repo(config=config))
        return repo, read_activity(config.root, config.target_branch)


def _settled(repo: Any) -> Any:
    """The loaded specs live as long as the command: move them out of the garbage collector's
    sight (``gc.freeze``), which otherwise rescans them every time the graph and the states
    built from them allocate (a third of the derivation at 10,000 specs)."""
    import gc

    gc.freeze()
    return repo


def _env(ctx: click.Context) -> Env:
    return ctx.ensure_object(Env)


def _say_unread(
    problems: list[dict[str, Any]], what: str = "listed as unreadable, never ready"
) -> None:
    """One stderr line per file (and cause) a read command could not read whole."""
    for problem in problems:
        where = problem["path"] + (f":{problem['line']}" if problem["line"] else "")
        subject = f"{problem['field']}: " if problem["field"] else ""
        if problem["read"] == "unreadable":
            ui.err(
                f"taskgov: could not read {where}: {problem['message']} ({problem['rule']}); {what}"
            )
        else:
            ui.err(
                f"taskgov: could not fully read {where}: {subject}{problem['message']} "
                f"({problem['rule']})"
            )


def _read_problems(repo: Any) -> list[dict[str, Any]]:
    from taskgov.commands import read_problems

    return read_problems(repo)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")

# Which module of taskgov.cli defines each command. Only the module of the command being run
# is imported, so `taskgov ready` does not pay for importing dispatch, review or interop
# (tests/test_cli.py checks that this table names every command, and only those).
COMMAND_MODULES = {
    "actuals": "estimates",
    "check": "policy",
    "check-commits": "policy",
    "ci": "review",
    "claim": "claims",
    "claims": "claims",
    "context": "agents",
    "decision": "decisions",
    "dispatch": "dispatch",
    "done": "lifecycle",
    "export": "export",
    "hooks": "policy",
    "import": "interop",
    "init": "tasks",
    "list": "tasks",
    "log": "log",
    "new": "tasks",
    "plan": "planning",
    "ready": "tasks",
    "release": "claims",
    "report": "export",
    "review": "review",
    "roadmap": "tasks",
    "schema": "interop",
    "show": "tasks",
    "simulate": "planning",
    "start": "lifecycle",
    "stats": "planning",
    "status": "lifecycle",
    "validate": "tasks",
}


class LazyGroup(click.Group):
    """The root group: a command's module is imported when that command is looked up (its
    import registers it); ``--help`` and completion list them all."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            import importlib

            importlib.import_module(f"taskgov.cli.{module}")
        return super().get_command(ctx, cmd_name)


def load_all_commands() -> None:
    """Import every command module (for the library and the tests that walk the commands)."""
    import importlib

    for module in sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"taskgov.cli.{module}")


@click.group(
    cls=LazyGroup,
    help=MAIN_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "-C",
    "directory",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Run as if taskgov was started in DIR.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.version_option(__version__, "--version", prog_name="taskgov")
@click.pass_context
def cli(ctx: click.Context, directory: str | None, debug: bool) -> None:
    cwd = Path.cwd()
    if directory is not None:
        cwd = (cwd / directory).resolve()
        if not cwd.is_dir():
            raise UsageError(f"-C {directory}: no such directory")
    ctx.obj = Env(cwd)
