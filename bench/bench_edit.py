"""``taskgov ready`` after one spec changed, side by side for several taskgov installations.

Usage::

    python bench/bench_edit.py [--taskgov LABEL=PATH ...] [--sizes 1000,10000] [--rounds N]
                               [--out bench/out] [--no-write]

For each size, ``bench/gen_specs.py`` builds (or reuses) ``OUT/specs-SIZE``, and every taskgov
gets its own copy of it (``OUT/edit-LABEL-SIZE``: two versions would otherwise throw away each
other's caches). Caches are filled by untimed runs; then each round, for each taskgov in turn:

* **one spec edited**: the title of a task on the frontier is changed (a new title each round),
  then ``taskgov -C REPO ready --json`` is timed. The edited file is less than two seconds old,
  as right after saving it in an editor;
* **warm**: two and a half seconds later (taskgov, like git, does not trust the stat data of
  files changed in the last two seconds), one untimed run caches the answer, then one is timed;
* **after a commit**: the cached answers (``.git/taskgov/ready.*``) are deleted and the parse
  cache kept, which is what ``ready`` finds after a commit or a checkout; then one timed run.

Every run's output is checked: the same frontier as the first run, with the edited title. The
Markdown report goes to stdout, progress to stderr; unless ``--no-write``, it also replaces the
``bench_edit`` section of docs/performance.md. Every number is the wall-clock time of the whole
process; cells are medians (and minimums) over the rounds.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench_load import (
    CHILD,
    BenchFailure,
    CpuMeter,
    describe_others,
    environment,
    generate,
    interpreter_for,
    parse_sizes,
    progress,
    run_once,
    seconds,
    source_state,
)
from docsection import write_section

BENCH_DIR = Path(__file__).resolve().parent
RACY_SECONDS = 2.5
SCENARIOS = ("edited", "warm", "commit")
LABELS = {
    "edited": "one spec edited",
    "warm": "warm (answer cached)",
    "commit": "after a commit (answers deleted)",
}
TARGET_LARGE, TARGET_SIZE, TARGET_GROWTH, TARGET_SECONDS = 10_000, 1000, 3, 0.4


def ready(taskgov: str, repo: Path) -> tuple[float, dict[str, object]]:
    argv = [taskgov, "-C", str(repo), "ready", "--json"]
    run = run_once(argv)
    if run.exit_code != 0:
        sys.stderr.write(run.stderr.decode(errors="replace"))
        raise BenchFailure(f"{shlex.join(argv)} exited {run.exit_code}")
    return run.seconds, json.loads(run.stdout)


def edit_title(spec: Path, title: str) -> None:
    lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("title:"):
            lines[index] = f"title: {json.dumps(title)}\n"
            break
    else:
        raise BenchFailure(f"{spec}: no title line to edit")
    spec.write_text("".join(lines), encoding="utf-8")


def check(answer: dict[str, object], ids: list[str], task: str, title: str, where: str) -> None:
    rows = answer["ready"]
    assert isinstance(rows, list)
    if [row["id"] for row in rows] != ids:
        raise BenchFailure(f"{where}: the frontier changed although only a title was edited")
    if next(row["title"] for row in rows if row["id"] == task) != title:
        raise BenchFailure(f"{where}: {task} does not show its edited title {title!r}")


def measure(
    installs: dict[str, str], size: int, source: Path, out: Path, rounds: int
) -> dict[tuple[str, str], list[float]]:
    repos = {}
    for label in installs:
        repo = out / f"edit-{label}-{size}"
        shutil.rmtree(repo, ignore_errors=True)
        shutil.copytree(source, repo, symlinks=True)
        shutil.rmtree(repo / ".git" / "taskgov", ignore_errors=True)
        repos[label] = repo
    time.sleep(RACY_SECONDS)
    first: dict[str, object] = {}
    for label, taskgov in installs.items():
        ready(taskgov, repos[label])  # cold: fills the parse cache
        _, first = ready(taskgov, repos[label])  # warm: caches the answer
    rows = first["ready"]
    if not isinstance(rows, list) or not rows:
        raise BenchFailure(f"nothing is ready in {source}: nothing to edit")
    ids = [row["id"] for row in rows]
    task, path = rows[len(rows) // 2]["id"], rows[len(rows) // 2]["path"]
    times: dict[tuple[str, str], list[float]] = {}
    for index in range(rounds):
        order = list(installs.items())
        order = order[index % len(order) :] + order[: index % len(order)]
        title = f"Edited title, round {index + 1}"
        for label, taskgov in order:
            repo = repos[label]
            edit_title(repo / path, title)
            took, answer = ready(taskgov, repo)
            check(answer, ids, task, title, f"{label} at {size}, edited")
            times.setdefault((label, "edited"), []).append(took)
        time.sleep(RACY_SECONDS)
        for label, taskgov in order:
            repo = repos[label]
            ready(taskgov, repo)  # untimed: caches the answer for this snapshot
            took, answer = ready(taskgov, repo)
            check(answer, ids, task, title, f"{label} at {size}, warm")
            times.setdefault((label, "warm"), []).append(took)
            for cached in (repo / ".git" / "taskgov").glob("ready.*"):
                cached.unlink()
            took, answer = ready(taskgov, repo)
            check(answer, ids, task, title, f"{label} at {size}, after a commit")
            times.setdefault((label, "commit"), []).append(took)
        progress(
            f"  {size} round {index + 1}/{rounds}: "
            + ", ".join(f"{k[0]} {k[1]} {v[-1]:.3f}" for k, v in times.items())
        )
    return times


def report(results: dict[tuple[int, str, str], list[float]], labels: list[str]) -> list[str]:
    lines = [
        "| taskgov | scenario | specs | runs | median (s) | min (s) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (size, label, scenario), runs in sorted(
        results.items(),
        key=lambda item: (labels.index(item[0][1]), SCENARIOS.index(item[0][2]), item[0][0]),
    ):
        lines.append(
            f"| {label} | {LABELS[scenario]} | {size:,} | {len(runs)} "
            f"| {seconds(statistics.median(runs))} | {seconds(min(runs))} |"
        )
    lines.append("")
    sizes = sorted({key[0] for key in results})
    for label in labels:
        for scenario in SCENARIOS:
            small = results.get((TARGET_SIZE, label, scenario))
            large = results.get((TARGET_LARGE, label, scenario))
            if not small or not large or TARGET_SIZE not in sizes:
                continue
            grow = statistics.median(large) / statistics.median(small)
            line = (
                f"- {label}, {LABELS[scenario]}: {TARGET_LARGE:,} / {TARGET_SIZE:,} specs "
                f"{grow:.2f}×"
            )
            if scenario == "edited":
                met = grow <= TARGET_GROWTH and statistics.median(large) < TARGET_SECONDS
                line += (
                    f", {statistics.median(large):.3f} s at {TARGET_LARGE:,}; target at most "
                    f"{TARGET_GROWTH}× and under {TARGET_SECONDS} s: "
                    f"**{'met' if met else 'not met'}**"
                )
            lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--taskgov",
        action="append",
        metavar="LABEL=PATH",
        help="a taskgov executable to measure, with its label (repeat to compare)",
    )
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=7, metavar="N")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    installs: dict[str, str] = {}
    for given in args.taskgov or [f"this={BENCH_DIR.parent / '.venv' / 'bin' / 'taskgov'}"]:
        label, _, path = given.rpartition("=")
        if not Path(path).is_file():
            parser.error(f"--taskgov: {path} not found")
        installs[label or path] = path
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    CHILD.cwd = str(out)
    CHILD.use_bytecode_cache(out / "pycache")
    command_line = shlex.join([Path(sys.executable).as_posix(), *sys.argv])
    states = {label: source_state(interpreter_for(path)) for label, path in installs.items()}
    started, meter = datetime.now(timezone.utc), CpuMeter()
    results: dict[tuple[int, str, str], list[float]] = {}
    try:
        for size in args.sizes:
            source = out / f"specs-{size}"
            generate(source, size, args.seed, 2.0)
            for (label, scenario), runs in measure(
                installs, size, source, out, args.rounds
            ).items():
                results[(size, label, scenario)] = runs
    except BenchFailure as failure:
        progress(f"bench_edit: FAILED: {failure}")
        return 1
    first = next(iter(installs.values()))
    env = environment(
        interpreter_for(first),
        "see below",
        "cached (PYTHONPYCACHEPREFIX)",
        started,
        describe_others(meter.others()),
    )
    env = [line for line in env if not line.startswith("- Measured")]
    env += [f"- `{label}`: {state}" for label, state in states.items()]
    body = "\n".join(
        [
            f"Command: `{command_line}`",
            "",
            *env,
            f"- {args.rounds} rounds",
            "",
            *report(results, list(installs)),
        ]
    )
    print(body)
    if not args.no_write:
        write_section("bench_edit", "`ready` after one spec changed", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
