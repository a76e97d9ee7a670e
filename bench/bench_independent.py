"""``plan --workers 3`` and ``stats`` on repositories of independent tasks: the shape that made
wave splitting and the sampled schedule quadratic.

Usage::

    python bench/bench_independent.py [--sizes 10000,40000] [--runs 3] [--write-doc]

Builds (or reuses) ``bench/out/indep-N`` with bench/gen_specs.py and no dependencies between
the tasks, warms the spec cache, then times whole processes, ``--runs`` times each:

* ``taskgov plan --workers 3 --json``: waves of at most three tasks, and the resource-constrained
  schedule for three workers;
* ``taskgov stats --workers 3 --json``: the same schedule, for the duration with 3 workers.

Medians are printed as a Markdown table with the growth from the smallest size (near-linear:
about the ratio of the sizes); the target is ``plan`` under 10 s at 10,000 tasks.
``--write-doc`` writes the table into the ``bench_independent`` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from bench_plan import TASKGOV, generate, timed
from docsection import write_result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,40000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    medians: dict[tuple[str, int], float] = {}
    for size in sizes:
        repo = generate(size, edges=0, prefix="indep")
        for name in ("plan", "stats"):
            command = [*TASKGOV, "-C", str(repo), name, "--workers", "3", "--json"]
            values = [timed(command) for _ in range(args.runs)]
            medians[(name, size)] = statistics.median(values)
            print(f"{name} at {size:,}: {medians[(name, size)]:.2f} s", file=sys.stderr)
    rows = ["| command | tasks | median | growth from " + f"{sizes[0]:,} |", "|---|---:|---:|---:|"]
    for name in ("plan", "stats"):
        for size in sizes:
            growth = medians[(name, size)] / medians[(name, sizes[0])]
            rows.append(
                f"| `{name} --workers 3 --json` | {size:,} | {medians[(name, size)]:.2f} s | "
                f"{growth:.2f}× (size {size / sizes[0]:g}×) |"
            )
    table = "\n".join(rows)
    print(table)
    if args.write_doc:
        write_result(
            "bench_independent",
            "Independent tasks with workers",
            f"python bench/bench_independent.py --sizes {args.sizes} --runs {args.runs}"
            " --write-doc",
            "spec cache warm; medians of whole processes",
            table,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
