"""The commit-msg check on huge messages, side by side with ``git interpret-trailers --parse``.

Usage::

    python bench/bench_message.py [--sizes 1000,10000,100000,400000] [--runs 5] [--write-doc]

Builds a repository with ``taskgov init`` and one task in a temporary directory, then, for each
message shape and size (lines), times ``--runs`` times each:

* taskgov: ``check_message`` (what the commit-msg hook runs once the policy is loaded: trailer
  parsing, attribution, references, approvals);
* git: ``git interpret-trailers --parse`` on the same message (a whole process).

Both are CPU seconds (this process's, and the git child's), so other work on the machine does
not inflate them. Medians are printed as a Markdown table with the growth from the smallest
size; linear growth is about the ratio of the sizes. ``--write-doc`` writes the table into the
``bench_message`` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from docsection import write_result

from taskgov.hooks.run import check_message
from taskgov.policy.load import load_config

TASK = "TASK-2026-001"


def _body(n: int) -> str:
    return "".join(f"line {i} of the body, in prose\n" for i in range(n))


# Each shape: the message of about n lines.
SHAPES: dict[str, Callable[[int], str]] = {
    "prose, then trailers": lambda n: f"Fix it\n\n{_body(n)}\nTask: {TASK}\n",
    "one huge line": lambda n: "Fix it\n\n" + "x" * (30 * n) + f"\n\nTask: {TASK}\n",
    "trailer lines": lambda n: (
        "Fix it\n\n" + "".join(f"Co-Authored-By: Person {i} <p{i}@example.com>\n" for i in range(n))
    ),
    "continuation lines": lambda n: "Fix it\n\nRefs: x\n" + " more\n" * n + f"Task: {TASK}\n",
    "Task: lines": lambda n: "Fix it\n\n" + f"Task: {TASK}\n" * n,
    "blank lines": lambda n: "Fix it\n" + "\n" * n + f"Task: {TASK}\n",
    "--- section": lambda n: f"Fix it\n\nTask: {TASK}\n---\n{_body(n)}",
    "scissors line": lambda n: (
        f"Fix it\n\nTask: {TASK}\n"
        "# ------------------------ >8 ------------------------\n" + _body(n)
    ),
}


def repository(root: Path) -> Path:
    repo = root / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    taskgov = [sys.executable, "-m", "taskgov", "-C", str(repo)]
    subprocess.run([*taskgov, "init"], check=True, capture_output=True)
    subprocess.run([*taskgov, "new", "Implement it", "--id", TASK], check=True, capture_output=True)
    return repo


def git_cpu(message: bytes) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        ["git", "interpret-trailers", "--parse"], input=message, capture_output=True, check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def taskgov_cpu(message: str, config: object) -> float:
    started = time.process_time()
    violations = check_message(message, config, files=(), environ={})  # type: ignore[arg-type]
    elapsed = time.process_time() - started
    if violations:
        raise SystemExit(f"unexpected violations: {violations[0].render()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,400000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = [
        "| message shape | lines | taskgov check | per line | git interpret-trailers | "
        f"growth from {sizes[0]:,} (taskgov / git) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as temporary:
        config = load_config(repository(Path(temporary)))
        for shape, build in SHAPES.items():
            first: tuple[float, float] | None = None
            for size in sizes:
                message = build(size)
                ours = statistics.median(taskgov_cpu(message, config) for _ in range(args.runs))
                data = message.encode()
                theirs = statistics.median(git_cpu(data) for _ in range(args.runs))
                first = first or (max(ours, 1e-6), max(theirs, 1e-6))
                rows.append(
                    f"| {shape} | {size:,} | {ours * 1000:.1f} ms | {ours / size * 1e6:.2f} µs | "
                    f"{theirs * 1000:.1f} ms | "
                    f"{ours / first[0]:.0f}× / {theirs / first[1]:.0f}× |"
                )
                print(rows[-1], file=sys.stderr, flush=True)
    table = "\n".join(rows)
    print(table)
    if args.write_doc:
        write_result(
            "bench_message",
            "The commit-msg check on huge messages",
            f"python bench/bench_message.py --sizes {args.sizes} --runs {args.runs} --write-doc",
            "medians of CPU seconds (git's include its process start)",
            table,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
