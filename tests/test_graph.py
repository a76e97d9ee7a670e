"""Cycle search (taskgov.graph.cycles) and dependency merging (taskgov.graph.deps)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence

import networkx as nx
import pytest

from taskgov.graph.cycles import find_cycles, strongly_connected
from taskgov.graph.deps import merge_dependencies
from taskgov.spec.task import Dependency, Task

# --------------------------------------------------------------------------- helpers


def graph(*edges: str) -> tuple[list[str], dict[str, list[str]]]:
    """Nodes and successors from "A>B" edge strings."""
    nodes: set[str] = set()
    successors: dict[str, list[str]] = {}
    for edge in edges:
        a, b = edge.split(">")
        nodes.update((a, b))
        successors.setdefault(a, []).append(b)
    return sorted(nodes), successors


def assert_valid_cycle(cycle: list[str], successors: Mapping[str, Sequence[str]]) -> None:
    assert len(cycle) >= 2
    assert cycle[0] == cycle[-1]
    for a, b in itertools.pairwise(cycle):
        assert b in successors.get(a, ()), f"{a} -> {b} is not an edge"
    inner = cycle[:-1]
    assert len(set(inner)) == len(inner), "a cycle visits each node once"


def components(nodes: list[str], successors: Mapping[str, Sequence[str]]) -> set[frozenset[str]]:
    return {frozenset(c) for c in strongly_connected(nodes, successors)}


# --------------------------------------------------------------------------- simple cases


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ((), []),
        (("A>B", "B>C", "A>C"), []),
        (("A>B", "B>A"), [["A", "B", "A"]]),
        (("B>C", "C>A", "A>B"), [["A", "B", "C", "A"]]),
        (("A>A",), [["A", "A"]]),
        (("A>B", "B>B"), [["B", "B"]]),
        (("C>D", "D>C", "A>B", "B>A"), [["A", "B", "A"], ["C", "D", "C"]]),
        (("X>Y", "Y>Z", "Z>X", "B>A", "A>B", "A>X"), [["A", "B", "A"], ["X", "Y", "Z", "X"]]),
        # One component, several cycles through its smallest node: the shortest is reported.
        (("A>B", "B>C", "C>D", "D>A", "B>A"), [["A", "B", "A"]]),
        (("A>B", "B>C", "C>D", "D>A", "A>D"), [["A", "D", "A"]]),
    ],
)
def test_find_cycles_simple(edges: tuple[str, ...], expected: list[list[str]]) -> None:
    nodes, successors = graph(*edges)
    if not edges:
        nodes = ["A", "B"]
    cycles = find_cycles(nodes, successors)
    assert cycles == expected
    for cycle in cycles:
        assert_valid_cycle(cycle, successors)


def test_find_cycles_independent_of_node_order() -> None:
    nodes, successors = graph("D>C", "C>D", "B>A", "A>B", "E>F")
    first = find_cycles(nodes, successors)
    assert find_cycles(list(reversed(nodes)), successors) == first
    assert first == sorted(first)


def test_cycle_starts_at_smallest_member() -> None:
    nodes, successors = graph("T3>T1", "T1>T2", "T2>T3")
    (cycle,) = find_cycles(nodes, successors)
    assert cycle == ["T1", "T2", "T3", "T1"]


def test_strongly_connected_simple() -> None:
    nodes, successors = graph("A>B", "B>A", "B>C", "C>D", "D>C", "D>E")
    assert components(nodes, successors) == {
        frozenset({"A", "B"}),
        frozenset({"C", "D"}),
        frozenset({"E"}),
    }


def test_strongly_connected_covers_isolated_nodes() -> None:
    assert components(["A", "B", "C"], {}) == {frozenset("A"), frozenset("B"), frozenset("C")}


# --------------------------------------------------------------------------- differential


def random_graph(seed: int) -> tuple[list[str], dict[str, list[str]], nx.DiGraph]:
    rng = random.Random(seed)
    count = rng.randint(1, 40)
    nodes = [f"T{i:02d}" for i in range(count)]
    rng.shuffle(nodes)
    density = rng.choice([0.0, 0.02, 0.05, 0.1, 0.2]) * rng.random() * 2
    successors: dict[str, list[str]] = {}
    reference = nx.DiGraph()
    reference.add_nodes_from(nodes)
    for a in nodes:
        for b in nodes:
            if rng.random() < density:
                successors.setdefault(a, []).append(b)
                reference.add_edge(a, b)
    return nodes, successors, reference


@pytest.mark.parametrize("block", range(4))
def test_against_networkx(block: int) -> None:
    for seed in range(block * 50, block * 50 + 50):
        nodes, successors, reference = random_graph(seed)
        expected = {frozenset(c) for c in nx.strongly_connected_components(reference)}
        found = strongly_connected(nodes, successors)
        assert {frozenset(c) for c in found} == expected, f"seed {seed}"
        assert sum(len(c) for c in found) == len(nodes), f"seed {seed}: a node twice"

        cyclic = [
            c for c in expected if len(c) > 1 or reference.has_edge(next(iter(c)), next(iter(c)))
        ]
        cycles = find_cycles(nodes, successors)
        assert len(cycles) == len(cyclic), f"seed {seed}"
        assert cycles == sorted(cycles)
        for cycle in cycles:
            assert_valid_cycle(cycle, successors)
            component = next(c for c in cyclic if cycle[0] in c)
            assert set(cycle) <= component
            assert cycle[0] == min(component)
        assert {cycle[0] for cycle in cycles} == {min(c) for c in cyclic}


def test_deep_chain_does_not_recurse() -> None:
    nodes = [f"N{i:05d}" for i in range(20_000)]
    successors = {a: [b] for a, b in itertools.pairwise(nodes)}
    assert find_cycles(nodes, successors) == []
    assert len(strongly_connected(nodes, successors)) == 20_000
    assert len(strongly_connected(list(reversed(nodes)), successors)) == 20_000


def test_deep_ring_is_one_cycle() -> None:
    nodes = [f"N{i:05d}" for i in range(20_000)]
    successors = {a: [b] for a, b in itertools.pairwise(nodes)}
    successors[nodes[-1]] = [nodes[0]]
    (cycle,) = find_cycles(nodes, successors)
    assert cycle == [*nodes, nodes[0]]
    assert components(nodes, successors) == {frozenset(nodes)}


# --------------------------------------------------------------------------- merge


def task(task_id: str, *declared: Dependency) -> Task:
    return Task(
        id=task_id,
        title=f"Implement {task_id}",
        status="ready",
        priority="medium",
        path=f"docs/tasks/active/{task_id}.yaml",
        declared=declared,
    )


def blocked_by(dependent: str, prerequisite: str, **kw: object) -> Dependency:
    return Dependency(dependent, prerequisite, "state.blocked_by", dependent, **kw)  # type: ignore[arg-type]


def blocks(prerequisite: str, dependent: str, **kw: object) -> Dependency:
    return Dependency(dependent, prerequisite, "state.blocks", prerequisite, **kw)  # type: ignore[arg-type]


def test_both_sides_merge_into_one_edge() -> None:
    merged = merge_dependencies([task("A", blocked_by("A", "B")), task("B", blocks("B", "A"))])
    assert len(merged.edges) == 1
    (edge,) = merged.edges
    assert (edge.dependent, edge.prerequisite) == ("A", "B")
    assert edge.sources == ("state.blocked_by", "state.blocks")
    assert len(edge.declarations) == 2
    assert {d.declared_in for d in edge.declarations} == {"A", "B"}
    assert merged.dangling == ()
    assert merged.prerequisites() == {"A": (edge,)}
    assert merged.dependents() == {"B": (edge,)}
    assert merged.successors() == {"A": ["B"]}


def test_edges_are_sorted_and_distinct_per_pair() -> None:
    merged = merge_dependencies(
        [
            task("C", blocked_by("C", "A"), blocked_by("C", "B")),
            task("B", blocked_by("B", "A")),
            task("A"),
        ]
    )
    assert [(e.dependent, e.prerequisite) for e in merged.edges] == [
        ("B", "A"),
        ("C", "A"),
        ("C", "B"),
    ]


def test_unknown_ids_are_dangling() -> None:
    missing = blocked_by("A", "ZZZ")
    other_side = blocks("A", "YYY")
    merged = merge_dependencies([task("A", missing, other_side, blocked_by("A", "B")), task("B")])
    assert merged.dangling == (missing, other_side)
    assert [(e.dependent, e.prerequisite) for e in merged.edges] == [("A", "B")]


def test_known_ids_can_come_from_elsewhere() -> None:
    dep = blocked_by("A", "ARCHIVED-1")
    merged = merge_dependencies([task("A", dep)], known={"A", "ARCHIVED-1"})
    assert merged.dangling == ()
    assert [(e.dependent, e.prerequisite) for e in merged.edges] == [("A", "ARCHIVED-1")]
    assert merge_dependencies([task("A", dep)]).dangling == (dep,)


def test_mutual_exclusion_is_not_ordered() -> None:
    exclusive = Dependency("A", "B", "planning.depends_on", "A", type="mutual_exclusion")
    merged = merge_dependencies([task("A", exclusive, blocked_by("A", "C")), task("B"), task("C")])
    by_pair = {(e.dependent, e.prerequisite): e for e in merged.edges}
    assert not by_pair[("A", "B")].ordered
    assert by_pair[("A", "C")].ordered
    assert merged.successors() == {"A": ["C"]}
    assert sorted(merged.successors(ordered_only=False)["A"]) == ["B", "C"]


def test_mutual_exclusion_pair_is_not_a_cycle() -> None:
    merged = merge_dependencies(
        [
            task("A", Dependency("A", "B", "planning.depends_on", "A", type="mutual_exclusion")),
            task("B", Dependency("B", "A", "planning.depends_on", "B", type="mutual_exclusion")),
        ]
    )
    successors = merged.successors()
    assert find_cycles(["A", "B"], successors) == []
    assert find_cycles(["A", "B"], merged.successors(ordered_only=False)) == [["A", "B", "A"]]


def test_planning_type_wins() -> None:
    plain = blocked_by("A", "B")
    planned = Dependency("A", "B", "planning.depends_on", "A", type="data")
    merged = merge_dependencies([task("A", plain), task("B", blocks("B", "A")), task("X")])
    assert merged.edges[0].type == "technical"
    merged = merge_dependencies([task("A", plain, planned), task("B", blocks("B", "A"))])
    (edge,) = merged.edges
    assert edge.type == "data"
    assert edge.sources == ("planning.depends_on", "state.blocked_by", "state.blocks")


def test_first_declaration_type_without_planning() -> None:
    typed = blocked_by("A", "B", type="resource")
    (edge,) = merge_dependencies([task("A", typed), task("B", blocks("B", "A"))]).edges
    assert edge.type == "resource"


SOURCES = ("state.blocked_by", "planning.depends_on")


@pytest.mark.parametrize(
    ("hards", "expected"),
    [
        ((True,), True),
        ((False,), False),
        ((False, False), False),
        ((False, True), True),
        ((True, False), True),
    ],
)
def test_hard_when_any_declaration_is_hard(hards: tuple[bool, ...], expected: bool) -> None:
    declarations = [
        Dependency("A", "B", source, "A", hard=hard)
        for hard, source in zip(hards, SOURCES[: len(hards)], strict=True)
    ]
    (edge,) = merge_dependencies([task("A", *declarations), task("B")]).edges
    assert edge.hard is expected


def test_confidence_is_the_highest() -> None:
    declarations = [
        Dependency("A", "B", "planning.depends_on", "A", confidence=0.4),
        Dependency("A", "B", "references", "A", confidence=0.7),
    ]
    (edge,) = merge_dependencies([task("A", *declarations), task("B")]).edges
    assert edge.confidence == pytest.approx(0.7)
