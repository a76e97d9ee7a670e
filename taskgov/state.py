"""Derived task state: what a task's status is, given the specs, the dependency graph and the
commit history.

Order of precedence (PRODUCT.md): the spec says completed/cancelled or the file sits in the
completed directory; a ``Closes:`` trailer reachable from the target branch; a spec that
cannot be read (``unreadable``); a live claim (``claimed``); a ``Task:`` trailer (in progress);
unmet hard dependencies (blocked); else the spec's own status, except that ``blocked`` with
nothing left to wait for is stale and means ready. Where history and the spec disagree,
history wins and ``validate`` says the spec is stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from taskgov.claims.model import Claim, iso
from taskgov.git.activity import Activity
from taskgov.repo import Repository
from taskgov.spec.task import UNREADABLE, Task, id_key

NO_ACTIVITY = Activity()
# A hand-written ``blocked`` with nothing left to wait for is stale, not a block: the task is
# ready (``validate`` warns, TG162). A block from outside the graph is named in blocked_by.
STALE_BLOCKED = "spec says blocked, but no hard dependency is unfinished"


@dataclass(frozen=True)
class TaskState:
    status: str
    spec_status: str
    reason: str
    waiting_on: tuple[str, ...] = ()
    commit: str | None = None  # the commit that closed or started the task
    why: tuple[str, ...] = ()  # for each of ``waiting_on``, why it blocks
    claim: Claim | None = None  # the live claim that makes the task ``claimed``

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "spec_status": self.spec_status,
            "reason": self.reason,
            "waiting_on": list(self.waiting_on),
            "blocked_by": self.blocked_by(),
            "commit": self.commit,
            "claim": self.claim.as_dict() if self.claim else None,
        }

    def blocked_by(self) -> list[dict[str, str]]:
        """What the task waits for, each with the reason (JSON-ready)."""
        return [{"id": i, "reason": r} for i, r in zip(self.waiting_on, self.why, strict=True)]

    @property
    def stale_blocked(self) -> bool:
        return self.reason == STALE_BLOCKED


def derive_states(
    repo: Repository, activity: Activity | None = None, claims: Mapping[str, Claim] | None = None
) -> dict[str, TaskState]:
    """The derived state of every task (``activity``: what history says, if known;
    ``claims``: the live claims by task id, read from the repository when not given)."""
    activity = activity or NO_ACTIVITY
    if claims is None:
        from taskgov.claims.refs import repository_claims

        claims = repository_claims(repo.root, repo.config.claims_grace)
    tasks = repo.tasks
    done = {t.id for t in tasks.values() if t.done} | set(activity.closed)
    prerequisites = repo.graph.prerequisites()
    states = {}
    for task_id, task in tasks.items():
        unmet = {
            e.prerequisite
            for e in prerequisites.get(task_id, ())
            if e.hard and e.ordered and e.prerequisite not in done
        }
        missing = {d.prerequisite for d in repo.graph.missing_prerequisites(task_id) if d.hard}
        why = {other: _why_waiting(other, tasks.get(other)) for other in unmet}
        why.update((other, f"depends on {other}, which exists nowhere") for other in missing)
        states[task_id] = _state(task, why, activity, claims.get(task_id))
    return states


def _why_waiting(other_id: str, other: Task | None) -> str:
    if other is not None and other.unreadable:
        return f"depends on {other_id}, whose spec cannot be read ({other.unreadable})"
    return f"waiting on {other_id}"


def _state(
    task: Task, why: dict[str, str], activity: Activity, claim: Claim | None = None
) -> TaskState:
    if task.archived:
        return TaskState("completed", task.status, "in the completed directory")
    if task.done:
        return TaskState(task.status, task.status, "spec")
    closed = activity.closed.get(task.id)
    if closed is not None:
        return TaskState(
            "completed", task.status, f"closed by {closed.commit[:12]}", commit=closed.commit
        )
    if task.unreadable:  # only history can say more about it
        return TaskState(UNREADABLE, UNREADABLE, f"the spec cannot be read ({task.unreadable})")
    if claim is not None:
        return TaskState("claimed", task.status, claimed_reason(claim), claim=claim)
    started = activity.started.get(task.id)
    if started is not None:
        return TaskState(
            "in_progress", task.status, f"worked on in {started.commit[:12]}", commit=started.commit
        )
    if why:
        waiting = tuple(sorted(why, key=id_key))
        reasons = tuple(why[other] for other in waiting)
        plain = [other for other in waiting if why[other] == f"waiting on {other}"]
        said = [why[other] for other in waiting if other not in plain]
        reason = "; ".join(([f"waiting on {', '.join(plain)}"] if plain else []) + said)
        return TaskState("blocked", task.status, reason, waiting, why=reasons)
    if task.status == "blocked":
        return TaskState("ready", task.status, STALE_BLOCKED)
    return TaskState(task.status, task.status, "spec")


def claimed_reason(claim: Claim) -> str:
    return (
        f"claimed by {claim.holder} since {iso(claim.claimed_at)}, "
        f"lease until {iso(claim.lease_until)}"
    )
