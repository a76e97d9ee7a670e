"""The error hierarchy: every failure the user can cause maps to one exit code.

Exit codes (documented in the README and ``taskgov --help``):

* 0 — success (warnings allowed)
* 1 — the check ran and found problems
* 2 — bad usage or unreadable input
* 3 — a dependency cycle
* 130 — interrupted (Ctrl-C)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_CYCLE = 3
EXIT_INTERRUPTED = 130


class TaskgovError(Exception):
    """Root of every error taskgov reports to the user as one line."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(TaskgovError):
    """The command line asked for something that cannot be done."""

    exit_code = EXIT_USAGE


class InputError(TaskgovError):
    """A file taskgov must read is missing, unreadable or malformed."""

    exit_code = EXIT_USAGE


class ConfigError(InputError):
    """``policy.yaml`` is malformed."""


class NotFoundError(UsageError):
    """A task (or other named object) does not exist."""


class CheckFailed(TaskgovError):
    """A check ran and found problems."""

    exit_code = EXIT_PROBLEMS


class CycleError(TaskgovError):
    """The task dependencies contain a cycle."""

    exit_code = EXIT_CYCLE
