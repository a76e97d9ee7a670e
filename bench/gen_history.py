"""A repository whose history has a known overrun distribution, for actuals and calibration.

Usage::

    python bench/gen_history.py DIR [--tasks 400] [--seed 7] [--agent-ratio 1.6]

Two workers take the tasks one after another: a person (alice, 1.0x her estimates) and an
agent (Claude, co-authoring Bob's commits, ``--agent-ratio`` x its estimates), each task's
true effort being estimate x ratio x a log-normal factor (sigma 0.25). Every spec has a single
number (``estimated_effort: "6h"``). The work is commits as people make them: the first half an
hour into the task, then one at most every 1.5 hours until the effort is spent, so that commit
sessions (policy ``session_gap: 2h``, ``first_commit: 30m``) recover the effort exactly; the
last commit closes the task (``Closes:``), one task in four says so only in prose. Written
with ``git fast-import``: thousands of commits in a second.

``build`` returns the truth: each task's effort in hours, its worker, and the commit after
which ``--history`` of the tasks (by finish time) were done, for backtests.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

START = 1_767_225_600  # 2026-01-01T00:00:00Z
HOUR = 3600
POLICY = """\
version: 1
estimates:
  actuals:
    session_gap: 2h
    first_commit: 30m
"""
PERSON = ("alice", "Alice Example", "alice@example.com", "")
AGENT = ("Claude", "Bob Example", "bob@example.com", "Claude <noreply@anthropic.com>")


@dataclass
class Truth:
    efforts: dict[str, float]  # task id -> true effort in hours
    workers: dict[str, str]  # task id -> assignee
    estimates: dict[str, float]
    as_of: str  # the commit after which the history part was finished
    held_out: list[str]  # tasks finished after ``as_of``
    commits: int


def spec(task_id: str, title: str, hours: float, assignee: str, kind: str) -> str:
    return (
        f"task_id: {task_id}\n"
        f'title: "{title}"\n'
        "state:\n  status: ready\n"
        f"classification:\n  priority: medium\n  type: {kind}\n  milestone: M1\n"
        f'  estimated_effort: "{hours:g}h"\n'
        f"ownership:\n  assignee: {assignee}\n"
    )


def build(
    path: Path,
    *,
    tasks: int = 400,
    seed: int = 7,
    agent_ratio: float = 1.6,
    person_ratio: float = 1.0,
    history: float = 0.6,
) -> Truth:
    rng = random.Random(seed)
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    ids = [f"TASK-2026-{n:03d}" for n in range(1, tasks + 1)]
    workers = {task_id: (PERSON if n % 2 == 0 else AGENT) for n, task_id in enumerate(ids)}
    estimates = {task_id: float(rng.choice([4, 6, 8, 10, 12, 16])) for task_id in ids}
    efforts: dict[str, float] = {}
    # when, task, who, message, and whether the commit marks the spec completed
    events: list[tuple[float, str, tuple[str, str, str, str], str, bool]] = []
    clock = {PERSON[0]: START + HOUR, AGENT[0]: START + HOUR}
    for n, task_id in enumerate(ids):
        who = workers[task_id]
        ratio = agent_ratio if who is AGENT else person_ratio
        effort = estimates[task_id] * ratio * math.exp(rng.gauss(0.0, 0.25))
        effort = max(effort, 1.0)
        efforts[task_id] = effort
        begin = clock[who[0]]
        stamps = [begin + 0.5 * HOUR]  # the first commit counts the half hour before it
        while stamps[-1] < begin + effort * HOUR - 1:
            stamps.append(min(stamps[-1] + 1.5 * HOUR, begin + effort * HOUR))
        prose = n % 4 == 3
        for k, when in enumerate(stamps):
            last = k == len(stamps) - 1
            if prose:
                subject = (
                    f"Complete {task_id}: part {k + 1}"
                    if last
                    else f"Implements {task_id}: part {k + 1}"
                )
                body = ""
            else:
                subject = f"feat: part {k + 1} of the work"
                body = f"\n\n{'Closes' if last else 'Task'}: {task_id}"
            events.append((when, task_id, who, subject + body, prose and last))
        clock[who[0]] = stamps[-1] + 3 * HOUR  # a pause: the next task is a new session
    events.sort(key=lambda e: e[0])
    finished_at = {}
    for when, task_id, *_ in events:
        finished_at[task_id] = when
    order = sorted(ids, key=lambda i: finished_at[i])
    cut = int(len(order) * history)
    done_before = set(order[:cut])
    boundary = max(finished_at[i] for i in done_before) if done_before else START
    lines: list[bytes] = []

    def data(text: str) -> None:
        raw = text.encode()
        lines.append(f"data {len(raw)}\n".encode() + raw + b"\n")

    lines.append(b"commit refs/heads/main\nmark :1\n")
    lines.append(f"author Alice Example <alice@example.com> {START} +0000\n".encode())
    lines.append(f"committer Alice Example <alice@example.com> {START} +0000\n".encode())
    data("docs(tasks): the plan")
    files = {"docs/governance/policy.yaml": POLICY}
    kinds = ("feature", "bugfix")
    specs = {}
    for n, task_id in enumerate(ids):
        who = workers[task_id]
        specs[task_id] = spec(
            task_id, f"Build part {n + 1}", estimates[task_id], who[0], kinds[n % 3 % 2]
        )
        files[f"docs/tasks/active/{task_id}.yaml"] = specs[task_id]
    files["docs/tasks/completed/.gitkeep"] = ""
    for name, text in files.items():
        lines.append(f"M 100644 inline {name}\n".encode())
        data(text)
    mark = 1
    as_of_mark = 1
    for when, task_id, who, subject, completes in events:
        mark += 1
        _, name, email, co_author = who
        message = subject
        if co_author:
            message += ("\n" if "\n\n" in message else "\n\n") + f"Co-Authored-By: {co_author}"
        lines.append(f"commit refs/heads/main\nmark :{mark}\n".encode())
        lines.append(f"author {name} <{email}> {int(when)} +0000\n".encode())
        lines.append(f"committer {name} <{email}> {int(when)} +0000\n".encode())
        data(message)
        lines.append(f"from :{mark - 1}\n".encode())
        lines.append(f"M 100644 inline src/{task_id}.txt\n".encode())
        data(f"{message}\n{when}\n")
        if completes:  # the prose-only closer marks the spec completed, as people do
            lines.append(f"M 100644 inline docs/tasks/active/{task_id}.yaml\n".encode())
            data(specs[task_id].replace("status: ready", "status: completed"))
        if when <= boundary:
            as_of_mark = mark
    marks = path / ".git" / "marks"
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet", f"--export-marks={marks}"],
        input=b"".join(lines),
        check=True,
    )
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "-f", "main"], check=True)
    found = dict(line.split() for line in marks.read_text().splitlines())
    marks.unlink()
    return Truth(
        efforts=efforts,
        workers={i: workers[i][0] for i in ids},
        estimates=estimates,
        as_of=found[f":{as_of_mark}"],
        held_out=order[cut:],
        commits=mark,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--tasks", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--agent-ratio", type=float, default=1.6)
    args = parser.parse_args()
    truth = build(args.path, tasks=args.tasks, seed=args.seed, agent_ratio=args.agent_ratio)
    print(json.dumps({"commits": truth.commits, "as_of": truth.as_of}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
