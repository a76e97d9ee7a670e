"""Which status changes are legal, and what refuses one (``force`` skips the table and the
dependencies, nothing else)."""

from __future__ import annotations

from taskgov.errors import CheckFailed, InputError
from taskgov.git.activity import Activity
from taskgov.repo import Repository
from taskgov.spec.task import Task, id_key

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("ready", "assigned", "blocked", "cancelled"),
    "ready": ("draft", "assigned", "in_progress", "blocked", "completed", "cancelled"),
    "assigned": ("ready", "in_progress", "blocked", "completed", "cancelled"),
    "in_progress": ("review", "blocked", "completed", "ready", "assigned", "cancelled"),
    "review": ("in_progress", "completed", "blocked", "cancelled"),
    "blocked": ("ready", "assigned", "in_progress", "completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}
# Entering these means work is done on the task: its hard dependencies must be finished.
WORK = frozenset({"in_progress", "review", "completed"})


def refuse_unreadable(repo: Repository, task: Task) -> None:
    if not task.unreadable:
        return
    from taskgov.checks.catalog import NOT_PARSED

    found = next(
        (p for p in repo.read_problems if p.path == task.path and p.rule in NOT_PARSED), None
    )
    why = f": {found.message} ({found.rule})" if found is not None else ""
    raise InputError(
        f"{task.id}: cannot change its status: {task.unreadable} cannot be read{why}; "
        "fix the spec first"
    )


def check(
    repo: Repository,
    task: Task,
    current: str,
    target: str,
    activity: Activity,
    verb: str,
    force: bool,
) -> tuple[str, ...]:
    """The checks ``force`` skipped; raises ``CheckFailed`` for the first that refuses."""
    forced: list[str] = []
    closed = activity.closed.get(task.id)
    effective, why = current, ""
    if current != "completed" and target != "completed" and (task.archived or closed):
        # history or the completed directory already say it is done: leaving that is a reopen
        effective = "completed"
        why = (
            " (its spec sits in the completed directory)"
            if task.archived
            else f" (closed by {closed.commit[:12]})"
            if closed
            else ""
        )
    allowed = TRANSITIONS.get(effective)
    if allowed is not None and target not in allowed and target != effective:
        if not force:
            action = "start it" if verb == "start" else f"make it {target}"
            raise CheckFailed(f"{task.id} is {effective}{why}: cannot {action}; {legal(effective)}")
        forced.append("transition")
    if target in WORK and target != current:
        waiting = unfinished(repo, task.id, activity)
        if waiting:
            if not force:
                action = {"in_progress": "start", "completed": "be completed"}.get(
                    target, f"go to {target}"
                )
                raise CheckFailed(
                    f"{task.id} cannot {action}: hard dependencies unfinished: "
                    f"{', '.join(waiting)}; finish them first, or use --force"
                )
            forced.append("dependencies")
    return tuple(forced)


def legal(status: str, force: bool = True) -> str:
    """What ``status`` may become, for the one line that refuses a change."""
    allowed = TRANSITIONS.get(status)
    if allowed is None:
        return "its written status is not one taskgov knows: any status may replace it"
    if not allowed:
        return f"{status} is final" + (" (use --force to reopen it)" if force else "")
    return f"from {status} it may go to {', '.join(allowed)}" + (
        " (or use --force)" if force else ""
    )


def unfinished(repo: Repository, task_id: str, activity: Activity) -> list[str]:
    """Each unfinished hard prerequisite of ``task_id``, with its derived status."""
    from taskgov.state import derive_states

    done = {t.id for t in repo.tasks.values() if t.done} | set(activity.closed)
    waiting = {
        e.prerequisite
        for e in repo.graph.prerequisites().get(task_id, ())
        if e.hard and e.ordered and e.prerequisite not in done
    }
    missing = {d.prerequisite for d in repo.graph.missing_prerequisites(task_id) if d.hard}
    states = derive_states(repo, activity)
    return [
        f"{other} ({states[other].status if other in states else 'exists nowhere'})"
        for other in sorted(waiting | missing, key=id_key)
    ]
