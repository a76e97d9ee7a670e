"""``taskgov plan``: the remaining work's critical path, estimates, waves and schedule, as data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from taskgov.config import Config
from taskgov.errors import CheckFailed
from taskgov.output import plural, some
from taskgov.plan.cpm import (
    Timing,
    critical_path,
    critical_path_method,
    levels,
    metrics,
    redundant_edges,
)
from taskgov.plan.montecarlo import estimate_quantile, pert_stddev, simulate
from taskgov.plan.network import Network, build_network, single_point, task_estimate
from taskgov.plan.waves import OverCapacity, split_waves
from taskgov.repo import Repository
from taskgov.spec.task import id_key
from taskgov.state import TaskState

WORKERS = "workers"


@dataclass(frozen=True)
class PlanOptions:
    """What to plan and how; ``None`` takes the default from policy.yaml's ``planning:``."""

    include_done: bool = False
    workers: int | None = None
    samples: int | None = None
    seed: int | None = None
    deadline: float | None = None
    min_confidence: float | None = None
    max_wave_size: int | None = None
    schedule_effort: int | None = None  # schedules the RCPSP heuristic may generate


# Turns the network into one whose durations come from history, with what to report about it
# (``taskgov.estimates.forecast`` provides it: planning does not read history itself).
Calibrator = Callable[[Network], tuple[Network, dict[str, Any]]]


def uncalibrated() -> dict[str, Any]:
    """The ``calibration`` report of a plan made without a calibrator."""
    return {"calibrated": False, "why": "", "classes": []}


def ranked(network: Network, timing: Timing) -> list[int]:
    """Task indexes by priority, then slack, then id: the order work should be taken in."""
    tasks = network.tasks
    return sorted(
        range(network.size),
        key=lambda n: (tasks[n].priority_rank, round(timing.slack(n), 6), id_key(tasks[n].id)),
    )


def timing_of(network: Network) -> tuple[list[int], Timing]:
    """Topological order and CPM timing on PERT means (the network must be acyclic)."""
    order = network.topological_order()
    durations = [network.expected(n) for n in range(network.size)]
    return order, critical_path_method(network, order, durations)


def remaining_slack(repo: Repository, states: Mapping[str, TaskState]) -> dict[str, float]:
    """Hours each remaining task can slip without delaying the rest (empty on a cycle)."""
    network = build_network(repo, states)
    if network.cycles:
        return {}
    _, timing = timing_of(network)
    return {t.id: round(timing.slack(n), 2) for n, t in enumerate(network.tasks)}


def make_plan(
    repo: Repository,
    states: Mapping[str, TaskState],
    options: PlanOptions = PlanOptions(),
    generated_at: str = "",
    calibrator: Calibrator | None = None,
) -> dict[str, Any]:
    """The plan as JSON-ready data. With cycles, only ``cycles`` and the edges are filled in.
    ``calibrator``: durations from history instead of the estimates as written."""
    config = repo.config
    network = build_network(
        repo, states, include_done=options.include_done, min_confidence=options.min_confidence
    )
    calibration = uncalibrated()
    if calibrator is not None and not network.cycles:
        network, calibration = calibrator(network)
    ids = network.ids
    workers = options.workers if options.workers is not None else config.workers
    capacities = dict(config.resources)
    base: dict[str, Any] = {
        "version": 1,
        "generated_at": generated_at,
        "scope": "all" if options.include_done else "remaining",
        "unit": "hours",
        "edges": [e.as_dict() for e in network.edges],
        "soft_edges": [e.as_dict() for e in network.soft],
        "cycles": [list(c) for c in network.cycles],
        "held": [{"id": task, "reason": why} for task, why in network.held],
        "workers": workers,
        "resources": capacities,
    }
    if network.cycles:
        return base
    order, timing = timing_of(network)
    depth = levels(network, order)
    position = {node: i for i, node in enumerate(ranked(network, timing))}
    rank = position.__getitem__
    path = critical_path(network, timing, rank)
    samples = options.samples or config.samples
    seed = config.seed if options.seed is None else options.seed
    redundant = redundant_edges(network, order)
    simulation = simulate(
        network,
        depth,
        samples=samples,
        seed=seed,
        deadline=options.deadline,
        redundant=[(a, b) for a, b, _ in redundant],
    )
    limits, demands = resource_needs(network, capacities, workers)
    max_wave = options.max_wave_size or config.max_wave_size
    try:
        waves = split_waves(depth, rank, demands, limits, max_wave)
    except OverCapacity as exc:
        raise CheckFailed(f"{network.tasks[exc.node].path}: {ids[exc.node]} {exc}") from None
    starts, makespan, method = resource_schedule(
        network, timing, demands, limits, rank=rank, seed=seed, effort=options.schedule_effort
    )
    wave_of = {node: w for w, members in enumerate(waves) for node in members}
    tasks = []
    for node, task in enumerate(network.tasks):
        estimate = network.estimates[node]
        calibrated = network.calibration.quantile(node, 0.8) if network.calibration else None
        tasks.append(
            {
                "id": task.id,
                "title": task.title,
                "priority": task.priority,
                "milestone": task.milestone,
                "status": network.statuses[node],
                "optimistic": _r(estimate.optimistic),
                "likely": _r(estimate.likely),
                "pessimistic": _r(estimate.pessimistic),
                "expected": _r(network.expected(node)),
                "stddev": _r(_stddev(network, node)),
                "p80": _r(estimate_quantile(estimate, 0.8) if calibrated is None else calibrated),
                "estimate_source": estimate.source,
                "earliest_start": _r(timing.earliest_start[node]),
                "earliest_finish": _r(timing.earliest_finish[node]),
                "latest_start": _r(timing.latest_start[node]),
                "latest_finish": _r(timing.latest_finish[node]),
                "slack": _r(timing.slack(node)),
                "critical": timing.critical(node),
                "resources": dict(task.resources),
                "wave": wave_of[node],
            }
        )
    schedule = [
        {"id": ids[n], "start": _r(starts[n]), "finish": _r(starts[n] + timing.durations[n])}
        for n in sorted(range(network.size), key=lambda n: (_r(starts[n]), rank(n)))
    ]
    base.update(
        {
            "tasks": tasks,
            "redundant_edges": [
                {"from": ids[a], "to": ids[b], "via": ids[v]}
                for a, b, v in sorted(redundant)  # indexes are in id order
            ],
            "critical_path": [ids[n] for n in path],
            "expected_duration": _r(timing.length),
            "stddev": _r(simulation.stddev),
            "estimates": simulation.as_dict(),
            "deadline": options.deadline,
            "deadline_probability": (
                None
                if simulation.deadline_probability is None
                else round(simulation.deadline_probability, 4)
            ),
            "waves": [[ids[n] for n in members] for members in waves],
            "schedule": schedule,
            "schedule_method": method,
            "makespan": _r(makespan),
            "metrics": metrics(network, depth).as_dict(),
            "single_point_spread": _spread(
                network, config.default_hours, config.single_point_spread
            ),
            "calibration": calibration,
            "assumptions": _assumptions(network, capacities, config),
        }
    )
    return base


def _stddev(network: Network, node: int) -> float:
    """The standard deviation of a task's duration, as the simulation draws it."""
    calibrated = network.calibration.stddev(node) if network.calibration else None
    return pert_stddev(network.estimates[node]) if calibrated is None else calibrated


def _r(value: float) -> float:
    return round(value + 0.0, 2)


def resource_needs(
    network: Network, capacities: Mapping[str, float], workers: int | None
) -> tuple[dict[str, float], list[dict[str, float]]]:
    """Capacity per limited resource (``workers`` included when given) and what each task
    needs of them; resources the policy does not name are unlimited."""
    limits = dict(capacities)
    if workers is not None:
        limits[WORKERS] = float(workers)
    demands = []
    for task in network.tasks:
        need = {name: amount for name, amount in task.resources if name in capacities}
        if workers is not None:
            need[WORKERS] = 1.0
        demands.append(need)
    return limits, demands


def resource_schedule(
    network: Network,
    timing: Timing,
    demands: list[dict[str, float]],
    limits: Mapping[str, float],
    *,
    rank: Callable[[int], int] | None = None,
    seed: int = 0,
    effort: int | None = None,
) -> tuple[list[float], float, str]:
    """Start times, makespan and method: the earliest starts when nothing is limited, else an
    RCPSP schedule (ties broken by ``rank``)."""
    if not limits or not any(demands):
        starts = list(timing.earliest_start)
        method = "critical path method (no resource limits)"
    else:
        from taskgov.plan.rcpsp import InfeasibleDemand, Project, solve

        names = sorted(limits)
        project = Project(
            durations=timing.durations,
            successors=network.succs,
            demands=tuple(tuple(d.get(name, 0.0) for name in names) for d in demands),
            capacities=tuple(limits[name] for name in names),
            resource_names=tuple(names),
            tie_break=tuple(rank(n) for n in range(network.size)) if rank else (),
        )
        try:
            result = solve(project, seed=seed, effort=effort)
        except InfeasibleDemand as exc:
            raise CheckFailed(str(exc)) from None
        starts, method = list(result.starts), result.method
    makespan = max((starts[n] + timing.durations[n] for n in range(network.size)), default=0.0)
    return starts, makespan, method


def _spread(network: Network, default_hours: float, spread: tuple[float, float]) -> dict[str, Any]:
    """The tasks whose single-number estimate was given the policy's spread (not those whose
    durations come from history)."""
    applied = [
        t.id
        for n, t in enumerate(network.tasks)
        if single_point(task_estimate(t, default_hours)) and not network.calibrated(n)
    ]
    low, high = spread
    return {"low": low, "high": high, "applied_to": applied if (low, high) != (1, 1) else []}


def _assumptions(network: Network, capacities: Mapping[str, float], config: Config) -> list[str]:
    default_hours = config.default_hours
    notes = []
    defaulted = [
        t.id for t, e in zip(network.tasks, network.estimates, strict=True) if e.source == "default"
    ]
    if defaulted:
        notes.append(
            f"{plural(len(defaulted), 'task')} "
            f"{'has' if len(defaulted) == 1 else 'have'} no estimate; {default_hours:g} h assumed "
            f"(estimates.default_hours): {_some(defaulted)}"
        )
    from_effort = [
        t.id
        for t, e in zip(network.tasks, network.estimates, strict=True)
        if e.source not in {"default", "planning.estimate"}
    ]
    if from_effort:
        notes.append(
            f"{plural(len(from_effort), 'task')} estimated from classification.estimated_effort"
            f": {_some(from_effort)}"
        )
    spread = _spread(network, default_hours, config.single_point_spread)
    if spread["applied_to"]:
        notes.append(
            f"{plural(len(spread['applied_to']), 'single-number estimate')} read as the "
            f"expected effort, spread {spread['low']:g}x to {spread['high']:g}x "
            f"(estimates.single_point_spread): {_some(spread['applied_to'])}"
        )
    elif (spread["low"], spread["high"]) == (1, 1) and any(
        single_point(task_estimate(t, default_hours)) for t in network.tasks
    ):
        notes.append(
            "single-number estimates are planned as exact (estimates.single_point_spread: "
            "[1, 1]): their P50, P80 and P95 do not differ"
        )
    unknown = sorted(
        {name for t in network.tasks for name, _ in t.resources if name not in capacities}
    )
    if unknown:
        notes.append("resources not in policy.yaml are treated as unlimited: " + ", ".join(unknown))
    invalid = [t.id for t in network.tasks if not t.valid and not t.unreadable]
    if invalid:
        notes.append(f"planned from the valid fields of specs with errors: {_some(invalid)}")
    unreadable = [t.id for t in network.tasks if t.unreadable]
    if unreadable:
        notes.append(f"specs that cannot be read, planned as placeholders: {_some(unreadable)}")
    return notes


def _some(ids: list[str]) -> str:
    return some(ids, 10)
