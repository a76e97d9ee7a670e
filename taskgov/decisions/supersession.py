"""The supersession graph of decision records: who replaces whom, and where that loops.

A record says what it supersedes, the other what it is superseded by; either side alone is
enough to draw the edge (the one-sided case is a finding of its own, TG176). A loop (A
supersedes B, B supersedes A) leaves no record in force, so ``supersede`` refuses to make one
and ``validate`` reports any found in the files (TG179).
"""

from __future__ import annotations

from collections.abc import Iterable

from taskgov.decisions.store import Decision
from taskgov.spec.task import id_key


def supersedes_graph(decisions: Iterable[Decision]) -> dict[str, set[str]]:
    """Record id -> the ids it supersedes (from both sides of every recorded link)."""
    graph: dict[str, set[str]] = {}
    for decision in decisions:
        graph.setdefault(decision.id, set()).update(decision.supersedes)
        for newer in decision.superseded_by:
            graph.setdefault(newer, set()).add(decision.id)
    return graph


def chain(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """The ids from ``start`` to ``goal`` following "supersedes" links, or None."""
    previous: dict[str, str] = {}
    frontier, seen = [start], {start}
    while frontier:
        current = frontier.pop()
        if current == goal:
            path = [goal]
            while path[-1] != start:
                path.append(previous[path[-1]])
            return path[::-1]
        for older in sorted(graph.get(current, ()), key=id_key):
            if older not in seen:
                seen.add(older)
                previous[older] = current
                frontier.append(older)
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each supersession loop once, as ids starting from its smallest (in id order)."""
    found: list[list[str]] = []
    members: set[str] = set()
    for start in sorted(graph, key=id_key):
        if start in members:
            continue
        for older in sorted(graph[start], key=id_key):
            back = [start] if older == start else chain(graph, older, start)
            if back is None:
                continue
            loop = [start] if older == start else [start, *back[:-1]]
            first = min(range(len(loop)), key=lambda i: id_key(loop[i]))
            loop = loop[first:] + loop[:first]
            if not members & set(loop):
                found.append(loop)
                members.update(loop)
            break
    return found
