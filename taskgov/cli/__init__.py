"""The ``taskgov`` command line: parse arguments, call a function, print its result.

Each command group lives in its own module; importing it registers its commands on the root
group in ``taskgov.cli.base``, which imports only the module of the command being run.
"""

from __future__ import annotations

import os
import sys

import click

from taskgov import output as ui
from taskgov.cli.base import cli
from taskgov.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    TaskgovError,
)

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see ``taskgov --help``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("TASKGOV_DEBUG"))
    try:
        result = cli.main(args=args, prog_name="taskgov", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        ui.err("taskgov: interrupted")
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        ui.err(f"taskgov: error: {exc.format_message()}")
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            ui.err(f"Try '{exc.ctx.command_path} --help'.")
        return EXIT_USAGE
    except TaskgovError as exc:
        if debug:
            raise
        ui.err(f"taskgov: error: {exc.message}")
        return exc.exit_code
    except KeyboardInterrupt:
        ui.err("taskgov: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`taskgov list | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        if debug:
            raise
        ui.err(
            f"taskgov: internal error: {type(exc).__name__}: {exc} "
            "(rerun with --debug for the traceback, and please report it)"
        )
        return 70
    return int(result) if isinstance(result, int) else EXIT_OK
