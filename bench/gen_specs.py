"""Generate a git repository full of synthetic, valid task specs for benchmarking taskgov.

Usage::

    python bench/gen_specs.py OUT_DIR --count N [--seed S] [--edges-per-task K] [--reuse]

OUT_DIR becomes a git repository (branch ``main``) holding ``docs/tasks/active/TASK-2026-NNNN.yaml``
for ids ``TASK-2026-0001`` .. ``TASK-2026-N`` (zero-padded to at least four digits), committed in
one commit by a fixed identity (10,000 specs take about 5 s). Each spec follows the real template
(``task-spec.yaml``) and weighs about 5 KB (4-6.5 KB), like the hand-written specs it imitates.

Dependencies form a random DAG: a task depends only on lower-numbered tasks, about K of them on
average (mostly recent tasks, sometimes old ones). They are written to ``state.blocked_by`` and
mirrored in the prerequisite's ``state.blocks``, so ``taskgov validate`` finds no problems.
Statuses are a realistic mix (about 30% completed, 10% in progress, the rest ready or draft), and
a task is completed or in progress only when all of its prerequisites are completed.

The output is a pure function of (count, seed, edges per task). An existing non-empty OUT_DIR is
refused unless it holds the marker file ``.taskgov-bench`` written by this script; with
``--reuse``, a directory whose marker records the same parameters is left as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

MARKER = ".taskgov-bench"
GENERATOR_VERSION = 1
ACTIVE_DIR = Path("docs/tasks/active")
YEAR = 2026
GIT_IDENTITY = ("-c", "user.name=bench", "-c", "user.email=bench@example.invalid")
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

VERBS = (
    "Implement", "Add", "Create", "Refactor", "Optimize", "Document", "Benchmark", "Migrate",
    "Validate", "Integrate", "Extend", "Fix", "Design", "Calibrate", "Instrument", "Harden",
    "Simplify", "Support", "Profile", "Replace", "Generate", "Expose", "Consolidate", "Port",
)  # fmt: skip
SUBJECTS = (
    "roofline parameter fitting", "energy coefficient estimation", "latency model",
    "memory bandwidth probe", "GEMM benchmark sweep", "calibration profile loader",
    "hardware mapper registry", "tensor descriptor cache", "subgraph partitioner",
    "power meter backend", "composition check gate", "utilization curve fitter",
    "operator fusion pass", "schedule explorer", "resource model validation",
    "cache hierarchy model", "interconnect bandwidth estimator", "kernel launch tracer",
    "precision sweep harness", "thermal throttling detector", "report generator",
    "configuration schema", "result database exporter", "regression dashboard",
)  # fmt: skip
QUALIFIERS = (
    "for Jetson targets", "for x86 hosts", "with incremental updates", "across batch sizes",
    "for mixed precision", "behind a feature flag", "in the CLI", "for CI runs",
    "with provenance tracking", "for discrete GPUs", "with outlier rejection", "",
)  # fmt: skip
AREAS = (
    "calibration", "benchmarks", "hardware", "analysis", "estimation", "transform", "reporting",
    "ir", "mappers", "validation",
)  # fmt: skip
MODULE_WORDS = (
    "fitter", "schema", "runner", "registry", "profile", "model", "sweep", "probe", "tracer",
    "exporter", "partitioner", "curves", "descriptor", "planner", "harness", "store",
)  # fmt: skip
CLASS_WORDS = (
    "Roofline", "Energy", "Latency", "Bandwidth", "Benchmark", "Calibration", "Hardware", "Tensor",
    "Subgraph", "Power", "Utilization", "Schedule", "Resource", "Precision", "Thermal",
)  # fmt: skip
CLASS_SUFFIXES = (
    "Fitter", "Result", "Profile", "Model", "Descriptor", "Mapper", "Report", "Config",
    "Estimator", "Registry",
)  # fmt: skip
TYPES = (
    "feature", "feature", "feature", "bugfix", "refactor", "documentation", "calibration", "test",
)  # fmt: skip
PRIORITIES = ("critical", "high", "high", "medium", "medium", "medium", "low", "low")
COMPLEXITIES = ("trivial", "low", "medium", "medium", "high", "very_high")
EFFORTS = ("2h", "4h", "6h", "8h", "12h", "1d", "2d", "3d", "1-2d", "2-3d", "3-5d", "1w")
AUTHORS = (
    "claude-opus-4-5", "claude-opus-4-6", "@stillwater", "@mkoenig", "@aperez", "codex-agent-2",
    "@jlindqvist",
)  # fmt: skip
REVIEWERS = ("@stillwater", "@mkoenig", "@aperez", "@jlindqvist")
CONSTRAINTS = (
    "Must not modify public API signatures without approval",
    "Must maintain backward compatibility with existing calibration profiles",
    "Must not add new external dependencies", "Must work on Python 3.10+",
    "Use least squares or a similarly robust fitting method",
    "Handle outliers in benchmark data without manual filtering",
    "Support incremental updates as more measurements are collected",
    "No root privileges required on development hosts",
    "CI runners have no GPU: tests must skip hardware-specific paths cleanly",
    "Keep peak memory below 2 GB on the largest reference model",
    "Results must be reproducible for a fixed random seed",
)  # fmt: skip
MOTIVATION_OPENING = (
    "Theoretical parameters taken from datasheets overestimate achieved performance,",
    "so estimates drift from measurements as soon as the workload leaves the regime",
    "the datasheet describes. Measured values provide:",
)  # fmt: skip
MOTIVATION_POINTS = (
    "- Achieved bandwidth and throughput per device", "- Operation-specific efficiency factors",
    "- Problem-size-dependent scaling behaviour",
    "- A baseline against which regressions can be detected in CI",
    "- Reproducible procedures instead of one-off spreadsheet fits",
    "- Hardware-specific characteristics the datasheets leave out",
)  # fmt: skip
MOTIVATION_CLOSING = (
    "Without this work, downstream estimators keep their 30-50% error and the",
    "bottom-up methodology loses its main advantage over black-box profiling.",
)


@dataclass
class SpecPlan:
    """What the generator decided for one task before rendering it."""

    number: int
    task_id: str
    blocked_by: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    status: str = "ready"


def task_id_for(number: int) -> str:
    """``TASK-2026-0001``: at least four digits, more once the count needs them."""
    return f"TASK-{YEAR}-{number:04d}"


def plan_graph(count: int, edges_per_task: float, rng: random.Random) -> list[SpecPlan]:
    """Ids, a DAG over lower-numbered prerequisites, and statuses consistent with it."""
    plans = [SpecPlan(n, task_id_for(n)) for n in range(1, count + 1)]
    for index, plan in enumerate(plans):
        if index == 0:
            continue
        wanted = min(index, rng.randint(0, max(0, round(2 * edges_per_task))))
        chosen: set[int] = set()
        while len(chosen) < wanted:
            if rng.random() < 0.8:  # mostly recent work, as in a real backlog
                prerequisite = index - 1 - min(index - 1, int(rng.expovariate(1 / 12)))
            else:
                prerequisite = rng.randrange(index)
            chosen.add(prerequisite)
        for prerequisite in sorted(chosen):
            plan.blocked_by.append(plans[prerequisite].task_id)
            plans[prerequisite].blocks.append(plan.task_id)
    assign_statuses(plans, rng)
    return plans


def assign_statuses(plans: list[SpecPlan], rng: random.Random) -> None:
    """About 30% completed, 10% in progress, the rest ready (70%) or draft (30%).

    Work finishes roughly in id order: the oldest 30% of tasks are completed, which keeps the
    completed set closed under prerequisites (every prerequisite has a lower id). A few of them
    that nothing depends on are left as stragglers, still in progress or ready. In-progress
    tasks are drawn from the tasks whose prerequisites are all completed.
    """
    count = len(plans)
    cutoff = round(0.3 * count)
    completed: set[str] = set()
    for plan in plans[:cutoff]:
        if not plan.blocks and rng.random() < 0.15:
            plan.status = rng.choice(("in_progress", "ready"))
        else:
            plan.status = "completed"
            completed.add(plan.task_id)
    startable = [p for p in plans[cutoff:] if all(b in completed for b in p.blocked_by)]
    in_progress = sum(1 for p in plans[:cutoff] if p.status == "in_progress")
    wanted = max(0, min(len(startable), round(0.1 * count) - in_progress))
    started = {p.task_id for p in rng.sample(startable, wanted)}
    for plan in plans[cutoff:]:
        if plan.task_id in started:
            plan.status = "in_progress"
        else:
            plan.status = "ready" if rng.random() < 0.7 else "draft"


def q(text: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


def q_list(items: list[str]) -> str:
    return "[" + ", ".join(q(item) for item in items) + "]"


def block(text_lines: list[str], indent: str = "  ") -> str:
    return "\n".join(indent + line if line else "" for line in text_lines)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_spec(plan: SpecPlan, count: int, rng: random.Random) -> str:
    """The YAML text of one spec, in the layout of the hand-written specs."""
    verb = rng.choice(VERBS)
    subject = rng.choice(SUBJECTS)
    qualifier = rng.choice(QUALIFIERS)
    title = f"{verb} {subject}" + (f" {qualifier}" if qualifier else "")
    area = rng.choice(AREAS)
    stem = subject.split()[0].lower().replace("-", "_")
    module_word = rng.choice(MODULE_WORDS)
    module = f"graphs.{area}.{stem}_{module_word}"
    module_path = f"src/graphs/{area}/{stem}_{module_word}.py"
    main_class = rng.choice(CLASS_WORDS) + rng.choice(CLASS_SUFFIXES)
    created = EPOCH + timedelta(hours=plan.number * 3, minutes=rng.randrange(60))
    updated = created + timedelta(hours=rng.randrange(0, 96))
    milestone = f"M{1 + plan.number * 6 // (count + 1)}"
    author = rng.choice(AUTHORS)
    unassigned = plan.status in ("draft", "ready") and rng.random() < 0.5
    assignee = "unassigned" if unassigned else rng.choice(AUTHORS)

    lines: list[str] = [
        f"# Task: {title}",
        f"task_id: {q(plan.task_id)}",
        f"title: {q(title)}",
        'version: "1.0"',
        f"created_at: {q(stamp(created))}",
        f"updated_at: {q(stamp(updated))}",
        "",
        "ownership:",
        f"  created_by: {q(author)}",
        f"  assignee: {q(assignee)}",
        f"  reviewer: {q(rng.choice(REVIEWERS))}",
        f"  stakeholders: {q_list(rng.sample(REVIEWERS, rng.choice((0, 0, 1, 2))))}",
        "",
        "classification:",
        f"  type: {q(rng.choice(TYPES))}",
        f"  priority: {q(rng.choice(PRIORITIES))}",
        f"  milestone: {q(milestone)}",
        f"  target_version: {q('0.9.0-' + rng.choice(('alpha', 'beta', 'rc')))}",
        f"  estimated_effort: {q(rng.choice(EFFORTS))}",
        f"  complexity: {q(rng.choice(COMPLEXITIES))}",
        "",
        "objective: |",
        block(
            [
                f"{verb} the {subject} in {module_path} so that it:",
                f"- Produces a {main_class} for every supported device",
                f"- Reports achieved versus theoretical figures {qualifier or 'per device'}",
                "- Records provenance (commit, host, driver version) with each result",
                "- Degrades gracefully when measurements are missing or noisy",
                f"- Exposes its results through {module} for the CLI and the reports",
                "",
                f"The {subject} should bring estimation error from the theoretical 30-50%",
                f"down to below {rng.choice((10, 12, 15, 20))}% on the reference workloads.",
            ]
        ),
        "",
        "motivation: |",
        block(
            [
                *MOTIVATION_OPENING,
                *rng.sample(MOTIVATION_POINTS, rng.randint(3, 5)),
                *MOTIVATION_CLOSING,
            ]
        ),
        "",
        "deliverables:",
    ]
    deliverables = [
        (
            module_path,
            "code",
            f"{main_class} and the {subject} entry points",
            "Passes all unit tests, follows code style",
        ),
        (
            f"tests/{area}/test_{stem}_{module_word}.py",
            "test",
            f"Unit tests for the {subject} with synthetic data",
            "Coverage >= 85%",
        ),
        (
            f"docs/designs/{stem}-{module_word}.md",
            "documentation",
            f"Design note: inputs, fitting method and known limitations of the {subject}",
            f"Reviewed by {rng.choice(REVIEWERS)}",
        ),
        (
            f"configs/{area}/{stem}_defaults.yaml",
            "config",
            "Default parameters per device family",
            "Loaded by the CLI without overrides",
        ),
    ]
    for path, kind, description, acceptance in deliverables[: rng.randint(2, 4)]:
        lines += [
            f"  - path: {q(path)}",
            f"    type: {q(kind)}",
            f"    description: {q(description)}",
            f"    acceptance: {q(acceptance)}",
            "",
        ]
    consumed_classes = [rng.choice(CLASS_WORDS) + rng.choice(CLASS_SUFFIXES) for _ in range(3)]
    lines += ["dependencies:"]
    for index, name in enumerate(consumed_classes[: rng.randint(1, 3)]):
        dep_area = rng.choice(AREAS)
        lines += [
            f"  - module: {q(f'graphs.{dep_area}.schema')}",
            f"    classes: {q_list([name])}",
        ]
        if index == 0:
            lines.append('    version_constraint: ">=0.8.0"')
    lines += ['  - module: "numpy"', '    description: "For array math and curve fitting"', ""]
    lines += ["interfaces_provided:"]
    provided = [
        (main_class, f"class {main_class}", f"Implements the {subject}"),
        (
            f"fit_{stem}",
            f"(results: list[BenchmarkResult]) -> {main_class}",
            "Main entry point: fit parameters from benchmark results",
        ),
        (
            f"load_{stem}_profile",
            f"(path: Path) -> {main_class}",
            "Load previously fitted parameters from a calibration profile",
        ),
    ]
    for name, signature, description in provided[: rng.randint(1, 3)]:
        lines += [
            f"  - name: {q(name)}",
            f"    signature: {q(signature)}",
            f"    module: {q(module)}",
            f"    description: {q(description)}",
            "",
        ]
    lines += ["interfaces_consumed:"]
    for name in consumed_classes[: rng.randint(1, 2)]:
        lines += [f"  - name: {q(name)}", f"    module: {q(f'graphs.{rng.choice(AREAS)}.schema')}"]
    lines += ["", "acceptance_criteria:"]
    criteria = [
        (
            f"Fits {subject} parameters from benchmark results",
            f"pytest tests/{area}/test_{stem}_{module_word}.py",
        ),
        (
            "Outputs a CalibrationProfile-compatible format",
            "Fitted parameters round-trip through save/load",
        ),
        (
            "Handles insufficient data gracefully",
            "Returns a partial fit or a clear error with fewer than 3 data points",
        ),
        (
            "Fitting improves over theoretical parameters",
            "Fitted values are closer to measurements on the reference workloads",
        ),
        ("No new type errors", f"mypy src/graphs/{area}/"),
    ]
    for criterion, verification in criteria[: rng.randint(3, 5)]:
        lines += [f"  - criterion: {q(criterion)}", f"    verification: {q(verification)}", ""]
    lines += ["constraints:"]
    lines += [f"  - {q(text)}" for text in rng.sample(CONSTRAINTS, rng.randint(3, 5))]
    coverage = rng.choice((80, 85, 90))
    integration = rng.random() < 0.5
    manual = rng.random() < 0.4
    instructions = (
        f"Run the {subject} against the reference workloads on the Jetson Orin Nano "
        "and the i7-12700K host; compare fitted values with the last profile"
    )
    lines += [
        "",
        "testing:",
        "  unit_tests:",
        "    required: true",
        f"    coverage_target: {coverage}",
        f"    location: {q(f'tests/{area}/test_{stem}_{module_word}.py')}",
        "  integration_tests:",
        f"    required: {'true' if integration else 'false'}",
        f"    location: {q(f'tests/{area}/test_{stem}_integration.py' if integration else '')}",
        "  validation_tests:",
        "    required: false",
        '    location: ""',
        "  manual_testing:",
        f"    required: {'true' if manual else 'false'}",
        f"    instructions: {q(instructions if manual else '')}",
        "",
        "documentation:",
        "  code_comments: true",
        "  docstrings: true",
        f"  readme_update: {rng.choice(('true', 'false'))}",
        f"  user_guide: {rng.choice(('true', 'false'))}",
        "  api_reference: false",
        "",
    ]
    started = stamp(updated) if plan.status in ("in_progress", "completed") else ""
    finished = updated + timedelta(hours=rng.randrange(1, 40))
    completed = stamp(finished) if plan.status == "completed" else ""
    lines += [
        "state:",
        f"  status: {q(plan.status)}",
        f"  blocked_by: {q_list(plan.blocked_by)}",
        f"  blocks: {q_list(plan.blocks)}",
        f"  started_at: {q(started)}",
        f"  completed_at: {q(completed)}",
        "",
        "progress:",
        f"  - date: {q(created.strftime('%Y-%m-%d'))}",
        f"    author: {q(author)}",
        '    note: "Task created"',
    ]
    if started:
        lines += [
            f"  - date: {q(updated.strftime('%Y-%m-%d'))}",
            f"    author: {q(assignee)}",
            f"    note: {q(f'Started: {module_path} skeleton and first tests in place')}",
        ]
    if completed:
        lines += [
            f"  - date: {q(completed[:10])}",
            f"    author: {q(assignee)}",
            '    note: "Implementation completed, all acceptance criteria verified"',
        ]
    lines += [
        "",
        "review:",
        '  pull_request: ""',
        f"  review_status: {q('merged' if completed else '')}",
        '  review_comments: ""',
        f"  merged_at: {q(completed)}",
        '  merge_commit: ""',
        "",
        "references:",
        '  - type: "documentation"',
        '    path: "docs/architecture/ROADMAP.md"',
        f"    description: {q(f'Milestone {milestone[1:]} - {subject}')}",
    ]
    if plan.blocked_by:
        lines += [
            '  - type: "related_task"',
            f"    task_id: {q(plan.blocked_by[-1])}",
            '    relationship: "depends_on"',
        ]
    return "\n".join(lines) + "\n"


def prepare_directory(out: Path, params: dict[str, object], reuse: bool) -> bool:
    """Make ``out`` an empty directory; False when ``reuse`` finds it already generated."""
    marker = out / MARKER
    if out.exists() and not out.is_dir():
        raise SystemExit(f"gen_specs: {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not marker.is_file():
            raise SystemExit(
                f"gen_specs: {out} is not empty and was not made by this script "
                f"(no {MARKER}); refusing to overwrite it"
            )
        if reuse and _marker_matches(marker, params) and _clean_checkout(out):
            return False
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return True


def _marker_matches(marker: Path, params: dict[str, object]) -> bool:
    try:
        return bool(json.loads(marker.read_text(encoding="utf-8")) == params)
    except (OSError, ValueError):
        return False


def _clean_checkout(out: Path) -> bool:
    status = subprocess.run(
        ["git", "-C", str(out), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=False,
    )
    return status.returncode == 0 and not status.stdout.strip()


def git(out: Path, *args: str) -> None:
    subprocess.run(["git", *GIT_IDENTITY, "-C", str(out), *args], check=True)


def generate(out: Path, count: int, seed: int, edges_per_task: float, reuse: bool = False) -> bool:
    """Write and commit the repository; returns False when an up-to-date one was reused."""
    if count < 1:
        raise SystemExit("gen_specs: --count must be at least 1")
    params: dict[str, object] = {
        "generator": GENERATOR_VERSION,
        "count": count,
        "seed": seed,
        "edges_per_task": edges_per_task,
    }
    if not prepare_directory(out, params, reuse):
        return False
    rng = random.Random(seed)
    plans = plan_graph(count, edges_per_task, rng)
    active = out / ACTIVE_DIR
    active.mkdir(parents=True)
    for plan in plans:
        text = render_spec(plan, count, rng)
        (active / f"{plan.task_id}.yaml").write_text(text, encoding="utf-8", newline="\n")
    (out / MARKER).write_text(json.dumps(params, sort_keys=True) + "\n", encoding="utf-8")
    git(out, "init", "-q", "-b", "main")
    git(out, "add", "-A")
    moment = "2026-03-01T12:00:00Z"
    subprocess.run(
        [
            "git",
            *GIT_IDENTITY,
            "-C",
            str(out),
            "commit",
            "-q",
            "--no-verify",
            "--no-gpg-sign",
            "-m",
            f"bench: {count} generated task specs (seed {seed})",
        ],
        check=True,
        env={**os.environ, "GIT_AUTHOR_DATE": moment, "GIT_COMMITTER_DATE": moment},
    )
    return True


def summarize(out: Path) -> str:
    files = sorted((out / ACTIVE_DIR).glob("*.yaml"))
    sizes = [f.stat().st_size for f in files]
    statuses: dict[str, int] = {}
    edges = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("  status: "):
                status = json.loads(line.split(": ", 1)[1])
                statuses[status] = statuses.get(status, 0) + 1
            elif line.startswith("  blocked_by: "):
                edges += len(json.loads(line.split(": ", 1)[1]))
    mix = ", ".join(f"{k} {100 * v / len(files):.0f}%" for k, v in sorted(statuses.items()))
    return (
        f"{len(files)} specs, {sum(sizes) / len(files) / 1024:.1f} KB average "
        f"({min(sizes)}-{max(sizes)} bytes), {edges / len(files):.2f} prerequisites per task; "
        f"{mix}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, metavar="OUT_DIR")
    parser.add_argument("--count", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=2026, metavar="S")
    parser.add_argument(
        "--edges-per-task",
        type=float,
        default=2.0,
        metavar="K",
        help="average number of prerequisites per task (default 2)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep OUT_DIR if it was generated with the same parameters",
    )
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    made = generate(args.out, args.count, args.seed, args.edges_per_task, args.reuse)
    if not args.quiet:
        verb = "generated" if made else "reused"
        print(f"{verb} {args.out} in {time.perf_counter() - start:.1f} s: {summarize(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
