"""Commands that plan the open work: plan, stats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from taskgov import output as ui
from taskgov.cli.base import _env, _read_problems, _say_unread, cli, json_option
from taskgov.errors import (
    EXIT_CYCLE,
    EXIT_OK,
    UsageError,
)

PLAN_FORMATS = ("text", "json", "md", "mermaid", "dot")


@cli.command(
    epilog="""\b
Examples:
  taskgov plan                              critical path, P50/P80/P95, waves, schedule
  taskgov plan --workers 3 --deadline 40    schedule for 3 workers; chance to finish in 40 h
  taskgov plan --out build/plan             write dag.json, waves.json and Plan.md
  taskgov plan --format mermaid             the dependency graph for a Markdown page
  taskgov plan --calibrate                  durations from history (taskgov actuals)
  taskgov plan --as-of HEAD~50 --json       the forecast as it was 50 commits ago"""
)
@json_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Write dag.json, waves.json and Plan.md into DIR.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(PLAN_FORMATS[1:]),
    help="Print the plan as JSON, Plan.md Markdown, Mermaid or Graphviz dot.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="People and agents working at once; each task takes one (policy: planning.workers).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    metavar="S",
    help="Random seed of the simulation and the scheduler (policy: planning.seed, 0).",
)
@click.option(
    "--samples",
    type=click.IntRange(min=100, max=1_000_000),
    metavar="N",
    help="Monte Carlo samples (policy: planning.samples, 10000).",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=0),
    metavar="HOURS",
    help="Also report the probability of finishing within HOURS.",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    metavar="C",
    help="Dependencies below confidence C are soft (policy: planning.min_confidence, 0.5).",
)
@click.option(
    "--max-wave-size",
    type=click.IntRange(min=1),
    metavar="K",
    help="At most K tasks per wave (policy: planning.max_wave_size).",
)
@click.option(
    "--all",
    "include_done",
    is_flag=True,
    help="Plan every task, completed ones included (default: the remaining work).",
)
@click.option(
    "--calibrate/--no-calibrate",
    default=None,
    help="Durations from history: each estimate times the actual/estimate ratios of its "
    "assignee, agent or task type (default: once estimates.calibration.auto_after finished "
    "tasks have actuals).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="COMMIT",
    help="Plan as the repository was at COMMIT (its specs, policy and history): a backtest.",
)
@click.pass_context
def plan(
    ctx: click.Context,
    as_json: bool,
    out_dir: str | None,
    fmt: str | None,
    workers: int | None,
    seed: int | None,
    samples: int | None,
    deadline: float | None,
    min_confidence: float | None,
    max_wave_size: int | None,
    include_done: bool,
    calibrate: bool | None,
    as_of: str | None,
) -> int:
    """Plan the remaining work: critical path, honest estimates, waves and a schedule.

    Hours are the unit. The critical path comes from PERT means (o+4m+p)/6 of each task's
    three-point estimate (planning.estimate, else classification.estimated_effort, else
    estimates.default_hours). A single number is read as the expected effort and spread from
    0.75x to 1.75x it (estimates.single_point_spread), so P50 and P95 differ; the plan names
    the tasks. P50/P80/P95 come from a Monte Carlo simulation of the whole
    network with beta-PERT durations, so paths that merge make the estimate longer, as they
    do in reality. Waves are dependency layers split so no wave over-books a resource; the
    schedule respects policy.yaml's resources and --workers. Exits 3 on a dependency cycle.

    With enough history (see `taskgov actuals`) the plan calibrates: each task's duration is
    its estimate times a ratio drawn from the finished tasks of its assignee (or agent, else
    task type, else the repository), so chronic underestimates are corrected. The plan says
    which mode it used and why.
    """
    from taskgov.commands import plan_as_of, plan_data
    from taskgov.plan.build import PlanOptions

    if as_json and fmt not in (None, "json"):
        raise UsageError("--json and --format are exclusive")
    fmt = "json" if as_json else (fmt or "text")
    repo, activity = _env(ctx).repo_and_history()
    options = PlanOptions(
        include_done=include_done,
        workers=workers,
        samples=samples,
        seed=seed,
        deadline=deadline,
        min_confidence=min_confidence,
        max_wave_size=max_wave_size,
    )
    if as_of is not None:
        data = plan_as_of(repo, as_of, options, calibrate=calibrate)
    else:
        data = plan_data(repo, activity, options, calibrate=calibrate)
    # Beside the plan (its id hashes what was planned); --as-of brings that commit's own.
    problems = data.pop("problems") if "problems" in data else _read_problems(repo)
    if fmt != "json":
        _say_unread(problems)
    if data["cycles"]:
        if fmt == "json":
            ui.emit_json({**data, "problems": problems}, rows=True)
        for cycle in data["cycles"]:
            ui.err("dependency cycle: " + " -> ".join(cycle))
        return EXIT_CYCLE
    if out_dir is not None:
        from taskgov.render.plan import write_artifacts

        written = write_artifacts(data, Path(out_dir))
        for path in written:
            ui.err(f"wrote {path}")
    if fmt == "json":
        ui.emit_json({**data, "problems": problems}, rows=True)
    elif fmt in ("md", "mermaid", "dot"):
        from taskgov.render import plan as render

        text = {
            "md": render.render_markdown,
            "mermaid": render.render_mermaid,
            "dot": render.render_dot,
        }[fmt](data)
        ui.out(text.rstrip("\n"))
    else:
        _print_plan(data)
    return EXIT_OK


def _print_plan(data: dict[str, Any]) -> None:
    tasks = data["tasks"]
    held = data.get("held") or []
    if not tasks:
        ui.out("nothing left to plan")
        _print_held(held)
        return
    estimates = data["estimates"]
    soft, redundant = len(data["soft_edges"]), len(data["redundant_edges"])
    ui.out(
        f"{ui.plural(len(tasks), 'task')}, "
        f"{ui.plural(len(data['edges']), 'dependency', 'dependencies')} "
        f"({soft} soft, {redundant} redundant)"
    )
    calibration = data.get("calibration") or {}
    means = "calibrated means" if calibration.get("calibrated") else "PERT means"
    ui.out(
        f"critical path ({data['expected_duration']:g} h on {means}): "
        + " -> ".join(data["critical_path"])
    )
    ui.out(
        f"estimates ({estimates['samples']:,} samples, seed {estimates['seed']}): "
        f"P50 {estimates['p50']:g} h · P80 {estimates['p80']:g} h · P95 {estimates['p95']:g} h"
        f" (mean {estimates['mean']:g}, sd {data['stddev']:g})"
    )
    if calibration.get("calibrated"):
        ui.out(f"calibrated on history: {calibration['why']}")
        for c in calibration["classes"]:
            ui.out(
                f"  {ui.one_line(c['class'])}: x{c['median_ratio']:.2f} median of "
                f"{ui.plural(c['history'], 'finished task')}, for "
                f"{ui.plural(len(c['tasks']), 'task')}"
            )
    elif calibration.get("why"):
        ui.out(f"not calibrated: {calibration['why']}")
    if data.get("as_of"):
        as_of = data["as_of"]
        ui.out(f"as of {as_of['commit'][:12]} ({as_of['date']})")
    if data["deadline"] is not None:
        ui.out(
            f"deadline {data['deadline']:g} h: "
            f"{data['deadline_probability'] * 100:.1f}% chance to finish in time"
        )
    limits = dict(data["resources"])
    if data["workers"] is not None:
        limits["workers"] = data["workers"]
    within = ", ".join(f"{k} {v:g}" for k, v in sorted(limits.items())) or "no limits"
    ui.out(f"schedule ({within}): makespan {data['makespan']:g} h")
    ui.out("waves:")
    for number, wave in enumerate(data["waves"], 1):
        shown = ", ".join(wave[:12]) + (f" and {len(wave) - 12} more" if len(wave) > 12 else "")
        ui.out(f"  {number}. {shown}")
    _print_held(held)
    for note in data["assumptions"]:
        ui.err(f"note: {note}")


def _print_held(held: list[dict[str, str]]) -> None:
    if held:
        ui.out(f"held, not scheduled ({ui.plural(len(held), 'task')}):")
        for item in held:
            ui.out(f"  {item['id']}: {item['reason']}")


@cli.command(epilog="Example: taskgov stats --workers 3 --json | jq .duration")
@json_option
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Team size for the duration estimate (policy: planning.workers, else 3).",
)
@click.pass_context
def stats(ctx: click.Context, as_json: bool, workers: int | None) -> int:
    """Count tasks by status, priority, milestone, phase and type; total the estimates.

    Also the critical path of the remaining work, the share of it that can run beside the
    critical path, and how long it takes with one worker and with N (a resource-feasible
    schedule that respects policy.yaml's resources).
    """
    from taskgov.plan.stats import project_stats
    from taskgov.state import derive_states

    repo, activity = _env(ctx).repo_and_history()
    data = project_stats(repo, derive_states(repo, activity), workers)
    problems = _read_problems(repo)
    if as_json:
        ui.emit_json({**data, "problems": problems})
        return EXIT_OK
    _say_unread(problems)
    ui.out(f"{ui.plural(data['tasks'], 'task')}: " + _counts(data["by_status"]))
    for key in ("priority", "milestone", "phase", "type"):
        ui.out(f"by {key}: " + _counts(data[f"by_{key}"]))
    hours = data["hours"]
    ui.out(
        f"hours: {hours['total']:g} estimated, {hours['completed']:g} completed, "
        f"{hours['remaining']:g} remaining"
    )
    if "cycles" in data:
        for cycle in data["cycles"]:
            ui.err("dependency cycle: " + " -> ".join(cycle))
        return EXIT_CYCLE
    path = data["critical_path"]
    ui.out(f"critical path: {path['hours']:g} h through {ui.plural(len(path['tasks']), 'task')}")
    ui.out(
        f"parallelizable: {data['parallelizable_share'] * 100:.0f}% of the remaining work can "
        "run beside the critical path"
    )
    duration = data["duration"]
    speedup = f" ({duration['speedup']:g}x)" if duration["speedup"] else ""
    ui.out(
        f"duration: {duration['one_worker_hours']:g} h with 1 worker, "
        f"{duration['team_hours']:g} h with {ui.plural(duration['workers'], 'worker')}{speedup}"
    )
    return EXIT_OK


def _counts(counts: dict[str, int]) -> str:
    return " · ".join(f"{ui.one_line(key)} {value}" for key, value in counts.items()) or "none"


@cli.command(
    epilog="""\b
Examples:
  taskgov simulate                     waves against a rolling frontier, the policy's workers
  taskgov simulate --workers 3 --samples 5000 --json"""
)
@click.option("--workers", type=int, metavar="N", help="Tasks at once (default: the policy's).")
@click.option(
    "--samples", type=int, default=1000, show_default=True, metavar="N", help="Draws to play."
)
@click.option("--seed", type=int, metavar="N", help="Random seed (default: planning.seed).")
@click.option(
    "--calibrate/--no-calibrate",
    default=None,
    help="Durations from history, as for taskgov plan (default: as plan decides).",
)
@json_option
@click.pass_context
def simulate(
    ctx: click.Context,
    workers: int | None,
    samples: int,
    seed: int | None,
    calibrate: bool | None,
    as_json: bool,
) -> int:
    """Waves with a barrier against a rolling frontier, on the current plan.

    Every sample draws each remaining task's duration from the planner's distributions
    (calibrated on history when `taskgov plan` would be, see --calibrate) and
    plays both: the planner's waves, each starting when the one before has finished, and
    dispatch's rolling frontier, each task starting once its prerequisites are done and a
    worker and its resources are free. Completion times are in hours; utilization is the
    work over workers x completion time.
    """
    from taskgov.dispatch.simulate import compare
    from taskgov.dispatch.workers import dispatch_workers
    from taskgov.estimates.forecast import calibrator
    from taskgov.plan.build import PlanOptions
    from taskgov.state import derive_states

    if not 1 <= samples <= 1_000_000:
        raise UsageError("--samples: between 1 and 1,000,000")
    repo, activity = _env(ctx).repo_and_history()
    _, slots = dispatch_workers(repo.config, workers)
    states = derive_states(repo, activity)
    history = calibrator(repo, states, PlanOptions(seed=seed), activity.head or "", calibrate)
    data = compare(repo, states, slots, samples=samples, seed=seed, calibrator=history)
    if as_json:
        ui.emit_json(data)
        return EXIT_OK
    ui.out(
        f"{ui.plural(data['tasks'], 'task')} left, {ui.plural(slots, 'worker')}, "
        f"{ui.plural(samples, 'sample')} (seed {data['seed']}); {data['work']['mean']:g} h "
        "of work on average"
    )
    ui.out("")
    rows = []
    for name, label in (("barrier", f"waves ({data['waves']}, barrier)"), ("rolling", "rolling")):
        model = data[name]
        done = model["completion"]
        rows.append(
            (
                label,
                f"{done['mean']:g}",
                f"{done['p50']:g}",
                f"{done['p80']:g}",
                f"{done['p95']:g}",
                f"{model['utilization'] * 100:.0f}%",
            )
        )
    ui.print_table(["MODEL", "MEAN H", "P50", "P80", "P95", "UTILIZATION"], rows)
    if data["speedup"] is not None:
        ui.out("")
        ui.out(
            f"rolling frontier: {data['speedup']:g}x as fast on average; no slower in "
            f"{data['rolling_not_slower'] * 100:.1f}% of samples"
        )
    calibration = data["calibration"]
    state = "calibrated on history" if calibration["calibrated"] else "not calibrated"
    ui.err(f"note: {state}: {calibration['why']}")
    return EXIT_OK
