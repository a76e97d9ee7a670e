"""Waves: groups of tasks that can run together, in order.

A wave starts as a Kahn layer (every prerequisite sits in an earlier layer), ranked by priority,
slack and id. A layer that holds more tasks than ``max_size``, or asks more of a resource than
its capacity, is split into consecutive waves, so no wave over-books anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence


class OverCapacity(ValueError):
    """A single task needs more of a resource than there is."""

    def __init__(self, node: int, message: str) -> None:
        super().__init__(message)
        self.node = node


def split_waves(
    depth: Sequence[int],
    rank: Callable[[int], int],
    demands: Sequence[Mapping[str, float]],
    capacities: Mapping[str, float],
    max_size: int | None = None,
) -> list[list[int]]:
    """Waves of task indexes. ``demands[i]`` only counts resources named in ``capacities``."""
    layers: dict[int, list[int]] = {}
    for node, d in enumerate(depth):
        layers.setdefault(d, []).append(node)
    waves: list[list[int]] = []
    for level in sorted(layers):
        waves.extend(_first_fit(sorted(layers[level], key=rank), demands, capacities, max_size))
    return waves


def _first_fit(
    nodes: list[int],
    demands: Sequence[Mapping[str, float]],
    capacities: Mapping[str, float],
    max_size: int | None,
) -> list[list[int]]:
    """Each node into the first wave with room for it, opening a new wave when none has.

    Waves only ever fill up, so a wave that turned away a demand turns it away for good: the
    scan for each distinct demand resumes where the last one of the same demand stopped, and a
    full wave is never looked at again. Linear in the nodes for a layer of alike tasks (the
    usual case: no demands, or the same one), where a plain scan was quadratic."""
    members: list[list[int]] = []
    used: list[dict[str, float]] = []
    start: dict[tuple[tuple[str, float], ...], int] = {}
    for node in nodes:
        need = {k: v for k, v in demands[node].items() if k in capacities and v > 0}
        for name, amount in need.items():
            if amount > capacities[name] + 1e-9:
                raise OverCapacity(
                    node,
                    f"needs {amount:g} {name} but the policy provides {capacities[name]:g}",
                )
        key = tuple(sorted(need.items()))
        index = start.get(key, 0)
        while index < len(members):
            full = max_size is not None and len(members[index]) >= max_size
            room = used[index]
            if not full and all(room.get(k, 0.0) + v <= capacities[k] + 1e-9 for k, v in key):
                break
            index += 1
        if index == len(members):
            members.append([])
            used.append({})
        members[index].append(node)
        for k, v in key:
            used[index][k] = used[index].get(k, 0.0) + v
        start[key] = index
    return members
