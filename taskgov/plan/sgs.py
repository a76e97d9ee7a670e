"""Schedule generation schemes (serial and parallel) over a resource profile.

A resource profile is a step function: sorted breakpoint ``times`` and the ``free`` capacity
from each breakpoint to the next. Small projects keep one profile for all resources (one search
per activity); large ones keep one per resource and merge adjacent steps with equal free
capacity, so a long saturated stretch is one step that the earliest-start search jumps over
instead of walking every activity inside it (linear, not quadratic, on 10,000 activities).
Times and amounts are floats compared with ``EPS``; a breakpoint within ``EPS`` of an existing
one reuses it, so sums of fractional durations leave no slivers behind.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

EPS = 1e-9
INF = float("inf")


@dataclass(frozen=True)
class Network:
    """A project prepared for scheduling: plain lists, indexed by activity."""

    durations: tuple[float, ...]
    preds: tuple[tuple[int, ...], ...]
    succs: tuple[tuple[int, ...], ...]
    demands: tuple[tuple[tuple[int, float], ...], ...]  # (resource, amount > 0) per activity
    capacities: tuple[float, ...]
    topo: tuple[int, ...]  # a topological order
    rank: tuple[int, ...]  # position of each activity in ``topo``

    def reversed(self) -> Network:
        """The same project with every precedence turned around (for backward passes)."""
        topo = self.topo[::-1]
        rank = [0] * len(topo)
        for position, activity in enumerate(topo):
            rank[activity] = position
        return Network(
            self.durations,
            self.succs,
            self.preds,
            self.demands,
            self.capacities,
            topo,
            tuple(rank),
        )


def _earliest(times: list[float], free: list[float], t: float, d: float, q: float) -> float:
    """Earliest start >= t of a window of length d with at least q free on one resource."""
    k = bisect_right(times, t + EPS) - 1
    if times[k] > t:  # noqa: PLR1730 (hot loop: max() costs 25%)
        t = times[k]
    need = q - EPS
    while True:
        while free[k] < need:
            k += 1
            t = times[k]
        end = t + d - EPS
        j = k + 1
        while times[j] < end:
            if free[j] < need:
                break
            j += 1
        else:
            return t
        k = j


def _take(times: list[float], free: list[float], t: float, f: float, q: float) -> None:
    """Use q of the resource over [t, f), splitting steps at t and f and merging equal ones."""
    k = bisect_right(times, t + EPS) - 1
    if times[k] < t - EPS:
        k += 1
        times.insert(k, t)
        free.insert(k, free[k - 1])
    m = bisect_right(times, f + EPS, k) - 1
    if times[m] < f - EPS:
        m += 1
        times.insert(m, f)
        free.insert(m, free[m - 1])
    for j in range(k, m):
        free[j] -= q
    gap = free[m] - free[m - 1]
    if -EPS <= gap <= EPS:
        del times[m], free[m]
    if k:
        gap = free[k] - free[k - 1]
        if -EPS <= gap <= EPS:
            del times[k], free[k]


JOINT_LIMIT = 200  # up to this many activities one joint profile is faster (measured on j30)


def serial(net: Network, order: Sequence[int]) -> tuple[list[float], float]:
    """Serial SGS: each activity of a precedence-feasible ``order`` starts at its earliest
    precedence- and resource-feasible time. Returns start times and the makespan.

    Small projects use one profile for all resources (one search per activity); large ones
    one merged profile per resource, which skips saturated stretches. Both give the same
    schedule."""
    if len(net.durations) <= JOINT_LIMIT:
        return _serial_joint(net, order)
    return _serial_split(net, order)


def _serial_split(net: Network, order: Sequence[int]) -> tuple[list[float], float]:
    durations, preds, demands = net.durations, net.preds, net.demands
    times = [[0.0, INF] for _ in net.capacities]
    free = [[c, c] for c in net.capacities]
    starts = [0.0] * len(durations)
    finish = [0.0] * len(durations)
    makespan = 0.0
    for j in order:
        t = 0.0
        for p in preds[j]:
            if finish[p] > t:  # noqa: PLR1730 (hot loop: max() costs 25%)
                t = finish[p]
        d = durations[j]
        req = demands[j]
        if d > 0.0 and req:
            if len(req) == 1:
                r, q = req[0]
                t = _earliest(times[r], free[r], t, d, q)
            else:
                settled = 0
                index = 0
                while settled < len(req):
                    r, q = req[index]
                    moved = _earliest(times[r], free[r], t, d, q)
                    if moved > t:
                        t = moved
                        settled = 1
                    else:
                        settled += 1
                    index = (index + 1) % len(req)
            f = t + d
            for r, q in req:
                _take(times[r], free[r], t, f, q)
        else:
            f = t + d
        starts[j] = t
        finish[j] = f
        if f > makespan:  # noqa: PLR1730
            makespan = f
    return starts, makespan


def _serial_joint(net: Network, order: Sequence[int]) -> tuple[list[float], float]:
    durations, preds, demands = net.durations, net.preds, net.demands
    times = [0.0, INF]
    free = [list(net.capacities), list(net.capacities)]  # per step: free amount per resource
    starts = [0.0] * len(durations)
    finish = [0.0] * len(durations)
    makespan = 0.0
    for j in order:
        t = 0.0
        for p in preds[j]:
            if finish[p] > t:  # noqa: PLR1730 (hot loop: max() costs 25%)
                t = finish[p]
        d = durations[j]
        req = demands[j]
        if d <= 0.0 or not req:
            f = t + d
        else:
            k = bisect_right(times, t + EPS) - 1
            if times[k] > t:  # noqa: PLR1730 (hot loop: max() costs 25%)
                t = times[k]
            while True:  # from step k on, find a window of length d where req fits
                step = free[k]
                for r, q in req:
                    if step[r] < q - EPS:
                        break
                else:
                    end = t + d - EPS
                    i = k + 1
                    blocked = False
                    while times[i] < end:
                        step = free[i]
                        for r, q in req:
                            if step[r] < q - EPS:
                                blocked = True
                                break
                        if blocked:
                            break
                        i += 1
                    if not blocked:
                        break
                    k = i
                k += 1
                t = times[k]
            f = t + d
            if times[k] < t - EPS:
                k += 1
                times.insert(k, t)
                free.insert(k, free[k - 1][:])
            m = bisect_right(times, f + EPS, k) - 1
            if times[m] < f - EPS:
                m += 1
                times.insert(m, f)
                free.insert(m, free[m - 1][:])
            for i in range(k, m):
                step = free[i]
                for r, q in req:
                    step[r] -= q
        starts[j] = t
        finish[j] = f
        if f > makespan:  # noqa: PLR1730
            makespan = f
    return starts, makespan


def parallel(net: Network, key: Sequence[tuple[float, ...]]) -> tuple[list[float], float]:
    """Parallel SGS: at each decision time, start the eligible activities that fit, most
    urgent (smallest ``key``) first. Produces non-delay schedules."""
    import heapq

    durations, preds, succs, demands = net.durations, net.preds, net.succs, net.demands
    n = len(durations)
    left = [len(p) for p in preds]
    used = [0.0] * len(net.capacities)
    caps = net.capacities
    starts = [0.0] * n
    eligible = [(key[j], j) for j in range(n) if not left[j]]
    heapq.heapify(eligible)
    running: list[tuple[float, int]] = []
    now = 0.0
    makespan = 0.0
    while eligible or running:
        waiting = []
        while eligible:
            rank, j = heapq.heappop(eligible)
            if any(used[r] + q > caps[r] + EPS for r, q in demands[j]):
                waiting.append((rank, j))
                continue
            starts[j] = now
            f = now + durations[j]
            if f > makespan:  # noqa: PLR1730
                makespan = f
            for r, q in demands[j]:
                used[r] += q
            heapq.heappush(running, (f, j))
        for item in waiting:
            heapq.heappush(eligible, item)
        # Every activity is either running or waits for one that is: nothing fits now.
        # Finishes within EPS of each other free their resources together; the clock moves to
        # the last of them, so that no successor starts before its predecessor ends.
        limit = max(now, running[0][0]) + EPS
        while running and running[0][0] <= limit:
            finish, j = heapq.heappop(running)
            now = max(now, finish)
            for r, q in demands[j]:
                used[r] -= q
            for s in succs[j]:
                left[s] -= 1
                if not left[s]:
                    heapq.heappush(eligible, (key[s], s))
    return starts, makespan
