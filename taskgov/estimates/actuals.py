"""Actuals: for every finished task, when work started and finished, how many working hours
it took, and how that compares with its estimate; then the same per assignee, agent, task
type and milestone.

Each date and each figure names its source: the spec's ``state.started_at`` and
``completed_at``, the commits that carry ``Task:`` and ``Closes:`` trailers or name the task in
prose, and the commit that added the spec to the completed directory (see
``taskgov.estimates.history``). ``ratio`` is effort / expected estimate: 1.6 means the task
took 60% longer than planned. A task without an estimate of its own (the policy's default
hours) gets its figures but no place in the groups, which are about estimates.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from taskgov.estimates.history import (
    CLOSES_TRAILER,
    PROSE_FINISH,
    TASK_TRAILER,
    History,
    TaskHistory,
    Touch,
    seconds_of,
)
from taskgov.plan.montecarlo import estimate_quantile
from taskgov.plan.network import task_estimate
from taskgov.policy.commits import is_agent
from taskgov.repo import Repository
from taskgov.spec.task import Task, id_key
from taskgov.state import TaskState

GROUPS = ("assignee", "agent", "type", "milestone")
P80 = 0.8
DAY_TIMES = ("T00:00:00+00:00", "T23:59:59+00:00")  # what a bare date in a spec becomes


@dataclass(frozen=True)
class Actual:
    id: str
    title: str
    assignee: str
    type: str
    milestone: str
    estimate_hours: float
    estimate_source: str
    estimate_p80: float  # the P80 the uncalibrated plan gives the estimate
    started: str  # ISO 8601, "" unknown
    finished: str
    elapsed_hours: float | None
    effort_hours: float | None
    commits: int  # commits attributed to the task up to its finish
    sessions: int  # of those, how many began a session
    agents: tuple[str, ...]
    people: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]  # ("started" | "finished" | "effort", how)

    @property
    def ratio(self) -> float | None:
        if self.effort_hours is None or self.estimate_hours <= 0:
            return None
        return self.effort_hours / self.estimate_hours

    @property
    def estimated(self) -> bool:
        """Whether the task has an estimate of its own (not the policy's default, not 0)."""
        return self.estimate_source != "default" and self.estimate_hours > 0

    @property
    def covered(self) -> bool | None:
        """Whether the effort stayed within the estimate's P80."""
        return None if self.effort_hours is None else self.effort_hours <= self.estimate_p80

    def as_dict(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "id": self.id,
            "title": self.title,
            "assignee": self.assignee or None,
            "type": self.type or None,
            "milestone": self.milestone or None,
            "estimate_hours": _r(self.estimate_hours),
            "estimate_source": self.estimate_source,
            "estimate_p80": _r(self.estimate_p80),
            "started": self.started or None,
            "finished": self.finished or None,
            "elapsed_hours": None if self.elapsed_hours is None else _r(self.elapsed_hours),
            "effort_hours": None if self.effort_hours is None else _r(self.effort_hours),
            "ratio": None if ratio is None else round(ratio, 3),
            "commits": self.commits,
            "sessions": self.sessions,
            "agents": list(self.agents),
            "people": list(self.people),
            "sources": dict(self.sources),
        }


@dataclass(frozen=True)
class Group:
    by: str
    name: str
    ratios: tuple[float, ...]
    covered: int  # tasks whose effort stayed within the estimate's P80

    @property
    def count(self) -> int:
        return len(self.ratios)

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def spread(self) -> tuple[float, float]:
        """The 10th and 90th percentile of the ratios (the middle 80% of outcomes)."""
        return percentile(self.ratios, 0.1), percentile(self.ratios, 0.9)

    @property
    def p80_coverage(self) -> float:
        return self.covered / self.count

    def as_dict(self) -> dict[str, Any]:
        low, high = self.spread
        return {
            "by": self.by,
            "name": self.name,
            "count": self.count,
            "median_ratio": round(self.median_ratio, 3),
            "spread": [round(low, 3), round(high, 3)],
            "p80_coverage": round(self.p80_coverage, 3),
        }


@dataclass(frozen=True)
class Actuals:
    tasks: tuple[Actual, ...]
    groups: tuple[Group, ...]
    revision: str = ""
    without_effort: tuple[str, ...] = ()  # finished, but no commit names them
    without_estimate: tuple[str, ...] = ()  # finished with the default estimate
    settings: dict[str, Any] = field(default_factory=dict)

    def with_ratio(self) -> list[Actual]:
        """The finished tasks that say something about estimates: their own estimate and a
        measured effort."""
        return [a for a in self.tasks if a.estimated and a.ratio is not None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision or None,
            "tasks": [a.as_dict() for a in self.tasks],
            "groups": [g.as_dict() for g in self.groups],
            "without_effort": list(self.without_effort),
            "without_estimate": list(self.without_estimate),
            "settings": self.settings,
        }


def compute_actuals(
    repo: Repository,
    states: Mapping[str, TaskState],
    history: History,
) -> Actuals:
    """The actuals of every completed task of ``repo`` (``states``: derived states; a
    cancelled task is not an outcome) from ``history`` (``read_history``)."""
    config = repo.config
    by_id = _canonical(history, repo.tasks)
    actuals = []
    for task_id in sorted(repo.tasks, key=id_key):
        task = repo.tasks[task_id]
        if states[task_id].status != "completed" or task.unreadable:
            continue
        # A date without a time: work began at the start of that day, ended at its end.
        started_at = _stamp(task.started_at, "T00:00:00+00:00")
        completed_at = _stamp(task.completed_at, "T23:59:59+00:00")
        actuals.append(_actual(task, by_id.get(task_id), started_at, completed_at, config))
    finished = tuple(actuals)
    return Actuals(
        tasks=finished,
        groups=tuple(group_actuals(finished, config.agents_allowed)),
        revision=history.revision,
        without_effort=tuple(a.id for a in finished if a.effort_hours is None),
        without_estimate=tuple(a.id for a in finished if not a.estimated),
        settings={
            "session_gap_hours": _r(config.session_gap / 3600),
            "first_commit_hours": _r(config.session_first / 3600),
        },
    )


def group_actuals(actuals: tuple[Actual, ...], agents_allowed: tuple[str, ...]) -> list[Group]:
    """Per assignee, agent, task type and milestone: the ratios of the tasks with their own
    estimate and a measured effort, and how many stayed within their P80."""
    members: dict[tuple[str, str], list[Actual]] = {}
    for actual in actuals:
        if not actual.estimated or actual.ratio is None:
            continue
        for by, name in _keys(actual, agents_allowed):
            members.setdefault((by, name), []).append(actual)
    ordered = sorted(members.items(), key=lambda kv: (GROUPS.index(kv[0][0]), kv[0][1].lower()))
    return [
        Group(
            by,
            name,
            tuple(a.ratio for a in items if a.ratio is not None),
            sum(1 for a in items if a.covered),
        )
        for (by, name), items in ordered
    ]


def _keys(actual: Actual, agents_allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    """The groups a finished task belongs to."""
    keys = []
    if actual.assignee:
        keys.append(("assignee", actual.assignee))
    agents = list(actual.agents)
    if actual.assignee and is_agent(actual.assignee, agents_allowed) and not agents:
        agents = [actual.assignee]
    keys += [("agent", name) for name in agents]
    if actual.type:
        keys.append(("type", actual.type))
    if actual.milestone:
        keys.append(("milestone", actual.milestone))
    return keys


def _actual(
    task: Task, history: TaskHistory | None, started_at: str, completed_at: str, config: Any
) -> Actual:
    estimate = task_estimate(task, config.default_hours, config.single_point_spread)
    touches = list(history.touches) if history else []
    sources: dict[str, str] = {}
    finished, finish_how = _finish(touches, completed_at, history)
    if finished:
        sources["finished"] = finish_how
    # The task's work: its commits until it finished, and those within a session gap after
    # (`taskgov done` stamps completed_at minutes before the commit that records it).
    end = seconds_of(finished) + config.session_gap if finished else None
    worked = [t for t in touches if end is None or seconds_of(t.date) <= end]
    started, start_how = _start(worked or touches, started_at)
    if started:
        sources["started"] = start_how
    elapsed = None
    if started and finished:
        elapsed = max(0.0, (seconds_of(finished) - seconds_of(started)) / 3600)
    effort = None
    sessions = 0
    if worked:
        effort, sessions = session_hours(worked, config.session_gap, config.session_first)
        kinds = sorted({_kind(t) for t in worked})
        sources["effort"] = (
            f"{len(worked)} commit{'s' if len(worked) != 1 else ''} naming it "
            f"({', '.join(kinds)}), commit sessions"
        )
    agents = tuple(dict.fromkeys(a for t in worked for a in t.agents))
    people = tuple(
        dict.fromkeys(
            name
            for t in worked
            for name in (t.author, *t.credits)
            if not is_agent(name, config.agents_allowed)
        )
    )
    return Actual(
        id=task.id,
        title=task.title,
        assignee=task.assignee,
        type=task.type,
        milestone=task.milestone,
        estimate_hours=estimate.expected,
        estimate_source=estimate.source,
        estimate_p80=estimate_quantile(estimate, P80),
        started=started,
        finished=finished,
        elapsed_hours=elapsed,
        effort_hours=effort,
        commits=len(worked),
        sessions=sessions,
        agents=agents,
        people=people,
        sources=tuple(sources.items()),
    )


def session_hours(touches: list[Touch], gap: float, first: float) -> tuple[float, int]:
    """Working hours of ``touches`` (a task's commits) and how many sessions they form, as
    git-hours counts them, per author: commits closer than ``gap`` seconds are one session
    and count the time between them; each session's first commit counts ``first`` seconds
    (the work before it). Merges count nothing. Several authors' hours add up."""
    times: dict[str, list[float]] = {}
    for touch in touches:
        if not touch.merge:
            times.setdefault(touch.author_key, []).append(seconds_of(touch.date))
    total = 0.0
    sessions = 0
    for moments in times.values():
        moments.sort()
        previous = None
        for moment in moments:
            if previous is not None and moment - previous < gap:
                total += moment - previous
            else:
                total += first
                sessions += 1
            previous = moment
    return total / 3600, sessions


def _finish(
    touches: list[Touch], completed_at: str, history: TaskHistory | None
) -> tuple[str, str]:
    """When the task finished, and how that is known: a ``Closes:`` trailer, the spec's
    ``completed_at``, a commit saying it finished it, the move into completed/, else the
    last commit naming it."""
    for touch in touches:
        if touch.how == CLOSES_TRAILER:
            return touch.date, f"Closes: trailer ({touch.commit[:7]})"
    if completed_at:
        return completed_at, "spec state.completed_at" + _day(completed_at)
    for touch in touches:
        if touch.how == PROSE_FINISH:
            return touch.date, f"commit message ({touch.commit[:7]})"
    if history is not None and history.archived:
        return history.archived, f"moved into completed/ ({history.archived_commit[:7]})"
    if touches:
        last = touches[-1]
        return last.date, f"last commit naming it ({last.commit[:7]})"
    return "", ""


def _start(touches: list[Touch], started_at: str) -> tuple[str, str]:
    """The earlier of the spec's ``started_at`` and the first commit naming the task."""
    first = touches[0] if touches else None
    if started_at and (first is None or seconds_of(started_at) <= seconds_of(first.date)):
        return started_at, "spec state.started_at" + _day(started_at)
    if first is not None:
        label = "Task: trailer" if first.how == TASK_TRAILER else _kind(first)
        return first.date, f"first commit naming it, {label} ({first.commit[:7]})"
    return "", ""


def _day(stamp: str) -> str:
    return " (a date: that day's start or end, UTC)" if stamp.endswith(DAY_TIMES) else ""


def _kind(touch: Touch) -> str:
    return {
        TASK_TRAILER: "Task:",
        CLOSES_TRAILER: "Closes:",
        PROSE_FINISH: "prose",
    }.get(touch.how, "prose")


def _canonical(history: History, tasks: Mapping[str, Task]) -> dict[str, TaskHistory]:
    """History by the task ids the specs use (a commit may write an id in another case)."""
    known = {task_id.lower(): task_id for task_id in tasks}
    merged: dict[str, list[TaskHistory]] = {}
    for item in history.tasks:
        task_id = known.get(item.id.lower())
        if task_id is not None:
            merged.setdefault(task_id, []).append(item)
    out = {}
    for task_id, items in merged.items():
        if len(items) == 1:
            out[task_id] = items[0]
            continue
        seen: dict[str, Touch] = {}
        for item in items:
            for touch in item.touches:
                seen.setdefault(touch.commit, touch)
        touches = tuple(sorted(seen.values(), key=lambda t: seconds_of(t.date)))
        archived = next((i for i in items if i.archived), items[0])
        out[task_id] = TaskHistory(task_id, touches, archived.archived, archived.archived_commit)
    return out


def percentile(values: tuple[float, ...] | list[float], q: float) -> float:
    """Linear-interpolated percentile (as numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _stamp(value: str, time_of_day: str) -> str:
    """``value`` (a spec's date or time) as ISO 8601; ``time_of_day`` completes a bare date;
    "" for anything that is not a date."""
    text = value.strip()
    if len(text) == 10:
        text += time_of_day
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return ""
    return text


def _r(value: float) -> float:
    return round(value + 0.0, 2)
