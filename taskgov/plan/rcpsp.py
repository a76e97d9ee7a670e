"""Resource-constrained project scheduling (RCPSP): a deterministic heuristic and a verifier.

:func:`solve` offers activities to the schedule generation schemes of :mod:`taskgov.plan.sgs`
in orders chosen by :mod:`taskgov.plan.search`: one pass per classic priority rule (parallel
and serial SGS), regret-based biased random sampling on the latest finish time, then a genetic
algorithm over activity lists. Every schedule is improved by forward-backward improvement
(double justification). The search stops when a schedule meets the lower bound, when the
work budget ``effort`` (a number of generated schedules) is spent, or at an optional
wall-clock limit. Measured on PSPLIB j30 by bench/bench_psplib.py.

:func:`check` verifies a schedule from scratch, independently of the scheduler.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from taskgov.plan.search import POPULATION, Search
from taskgov.plan.sgs import EPS, Network

METHOD = (
    "serial and parallel SGS: priority rules, LFT regret-biased sampling, genetic algorithm "
    "over activity lists, forward-backward improvement of every schedule"
)


@dataclass(frozen=True)
class Project:
    """Activities with durations, finish-to-start precedences and renewable resource demands."""

    durations: tuple[float, ...]
    successors: tuple[tuple[int, ...], ...]
    demands: tuple[tuple[float, ...], ...]
    capacities: tuple[float, ...]
    resource_names: tuple[str, ...] = ()
    tie_break: tuple[int, ...] = ()


@dataclass(frozen=True)
class Schedule:
    """Start times per activity, their makespan, and how good it is known to be."""

    starts: tuple[float, ...]
    makespan: float
    lower_bound: float
    schedules: int
    method: str


class InfeasibleDemand(ValueError):
    """An activity needs more of a resource than the resource has."""


def _resource(project: Project, r: int) -> str:
    names = project.resource_names
    return names[r] if r < len(names) else f"resource {r}"


def prepare(project: Project) -> Network:
    """Check the project's shape and turn it into a :class:`Network`."""
    n = len(project.durations)
    if len(project.successors) != n or len(project.demands) != n:
        raise ValueError("durations, successors and demands need one entry per activity")
    if project.tie_break and len(project.tie_break) != n:
        raise ValueError("tie_break needs one rank per activity")
    caps = tuple(float(c) for c in project.capacities)
    if any(not c >= 0 or math.isinf(c) for c in caps):
        raise ValueError("capacities must be finite and >= 0")
    durations = tuple(float(d) for d in project.durations)
    if any(not d >= 0 or math.isinf(d) for d in durations):
        raise ValueError("durations must be finite and >= 0")
    demands = []
    for i, row in enumerate(project.demands):
        if len(row) != len(caps):
            raise ValueError(f"activity {i}: {len(row)} demands for {len(caps)} resources")
        needs = []
        for r, q in enumerate(row):
            if not q >= 0 or math.isinf(q):
                raise ValueError(f"activity {i}: demand for {_resource(project, r)} must be >= 0")
            if q > caps[r] + EPS:
                raise InfeasibleDemand(
                    f"activity {i} needs {q:g} of {_resource(project, r)}, "
                    f"which has a capacity of {caps[r]:g}"
                )
            if q > 0:
                needs.append((r, float(q)))
        demands.append(tuple(needs))
    succs = tuple(tuple(dict.fromkeys(s)) for s in project.successors)
    preds: list[list[int]] = [[] for _ in range(n)]
    for i, row in enumerate(succs):
        for j in row:
            if not 0 <= j < n or j == i:
                raise ValueError(f"activity {i}: successor {j} is not another activity")
            preds[j].append(i)
    left = [len(p) for p in preds]
    topo = [j for j in range(n) if not left[j]]
    for i in topo:  # grows while it is read: Kahn's algorithm
        for j in succs[i]:
            left[j] -= 1
            if not left[j]:
                topo.append(j)
    if len(topo) != n:
        raise ValueError("the precedences contain a cycle")
    rank = [0] * n
    for position, j in enumerate(topo):
        rank[j] = position
    return Network(
        durations, tuple(map(tuple, preds)), succs, tuple(demands), caps, tuple(topo), tuple(rank)
    )


def latest_finish(net: Network) -> tuple[list[float], float]:
    """Latest finish times without resources, against the critical path length."""
    durations, preds = net.durations, net.preds
    finish = [0.0] * len(durations)
    for j in net.topo:
        start = max((finish[p] for p in preds[j]), default=0.0)
        finish[j] = start + durations[j]
    length = max(finish, default=0.0)
    latest = [length] * len(durations)
    for j in reversed(net.topo):
        for s in net.succs[j]:
            latest[j] = min(latest[j], latest[s] - durations[s])
    return latest, length


def lower_bound(net: Network, critical_path: float) -> float:
    """The larger of the critical path and, per resource, total work over capacity."""
    work = [0.0] * len(net.capacities)
    for d, needs in zip(net.durations, net.demands, strict=True):
        for r, q in needs:
            work[r] += d * q
    energy = (w / c for w, c in zip(work, net.capacities, strict=True) if c > 0)
    return max([critical_path, *energy])


MTS_LIMIT = 5000  # its bit sets of successors grow with the square of the project


def priority_rules(net: Network, latest: list[float]) -> dict[str, list[float]]:
    """Priority values (smaller is more urgent) of the classic rules, best first as measured
    on PSPLIB j30 (bench/bench_psplib.py): latest finish time, most total successors, latest
    start time, greatest rank positional weight."""
    durations, succs = net.durations, net.succs
    n = len(durations)
    rules = {"LFT": latest}
    if n <= MTS_LIMIT:
        reach = [0] * n  # bit set of every transitive successor
        for j in reversed(net.topo):
            bits = 0
            for s in succs[j]:
                bits |= reach[s] | (1 << s)
            reach[j] = bits
        rules["MTS"] = [-float(reach[j].bit_count()) for j in range(n)]
    rules["LST"] = [latest[j] - durations[j] for j in range(n)]
    rules["GRPW"] = [-durations[j] - sum(durations[s] for s in succs[j]) for j in range(n)]
    return rules


def default_effort(activities: int) -> int:
    """Schedules to generate by default: many for small projects, a few for huge ones."""
    return max(12, min(4000, 120_000 // max(activities, 1)))


def solve(
    project: Project,
    *,
    seed: int = 0,
    effort: int | None = None,
    time_limit: float | None = None,
) -> Schedule:
    """A short schedule that respects every precedence and capacity.

    ``effort`` is the number of schedules to generate (default from :func:`default_effort`);
    with the same project and ``seed`` the result is identical on every machine. ``time_limit``
    (seconds) stops early on the wall clock, which makes the result depend on the machine.
    Raises :class:`InfeasibleDemand` when an activity needs more than a resource's capacity.
    """
    net = prepare(project)
    n = len(net.durations)
    if not n:
        return Schedule((), 0.0, 0.0, 0, METHOD)
    latest, critical = latest_finish(net)
    budget = max(1, effort if effort is not None else default_effort(n))
    deadline = None if time_limit is None else time.monotonic() + time_limit
    search = Search(net, budget, lower_bound(net, critical), random.Random(seed), deadline)
    search.rules(list(priority_rules(net, latest).values()), project.tie_break or tuple(range(n)))
    # Regret in units of a fifth of the mean duration: about one period on PSPLIB, the unit
    # the sampling rule was published and measured with.
    mean = sum(net.durations) / n
    search.sample(latest, max(mean / 5.0, EPS), POPULATION)
    search.evolve()
    return Schedule(
        starts=tuple(search.best.starts),
        makespan=search.best.length,
        lower_bound=search.bound,
        schedules=search.count,
        method=METHOD,
    )


def check(project: Project, starts: Sequence[float], *, tolerance: float = 1e-6) -> list[str]:
    """Every precedence and capacity violation of ``starts``, one message each; ``[]`` when
    the schedule is feasible. Independent of the scheduler: capacities are checked by a sweep
    over start and finish events, where finishes within ``tolerance`` of a start count as
    before it."""
    n = len(project.durations)
    if len(starts) != n:
        return [f"{len(starts)} start times for {n} activities"]
    problems = []
    for i, start in enumerate(starts):
        if not math.isfinite(start) or start < -tolerance:
            problems.append(f"activity {i} starts at {start:g}, before time 0")
    for i, row in enumerate(project.successors):
        finish = starts[i] + project.durations[i]
        for j in row:
            if starts[j] < finish - tolerance:
                problems.append(
                    f"activity {j} starts at {starts[j]:g}, before its predecessor {i} "
                    f"finishes at {finish:g}"
                )
    events = []  # (time, kind, activity): kind 0 releases, 1 takes, so ends come first
    for i, start in enumerate(starts):
        if project.durations[i] > 0 and any(q > 0 for q in project.demands[i]):
            events.append((start + project.durations[i], 0, i))
            events.append((start, 1, i))
    events.sort()
    usage = [0.0] * len(project.capacities)
    active: set[int] = set()
    position = 0
    while position < len(events):
        moment = events[position][0]
        while position < len(events) and events[position][0] <= moment + tolerance:
            _, kind, i = events[position]
            sign = 1.0 if kind else -1.0
            for r, q in enumerate(project.demands[i]):
                usage[r] += sign * q
            if kind:
                active.add(i)
            else:
                active.discard(i)
            position += 1
        for r, capacity in enumerate(project.capacities):
            if usage[r] > capacity + tolerance:
                who = ", ".join(str(i) for i in sorted(active) if project.demands[i][r] > 0)
                problems.append(
                    f"{_resource(project, r)} over capacity at {moment:g}: "
                    f"{usage[r]:g} > {capacity:g} (activities {who})"
                )
    return problems
