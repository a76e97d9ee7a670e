"""Wave splitting: first fit, the same waves as a plain scan, in linear time for alike tasks."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import pytest

from taskgov.plan.waves import OverCapacity, split_waves


def _plain_first_fit(
    depth: Sequence[int],
    demands: Sequence[Mapping[str, float]],
    capacities: Mapping[str, float],
    max_size: int | None,
) -> list[list[int]]:
    """The obvious algorithm: every node scans every wave of its layer from the first."""
    waves: list[list[int]] = []
    for level in sorted(set(depth)):
        open_waves: list[tuple[list[int], dict[str, float]]] = []
        for node in [n for n, d in enumerate(depth) if d == level]:
            need = {k: v for k, v in demands[node].items() if k in capacities and v > 0}
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
        waves.extend(m for m, _ in open_waves)
    return waves


@pytest.mark.parametrize("seed", range(40))
def test_the_same_waves_as_a_plain_first_fit(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.randint(1, 120)
    depth = [rng.randint(0, 3) for _ in range(count)]
    capacities = {"gpu": float(rng.randint(1, 4)), "db": 1.0}
    demands = [
        {
            name: float(rng.choice((0, 1, 1, 2)))
            for name in rng.sample(["gpu", "db", "other"], rng.randint(0, 3))
        }
        for _ in range(count)
    ]
    for demand in demands:
        for name in ("gpu", "db"):
            demand[name] = min(demand.get(name, 0.0), capacities[name])
    max_size = rng.choice((None, 1, 2, 3, 7))
    got = split_waves(depth, lambda n: n, demands, capacities, max_size)
    assert got == _plain_first_fit(depth, demands, capacities, max_size)


def test_a_task_over_capacity_is_named() -> None:
    with pytest.raises(OverCapacity) as caught:
        split_waves([0, 0], lambda n: n, [{}, {"gpu": 3.0}], {"gpu": 2.0})
    assert caught.value.node == 1


def test_many_alike_tasks_in_waves_of_three() -> None:
    """40,000 independent tasks (a plain scan makes ~270 million wave checks here; the bench
    bench/bench_plan.py --independent measures the time)."""
    count = 40_000
    waves = split_waves([0] * count, lambda n: n, [{"gpu": 1.0}] * count, {"gpu": 4.0}, 3)
    assert len(waves) == -(-count // 3)
    assert all(len(w) == 3 for w in waves[:-1])


def _net(count: int, edges: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    from taskgov.plan.sgs import Network

    preds: list[list[int]] = [[] for _ in range(count)]
    succs: list[list[int]] = [[] for _ in range(count)]
    for a, b in edges:
        preds[b].append(a)
        succs[a].append(b)
    topo = tuple(range(count))
    return Network(
        tuple(1.0 for _ in range(count)),
        tuple(tuple(p) for p in preds),
        tuple(tuple(s) for s in succs),
        tuple(() for _ in range(count)),
        (),
        topo,
        topo,
    )


@pytest.mark.parametrize("seed", range(10))
def test_the_indexed_sampler_gives_precedence_feasible_orders(seed: int) -> None:
    from taskgov.plan.search import _sampled_list_indexed

    rng = random.Random(seed)
    count = rng.randint(1, 300)
    edges = [
        (a, b) for a in range(count) for b in range(a + 1, min(count, a + 6)) if rng.random() < 0.3
    ]
    value = [rng.uniform(-50, 50) for _ in range(count)]
    order = _sampled_list_indexed(_net(count, edges), value, random.Random(seed), 3.0)
    assert sorted(order) == list(range(count))
    placed = {j: i for i, j in enumerate(order)}
    assert all(placed[a] < placed[b] for a, b in edges)


def test_the_indexed_sampler_draws_with_the_regret_weights() -> None:
    """The first pick among five independent activities: weight (worst - value) / scale + 1,
    the same distribution the scanning sampler draws from."""
    from taskgov.plan.search import _sampled_list_indexed

    value = [0.0, 1.0, 2.0, 3.0, 10.0]
    weights = [11, 10, 9, 8, 1]
    rng = random.Random(7)
    draws = 20_000
    first = [0] * 5
    for _ in range(draws):
        first[_sampled_list_indexed(_net(5, []), value, rng, 1.0)[0]] += 1
    for got, weight in zip(first, weights, strict=True):
        assert abs(got / draws - weight / sum(weights)) < 0.012
