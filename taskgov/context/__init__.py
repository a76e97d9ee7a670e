"""``taskgov context``: everything an agent needs to start one task, within a token budget.

``gather`` collects the material (the spec, what the dependencies produced, the decisions
cited, the policy lines that apply); ``document`` writes the Markdown and trims it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from taskgov.context.document import ESTIMATOR, TRIM_ORDER, Context, compose, estimate_tokens
from taskgov.repo import Repository
from taskgov.state import TaskState

__all__ = ["ESTIMATOR", "TRIM_ORDER", "Context", "estimate_tokens", "task_context"]


def task_context(
    repo: Repository,
    task_id: str,
    states: Mapping[str, TaskState],
    *,
    budget: int | None = None,
    revision: str = "HEAD",
    notes: Sequence[str] = (),
) -> Context:
    """The context document of ``task_id``, history read from ``revision``."""
    from taskgov.context.gather import gather

    return compose(gather(repo, task_id, states, revision=revision), budget, notes)
