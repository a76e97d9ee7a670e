"""The review as plain lines for a terminal (``taskgov review`` without ``--format``)."""

from __future__ import annotations

from collections.abc import Iterator

from taskgov.output import one_line
from taskgov.review.report import Review


def render_text(result: Review) -> Iterator[str]:
    yield f"taskgov review {result.base.revision}..{result.head.revision}: {result.verdict()}"
    d = result.diff
    for task in d.added:
        yield f"  added    {task.id}  {one_line(task.title)}"
    for task in d.removed:
        yield f"  removed  {task.id}  {one_line(task.title)}"
    for task, fields in d.changed:
        yield f"  changed  {task.id}  " + ", ".join(f.path for f in fields)
    for dependent, prerequisite in d.edges_added:
        yield f"  + edge   {dependent} needs {prerequisite}"
    for dependent, prerequisite in d.edges_removed:
        yield f"  - edge   {dependent} needs {prerequisite}"
    before, after = result.plan_before, result.plan_after
    if before != after:
        for key in ("expected_duration", "p80"):
            was, now = (_hours(side.get(key)) for side in (before, after))
            yield f"  {key}: {was} -> {now}"
    if result.frontier_before != result.frontier_after:
        yield (
            f"  frontier: {', '.join(result.frontier_before) or '-'} -> "
            f"{', '.join(result.frontier_after) or '-'}"
        )
    for decision in (*result.decisions_added, *result.decisions_changed):
        yield f"  decision {decision.id}  {one_line(decision.summary)}"
    for problem in result.findings:
        yield problem.render()
    for violation in result.violations:
        yield violation.render()


def _hours(value: object) -> str:
    """Hours as the plan gives them; ``-`` when there is no plan (a cycle)."""
    return "-" if value is None else f"{value} h"
