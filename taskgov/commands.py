"""Read commands as plain functions: repository in, JSON-ready data out. The CLI prints it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from taskgov.claims.model import Claim
from taskgov.git.activity import Activity
from taskgov.repo import Repository
from taskgov.spec.loader import FileResult
from taskgov.spec.task import Task
from taskgov.state import TaskState, derive_states


def task_summary(task: Task, state: TaskState, repo: Repository) -> dict[str, Any]:
    prerequisites = repo.graph.prerequisites().get(task.id, ())
    return {
        "id": task.id,
        "title": task.title,
        "status": state.status,
        "spec_status": task.status,
        "priority": task.priority,
        "milestone": task.milestone,
        "depends_on": sorted(
            {e.prerequisite for e in prerequisites}
            | {d.prerequisite for d in repo.graph.missing_prerequisites(task.id)}
        ),
        "estimate_hours": task.estimate.as_dict() if task.estimate else None,
        "path": task.path,
        "valid": task.valid,
        "blocked_by": state.blocked_by(),
        "claim": state.claim.as_dict() if state.claim else None,
    }


def read_problems(repo: Repository) -> list[dict[str, Any]]:
    """What the read commands say they could not read: one entry per problem, with whether
    the file was not read at all (``unreadable``: listed as a placeholder) or only in part."""
    from taskgov.checks.catalog import NOT_PARSED

    return [
        {**p.as_dict(), "read": "unreadable" if p.rule in NOT_PARSED else "partial"}
        for p in repo.read_problems
    ]


def list_tasks(
    repo: Repository,
    statuses: Sequence[str] = (),
    milestones: Sequence[str] = (),
    priorities: Sequence[str] = (),
    activity: Activity | None = None,
    claims: Mapping[str, Claim] | None = None,
) -> dict[str, Any]:
    """``taskgov list``: every task, filtered by derived status, milestone and priority."""
    states = derive_states(repo, activity, claims)
    rows = []
    for task in repo.tasks.values():
        state = states[task.id]
        if statuses and state.status not in statuses and task.status not in statuses:
            continue
        if milestones and task.milestone not in milestones:
            continue
        if priorities and task.priority not in priorities:
            continue
        rows.append(task_summary(task, state, repo))
    return {"tasks": rows, "problems": read_problems(repo)}


def show_task(
    repo: Repository,
    task_id: str,
    activity: Activity | None = None,
    claims: Mapping[str, Claim] | None = None,
) -> dict[str, Any]:
    """``taskgov show``: one task with its resolved dependencies and dependents."""
    task = repo.task(task_id)
    states = derive_states(repo, activity, claims)
    state = states[task.id]
    data = task_summary(task, state, repo)
    data.update(
        {
            "state": state.as_dict(),
            "phase": task.phase,
            "target_version": task.target_version,
            "type": task.type,
            "complexity": task.complexity,
            "assignee": task.assignee,
            "estimated_effort": task.effort,
            "resources": dict(task.resources),
            "skills": list(task.skills),
            "acceptance_criteria": task.acceptance_criteria,
            "archived": task.archived,
            "spec": _document(repo, task),
            "dependencies": [
                _edge(e, states, prerequisite=True)
                for e in repo.graph.prerequisites().get(task.id, ())
            ]
            + [_missing(d) for d in repo.graph.missing_prerequisites(task.id)],
            "dependents": [
                _edge(e, states, prerequisite=False)
                for e in repo.graph.dependents().get(task.id, ())
            ]
            + [
                _missing(d, dependent=True)
                for d in repo.graph.dangling
                if d.prerequisite == task.id
            ],
            "problems": read_problems(repo),
        }
    )
    return data


def _document(repo: Repository, task: Task) -> Any:
    """The spec file's content as plain data (as written: nothing is normalised)."""
    from taskgov.spec.yamlio import YamlProblem, load, read_text

    try:
        data, _ = load(read_text(repo.root / task.path, repo.root), duplicates=[])
    except YamlProblem:  # unreadable, or changed on disk since it was loaded
        return None
    return data


def _edge(edge: Any, states: dict[str, TaskState], *, prerequisite: bool) -> dict[str, Any]:
    other = edge.prerequisite if prerequisite else edge.dependent
    return {
        "id": other,
        "status": states[other].status if other in states else "invalid",
        "type": edge.type,
        "hard": edge.hard,
        "confidence": edge.confidence,
        "sources": list(edge.sources),
    }


def _missing(dep: Any, dependent: bool = False) -> dict[str, Any]:
    return {
        "id": dep.dependent if dependent else dep.prerequisite,
        "status": "missing",
        "type": dep.type,
        "hard": dep.hard,
        "confidence": dep.confidence,
        "sources": [dep.source],
    }


def ready_tasks(
    repo: Repository,
    activity: Activity | None = None,
    claims: Mapping[str, Claim] | None = None,
) -> dict[str, Any]:
    """``taskgov ready``: the frontier, ranked by priority, then critical-path slack, then id.

    Slack is how many hours a task can slip before the remaining work takes longer
    (``null`` while a dependency cycle makes the critical path undefined). A claimed task is
    not ready.
    """
    return _ready(repo, derive_states(repo, activity, claims))


def ready_all(
    repo: Repository,
    activity: Activity | None = None,
    claims: Mapping[str, Claim] | None = None,
) -> dict[str, Any]:
    """``taskgov ready --all``: the frontier, and in ``not_ready`` every other open task
    (neither completed nor cancelled) with why it is not ready."""
    states = derive_states(repo, activity, claims)
    answer = _ready(repo, states)
    answer["not_ready"] = not_ready(repo, states, {row["id"] for row in answer["ready"]})
    return answer


def _ready(repo: Repository, states: Mapping[str, TaskState]) -> dict[str, Any]:
    from taskgov.plan.build import remaining_slack
    from taskgov.plan.frontier import frontier

    slack = remaining_slack(repo, states)
    return {
        "ready": [
            {
                "id": t.id,
                "title": t.title,
                "priority": t.priority,
                "milestone": t.milestone,
                "slack_hours": slack.get(t.id),
                "estimate_hours": t.estimate.as_dict() if t.estimate else None,
                "path": t.path,
            }
            for t in frontier(repo, states, slack=slack)
        ],
        "problems": read_problems(repo),
    }


def not_ready(
    repo: Repository, states: Mapping[str, TaskState], ready: set[str]
) -> list[dict[str, Any]]:
    """Every open task that is not ready, with why (``ready --all``)."""
    rows = []
    for task in repo.tasks.values():
        state = states[task.id]
        if task.id in ready or state.status in ("completed", "cancelled"):
            continue
        if state.status == "ready" and not task.valid:
            why = "the spec has errors (validate says which)"
        elif state.reason == "spec":
            why = f"the spec says {task.status}"
        else:
            why = state.reason
        rows.append(
            {
                "id": task.id,
                "title": task.title,
                "status": state.status,
                "spec_status": task.status,
                "priority": task.priority,
                "milestone": task.milestone,
                "why": why,
                "valid": task.valid,
                "blocked_by": state.blocked_by(),
                "claim": state.claim.as_dict() if state.claim else None,
                "path": task.path,
            }
        )
    return rows


def refresh_ready(answer: Any, changed: list[tuple[FileResult, FileResult]]) -> Any:
    """``ready``'s last answer after specs changed only in what its rows show (title,
    milestone) or in nothing it reads (prose, line numbers); ``None`` for any other change."""
    rows = {row["id"]: row for row in answer["ready"]}
    for old, new in changed:
        if _planned(old) != _planned(new):
            return None
        row = rows.get(new.task_id or "")
        if new.task is not None and row is not None and row["path"] == new.path:
            row["title"], row["milestone"] = new.task.title, new.task.milestone
    return answer


def _planned(file: FileResult) -> tuple[str | None, Task | None]:
    """What of a spec file ``ready`` depends on, apart from what its rows show."""
    from dataclasses import replace

    task = file.task
    if task is not None:
        declared = tuple(replace(dep, line=None) for dep in task.declared)
        task = replace(task, title="", milestone="", lines=(), declared=declared)
    return file.task_id, task


def stamp(repo: Repository) -> str:
    """The time stamped on reproducible output (SOURCE_DATE_EPOCH, else HEAD's commit time)."""
    from datetime import datetime, timezone

    from taskgov.git.history import reference_time

    seconds = reference_time(repo.root) or 0
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_data(
    repo: Repository,
    activity: Activity | None = None,
    options: Any = None,
    *,
    calibrate: bool | None = None,
) -> dict[str, Any]:
    """``taskgov plan``: critical path, estimates, waves and schedule of the remaining work.
    ``calibrate``: durations from history (True), the estimates as written (False), or as
    policy ``estimates.calibration.auto_after`` decides (None)."""
    from taskgov.estimates.forecast import forecast
    from taskgov.plan.build import PlanOptions

    return forecast(
        repo,
        derive_states(repo, activity),
        options or PlanOptions(),
        revision=_head(repo, activity),
        calibrate_mode=calibrate,
        generated_at=stamp(repo),
    )


def plan_as_of(
    repo: Repository, revision: str, options: Any = None, *, calibrate: bool | None = None
) -> dict[str, Any]:
    """The plan as it would have been made at ``revision`` (a commit-ish): the specs and
    policy of that commit, its history, no claims. ``as_of`` names the commit."""
    from taskgov.errors import UsageError
    from taskgov.estimates.forecast import forecast
    from taskgov.git.activity import read_activity_at
    from taskgov.git.process import rev_parse, run_git
    from taskgov.git.revision import open_repo
    from taskgov.plan.build import PlanOptions
    from taskgov.review.revision import read_side

    commit = rev_parse(repo.root, revision)
    if commit is None:
        raise UsageError(f"--as-of {revision}: no such commit in {repo.root}")
    with open_repo(repo.root) as handle:
        side = read_side(handle, repo.root, commit)
    activity = read_activity_at(repo.root, commit)
    states = derive_states(side.repo, activity, claims={})
    date = run_git(repo.root, "show", "-s", "--format=%cI", commit).strip()
    data = forecast(
        side.repo,
        states,
        options or PlanOptions(),
        revision=commit,
        calibrate_mode=calibrate,
        generated_at=date,
    )
    data["as_of"] = {"revision": revision, "commit": commit, "date": date}
    data["problems"] = read_problems(side.repo)  # that commit's specs, not the work tree's
    return data


def actuals_data(repo: Repository, activity: Activity | None = None) -> dict[str, Any]:
    """``taskgov actuals``: every finished task's estimate, elapsed time, effort and ratio,
    and the ratios per assignee, agent, task type and milestone."""
    from taskgov.estimates.forecast import actuals_of

    states = derive_states(repo, activity)
    return actuals_of(repo, states, _head(repo, activity)).as_dict()


def _head(repo: Repository, activity: Activity | None) -> str:
    """The commit the history was read at: the activity's HEAD, else the repository's ("" for
    none)."""
    from taskgov.git.process import rev_parse

    head = activity.head if activity is not None else rev_parse(repo.root, "HEAD")
    return head or ""
