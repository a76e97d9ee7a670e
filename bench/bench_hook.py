"""The commit-msg hook, side by side with gitlint's, on the same typical message.

Usage::

    python bench/bench_hook.py [--runs 40] [--gitlint PATH] [--write-doc]

Builds a small governed repository under ``bench/out/hook-repo`` (taskgov init, one task spec,
hooks installed), writes a typical AI-assisted commit message (subject, body, ``Task:`` and
``Co-Authored-By:`` trailers), then alternates, ``--runs`` times each:

* ``.githooks/commit-msg MSG``: taskgov's whole hook as git runs it (POSIX sh, two ``git config``
  reads, then ``python -m taskgov.hooks commit-msg``);
* ``python -m taskgov.hooks commit-msg MSG``: the Python part alone;
* ``gitlint --staged --msg-filename MSG run-hook``: what gitlint's installed commit-msg hook
  runs (gitlint is installed into ``bench/out/gitlint-venv`` unless ``--gitlint`` is given);
* ``python -c pass``: the interpreter's own start-up, for reference.

Medians and minimums of wall-clock time are printed as a Markdown table; ``--write-doc``
replaces the ``bench_hook`` section of docs/performance.md. Every command must exit 0 (the
message is valid for both tools).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from docsection import write_section

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DOC = PROJECT / "docs" / "performance.md"
START, END = "<!-- bench_hook:start -->", "<!-- bench_hook:end -->"
MESSAGE = """feat(calibration): fit roofline parameters from benchmarks

Fit achieved memory bandwidth and compute throughput from the benchmark
results, with efficiency curves by operation type and problem size.

Task: TASK-2026-006
Co-Authored-By: Claude <noreply@anthropic.com>
"""


def sh(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)


def prepare(out: Path) -> tuple[Path, Path]:
    repo = out / "hook-repo"
    if not (repo / ".git").is_dir():
        repo.mkdir(parents=True, exist_ok=True)
        sh("git", "init", "-q", "-b", "main", str(repo))
        taskgov = str(Path(sys.executable).with_name("taskgov"))
        sh(taskgov, "-C", str(repo), "init")
        sh(taskgov, "-C", str(repo), "new", "Implement roofline fitting", "--id", "TASK-2026-006")
        sh(taskgov, "-C", str(repo), "hooks", "install")
        sh("git", "-C", str(repo), "add", "-A")
        sh(
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=bench",
            "-c",
            "user.email=b@x",
            "commit",
            "-q",
            "--no-verify",
            "-m",
            "chore: adopt taskgov",
        )
    message = out / "COMMIT_EDITMSG"
    message.write_text(MESSAGE, encoding="utf-8")
    return repo, message


def gitlint_path(out: Path, given: str | None) -> str:
    if given:
        return given
    venv = out / "gitlint-venv"
    gitlint = venv / "bin" / "gitlint"
    if not gitlint.exists():
        sh(sys.executable, "-m", "venv", str(venv))
        sh(str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "gitlint-core")
    return str(gitlint)


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr.decode()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--gitlint", help="the gitlint executable (default: installed here)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    repo, message = prepare(args.out)
    gitlint = gitlint_path(args.out, args.gitlint)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("CLAUDECODE", None)
    env.pop("CLAUDE_CODE_ENTRYPOINT", None)
    commands = {
        "taskgov hook (`.githooks/commit-msg`, as git runs it)": [
            str(repo / ".githooks" / "commit-msg"),
            str(message),
        ],
        "taskgov check alone (`python -m taskgov.hooks commit-msg`)": [
            sys.executable,
            "-m",
            "taskgov.hooks",
            "commit-msg",
            str(message),
        ],
        "gitlint hook (`gitlint --staged --msg-filename MSG run-hook`)": [
            gitlint,
            "--staged",
            "--msg-filename",
            str(message),
            "run-hook",
        ],
        "Python start-up (`python -c pass`)": [sys.executable, "-c", "pass"],
    }
    for argv_ in commands.values():  # warm the file cache and write bytecode once
        timed(argv_, repo, env)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv_ in commands.items():
            samples[name].append(timed(argv_, repo, env))
    gitlint_median = statistics.median(samples[next(n for n in commands if "gitlint" in n)])
    rows = ["| command | median (ms) | min (ms) | vs gitlint |", "|---|---:|---:|---:|"]
    for name, values in samples.items():
        median = statistics.median(values)
        rows.append(
            f"| {name} | {median * 1000:.1f} | {min(values) * 1000:.1f} | "
            f"{median / gitlint_median:.2f}× |"
        )
    table = "\n".join(rows)
    print(table)
    if args.write_doc:
        version = subprocess.run(
            [gitlint, "--version"], capture_output=True, text=True, check=False
        ).stdout
        body = "\n".join(
            [
                f"Command: `python bench/bench_hook.py --runs {args.runs} --write-doc`",
                "",
                f"- Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; "
                f"Python {platform.python_version()}; {os.cpu_count()} CPUs; {version.strip()}",
                f"- {args.runs} alternating runs of each command on the same message file",
                "",
                table,
            ]
        )
        write_section("bench_hook", "The commit-msg hook", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
