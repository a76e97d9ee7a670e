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
        open_waves: list[tuple[list[int], dict[str, float]]] = []
        for node in sorted(layers[level], key=rank):
            need = {k: v for k, v in demands[node].items() if k in capacities and v > 0}
            for name, amount in need.items():
                if amount > capacities[name] + 1e-9:
                    raise OverCapacity(
                        node,
                        f"needs {amount:g} {name} but the policy provides {capacities[name]:g}",
                    )
            for members, used in open_waves:
                if max_size is not None and len(members) >= max_size:
                    continue
                if all(used.get(k, 0.0) + v <= capacities[k] + 1e-9 for k, v in need.items()):
                    members.append(node)
                    for k, v in need.items():
                        used[k] = used.get(k, 0.0) + v
                    break
            else:
                open_waves.append(([node], dict(need)))
        waves.extend(members for members, _ in open_waves)
    return waves
