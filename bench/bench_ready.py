"""``taskgov ready`` side by side with Backlog.md's ready view, on the same task graph.

Usage::

    python bench/bench_ready.py [--sizes 1000,10000] [--repeat N] [--no-write]
                                [--taskgov PATH] [--backlog-version V] [--out bench/out]

For each size, ``bench/gen_specs.py`` builds (or reuses) ``OUT/specs-SIZE`` and
``bench/gen_backlog.py`` turns it into the same backlog as a Backlog.md project,
``OUT/backlog-SIZE`` (same ids, titles, statuses, dependencies, priorities, milestones). Backlog.md
is installed from npm into ``OUT/node`` at a pinned version (``--backlog-version``).

Before timing, the benchmark checks that both tools see the same backlog: Backlog.md must list
every generated task, and its ready view must name exactly the tasks ``taskgov ready`` names, in
the plain and the JSON output. Any difference, or any command exiting non-zero, stops it.

Then, warm (one untimed run of every command first), it alternates ``--repeat`` times (default 7,
or 5 from 10,000 tasks), rotating the order each round:

* ``taskgov -C REPO ready`` and ``taskgov -C REPO ready --json``;
* ``backlog task list --ready --status "To Do" --plain`` and ``--json``, in the project, both as
  npm installs it (the ``backlog`` command: a Node.js launcher that starts the compiled binary)
  and by running the compiled binary directly.

Every number is the wall-clock time of the whole process. When Backlog.md's untimed run takes
longer than ``--cap-seconds`` (60) at a size, its timed runs at that size are skipped and the
table says so. The Markdown report goes to stdout, progress to stderr; unless ``--no-write``, it
also replaces the ``bench_ready`` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bench_load import (
    CHILD,
    BenchFailure,
    CpuMeter,
    Run,
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
from docsection import DOC, write_section
from gen_specs import MARKER

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
BACKLOG_VERSION = "1.52.0"
RACY_SECONDS = 2.5
TARGET_SIZE, TARGET_SPEEDUP, TARGET_GROWTH = 1000, 5, 3
READY_ARGS = ("task", "list", "--ready", "--status", "To Do")
TASKGOV_ID = re.compile(r"\bTASK-\d{4}-(\d+)\b")
BACKLOG_ID = re.compile(r"\bTASK-(\d+)\b")


@dataclass(frozen=True)
class Command:
    """One measured command line and where it runs."""

    key: str
    tool: str  # "taskgov" or "backlog"
    output: str  # "plain" or "json"
    label: str
    argv: tuple[str, ...]
    cwd: Path
    forget_answers: bool = False  # empty taskgov's answer cache before every run


@dataclass
class Timing:
    command: Command
    size: int
    runs: list[float] = field(default_factory=list)
    max_rss_kb: int = 0
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def forget_answers(repo: Path) -> int:
    """Delete taskgov's cached whole answers (``.git/taskgov/*.answer``) and keep its parse
    cache: the state after any edit to a spec or any commit. Returns how many were deleted."""
    answers = list((repo / ".git" / "taskgov").glob("*.answer"))
    for path in answers:
        path.unlink()
    return len(answers)


def run_ok(command: Command) -> Run:
    if command.forget_answers:
        forget_answers(command.cwd)
    run = run_once(command.argv, command.cwd)
    if run.exit_code != 0:
        sys.stderr.write(run.stderr.decode(errors="replace"))
        raise BenchFailure(f"{shlex.join(command.argv)} (in {command.cwd}) exited {run.exit_code}")
    return run


# -- Backlog.md ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    """The installed Backlog.md: the npm command and the compiled binary it launches."""

    version: str
    command: Path
    binary: Path
    node: str


def install_backlog(node_dir: Path, version: str) -> Backlog:
    """``npm install`` Backlog.md into ``node_dir`` unless that version is already there."""
    package = node_dir / "node_modules" / "backlog.md" / "package.json"
    installed = json.loads(package.read_text())["version"] if package.is_file() else None
    if installed != version:
        npm = shutil.which("npm")
        if npm is None:
            raise BenchFailure("npm not found: Backlog.md is installed from the npm registry")
        progress(f"installing backlog.md@{version} into {node_dir}")
        node_dir.mkdir(parents=True, exist_ok=True)
        argv = [npm, "install", "--prefix", str(node_dir), "--no-audit", "--no-fund"]
        result = subprocess.run(
            [*argv, f"backlog.md@{version}"], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            raise BenchFailure(f"npm install backlog.md@{version} exited {result.returncode}")
    command = node_dir / "node_modules" / ".bin" / "backlog"
    binaries = [
        path
        for path in sorted((node_dir / "node_modules").glob("backlog.md-*/backlog"))
        if os.access(path, os.X_OK)
    ]
    if not command.exists() or not binaries:
        raise BenchFailure(f"backlog.md@{version} in {node_dir} has no command or no binary")
    for path in (command, binaries[0]):
        reported = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if reported != version:
            raise BenchFailure(f"{path} --version says {reported!r}, expected {version}")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return Backlog(version, command, binaries[0], node.stdout.strip() or "unknown")


def generate_backlog(specs: Path, out: Path, backlog: Backlog) -> None:
    argv = [sys.executable, str(BENCH_DIR / "gen_backlog.py"), str(specs), str(out)]
    argv += ["--backlog", str(backlog.command), "--reuse"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise BenchFailure(f"{shlex.join(argv)} exited {result.returncode}")
    progress(result.stdout.strip())


def settle(repo: Path) -> None:
    """Wait until freshly written specs are over 2 s old: taskgov, like git, does not trust the
    stat data of files changed in the last two seconds and would not cache its answer yet."""
    age = time.time() - (repo / MARKER).stat().st_mtime
    if age < RACY_SECONDS:
        time.sleep(RACY_SECONDS - age)


# -- commands and checks ---------------------------------------------------------------------


def commands_for(taskgov: str, repo: Path, project: Path, backlog: Backlog) -> list[Command]:
    ready = " ".join(READY_ARGS[:-1]) + ' "To Do"'
    plain = (taskgov, "-C", str(repo), "ready")
    result = [
        Command("tg-plain", "taskgov", "plain", "`taskgov ready`", plain, repo),
        Command("tg-json", "taskgov", "json", "`taskgov ready --json`", (*plain, "--json"), repo),
        Command(
            "tg-edit-json",
            "taskgov",
            "json",
            "`taskgov ready --json`, answer cache emptied first",
            (*plain, "--json"),
            repo,
            forget_answers=True,
        ),
    ]
    for via, exe, how in (
        ("npm", backlog.command, "npm's `backlog` command"),
        ("bin", backlog.binary, "the binary directly"),
    ):
        for output, flag in (("plain", "--plain"), ("json", "--json")):
            result.append(
                Command(
                    f"bl-{via}-{output}",
                    "backlog",
                    output,
                    f"`backlog {ready} {flag}` ({how})",
                    (str(exe), *READY_ARGS, flag),
                    project,
                )
            )
    return result


def ready_ids(command: Command, run: Run) -> list[int]:
    """The task numbers a ready command printed, in its order."""
    text = run.stdout.decode()
    if command.output == "json":
        data = json.loads(text)
        if command.tool == "taskgov":
            return [int(task["id"].rsplit("-", 1)[1]) for task in data["ready"]]
        return [int(task["id"].rsplit("-", 1)[1]) for task in data["tasks"]]
    pattern = TASKGOV_ID if command.tool == "taskgov" else BACKLOG_ID
    return [int(match.group(1)) for match in pattern.finditer(text)]


def check_same_backlog(
    size: int, project: Path, backlog: Backlog, first: dict[str, Run], commands: list[Command]
) -> str:
    """Both tools read the whole graph and agree on the frontier; a one-line summary."""
    everything = (str(backlog.binary), "task", "list", "--json")
    listing = run_ok(Command("bl-all", "backlog", "json", "", everything, project))
    tasks = json.loads(listing.stdout)["tasks"]
    if len(tasks) != size:
        raise BenchFailure(
            f"Backlog.md lists {len(tasks)} tasks in {project}, {size} were generated: "
            "it does not read the generated files as intended"
        )
    statuses: dict[str, int] = {}
    for task in tasks:
        statuses[task["status"]] = statuses.get(task["status"], 0) + 1
    frontier = {c.key: ready_ids(c, first[c.key]) for c in commands}
    expected = sorted(frontier["tg-json"])
    if not expected:
        raise BenchFailure(f"taskgov ready found nothing in specs-{size}: nothing to compare")
    for key, ids in frontier.items():
        if sorted(ids) != expected or len(set(ids)) != len(ids):
            missing = sorted(set(expected) - set(ids))[:10]
            extra = sorted(set(ids) - set(expected))[:10]
            raise BenchFailure(
                f"{key} at {size} tasks lists {len(ids)} ready tasks, taskgov ready --json "
                f"{len(expected)} (missing {missing}, extra {extra})"
            )
    mix = ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items()))
    return (
        f"- {size:,} tasks: Backlog.md lists all {len(tasks):,} ({mix}); every measured command "
        f"names the same {len(expected):,} ready tasks"
    )


# -- timing ----------------------------------------------------------------------------------


def warm_up(size: int, commands: list[Command]) -> dict[str, Run]:
    """One untimed run of every command; their outputs are what the checks compare."""
    first: dict[str, Run] = {}
    for command in commands:
        run = run_ok(command)
        first[command.key] = run
        progress(f"  {command.key} {size} warm-up: {run.seconds:.2f} s")
    return first


def measure(
    size: int, commands: list[Command], first: dict[str, Run], repeat: int, cap: float
) -> list[Timing]:
    """``repeat`` interleaved rounds; Backlog.md is skipped if its warm-up took over ``cap`` s."""
    timings = {c.key: Timing(c, size) for c in commands}
    active = list(commands)
    slow = [c for c in commands if c.tool == "backlog" and first[c.key].seconds > cap]
    if slow:
        longest = max(first[c.key].seconds for c in slow)
        for command in (c for c in commands if c.tool == "backlog"):
            timing = timings[command.key]
            timing.note = f"skipped: an untimed run took {longest:.0f} s, over the {cap:g} s cap"
            timing.max_rss_kb = first[command.key].max_rss_kb or 0  # what it needed untimed
        active = [c for c in commands if c.tool != "backlog"]
    for index in range(repeat):
        shift = index % len(active)
        for command in active[shift:] + active[:shift]:
            run = run_ok(command)
            timing = timings[command.key]
            timing.runs.append(run.seconds)
            timing.max_rss_kb = max(timing.max_rss_kb, run.max_rss_kb or 0)
        progress(
            f"  {size} round {index + 1}/{repeat}: "
            + ", ".join(f"{c.key} {timings[c.key].runs[-1]:.2f}" for c in active)
        )
    return list(timings.values())


# -- report ----------------------------------------------------------------------------------


def ratio(numerator: Timing | None, denominator: Timing | None) -> float | None:
    if numerator is None or denominator is None or not numerator.runs or not denominator.runs:
        return None
    return numerator.median / denominator.median


def times(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"


def table(timings: list[Timing]) -> str:
    by_key = {(t.size, t.command.key): t for t in timings}
    lines = [
        "| command | tasks | runs | median (s) | min (s) | × warm taskgov | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        base = by_key.get((t.size, f"tg-{t.command.output}"))
        if not t.runs:
            lines.append(
                f"| {t.command.label} | {t.size:,} | 0 | – | – | – | {t.max_rss_kb / 1024:.0f} |"
            )
            continue
        lines.append(
            f"| {t.command.label} | {t.size:,} | {len(t.runs)} | {seconds(t.median)} "
            f"| {seconds(min(t.runs))} | {times(ratio(t, base))} | {t.max_rss_kb / 1024:.0f} |"
        )
    return "\n".join(lines)


def verdicts(timings: list[Timing], sizes: list[int]) -> list[str]:
    """The ratios, and the two targets of issue 4 where the run measured what they are about:
    Backlog.md at least 5x taskgov's time at 1,000 tasks, taskgov's 10,000-task time at most 3x
    its 1,000-task time."""
    by_key = {(t.size, t.command.key): t for t in timings}
    lines: list[str] = []
    for size in sizes:
        for output in ("plain", "json"):
            tg = by_key.get((size, f"tg-{output}"))
            npm = ratio(by_key.get((size, f"bl-npm-{output}")), tg)
            binary = ratio(by_key.get((size, f"bl-bin-{output}")), tg)
            if binary is None or npm is None:
                continue
            what = "`ready --json` vs `--json`" if output == "json" else "`ready` vs `--plain`"
            line = (
                f"- {size:,} tasks, {what}: Backlog.md takes {times(binary)} taskgov's time "
                f"(binary), {times(npm)} (npm command)"
            )
            if size == TARGET_SIZE:
                met = min(binary, npm) >= TARGET_SPEEDUP
                line += f"; target at least {TARGET_SPEEDUP}×: **{'met' if met else 'not met'}**"
            lines.append(line)
        edited = ratio(by_key.get((size, "bl-bin-json")), by_key.get((size, "tg-edit-json")))
        if edited is not None:
            lines.append(
                f"- {size:,} tasks, after a change (taskgov's answer cache emptied, its parse "
                f"cache warm): Backlog.md `--json` takes {times(edited)} taskgov's time (binary)"
            )
    lines += [f"- {t.command.label}, {t.size:,} tasks: {t.note}" for t in timings if t.note]
    small, large = min(sizes), max(sizes)
    if large == small:
        return lines
    for key in ("tg-plain", "tg-json", "tg-edit-json"):
        grow = ratio(by_key.get((large, key)), by_key.get((small, key)))
        if grow is None:
            continue
        what = {"tg-plain": "", "tg-json": " --json", "tg-edit-json": " --json"}[key]
        after = ", answer cache emptied first" if key == "tg-edit-json" else ""
        line = f"- `taskgov ready{what}`{after}, {large:,} / {small:,} tasks: {times(grow)}"
        if (small, large) == (TARGET_SIZE, 10 * TARGET_SIZE) and key != "tg-edit-json":
            met = grow <= TARGET_GROWTH
            line += f"; target at most {TARGET_GROWTH}×: **{'met' if met else 'not met'}**"
        lines.append(line)
    for output in ("plain", "json"):
        key = f"bl-bin-{output}"
        grow = ratio(by_key.get((large, key)), by_key.get((small, key)))
        if grow is not None:
            flag = "--json" if output == "json" else "--plain"
            lines.append(
                f"- Backlog.md (binary, `{flag}`), {large:,} / {small:,} tasks: {times(grow)}"
            )
    return lines


# -- main ------------------------------------------------------------------------------------


def default_taskgov() -> str:
    for candidate in (PROJECT / ".venv" / "bin" / "taskgov", Path("/tmp/v/bin/taskgov")):
        if candidate.is_file():
            return str(candidate)
    return str(Path(sys.executable).parent / "taskgov")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--taskgov", default=default_taskgov(), help="the taskgov executable")
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 10000])
    parser.add_argument(
        "--repeat", type=int, metavar="N", help="timed rounds (default 7, or 5 from 10,000 tasks)"
    )
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--edges-per-task", type=float, default=2.0, metavar="K")
    parser.add_argument("--backlog-version", default=BACKLOG_VERSION, metavar="V")
    parser.add_argument(
        "--cap-seconds",
        type=float,
        default=60.0,
        metavar="S",
        help="skip Backlog.md at a size where one run takes longer (default 60)",
    )
    parser.add_argument("--no-write", action="store_true", help=f"do not update {DOC.name}")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    taskgov = shutil.which(args.taskgov) or args.taskgov
    if not Path(taskgov).is_file():
        parser.error(f"--taskgov: {args.taskgov} not found")
    python = interpreter_for(taskgov)
    out_dir = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    CHILD.cwd = str(out_dir)
    CHILD.use_bytecode_cache(out_dir / "pycache")
    command_line = shlex.join([Path(sys.executable).as_posix(), *sys.argv])

    try:
        backlog = install_backlog(out_dir / "node", args.backlog_version)
    except BenchFailure as failure:
        progress(f"bench_ready: FAILED: {failure}")
        return 1
    state_before = source_state(python)
    progress(f"measuring {state_before} against backlog.md {backlog.version}")
    started, meter = datetime.now(timezone.utc), CpuMeter()
    timings: list[Timing] = []
    checks: list[str] = []
    try:
        for size in args.sizes:
            repo, project = out_dir / f"specs-{size}", out_dir / f"backlog-{size}"
            generate(repo, size, args.seed, args.edges_per_task)
            generate_backlog(repo, project, backlog)
            settle(repo)
            commands = commands_for(taskgov, repo, project, backlog)
            repeat = args.repeat or (5 if size >= 10_000 else 7)
            first = warm_up(size, commands)
            checks.append(check_same_backlog(size, project, backlog, first, commands))
            timings += measure(size, commands, first, repeat, args.cap_seconds)
    except BenchFailure as failure:
        progress(f"bench_ready: FAILED: {failure}")
        return 1

    others = describe_others(meter.others())
    state_after = source_state(python)
    bytecode = "cached (PYTHONPYCACHEPREFIX under the output directory), as in a normal install"
    env = environment(python, state_before, bytecode, started, others)
    env.append(
        f"- Backlog.md: backlog.md {backlog.version} from npm ({platform.system().lower()} "
        f"binary; the npm command is launched by Node.js {backlog.node})"
    )
    if "warning" in others:
        progress(f"Warning: {others}")
    if state_after != state_before:
        env.append(f"- Warning: the taskgov sources changed during the run (now {state_after})")
        progress(env[-1][2:])
    rounds = f"{args.repeat} interleaved round" + ("" if args.repeat == 1 else "s")
    if args.repeat is None:
        rounds = "7 interleaved rounds (5 from 10,000 tasks)"
    body = "\n".join(
        [
            f"Command: `{command_line}`",
            "",
            *env,
            f"- Warm runs: one untimed run of every command, then {rounds}",
            *checks,
            "",
            table(timings),
            "",
            *verdicts(timings, args.sizes),
        ]
    )
    print(body)
    if not args.no_write:
        write_section("bench_ready", "`ready` against Backlog.md", body)
        progress(f"updated {DOC.relative_to(PROJECT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
