"""Rules on claims: a claim of a task that is finished, or that no spec defines, is left over
(the holder forgot to release it, or the task was renamed) and keeps nobody from anything."""

from __future__ import annotations

from collections.abc import Iterator

from taskgov.checks.catalog import RULES
from taskgov.claims.model import claim_ref
from taskgov.claims.refs import read_claims
from taskgov.git.activity import Activity
from taskgov.problems import Problem
from taskgov.repo import Repository
from taskgov.state import derive_states


def claim_problems(repo: Repository, activity: Activity | None = None) -> Iterator[Problem]:
    """TG165 for a claim (live or expired) of a completed or cancelled task, TG166 for one
    of a task no spec defines; both name the ref and how to remove it."""
    found = read_claims(repo.root)
    if not found.claims:
        return
    states = derive_states(repo, activity, {})
    for task_id, claim in sorted(found.claims.items()):
        release = f"taskgov release --force {task_id} removes it"
        task = repo.tasks.get(task_id)
        if task is None and task_id not in repo.known_ids:
            yield Problem(
                repo.config.paths.active,
                None,
                None,
                "TG166",
                RULES["TG166"].severity,
                f"{claim_ref(task_id)} claims {task_id} for {claim.holder}, but there is no "
                f"such task; {release}",
                task_id,
            )
            continue
        state = states.get(task_id)
        if task is not None and state is not None and state.status in ("completed", "cancelled"):
            yield Problem(
                task.path,
                task.line("state"),
                None,
                "TG165",
                RULES["TG165"].severity,
                f"{claim_ref(task_id)} claims {task_id} for {claim.holder}, but the task is "
                f"{state.status} ({state.reason}); {release}",
                task_id,
            )
