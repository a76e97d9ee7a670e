"""``taskgov stats``: counts, estimate totals, and how much the remaining work can overlap."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from taskgov.plan.build import resource_needs, resource_schedule, timing_of
from taskgov.plan.network import DONE, Network, build_network, task_estimate
from taskgov.repo import Repository
from taskgov.spec.model import STATUSES
from taskgov.spec.task import PRIORITY_RANK, id_key
from taskgov.state import TaskState

STATUS_ORDER = STATUSES
DEFAULT_TEAM = 3  # the seed summaries compare one developer with three


def project_stats(
    repo: Repository, states: Mapping[str, TaskState], workers: int | None = None
) -> dict[str, Any]:
    """Counts by status, priority, milestone, phase and type; hours done and left; the
    critical path; the remaining duration with one worker and with ``workers``."""
    tasks = list(repo.tasks.values())
    default = repo.config.default_hours
    hours = {t.id: task_estimate(t, default).expected for t in tasks}
    done_hours = sum(hours[t.id] for t in tasks if states[t.id].status in DONE)
    team = workers or repo.config.workers or DEFAULT_TEAM
    data: dict[str, Any] = {
        "tasks": len(tasks),
        "by_status": _count((states[t.id].status for t in tasks), STATUS_ORDER),
        "by_priority": _count((t.priority for t in tasks), tuple(PRIORITY_RANK)),
        "by_milestone": _count(t.milestone or "(none)" for t in tasks),
        "by_phase": _count(t.phase or "(none)" for t in tasks),
        "by_type": _count(t.type or "(none)" for t in tasks),
        "hours": {
            "total": _r(sum(hours.values())),
            "completed": _r(done_hours),
            "remaining": _r(sum(hours.values()) - done_hours),
        },
        "estimated_by": _count(task_estimate(t, default).source for t in tasks),
    }
    network = build_network(repo, states)
    if network.cycles:
        data["cycles"] = [list(c) for c in network.cycles]
        return data
    data.update(_overlap(network, team, repo.config.resources))
    return data


def _overlap(
    network: Network, team: int, capacities: tuple[tuple[str, float], ...]
) -> dict[str, Any]:
    from taskgov.plan.cpm import critical_path

    _, timing = timing_of(network)
    work = sum(timing.durations)
    path = critical_path(network, timing, lambda n: n)
    limits, demands = resource_needs(network, dict(capacities), team)
    _, with_team, _ = resource_schedule(network, timing, demands, limits)
    return {
        "critical_path": {"tasks": [network.tasks[n].id for n in path], "hours": _r(timing.length)},
        # The share of the remaining work that can run beside the critical path.
        "parallelizable_share": round(1 - timing.length / work, 4) if work else 0.0,
        "duration": {
            "workers": team,
            "one_worker_hours": _r(work),
            "team_hours": _r(with_team),
            "speedup": round(work / with_team, 2) if with_team else None,
        },
    }


def _count(values: Iterable[str], known: tuple[str, ...] = ()) -> dict[str, int]:
    """Counts in the order given by ``known`` (lifecycle, priority), other keys by name."""
    counts = Counter(values)
    rank = {key: n for n, key in enumerate(known)}
    ordered = sorted(counts, key=lambda key: (rank.get(key, len(rank)), id_key(key)))
    return {key: counts[key] for key in ordered}


def _r(value: float) -> float:
    return round(value + 0.0, 2)
