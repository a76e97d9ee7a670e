"""Time the taskgov CLI as a user runs it, on generated repositories of 1,000 and 10,000 specs.

Usage::

    python bench/bench_load.py [--taskgov PATH] [--sizes 1000,10000] [--out bench/out]
                               [--seed S] [--cold-runs N] [--warm-runs N] [--keep-env]
                               [--write-doc]

For each size, ``bench/gen_specs.py`` builds (or reuses) ``OUT/specs-SIZE``, then each command
(``taskgov -C REPO validate|list|ready --json``) runs in a subprocess:

* cold: the parse cache (``REPO/.git/taskgov/``) is deleted before every run, so every spec is
  read, parsed and validated; 5 runs for 1,000 specs, 3 for 10,000 (``--cold-runs``);
* warm: one untimed run fills the cache, then 7 timed runs (``--warm-runs``).

A baseline times ``python -c "import taskgov.cli"`` with the interpreter next to ``taskgov``.
Wall-clock medians and minimums are in seconds; the speed-up is cold median / warm median, and
peak RSS is the largest resident set of any run of that command (from ``wait4``).
``validate`` must exit 0 or 1, ``list`` and ``ready`` 0; any other exit code stops the benchmark
and prints the command's stderr. When one cold run takes longer than ``--slow-seconds`` (300),
the remaining repetitions of that command are cut to 1 cold and 3 warm, and the table says so.

The children run with Python's bytecode cache on (``PYTHONPYCACHEPREFIX=OUT/pycache``), as in
a normal installation, even where ``PYTHONDONTWRITEBYTECODE`` is set; ``--keep-env`` runs them
in the environment as is. They start in OUT, so that ``python -c`` cannot pick up a taskgov
package from the current directory instead of the installed one.

The Markdown table goes to stdout (progress to stderr). ``--write-doc`` also replaces the text
between ``<!-- bench_load:start -->`` and ``<!-- bench_load:end -->`` in docs/performance.md
with the table, the command line, the date, the Python version, the CPU count and the taskgov
revision measured.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from docsection import DOC, write_section

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
OK_EXITS = {"validate": (0, 1), "list": (0,), "ready": (0,)}
REDUCED_COLD, REDUCED_WARM = 1, 3


class BenchFailure(Exception):
    """A command exited with an unexpected code: the numbers would mean nothing."""


@dataclass(frozen=True)
class Run:
    seconds: float
    exit_code: int
    max_rss_kb: int | None
    stdout: bytes
    stderr: bytes


@dataclass
class Result:
    """Timings of one command (or the import baseline) on one repository."""

    label: str
    size: int | None
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    max_rss_kb: int = 0
    note: str = ""

    def add(self, run: Run, cold: bool) -> None:
        (self.cold if cold else self.warm).append(run.seconds)
        self.max_rss_kb = max(self.max_rss_kb, run.max_rss_kb or 0)


@dataclass
class ChildSettings:
    """Environment and working directory of every measured process."""

    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: str | None = None

    def use_bytecode_cache(self, directory: Path) -> None:
        """Cache bytecode as a normal installation does, outside the source tree
        (``PYTHONDONTWRITEBYTECODE`` would make every run compile taskgov's modules again)."""
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PYTHONPYCACHEPREFIX"] = str(directory)


CHILD = ChildSettings()


def run_once(argv: Sequence[str], cwd: Path | None = None) -> Run:
    """Run ``argv`` to completion (in ``cwd``, default the bench's working directory);
    wall-clock time and peak RSS of the child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=CHILD.env,
            cwd=cwd or CHILD.cwd,
        )
        rss: int | None = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            rss = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
        else:  # pragma: no cover - Windows
            process.wait()
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Run(seconds, process.returncode, rss, out.read(), err.read())


def checked(run: Run, argv: list[str], allowed: tuple[int, ...]) -> Run:
    if run.exit_code not in allowed:
        sys.stderr.write(run.stderr.decode(errors="replace"))
        raise BenchFailure(
            f"{shlex.join(argv)} exited {run.exit_code} (expected {' or '.join(map(str, allowed))})"
        )
    return run


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def generate(repo: Path, size: int, seed: int, edges: float) -> None:
    argv = [
        sys.executable,
        str(BENCH_DIR / "gen_specs.py"),
        str(repo),
        "--count",
        str(size),
        "--seed",
        str(seed),
        "--edges-per-task",
        f"{edges:g}",
        "--reuse",
    ]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise BenchFailure(f"{shlex.join(argv)} exited {result.returncode}")
    progress(result.stdout.strip())


def clear_cache(repo: Path) -> None:
    shutil.rmtree(repo / ".git" / "taskgov", ignore_errors=True)


def bench_command(
    taskgov: str,
    repo: Path,
    size: int,
    command: str,
    cold_runs: int,
    warm_runs: int,
    slow_seconds: float,
) -> tuple[Result, Run]:
    """Cold then warm timings of one command; also returns the first run (for its output)."""
    argv = [taskgov, "-C", str(repo), command, "--json"]
    result = Result(command, size)
    first: Run | None = None
    planned = cold_runs
    index = 0
    while index < planned:
        clear_cache(repo)
        run = checked(run_once(argv), argv, OK_EXITS[command])
        first = first or run
        result.add(run, cold=True)
        progress(f"  {command} {size} cold {index + 1}/{planned}: {run.seconds:.2f} s")
        if run.seconds > slow_seconds and (planned > REDUCED_COLD or warm_runs > REDUCED_WARM):
            planned, warm_runs = min(planned, REDUCED_COLD), min(warm_runs, REDUCED_WARM)
            result.note = (
                f"a cold run took over {slow_seconds:g} s: reduced to "
                f"{max(planned, index + 1)} cold / {warm_runs} warm runs"
            )
        index += 1
    checked(run_once(argv), argv, OK_EXITS[command])  # untimed: fills the cache
    for index in range(warm_runs):
        run = checked(run_once(argv), argv, OK_EXITS[command])
        result.add(run, cold=False)
        progress(f"  {command} {size} warm {index + 1}/{warm_runs}: {run.seconds:.2f} s")
    assert first is not None
    return result, first


def bench_import(python: str, runs: int) -> Result:
    argv = [python, "-c", "import taskgov.cli"]
    checked(run_once(argv), argv, (0,))  # untimed: warms the OS file cache
    result = Result('python -c "import taskgov.cli"', None)
    for _ in range(runs):
        result.add(checked(run_once(argv), argv, (0,)), cold=False)
    progress(f"  import baseline: median {statistics.median(result.warm):.3f} s")
    return result


def validate_summary(run: Run) -> str:
    report = json.loads(run.stdout)
    text = f"{report['files']} files, {report['errors']} errors, {report['warnings']} warnings"
    if report["problems"]:
        shown = [
            f"{p.get('path')}:{p.get('line')} {p.get('rule')} {p.get('message')}"
            for p in report["problems"][:5]
        ]
        progress("  validate reported:\n    " + "\n    ".join(shown))
    return text


def seconds(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def table(results: list[Result]) -> str:
    lines = [
        "| command | specs | runs cold / warm | cold median (s) | cold min (s) "
        "| warm median (s) | warm min (s) | speed-up | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.size is None:  # the import baseline: no cache, no cold/warm distinction
            lines.append(
                f"| `{r.label}` | – | – / {len(r.warm)} | – | – "
                f"| {seconds(statistics.median(r.warm))} | {seconds(min(r.warm))} | – "
                f"| {r.max_rss_kb / 1024:.0f} |"
            )
            continue
        cold, warm = statistics.median(r.cold), statistics.median(r.warm)
        label = f"`taskgov {r.label} --json`" + (" ¹" if r.note else "")
        lines.append(
            f"| {label} | {r.size:,} | {len(r.cold)} / {len(r.warm)} | {seconds(cold)} "
            f"| {seconds(min(r.cold))} | {seconds(warm)} | {seconds(min(r.warm))} "
            f"| {cold / warm:.1f}× | {r.max_rss_kb / 1024:.0f} |"
        )
    notes = [f"¹ {r.label}, {r.size:,} specs: {r.note}." for r in results if r.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def interpreter_for(taskgov: str) -> str:
    """The Python that runs ``taskgov``: its neighbour, else this interpreter."""
    neighbour = Path(taskgov).parent / "python"
    return str(neighbour) if neighbour.exists() else sys.executable


def source_state(python: str) -> str:
    """Which taskgov was measured: version, git revision and whether its tree was modified."""
    probe = (
        "import pathlib, taskgov; print(taskgov.__version__); "
        "print(pathlib.Path(taskgov.__file__).parent)"
    )
    out = subprocess.run(
        [python, "-c", probe], capture_output=True, text=True, check=True, cwd=CHILD.cwd
    ).stdout
    version, package = out.split("\n")[:2]
    digest = hashlib.sha1()
    for path in sorted(Path(package).rglob("*.py")):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    git = ["git", "-C", package]
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", "."], capture_output=True, text=True, check=False
    ).stdout.strip()
    where = f"commit {head}" + (" with uncommitted changes" if dirty else "") if head else package
    return f"taskgov {version} ({where}; sources sha1 {digest.hexdigest()[:12]})"


class CpuMeter:
    """CPU time that processes other than this benchmark used while it ran.

    Busy time of the whole machine (``/proc/stat``) minus the CPU time of this process and of
    every process it started. On a shared machine this is the number that says whether the
    timings can be trusted; ``None`` where ``/proc/stat`` does not exist.
    """

    def __init__(self) -> None:
        self.start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        except OSError:
            return None
        ticks = [int(value) for value in fields[:8]]
        busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait
        own = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            own += usage.ru_utime + usage.ru_stime
        return busy, own, time.monotonic()

    def others(self) -> tuple[float, float] | None:
        """(CPU seconds used by other processes, wall seconds elapsed) since creation."""
        end = self._sample()
        if self.start is None or end is None:
            return None
        busy, own, wall = (after - before for after, before in zip(end, self.start, strict=True))
        return max(0.0, busy - own), wall


def describe_others(measured: tuple[float, float] | None) -> str:
    if measured is None:
        return "CPU use of other processes not measured (no /proc/stat)"
    cpu, wall = measured
    cores = cpu / wall if wall > 0 else 0.0
    text = f"other processes used {cores:.2f} cores on average during the run"
    return text + (" (warning: the machine was busy, timings are inflated)" if cores > 0.1 else "")


def environment(
    python: str, taskgov_state: str, bytecode: str, started: datetime, others: str
) -> list[str]:
    version = subprocess.run(
        [python, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [
        f"- Date: {started.strftime('%Y-%m-%d %H:%M UTC')} (start of the run)",
        f"- `python --version`: {version}; {platform.system()} {platform.release()}",
        f"- CPUs: {os.cpu_count()} ({cpu}); {others}",
        f"- Measured: {taskgov_state}",
        f"- Bytecode: {bytecode}",
    ]


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes: {text!r} is not a list of numbers") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("--sizes: give positive numbers, e.g. 1000,10000")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--taskgov",
        default=str(Path(sys.executable).parent / "taskgov"),
        help="the taskgov executable (default: next to this Python)",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[1000, 10000],
        help="comma-separated spec counts (default 1000,10000)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=BENCH_DIR / "out",
        help="where generated repositories go (default bench/out)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--edges-per-task", type=float, default=2.0, metavar="K")
    parser.add_argument(
        "--cold-runs",
        type=int,
        metavar="N",
        help="cold repetitions (default 5, or 3 from 10,000 specs)",
    )
    parser.add_argument("--warm-runs", type=int, default=7, metavar="N")
    parser.add_argument("--import-runs", type=int, default=7, metavar="N")
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=300.0,
        metavar="S",
        help="a cold run slower than this cuts the repetitions (default 300)",
    )
    parser.add_argument(
        "--keep-env",
        action="store_true",
        help="run the children in this environment as is (default: enable bytecode caching "
        "under OUT/pycache even when PYTHONDONTWRITEBYTECODE is set)",
    )
    parser.add_argument(
        "--write-doc",
        action="store_true",
        help=f"update the bench_load section of {DOC.relative_to(PROJECT)}",
    )
    args = parser.parse_args(argv)
    if min(args.warm_runs, args.import_runs, args.cold_runs or 1) < 1:
        parser.error("repetition counts must be at least 1")
    taskgov = shutil.which(args.taskgov) or args.taskgov
    if not Path(taskgov).is_file():
        parser.error(f"--taskgov: {args.taskgov} not found")
    python = interpreter_for(taskgov)
    out_dir = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    CHILD.cwd = str(out_dir)  # `python -c` must not import a taskgov from the current directory
    if not args.keep_env:
        CHILD.use_bytecode_cache(out_dir / "pycache")
    command_line = shlex.join([Path(sys.executable).as_posix(), *sys.argv])
    state_before = source_state(python)
    started, meter = datetime.now(timezone.utc), CpuMeter()
    progress(f"measuring {state_before}")

    results: list[Result] = [bench_import(python, args.import_runs)]
    summaries: list[str] = []
    try:
        for size in args.sizes:
            repo = out_dir / f"specs-{size}"
            generate(repo, size, args.seed, args.edges_per_task)
            cold_runs = args.cold_runs or (3 if size >= 10_000 else 5)
            for command in ("validate", "list", "ready"):
                result, first = bench_command(
                    taskgov, repo, size, command, cold_runs, args.warm_runs, args.slow_seconds
                )
                results.append(result)
                if command == "validate":
                    summaries.append(f"- `specs-{size}`: validate found {validate_summary(first)}")
    except BenchFailure as failure:
        progress(f"bench_load: FAILED: {failure}")
        return 1

    others = describe_others(meter.others())
    state_after = source_state(python)
    rendered = table(results)
    print(rendered)
    if args.keep_env:
        bytecode = "environment as is" + (
            " (PYTHONDONTWRITEBYTECODE set)" if "PYTHONDONTWRITEBYTECODE" in os.environ else ""
        )
    else:
        bytecode = "cached (PYTHONPYCACHEPREFIX under the output directory), as in a normal install"
    env = environment(python, state_before, bytecode, started, others)
    if "warning" in others:
        progress(f"Warning: {others}")
    if state_after != state_before:
        env.append(f"- Warning: the taskgov sources changed during the run (now {state_after})")
        progress(env[-1][2:])
    if args.write_doc:
        body = "\n".join(
            [
                f"Command: `{command_line}`",
                "",
                *env,
                f"- Repositories: seed {args.seed}, {args.edges_per_task:g} prerequisites per task "
                "on average",
                *summaries,
                "",
                rendered,
            ]
        )
        write_section("bench_load", "Results", body)
        progress(f"updated {DOC.relative_to(PROJECT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
