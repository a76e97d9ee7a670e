"""The review as GitHub Actions workflow commands: each finding on its file and line, so it
shows inline in the pull request's diff (the dependency that closes a cycle, the dangling
reference, the title that restates another task). Values are escaped as GitHub reads them:
``%``, CR and LF in the message, and also ``:`` and ``,`` in properties."""

from __future__ import annotations

from collections.abc import Iterator

from taskgov.output import CONTROL, github_annotation, workflow_command
from taskgov.review.report import Review


def workflow_commands(result: Review) -> Iterator[str]:
    for problem in result.findings:
        yield _visible(github_annotation(problem))
    for violation in result.violations:
        commit = (violation.commit or "")[:12]
        yield _visible(
            workflow_command("error", f"commit {commit}: {violation.message}", title=violation.rule)
        )
    yield _visible(workflow_command("notice", result.verdict(), title="taskgov review"))


def _visible(line: str) -> str:
    """Control characters shown as escapes: one workflow command per line, nothing more."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", line)
