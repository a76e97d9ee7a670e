"""What taskgov's hooks add to a real ``git commit``, on a small and on a large logged history.

Usage::

    python bench/bench_commit.py [--sizes 1000,100000] [--runs 15] [--write-doc]

For each size, builds a history of that many commits (``bench_log.build``: fast-import, fixed
seed), logs every commit (``taskgov log rebuild``), commits the log, and installs the hooks. Then
it alternates, ``--runs`` times each, one file edit and:

* ``git commit`` with taskgov's hooks (pre-commit writes and stages the previous commit's
  record and leaves a server that answers the commit-msg script's policy check,
  post-commit notes the commit in the git directory);
* ``git commit --no-verify`` with ``core.hooksPath`` pointing at an empty directory: git alone.

Medians of wall-clock time and of CPU time (git, every hook it ran, and the server, which the
bench adopts as a subreaper so that its time counts: the figure a busy machine does not
distort) are printed as a Markdown table with the hooks' overhead (the difference). The target
is an overhead independent of the log's size and under 100 ms per commit at 100,000 logged
commits.
``--write-doc`` writes the table into the ``bench_commit`` section of docs/performance.md. Every
commit must succeed and leave ``git status`` empty, or the bench stops.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_log import build
from docsection import write_result

HERE = Path(__file__).resolve().parent
TASKGOV = str(Path(sys.executable).with_name("taskgov"))
# As on a user's machine: bytecode is cached, and no agent variable is set.
ENV = {
    k: v
    for k, v in os.environ.items()
    if k not in ("PYTHONDONTWRITEBYTECODE", "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT")
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def prepare(repo: Path, commits: int) -> None:
    build(repo, commits)
    fresh = bool(git(repo, "status", "--porcelain"))
    if fresh:
        subprocess.run(
            [TASKGOV, "-C", str(repo), "log", "rebuild"], check=True, capture_output=True
        )
    # this version's hook scripts (an earlier version's are upgraded in place)
    subprocess.run([TASKGOV, "-C", str(repo), "hooks", "install"], check=True, capture_output=True)
    if not git(repo, "status", "--porcelain"):
        return
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "chore: adopt taskgov")
    (repo / "empty-hooks").mkdir(exist_ok=True)
    git(repo, "commit", "-q", "--allow-empty", "-m", "chore: warm up the hooks")


def adopt_orphans() -> bool:
    """Become the parent of processes the hooks leave running (the commit-msg server forked
    by the pre-commit hook, Linux only), so that their CPU time is counted too."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(36, 1, 0, 0, 0) == 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap() -> None:
    """Wait for every adopted process (a server exits once it has answered)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_commit(repo: Path, n: int, hooks: bool) -> tuple[float, float]:
    """Wall-clock and CPU seconds (git and every hook it ran) of one commit."""
    (repo / "bench.txt").write_text(f"change {n}\n")
    git(repo, "add", "bench.txt")
    args = ["commit", "-q", "-m", f"docs: bench change {n}"]
    if not hooks:
        args = ["-c", f"core.hooksPath={repo / 'empty-hooks'}", *args, "--no-verify"]
    started, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=ENV)
    reap()
    elapsed, used = time.perf_counter() - started, _children_cpu() - cpu
    status = git(repo, "status", "--porcelain", "--untracked-files=no")
    if status:
        raise SystemExit(f"the commit left the work tree dirty:\n{status}")
    return elapsed, used


def month_file(repo: Path) -> str:
    """Records and size of the file the bench's commits append to (the current month's last
    part): what ``git add`` hashes on each commit."""
    from taskgov.log.store import part_key

    month = time.strftime("%Y-%m", time.gmtime())
    parts = sorted((repo / ".claude/contributions").glob(f"{month}*.jsonl"), key=part_key)
    data = parts[-1].read_bytes() if parts else b""
    lines = data.count(b"\n")
    return f"{lines:,} records, {len(data) / 1e6:.1f} MB"


def hook_cpu(repo: Path, runs: int) -> dict[str, float]:
    """CPU milliseconds of the hooks that can run on their own, as git runs them: post-commit,
    and commit-msg with no pre-commit before it (no server to answer: it starts Python, as
    for ``git merge``)."""
    message = repo / ".git" / "BENCH_MSG"
    message.write_text("docs: a typical change\n\nA body that says why.\n")
    found = {}
    for name, argv in (
        ("commit-msg", [str(repo / ".githooks" / "commit-msg"), str(message)]),
        ("post-commit", [str(repo / ".githooks" / "post-commit")]),
    ):
        used = []
        for _ in range(runs):
            cpu = _children_cpu()
            subprocess.run(argv, cwd=repo, env=ENV, capture_output=True, check=False)
            reap()
            used.append(_children_cpu() - cpu)
        found[name] = statistics.median(used) * 1000
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    if not adopt_orphans():
        print("cannot adopt the hooks' server processes: their CPU is not counted", file=sys.stderr)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = [
        "| logged commits | current month's file | with hooks: wall (ms) | CPU (ms) "
        "| git alone: wall (ms) | CPU (ms) | hooks' overhead: wall (ms) | CPU (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    shares: list[str] = []
    for size in sizes:
        repo = args.out / f"commit-{size}"
        started = time.perf_counter()
        prepare(repo, size)
        print(f"{size:,} commits ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        with_hooks, alone = [], []
        for n in range(args.runs):
            with_hooks.append(one_commit(repo, 2 * n, hooks=True))
            alone.append(one_commit(repo, 2 * n + 1, hooks=False))
        hooked = [statistics.median(v[i] for v in with_hooks) * 1000 for i in (0, 1)]
        plain = [statistics.median(v[i] for v in alone) * 1000 for i in (0, 1)]
        rows.append(
            f"| {size:,} | {month_file(repo)} | {hooked[0]:.0f} | {hooked[1]:.0f} "
            f"| {plain[0]:.0f} | {plain[1]:.0f} "
            f"| {hooked[0] - plain[0]:.0f} | {hooked[1] - plain[1]:.0f} |"
        )
        parts = hook_cpu(repo, args.runs)
        shares.append(
            f"| {size:,} | {hooked[1] - plain[1] - parts['post-commit']:.0f} | "
            f"{parts['post-commit']:.0f} | {parts['commit-msg']:.0f} |"
        )
    table = "\n".join(
        [
            *rows,
            "",
            "CPU of the hooks' parts (ms; the first is the overhead less post-commit):",
            "",
            "| logged commits | pre-commit, its server and the commit-msg script "
            "| post-commit (plain shell) | commit-msg alone, without a server |",
            "|---:|---:|---:|---:|",
            *shares,
        ]
    )
    print(table)
    if args.write_doc:
        write_result(
            "bench_commit",
            "A commit with the hooks, by the size of the log",
            f"python bench/bench_commit.py --sizes {args.sizes} --runs {args.runs} --write-doc",
            f"{args.runs} alternating commits per size; medians",
            table,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
