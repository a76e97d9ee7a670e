"""``taskgov actuals`` and a calibrated ``plan`` on generated histories, beside ``git log``.

Usage::

    python bench/bench_actuals.py [--tasks 400,4000] [--runs 5] [--write-doc]

For each size, ``gen_history.build`` writes a repository of that many tasks worked on by a
person and an agent (about 9.5 commits per task). Then, ``--runs`` times each, as whole
processes (wall-clock):

* ``git log --format=%H%x00%an%x00%aI%x00%B`` of the whole history: what any tool reading the
  messages pays at least;
* ``taskgov actuals --json``: cold (the history cache ``.git/taskgov/history.cache`` deleted
  first: every commit that names a task is read), after one new commit (the cached history is
  extended by it; the task states are derived again, as after any commit), and warm;
* ``taskgov plan --json --no-calibrate`` and ``--calibrate`` (warm), as of the commit after
  which 60% of the tasks were done: what calibration adds to a plan.

Medians are printed as a Markdown table, with each cold run's ratio to ``git log``.
``--write-doc`` writes it into the ``bench_actuals`` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench_plan import timed
from docsection import write_result
from gen_history import build

TASKGOV = str(Path(sys.executable).with_name("taskgov"))


def timed_after(prepare: Callable[[], object], argv: list[str]) -> float:
    """``timed(argv)`` once ``prepare()`` has run (untimed)."""
    prepare()
    return timed(argv)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", default="400,4000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    rows = [
        "| tasks | commits | git log | actuals cold | after a commit | warm | cold / git log | "
        "plan uncalibrated | plan calibrated |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as temporary:
        for size in (int(s) for s in args.tasks.split(",")):
            path = Path(temporary) / f"history-{size}"
            truth = build(path, tasks=size)
            history_cache = path / ".git" / "taskgov" / "history.cache"
            git_log = ["git", "-C", str(path), "log", "--format=%H%x00%an%x00%aI%x00%B"]
            actuals = [TASKGOV, "-C", str(path), "actuals", "--json"]
            plan = [TASKGOV, "-C", str(path), "plan", "--json", "--as-of", truth.as_of]
            timed(actuals)  # the parse cache of the specs, filled once for every row
            runs = range(args.runs)
            git = statistics.median(timed(git_log) for _ in runs)
            cold = statistics.median(
                timed_after(partial(history_cache.unlink, missing_ok=True), actuals) for _ in runs
            )
            timed(actuals)
            commit = ["git", "-C", str(path), "commit", "-q", "--allow-empty", "-m", "chore: x"]
            after = statistics.median(
                timed_after(partial(subprocess.run, commit, check=True), actuals) for _ in runs
            )
            warm = statistics.median(timed(actuals) for _ in runs)
            timed([*plan, "--calibrate"])
            plain = statistics.median(timed([*plan, "--no-calibrate"]) for _ in runs)
            calibrated = statistics.median(timed([*plan, "--calibrate"]) for _ in runs)
            shutil.rmtree(path)
            rows.append(
                f"| {size:,} | {truth.commits:,} | {git:.3f} s | {cold:.3f} s | {after:.3f} s | "
                f"{warm:.3f} s | "
                f"{cold / git:.1f}× | {plain:.3f} s | {calibrated:.3f} s |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    table = "\n".join(rows)
    print(table)
    if args.write_doc:
        write_result(
            "bench_actuals",
            "Actuals and calibrated plans",
            f"python bench/bench_actuals.py --tasks {args.tasks} --runs {args.runs} --write-doc",
            "medians of wall-clock seconds of whole processes",
            table,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
