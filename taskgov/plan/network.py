"""The planning network: the tasks still to do, their durations, and the dependencies that order
them, as integer-indexed arrays the algorithms can walk quickly.

Which dependencies count: hard ones with at least ``min_confidence``, between two tasks in scope,
of an ordering type. Everything else a spec declares is kept as a *soft* edge, listed with the
reason it was left out, so a reader can see what the plan ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from taskgov.graph.cycles import find_cycles
from taskgov.repo import Repository
from taskgov.spec.effort import Estimate
from taskgov.spec.task import Task, id_key
from taskgov.state import TaskState

if TYPE_CHECKING:
    import numpy as np

DONE = frozenset({"completed", "cancelled"})


@dataclass(frozen=True)
class PlanEdge:
    prerequisite: str
    dependent: str
    type: str
    confidence: float
    hard: bool
    reason: str = ""  # why a soft edge is not in the network

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "from": self.prerequisite,
            "to": self.dependent,
            "type": self.type,
            "confidence": self.confidence,
            "hard": self.hard,
        }
        if self.reason:
            data["reason"] = self.reason
        return data


def quantile_of(table: Sequence[float] | np.ndarray, q: float) -> float:
    """The ``q`` quantile of an equal-probability quantile table (ascending)."""
    return float(table[min(len(table) - 1, int(q * len(table)))])


@dataclass(frozen=True)
class Calibration:
    """Durations of calibrated tasks: the task's expected hours times a ratio (actual effort /
    estimate) drawn from the history of its reference class, as equal-probability quantiles."""

    scales: tuple[float, ...]  # per task in the network: the expected hours it is scaled from
    rows: tuple[int, ...]  # per task: its class's row in ``tables``; -1 not calibrated
    tables: tuple[tuple[float, ...], ...]  # per class: the ratio's quantiles (ascending)
    means: tuple[float, ...]  # per class: the mean ratio
    deviations: tuple[float, ...]  # per class: the ratio's standard deviation

    def expected(self, node: int) -> float | None:
        row = self.rows[node]
        return None if row < 0 else self.scales[node] * self.means[row]

    def stddev(self, node: int) -> float | None:
        row = self.rows[node]
        if row < 0:
            return None
        return self.scales[node] * self.deviations[row]

    def quantile(self, node: int, q: float) -> float | None:
        row = self.rows[node]
        if row < 0:
            return None
        return self.scales[node] * quantile_of(self.tables[row], q)


@dataclass(frozen=True)
class Network:
    """Tasks in scope (natural id order) and the dependency edges between them, by index."""

    tasks: tuple[Task, ...]
    statuses: tuple[str, ...]  # derived status of each task
    estimates: tuple[Estimate, ...]
    preds: tuple[tuple[int, ...], ...]
    succs: tuple[tuple[int, ...], ...]
    edges: tuple[PlanEdge, ...]  # the network's edges
    soft: tuple[PlanEdge, ...]  # declared, but left out of the network
    cycles: tuple[tuple[str, ...], ...] = ()
    index: Mapping[str, int] = field(default_factory=dict)
    held: tuple[tuple[str, str], ...] = ()  # (task, why): waits on work outside the network
    calibration: Calibration | None = None  # durations from history, where calibrated

    def expected(self, node: int) -> float:
        """The task's expected hours: calibrated from history where it is, else PERT."""
        if self.calibration is not None:
            calibrated = self.calibration.expected(node)
            if calibrated is not None:
                return calibrated
        return self.estimates[node].expected

    def calibrated(self, node: int) -> bool:
        return self.calibration is not None and self.calibration.rows[node] >= 0

    @property
    def size(self) -> int:
        return len(self.preds)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.tasks]

    def topological_order(self) -> list[int]:
        """Kahn's order, ties by index (id order); only meaningful without cycles."""
        import heapq

        indegree = [len(p) for p in self.preds]
        heap = [i for i, d in enumerate(indegree) if d == 0]
        heapq.heapify(heap)
        order: list[int] = []
        while heap:
            node = heapq.heappop(heap)
            order.append(node)
            for succ in self.succs[node]:
                indegree[succ] -= 1
                if indegree[succ] == 0:
                    heapq.heappush(heap, succ)
        return order


def task_estimate(
    task: Task, default_hours: float, spread: tuple[float, float] = (1.0, 1.0)
) -> Estimate:
    """The three-point estimate planning uses: ``planning.estimate``, else the effort (a range
    gives optimistic and pessimistic), else ``default_hours`` (policy ``estimates``).

    A single number (and the default) is read as the expected effort and given ``spread``
    (policy ``estimates.single_point_spread``): optimistic and pessimistic at ``low`` and
    ``high`` times it, the most likely value where the PERT mean stays the number written.
    A three-point ``planning.estimate`` is taken as written, even with equal points."""
    estimate = task.estimate
    if estimate is None:
        estimate = Estimate(default_hours, default_hours, default_hours, "default")
    if single_point(estimate):
        low, high = spread
        value = estimate.likely
        return Estimate(low * value, (6 - low - high) / 4 * value, high * value, estimate.source)
    return estimate


def single_point(estimate: Estimate) -> bool:
    """Whether ``estimate`` came from one number: an effort without a range, or the default."""
    return (
        estimate.source != "planning.estimate"
        and estimate.optimistic == estimate.likely == estimate.pessimistic
    )


def build_network(
    repo: Repository,
    states: Mapping[str, TaskState],
    *,
    include_done: bool = False,
    min_confidence: float | None = None,
) -> Network:
    """The network of the remaining work (``include_done``: every task).

    A task that waits on a task with no spec (or on one of those, transitively) cannot be
    scheduled: it is *held*, left out of the network and listed with the reason, as ``ready``
    leaves it out of the frontier."""
    config = repo.config
    threshold = config.min_confidence if min_confidence is None else min_confidence
    in_scope = [
        task for task in repo.tasks.values() if include_done or states[task.id].status not in DONE
    ]
    held = _held(repo, states, {t.id for t in in_scope})
    in_scope = [task for task in in_scope if task.id not in held]
    index = {task.id: i for i, task in enumerate(in_scope)}
    preds: list[list[int]] = [[] for _ in in_scope]
    succs: list[list[int]] = [[] for _ in in_scope]
    edges: list[PlanEdge] = []
    soft: list[PlanEdge] = []
    for edge in repo.graph.edges:
        after = index.get(edge.dependent)
        before = index.get(edge.prerequisite)
        if after is None or before is None:
            continue  # a prerequisite already done constrains nothing that is left
        plan_edge = PlanEdge(
            edge.prerequisite, edge.dependent, edge.type, edge.confidence, edge.hard
        )
        reason = _soft_reason(plan_edge, edge.ordered, threshold)
        if reason:
            soft.append(replace(plan_edge, reason=reason))
            continue
        edges.append(plan_edge)
        preds[after].append(before)
        succs[before].append(after)
    # On indexes, which sort in natural id order: cycles come out as validate prints them.
    cycles = [
        [in_scope[node].id for node in cycle]
        for cycle in find_cycles(range(len(in_scope)), dict(enumerate(preds)))
    ]
    return Network(
        tasks=tuple(in_scope),
        statuses=tuple(states[t.id].status for t in in_scope),
        estimates=tuple(
            task_estimate(t, config.default_hours, config.single_point_spread) for t in in_scope
        ),
        preds=tuple(tuple(sorted(p)) for p in preds),
        succs=tuple(tuple(sorted(s)) for s in succs),
        edges=tuple(sorted(edges, key=lambda e: (index[e.prerequisite], index[e.dependent]))),
        soft=tuple(sorted(soft, key=lambda e: (index[e.prerequisite], index[e.dependent]))),
        cycles=tuple(tuple(c) for c in cycles),
        index=index,
        held=tuple(sorted(held.items(), key=lambda item: id_key(item[0]))),
    )


def _held(repo: Repository, states: Mapping[str, TaskState], in_scope: set[str]) -> dict[str, str]:
    """Tasks in scope that wait on a task that exists nowhere, and every task in scope that
    waits on one of those: task -> why."""
    held: dict[str, str] = {}
    for task_id in sorted(in_scope, key=id_key):
        state = states[task_id]
        absent = [
            (other, why)
            for other, why in zip(state.waiting_on, state.why, strict=True)
            if other not in repo.tasks
        ]
        if absent:
            held[task_id] = "; ".join(why for _, why in absent)
    dependents: dict[str, list[str]] = {}
    for edge in repo.graph.edges:
        if edge.hard and edge.ordered and edge.dependent in in_scope:
            dependents.setdefault(edge.prerequisite, []).append(edge.dependent)
    queue = list(held)
    while queue:
        current = queue.pop()
        for after in dependents.get(current, ()):
            if after not in held:
                held[after] = f"waits on {current}, which is held"
                queue.append(after)
    return held


def _soft_reason(edge: PlanEdge, ordered: bool, threshold: float) -> str:
    if not ordered:
        return f"{edge.type} does not order the two tasks"
    if not edge.hard:
        return "not hard"
    if edge.confidence < threshold:
        return f"confidence {edge.confidence:g} below {threshold:g}"
    return ""
