"""Searching for short RCPSP schedules: priority lists, biased sampling, forward-backward
improvement and a genetic algorithm over activity lists.

Every schedule comes from the serial or parallel SGS in :mod:`taskgov.plan.sgs`; the search
only chooses the order in which activities are offered. Randomness comes from one seeded
``random.Random``, so a run is reproducible.
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from taskgov.plan import sgs
from taskgov.plan.sgs import EPS, Network

POPULATION = 40
MUTATION = 0.05  # swap probability per position (Hartmann's GA); one shift per child on top
PARALLEL_LIMIT = 500  # the parallel SGS rescans waiting activities: 0.14 s a pass at 1,000


def priority_list(net: Network, key: Sequence[tuple[float, ...]]) -> list[int]:
    """The precedence-feasible order that always takes the eligible activity with the
    smallest ``key``."""
    left = [len(p) for p in net.preds]
    heap = [(key[j], j) for j in range(len(left)) if not left[j]]
    heapq.heapify(heap)
    order = []
    while heap:
        _, j = heapq.heappop(heap)
        order.append(j)
        for s in net.succs[j]:
            left[s] -= 1
            if not left[s]:
                heapq.heappush(heap, (key[s], s))
    return order


def sampled_list(
    net: Network, value: Sequence[float], rng: random.Random, scale: float
) -> list[int]:
    """Regret-based biased random sampling: an eligible activity is drawn with weight
    ``regret / scale + 1``, its regret being how much smaller its ``value`` is than that of
    the least urgent eligible activity.

    Up to ``SAMPLING_SCAN`` activities the draw scans the eligible list (the order every
    published result of this planner was made with); above it, where that scan made one
    sample quadratic, the same distribution is drawn in logarithmic time."""
    if len(net.preds) > SAMPLING_SCAN:
        return _sampled_list_indexed(net, value, rng, scale)
    left = [len(p) for p in net.preds]
    succs = net.succs
    eligible = [j for j in range(len(left)) if not left[j]]
    order = []
    draw = rng.random
    while eligible:
        worst = max(value[j] for j in eligible)
        weights = [(worst - value[j]) / scale + 1.0 for j in eligible]
        pick = draw() * sum(weights)
        index = len(eligible) - 1
        for position, weight in enumerate(weights):
            pick -= weight
            if pick < 0.0:
                index = position
                break
        j = eligible[index]
        eligible[index] = eligible[-1]
        eligible.pop()
        order.append(j)
        for s in succs[j]:
            left[s] -= 1
            if not left[s]:
                eligible.append(s)
    return order


SAMPLING_SCAN = 2000


def _sampled_list_indexed(
    net: Network, value: Sequence[float], rng: random.Random, scale: float
) -> list[int]:
    """``sampled_list`` with two Fenwick trees over the activities in order of ``value``
    (count and sum of values of the eligible ones). With ``worst`` the largest eligible
    value, the weights of a prefix add up to ``count * (1 + worst / scale) - sum / scale``,
    which grows with the prefix: the draw descends the trees to the activity it falls on."""
    n = len(net.preds)
    by_value = sorted(range(n), key=lambda j: (value[j], j))
    position = [0] * n
    for rank, j in enumerate(by_value):
        position[j] = rank + 1
    count = [0] * (n + 1)
    total = [0.0] * (n + 1)
    top = 1 << n.bit_length()

    def add(j: int, sign: int) -> None:
        i, amount = position[j], sign * value[j]
        while i <= n:
            count[i] += sign
            total[i] += amount
            i += i & -i

    left = [len(p) for p in net.preds]
    worst: list[tuple[float, int]] = []  # max-heap of eligible values, lazily pruned
    alive = [False] * n
    eligible = 0
    for j in range(n):
        if not left[j]:
            add(j, 1)
            alive[j] = True
            eligible += 1
            heapq.heappush(worst, (-value[j], j))
    order = []
    draw = rng.random
    while eligible:
        while not alive[worst[0][1]]:
            heapq.heappop(worst)
        k1, k2 = 1.0 + -worst[0][0] / scale, 1.0 / scale
        weight = eligible * k1 - _prefix_total(total, n) * k2
        pick = draw() * weight
        i, seen_count, seen_total, step = 0, 0, 0.0, top
        while step:  # the largest prefix whose weight is still <= pick
            nxt = i + step
            if nxt <= n:
                w = (seen_count + count[nxt]) * k1 - (seen_total + total[nxt]) * k2
                if w <= pick:
                    i, seen_count, seen_total = (
                        nxt,
                        seen_count + count[nxt],
                        seen_total + total[nxt],
                    )
            step >>= 1
        rank = min(i, n - 1)
        while not alive[by_value[rank]]:  # rounding at the very end: the last eligible one
            rank -= 1
        j = by_value[rank]
        alive[j] = False
        eligible -= 1
        add(j, -1)
        order.append(j)
        for s in net.succs[j]:
            left[s] -= 1
            if not left[s]:
                add(s, 1)
                alive[s] = True
                eligible += 1
                heapq.heappush(worst, (-value[s], s))
    return order


def _prefix_total(tree: list[float], n: int) -> float:
    i, result = n, 0.0
    while i > 0:
        result += tree[i]
        i -= i & -i
    return result


def justify(
    net: Network, back: Network, starts: list[float], makespan: float, passes: int
) -> tuple[list[float], float, int]:
    """Forward-backward improvement (double justification): shift every activity as late as
    possible in order of decreasing finish, then as early as possible in order of increasing
    start; repeat while the makespan shrinks and ``passes`` (one per SGS run) remain. Neither
    shift can lengthen the schedule. Returns the best starts, their makespan and the passes
    used."""
    durations, rank = net.durations, net.rank
    used = 0
    everyone = range(len(durations))
    while used + 2 <= passes:
        finish = [s + d for s, d in zip(starts, durations, strict=True)]
        order = sorted(everyone, key=lambda j: (-finish[j], -rank[j]))
        late, _ = sgs.serial(back, order)
        order = sorted(everyone, key=lambda j: (-(late[j] + durations[j]), rank[j]))
        early, length = sgs.serial(net, order)
        used += 2
        if length >= makespan - EPS:
            break
        starts, makespan = early, length
    return starts, makespan, used


def crossover(mother: Sequence[int], father: Sequence[int], rng: random.Random) -> list[int]:
    """Two-point crossover of activity lists: the mother's head, then the father's order for
    the middle, then the mother's order for the rest. Keeps precedence feasibility."""
    n = len(mother)
    first, second = sorted((rng.randint(0, n), rng.randint(0, n)))
    child = list(mother[:first])
    taken = set(child)
    for j in father:
        if len(child) >= second:
            break
        if j not in taken:
            child.append(j)
            taken.add(j)
    child.extend(j for j in mother if j not in taken)
    return child


def mutate(
    order: list[int], net: Network, succs: Sequence[frozenset[int]], rng: random.Random
) -> None:
    """Swap neighbours that are not precedence-related, each with probability MUTATION; then
    move one activity to a random place between its last predecessor and first successor."""
    draw = rng.random
    for i in range(len(order) - 1):
        if draw() < MUTATION and order[i + 1] not in succs[order[i]]:
            order[i], order[i + 1] = order[i + 1], order[i]
    j = order.pop(rng.randrange(len(order)))
    where = {a: k for k, a in enumerate(order)}
    lo = max((where[p] + 1 for p in net.preds[j]), default=0)
    hi = min((where[s] for s in net.succs[j]), default=len(order))
    order.insert(rng.randint(lo, hi), j)


@dataclass
class Individual:
    length: float
    starts: list[float]
    order: list[int]  # activities by start time: the serial SGS rebuilds ``starts`` from it


class Search:
    """Generates and improves schedules until the budget, the bound or the deadline stops it."""

    def __init__(
        self, net: Network, budget: int, bound: float, rng: random.Random, deadline: float | None
    ) -> None:
        self.net, self.back = net, net.reversed()
        self.budget, self.bound, self.rng, self.deadline = budget, bound, rng, deadline
        self.count = 0
        self.best = Individual(float("inf"), [], [])
        self.population: list[Individual] = []

    def done(self) -> bool:
        if not self.count:
            return False  # whatever the limits, there is one schedule to return
        if self.count >= self.budget or self.best.length <= self.bound + EPS:
            return True
        return self.deadline is not None and time.monotonic() > self.deadline

    def add(self, starts: list[float], length: float) -> Individual:
        """Count a generated schedule, improve it, remember it."""
        self.count += 1
        starts, length, used = justify(
            self.net, self.back, starts, length, self.budget - self.count
        )
        self.count += used
        rank = self.net.rank
        order = sorted(range(len(starts)), key=lambda j: (starts[j], rank[j]))
        individual = Individual(length, starts, order)
        if length < self.best.length - EPS:
            self.best = individual
        return individual

    def rules(self, rules: Sequence[list[float]], ties: Sequence[int]) -> None:
        """One parallel and one serial pass per priority rule, most promising first."""
        net = self.net
        n = len(net.durations)
        keys = [[(values[j], ties[j], j) for j in range(n)] for values in rules]
        passes = [("parallel", key) for key in keys] if n <= PARALLEL_LIMIT else []
        for scheme, key in passes + [("serial", key) for key in keys]:
            if self.done():
                return
            if scheme == "serial":
                starts, length = sgs.serial(net, priority_list(net, key))
            else:
                starts, length = sgs.parallel(net, key)
            self.population.append(self.add(starts, length))

    def sample(self, value: Sequence[float], scale: float, size: int) -> None:
        """Fill the population up to ``size`` with biased random samples."""
        while len(self.population) < size and not self.done():
            order = sampled_list(self.net, value, self.rng, scale)
            self.population.append(self.add(*sgs.serial(self.net, order)))

    def evolve(self) -> None:
        """Genetic algorithm: each generation, pairs of binary-tournament winners have two
        children (crossover, mutation, serial SGS, justification); the best distinct
        schedules of parents and children survive."""
        rng, net = self.rng, self.net
        succs = [frozenset(s) for s in net.succs]
        size = len(self.population)

        def pick() -> Individual:
            a, b = rng.choice(self.population), rng.choice(self.population)
            return a if a.length <= b.length else b

        while size >= 2 and not self.done():
            children = []
            for _ in range(size // 2):
                mother, father = pick(), pick()
                for a, b in ((mother, father), (father, mother)):
                    if self.done():
                        break
                    order = crossover(a.order, b.order, rng)
                    mutate(order, net, succs, rng)
                    children.append(self.add(*sgs.serial(net, order)))
            self.population = _fittest(self.population + children, size)


def _fittest(individuals: list[Individual], size: int) -> list[Individual]:
    """The ``size`` shortest schedules, each distinct schedule once (keeps diversity)."""
    seen: set[tuple[float, ...]] = set()
    chosen = []
    for individual in sorted(individuals, key=lambda i: i.length):
        key = tuple(individual.starts)
        if key not in seen:
            seen.add(key)
            chosen.append(individual)
    return chosen[:size] if len(chosen) >= 2 else sorted(individuals, key=lambda i: i.length)[:size]
