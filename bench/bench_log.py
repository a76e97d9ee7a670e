"""``taskgov log rebuild`` beside ``git log --numstat`` on a 20,000-commit history.

Usage::

    python bench/bench_log.py [--commits 20000] [--runs 3] [--write-doc]

Builds ``bench/out/log-COMMITS`` with ``git fast-import`` (deterministic: fixed seed, dates and
identities): each commit edits one to four of 400 files with varied line counts, and the
messages carry Conventional Commit subjects and ``Task:``/``Co-Authored-By:`` trailers like a
real governed repository. Then it alternates, ``--runs`` times each:

* ``git log --numstat`` (the plain history walk, the reference);
* ``taskgov log rebuild`` (walk, parse trailers, derive and write every record).

Medians and the ratio are printed as a Markdown table; ``--write-doc`` writes them into the
``bench_log`` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from docsection import write_result

HERE = Path(__file__).resolve().parent
TYPES = ("feat", "fix", "refactor", "docs", "test", "chore", "perf")


def build(repo: Path, commits: int) -> None:
    if (repo / ".git").is_dir():
        return
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    rng = random.Random(2026)
    contents: dict[int, list[str]] = {}
    out: list[bytes] = []

    def data(text: str) -> None:
        raw = text.encode()
        out.append(b"data %d\n" % len(raw) + raw + b"\n")

    epoch = 1_767_000_000
    for n in range(1, commits + 1):
        kind = rng.choice(TYPES)
        lines = [f"{kind}(area{n % 17}): change number {n}", "", f"Body of change {n}."]
        trailers = []
        if rng.random() < 0.4:
            trailers.append(f"Task: TASK-2026-{rng.randint(1, 300):03d}")
        if rng.random() < 0.5:
            trailers.append("Co-Authored-By: Claude <noreply@anthropic.com>")
        if rng.random() < 0.2:
            trailers.append("Reviewed-by: Stillwater <stillwater@example.com>")
        message = "\n".join(lines + (["", *trailers] if trailers else [])) + "\n"
        out.append(b"commit refs/heads/main\n")
        stamp = f"{epoch + n * 600} +0000"
        out.append(f"author Dev {n % 7} <dev{n % 7}@example.com> {stamp}\n".encode())
        out.append(f"committer Dev {n % 7} <dev{n % 7}@example.com> {stamp}\n".encode())
        data(message)
        for _ in range(rng.randint(1, 4)):
            index = rng.randrange(400)
            body = contents.setdefault(index, [])
            for _ in range(rng.randint(0, 3)):
                if body:
                    body.pop(rng.randrange(len(body)))
            body.extend(f"line {n}-{k}" for k in range(rng.randint(1, 12)))
            out.append(f"M 100644 inline src/module_{index % 20}/file_{index}.py\n".encode())
            data("\n".join(body) + "\n")
        out.append(b"\n")
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(out), check=True
    )
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)
    taskgov = str(Path(sys.executable).with_name("taskgov"))
    subprocess.run([taskgov, "-C", str(repo), "init"], check=True, capture_output=True)


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    repo = args.out / f"log-{args.commits}"
    started = time.perf_counter()
    build(repo, args.commits)
    print(f"history ready in {time.perf_counter() - started:.1f} s: {repo}", file=sys.stderr)
    taskgov = str(Path(sys.executable).with_name("taskgov"))
    commands = {
        "`git log --numstat`": ["git", "-C", str(repo), "log", "--numstat"],
        "`taskgov log rebuild`": [taskgov, "-C", str(repo), "log", "rebuild"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(timed(command))
    reference = statistics.median(samples["`git log --numstat`"])
    rows = [
        "| command | commits | median (s) | min (s) | vs git log |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in samples.items():
        median = statistics.median(values)
        rows.append(
            f"| {name} | {args.commits:,} | {median:.2f} | {min(values):.2f} | "
            f"{median / reference:.2f}× |"
        )
    table = "\n".join(rows)
    print(table)
    if args.write_doc:
        write_result(
            "bench_log",
            "The contribution log",
            f"python bench/bench_log.py --commits {args.commits} --runs {args.runs} --write-doc",
            f"{args.runs} alternating runs",
            table,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
