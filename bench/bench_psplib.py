"""The RCPSP scheduler on PSPLIB j30 beside a single-pass priority rule, and ``taskgov import
psplib`` + ``taskgov plan`` end to end.

Usage::

    python bench/bench_psplib.py [--limit N] [--cli N] [--large N] [--write-doc]

For every j30 instance (all 240 in name order, or the first ``--limit``), in this process:

* **baseline**: one serial SGS pass with the latest-finish-time rule (no sampling, no
  improvement), the classic single-pass heuristic;
* **taskgov**: ``rcpsp.solve`` with its defaults (seed 0, default effort).

Both schedules are re-verified with ``rcpsp.check`` (the run stops on any violation). Reported:
mean, median and max deviation from the proven optimum (``optimum.csv``), the share solved to
optimality, median and max solve time per instance.

``--cli N`` (default 10; 0 skips) takes N instances spread evenly over the set and times, as
subprocesses of the ``taskgov`` next to this Python, ``taskgov import psplib FILE --out DIR``
and ``taskgov -C DIR plan --json`` (interpreter start, imports, spec loading, planning), and
checks the plan's makespan against the optimum. ``--large N`` (default 10,000; 0 skips) solves
one generated project of N activities and 3N precedences (one pool of 8 people every activity
needs, two scarcer resources) in this process. ``--write-doc`` writes the ``bench_psplib``
section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench_load import CpuMeter, describe_others, environment, source_state
from docsection import write_section

from taskgov.interop.psplib import read_sm, to_project
from taskgov.plan import search, sgs
from taskgov.plan.rcpsp import (
    Project,
    check,
    latest_finish,
    prepare,
    priority_rules,
    solve,
)

ABOUT = """\
In one process, on the 240 PSPLIB j30 instances (30 activities, 4 renewable resources): every
schedule re-verified with `rcpsp.check`; deviation = (makespan - proven optimum) / optimum. Solve
times are per instance, without reading the file. The default effort is 120,000 activity
placements' worth of schedules (3,750 for 32 jobs), deterministic: the same numbers on any machine,
only the times differ."""
HERE = Path(__file__).resolve().parent
# The shared corpus beside the project, or where TASKGOV_CORPUS points (as for the tests).
CORPUS = os.environ.get("TASKGOV_CORPUS", "").strip() or HERE.parent.parent / "shared" / "corpus"
J30 = Path(CORPUS).resolve() / "psplib" / "j30"


def baseline(project: Project) -> tuple[list[float], float]:
    """One serial SGS pass, latest finish time first."""
    net = prepare(project)
    latest, _ = latest_finish(net)
    order = search.priority_list(net, [(latest[j], j) for j in range(len(latest))])
    return sgs.serial(net, order)


def single_passes(project: Project, deviation: dict[str, list[float]], best: int) -> None:
    """Every priority rule once with each scheme, as it is and after justification."""
    net = prepare(project)
    back = net.reversed()
    latest, _ = latest_finish(net)
    for rule, values in priority_rules(net, latest).items():
        key = [(values[j], float(j)) for j in range(len(values))]
        for scheme in ("serial", "parallel"):
            if scheme == "serial":
                starts, makespan = sgs.serial(net, search.priority_list(net, key))
            else:
                starts, makespan = sgs.parallel(net, key)
            _, improved, _ = search.justify(net, back, starts, makespan, 1000)
            for label, value in ((scheme, makespan), (f"{scheme} + FBI", improved)):
                deviation.setdefault(f"{label}, {rule}", []).append((value - best) / best * 100)


def generated(n: int, seed: int = 1) -> Project:
    rng = random.Random(seed)
    successors: list[set[int]] = [set() for _ in range(n)]
    count = 0
    while count < 3 * n:
        a = rng.randrange(n - 1)
        b = rng.randint(a + 1, min(n - 1, a + 200))
        if b not in successors[a]:
            successors[a].add(b)
            count += 1
    return Project(
        durations=tuple(rng.choice([0.5, 1, 2, 2.5, 4, 8, 16]) for _ in range(n)),
        successors=tuple(tuple(sorted(s)) for s in successors),
        demands=tuple(
            (1.0, float(rng.random() < 0.1), float(rng.random() < 0.05)) for _ in range(n)
        ),
        capacities=(8.0, 2.0, 1.0),
        resource_names=("people", "gpu", "staging"),
    )


def summary(name: str, deviations: list[float], seconds: list[float]) -> str:
    optimal = sum(d < 1e-9 for d in deviations)
    return (
        f"| {name} | {len(deviations)} | {statistics.mean(deviations):.2f}% | "
        f"{statistics.median(deviations):.2f}% | {max(deviations):.2f}% | "
        f"{optimal} ({optimal / len(deviations):.0%}) | {statistics.median(seconds) * 1000:.1f} | "
        f"{max(seconds) * 1000:.1f} |"
    )


def run_cli(taskgov: str, names: list[str], optimum: dict[str, int]) -> list[str]:
    rows = [
        "| instance | optimum | plan makespan | import (s) | plan --json (s) | total (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    totals: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-psplib-") as scratch:
        for name in names:
            out = Path(scratch) / name.removesuffix(".sm")
            started = time.perf_counter()
            subprocess.run(
                [taskgov, "import", "psplib", str(J30 / name), "--out", str(out)],
                check=True,
                capture_output=True,
            )
            imported = time.perf_counter()
            done = subprocess.run(
                [taskgov, "-C", str(out), "plan", "--json"],
                check=True,
                capture_output=True,
                text=True,
            )
            planned = time.perf_counter()
            makespan = json.loads(done.stdout)["makespan"]
            if makespan < optimum[name]:
                raise SystemExit(f"{name}: plan makespan {makespan} beats the proven optimum")
            rows.append(
                f"| {name} | {optimum[name]} | {makespan:g} | {imported - started:.2f} | "
                f"{planned - imported:.2f} | {planned - started:.2f} |"
            )
            totals.append(planned - started)
    rows.append(
        f"\n- import + plan: median {statistics.median(totals):.2f} s, max {max(totals):.2f} s "
        "per instance (target: at most 2 s)"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, metavar="N")
    parser.add_argument("--cli", type=int, default=10, metavar="N")
    parser.add_argument("--large", type=int, default=10_000, metavar="N")
    parser.add_argument("--taskgov", default=str(Path(sys.executable).parent / "taskgov"))
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    started = datetime.now(timezone.utc)
    meter = CpuMeter()
    if not (J30 / "optimum.csv").is_file():
        print(f"PSPLIB j30 not found at {J30} (set TASKGOV_CORPUS)", file=sys.stderr)
        return 2
    with (J30 / "optimum.csv").open(encoding="utf-8") as handle:
        optimum = {row["problem"]: int(row["optimum"]) for row in csv.DictReader(handle)}
    names = sorted(optimum)[: args.limit]
    results: dict[str, tuple[list[float], list[float]]] = {"base": ([], []), "taskgov": ([], [])}
    schedules = []
    rules: dict[str, list[float]] = {}
    for number, name in enumerate(names, 1):
        project = to_project(read_sm(J30 / name))
        single_passes(project, rules, optimum[name])
        for label in results:
            clock = time.perf_counter()
            if label == "base":
                starts, makespan = baseline(project)
            else:
                result = solve(project)
                starts, makespan = list(result.starts), result.makespan
                schedules.append(result.schedules)
            elapsed = time.perf_counter() - clock
            problems = check(project, starts)
            if problems or makespan < optimum[name]:
                raise SystemExit(f"{name} ({label}): {problems or 'beats the proven optimum'}")
            results[label][0].append((makespan - optimum[name]) / optimum[name] * 100)
            results[label][1].append(elapsed)
        if number % 20 == 0:
            print(f"{number}/{len(names)} instances", file=sys.stderr, flush=True)
    table = [
        "| scheduler | instances | mean dev. | median dev. | max dev. | optimal | "
        "median solve (ms) | max solve (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        summary("single pass: serial SGS, LFT rule", *results["base"]),
        summary("taskgov `rcpsp.solve` (defaults, seed 0)", *results["taskgov"]),
    ]
    lines = [
        *table,
        "",
        f"- Schedules per instance (taskgov): median {statistics.median(schedules):.0f}, "
        f"max {max(schedules)} (a run stops early when it meets the lower bound)",
        "",
        "One pass per priority rule (mean deviation; FBI = forward-backward improvement until it "
        "stops paying). `solve` starts with the parallel passes in this order, then the serial "
        "ones:",
        "",
        "| rule | serial | serial + FBI | parallel | parallel + FBI |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {rule} | "
            + " | ".join(
                f"{statistics.mean(rules[f'{scheme}, {rule}']):.2f}%"
                for scheme in ("serial", "serial + FBI", "parallel", "parallel + FBI")
            )
            + " |"
            for rule in ("LFT", "MTS", "LST", "GRPW")
        ),
    ]
    if args.large:
        project = generated(args.large)
        clock = time.perf_counter()
        result = solve(project)
        elapsed = time.perf_counter() - clock
        feasible = "feasible" if not check(project, result.starts) else "INFEASIBLE"
        lines += [
            "",
            f"- Generated project, {args.large:,} activities, {3 * args.large:,} precedences, "
            f"people 8 / gpu 2 / staging 1: solved in {elapsed:.2f} s, {result.schedules} "
            f"schedules, makespan {result.makespan:g} h, "
            f"{result.makespan / result.lower_bound - 1:.2%} above the lower bound, "
            f"{feasible} (`rcpsp.check`)",
        ]
    if args.cli:
        step = max(1, len(names) // args.cli)
        lines += [
            "",
            "End to end, each a fresh process:",
            "",
            *run_cli(args.taskgov, names[::step][: args.cli], optimum),
        ]
    text = "\n".join(lines)
    print(text)
    if args.write_doc:
        command = "python bench/bench_psplib.py" + "".join(
            f" {a}" for a in (argv if argv is not None else sys.argv[1:])
        )
        info = environment(
            sys.executable,
            source_state(sys.executable),
            "cached, as in a normal install",
            started,
            describe_others(meter.others()),
        )
        body = f"Command: `{command}`\n\n" + "\n".join(info) + "\n\n" + ABOUT + "\n\n" + text
        write_section("bench_psplib", "Resource-constrained scheduling: PSPLIB j30", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
