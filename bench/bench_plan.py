"""``taskgov plan`` on 10,000 tasks and 30,000 dependencies, and its transitive-edge search
beside networkx's ``transitive_reduction``.

Usage::

    python bench/bench_plan.py [--count 10000] [--runs 3] [--write-doc]

Builds (or reuses) ``bench/out/plan-COUNT`` with bench/gen_specs.py, three dependencies per task
(about 30,000 edges), then times the whole command as a user runs it, spec cache warm, ``--runs``
times each:

* ``taskgov plan --all --json``: every task, critical path, 10,000-sample Monte Carlo, waves,
  transitive edges, metrics (no resource limits, so the schedule is the critical path method's);
* ``taskgov plan --all --json --workers 8``: the same plus the RCPSP heuristic for 8 workers;
* ``taskgov plan --all --out DIR``: the same as the first, writing dag.json, waves.json, Plan.md.

Then, in this process, the transitive-edge search (:func:`taskgov.plan.cpm.redundant_edges`)
against ``networkx.transitive_reduction`` on the same 10,000-task graph and on a deep one (a
chain of COUNT tasks, each also depending on three random earlier tasks), networkx with a time
limit of ``--nx-limit`` seconds in a child process. Both must agree on which edges are redundant.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from docsection import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TASKGOV = [sys.executable, "-m", "taskgov"]


def generate(count: int, edges: int = 3, prefix: str = "plan") -> Path:
    """``bench/out/PREFIX-COUNT``: COUNT generated specs, ``edges`` prerequisites each on
    average (reused when already there), spec cache warm."""
    repo = HERE / "out" / f"{prefix}-{count}"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "gen_specs.py"),
            str(repo),
            "--count",
            str(count),
            "--edges-per-task",
            str(edges),
            "--reuse",
            "-q",
        ],
        check=True,
    )
    subprocess.run(
        [*TASKGOV, "-C", str(repo), "validate", "--json"], capture_output=True, check=False
    )
    return repo


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-400:]}")
    return elapsed


def deep_graph(count: int, seed: int = 7) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    edges = {(n - 1, n) for n in range(1, count)}
    for n in range(4, count):
        edges.update((rng.randrange(0, n - 1), n) for _ in range(3))
    return sorted(edges)


def graph_of_repo(repo: Path) -> list[tuple[int, int]]:
    sys.path.insert(0, str(ROOT))
    from taskgov.plan.network import build_network
    from taskgov.repo import load_repo
    from taskgov.state import derive_states

    loaded = load_repo(repo)
    network = build_network(loaded, derive_states(loaded), include_done=True)
    return [(a, b) for a in range(network.size) for b in network.succs[a]]


def ours(count: int, edges: list[tuple[int, int]]) -> tuple[float, set[tuple[int, int]]]:
    sys.path.insert(0, str(ROOT))
    from taskgov.plan.cpm import redundant_edges
    from taskgov.plan.network import Network

    preds: list[list[int]] = [[] for _ in range(count)]
    succs: list[list[int]] = [[] for _ in range(count)]
    for a, b in edges:
        succs[a].append(b)
        preds[b].append(a)
    network = Network((), (), (), tuple(map(tuple, preds)), tuple(map(tuple, succs)), (), ())
    start = time.perf_counter()
    found = redundant_edges(network, network.topological_order())
    return time.perf_counter() - start, {(a, b) for a, b, _ in found}


def _networkx(count: int, edges: list[tuple[int, int]], queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import networkx as nx

    graph = nx.DiGraph(edges)
    graph.add_nodes_from(range(count))
    start = time.perf_counter()
    reduced = nx.transitive_reduction(graph)
    elapsed = time.perf_counter() - start
    queue.put((elapsed, set(edges) - set(reduced.edges)))


def networkx(
    count: int, edges: list[tuple[int, int]], limit: float
) -> tuple[float | None, set[tuple[int, int]] | None]:
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    child = multiprocessing.Process(target=_networkx, args=(count, edges, queue))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.kill()
        child.join()
        return None, None
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nx-limit", type=float, default=300.0)
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args()
    repo = generate(args.count)
    edges = graph_of_repo(repo)
    out_dir = HERE / "out" / f"plan-{args.count}-artifacts"
    commands = {
        "`plan --all --json`": [*TASKGOV, "-C", str(repo), "plan", "--all", "--json"],
        "`plan --all --json --workers 8`": [
            *TASKGOV,
            "-C",
            str(repo),
            "plan",
            "--all",
            "--json",
            "--workers",
            "8",
        ],
        "`plan --all --out DIR`": [
            *TASKGOV,
            "-C",
            str(repo),
            "plan",
            "--all",
            "--out",
            str(out_dir),
        ],
    }
    timed(commands["`plan --all --json`"])  # warm the spec cache
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            samples[name].append(timed(argv))
            print(f"{name}: {samples[name][-1]:.2f} s", file=sys.stderr)
    rows = [
        f"| {name} | {statistics.median(values):.2f} s | {min(values):.2f} s | "
        f"{'yes' if statistics.median(values) < 10 else 'no'} |"
        for name, values in samples.items()
    ]
    reduction_rows = []
    for label, graph in (
        (f"generated repository ({args.count:,} tasks)", edges),
        (
            f"deep graph (chain of {args.count:,} + 3 random earlier prerequisites each)",
            deep_graph(args.count),
        ),
    ):
        mine, found = ours(args.count, graph)
        theirs, expected = networkx(args.count, graph, args.nx_limit)
        if expected is not None and found != expected:
            raise SystemExit(f"{label}: taskgov and networkx disagree on redundant edges")
        shown = f"{theirs:.2f} s" if theirs is not None else f"> {args.nx_limit:.0f} s (stopped)"
        ratio = (
            f"{theirs / mine:,.0f}x" if theirs is not None else f"> {args.nx_limit / mine:,.0f}x"
        )
        reduction_rows.append(
            f"| {label} | {len(graph):,} | {len(found):,} | {mine:.3f} s | {shown} | {ratio} |"
        )
        print(reduction_rows[-1], file=sys.stderr)
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    body = "\n".join(
        [
            f"Command: `python bench/bench_plan.py --count {args.count} --runs {args.runs}"
            f"{' --write-doc' if args.write_doc else ''}` ({machine}; {len(edges):,} dependency "
            "edges in the generated repository; medians of whole processes, spec cache warm).",
            "",
            "| command | median | best | under 10 s |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
            "Redundant (transitive) edges: taskgov's reachability bit sets against networkx "
            "`transitive_reduction` on the same graph, in one run. Where networkx finishes, the "
            "bench checks that both report the same edges; networkx is stopped at the time "
            "limit otherwise.",
            "",
            "| graph | edges | redundant | taskgov | networkx | networkx / taskgov |",
            "| --- | --- | --- | --- | --- | --- |",
            *reduction_rows,
        ]
    )
    print(body)
    if args.write_doc:
        write_section("bench_plan", "`plan` on 10,000 tasks", body)


if __name__ == "__main__":
    main()
