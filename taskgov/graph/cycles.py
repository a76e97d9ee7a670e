"""Strongly connected components and one printable cycle per component (no networkx import:
this runs on every ``validate``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

N = TypeVar("N", str, int)  # task ids, or indexes into a list of tasks


def strongly_connected(nodes: Iterable[N], successors: Mapping[N, Sequence[N]]) -> list[list[N]]:
    """Tarjan's algorithm, iterative (deep graphs must not hit the recursion limit)."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    components: list[list[N]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[N, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = successors.get(node, ())
            descended = False
            for i in range(position, len(children)):
                child = children[i]
                if child not in index:
                    work.append((node, i + 1))
                    work.append((child, 0))
                    descended = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if descended:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def find_cycles(nodes: Iterable[N], successors: Mapping[N, Sequence[N]]) -> list[list[N]]:
    """One cycle per cyclic component, as a closed path ``[a, b, ..., a]`` starting at the
    component's smallest id; sorted, so output is deterministic."""
    cycles = []
    for component in strongly_connected(sorted(nodes), successors):
        members = set(component)
        if len(component) == 1:
            only = component[0]
            if only in successors.get(only, ()):
                cycles.append([only, only])
            continue
        cycles.append(_cycle_in(min(members), members, successors))
    return sorted(cycles)


def _cycle_in(start: N, members: set[N], successors: Mapping[N, Sequence[N]]) -> list[N]:
    """A shortest cycle through ``start`` inside one component (breadth-first search)."""
    parents: dict[N, N] = {}
    frontier = [start]
    while frontier:
        following: list[N] = []
        for node in frontier:
            for child in sorted(successors.get(node, ())):
                if child not in members:
                    continue
                if child == start:
                    path: list[N] = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    path.reverse()
                    path.append(start)
                    return path
                if child not in parents:
                    parents[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError("a strongly connected component always holds a cycle")
