"""The ``taskgov`` command line: parse arguments, call a function, print its result."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from taskgov import __version__
from taskgov import output as ui
from taskgov.checks.catalog import RULES
from taskgov.errors import (
    EXIT_CYCLE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    TaskgovError,
    UsageError,
)

EXIT_CODES = """\b
Exit codes: 0 ok (warnings allowed) · 1 problems found · 2 bad usage or
unreadable input · 3 dependency cycle · 130 interrupted."""

MAIN_HELP = f"""Git-native governance for repositories where people and AI agents work side by side.

Task specs live as YAML in docs/tasks/active/. taskgov reads them and the commit history to
validate them, plan them and say what can start now.

\b
Start here:
  taskgov init                          scaffold docs/tasks, docs/governance, .githooks
  taskgov new "Implement the parser" --priority high --estimate 4,6,12
  taskgov validate                      schema, dependency and quality checks
  taskgov ready                         the frontier: tasks that can start now
  taskgov plan --workers 3              critical path, P50/P80/P95, waves, schedule
  taskgov stats                         counts, hours, 1 vs N workers
  taskgov roadmap --write               milestone tables in docs/tasks/index.md
  taskgov list --json                   every task, for scripts
  taskgov decision new "Use X over Y"    record why, with alternatives
  taskgov hooks install                 commit policy and contribution log, in this clone
  taskgov log verify                    the contribution log, checked against history
  taskgov check-commits origin/main..   the same policy over a range, for CI

{EXIT_CODES}"""


@dataclass
class Env:
    cwd: Path
    _config: Any = None

    def config(self) -> Any:
        """The repository's policy, read once per command."""
        if self._config is None:
            from taskgov.config import find_root
            from taskgov.policy.load import load_config

            self._config = load_config(find_root(self.cwd))
        return self._config

    def repo(self) -> Any:
        from taskgov.repo import load_repo

        return _settled(load_repo(config=self.config()))

    def repo_and_history(self) -> tuple[Any, Any]:
        """The specs and what the commit history says about them."""
        from taskgov.git.activity import read_activity
        from taskgov.repo import load_repo

        config = self.config()
        repo = _settled(load_repo(config=config))
        return repo, read_activity(config.root, config.target_branch)


def _settled(repo: Any) -> Any:
    """The loaded specs live as long as the command: move them out of the garbage collector's
    sight (``gc.freeze``), which otherwise rescans them every time the graph and the states
    built from them allocate (a third of the derivation at 10,000 specs)."""
    import gc

    gc.freeze()
    return repo


def _env(ctx: click.Context) -> Env:
    return ctx.ensure_object(Env)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group(help=MAIN_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "directory",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Run as if taskgov was started in DIR.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.version_option(__version__, "--version", prog_name="taskgov")
@click.pass_context
def cli(ctx: click.Context, directory: str | None, debug: bool) -> None:
    cwd = Path.cwd()
    if directory is not None:
        cwd = (cwd / directory).resolve()
        if not cwd.is_dir():
            raise UsageError(f"-C {directory}: no such directory")
    ctx.obj = Env(cwd)


@cli.command(epilog="Example: taskgov init && git add docs .githooks .claude")
@json_option
@click.pass_context
def init(ctx: click.Context, as_json: bool) -> int:
    """Scaffold the governance layout; never overwrites existing files.

    Creates docs/tasks/{active,completed,templates}, docs/governance/policy.yaml and the
    policy for people, .claude/{decisions,contributions} and the .githooks/ scripts.
    Running it again creates only what is missing.
    """
    from taskgov.config import Config, find_root
    from taskgov.policy.load import load_config
    from taskgov.scaffold import init as do_init

    env = _env(ctx)
    root = find_root(env.cwd)
    config = load_config(root) if root else Config(root=env.cwd)
    result = do_init(config)
    if as_json:
        ui.emit_json(result.as_dict())
    else:
        for path in result.created:
            ui.out(f"created  {path}")
        for path in result.kept:
            ui.out(f"kept     {path}")
        if not result.created:
            ui.out("nothing to do: the layout is complete")
    return EXIT_OK


@cli.command(
    epilog="""\b
Examples:
  taskgov new "Implement energy coefficient fitting" --priority high --effort 8h
  taskgov new "Create calibration CLI" --depends-on TASK-2026-006 --estimate 4,6,10
  taskgov new "Train the model" --resource gpu=1 --milestone M3 --status draft"""
)
@click.argument("title")
@click.option("--id", "task_id", metavar="ID", help="Task id (default: the next free one).")
@click.option(
    "--depends-on",
    "depends_on",
    metavar="ID",
    multiple=True,
    help="A task this one waits for (repeatable): written to state.blocked_by, and the new "
    "id is added to that task's state.blocks (a one-line edit).",
)
@click.option(
    "--estimate",
    metavar="O,M,P",
    help="Three-point estimate in hours (or 2d, 1w), written to planning.estimate.",
)
@click.option(
    "--effort", metavar="EFFORT", default="", help="classification.estimated_effort, e.g. 4h, 3-5d."
)
@click.option(
    "--priority",
    default="medium",
    show_default=True,
    type=click.Choice(["critical", "high", "medium", "low"]),
)
@click.option("--milestone", default="", metavar="M")
@click.option(
    "--status",
    default="ready",
    show_default=True,
    type=click.Choice(
        ["draft", "ready", "assigned", "in_progress", "review", "blocked", "completed", "cancelled"]
    ),
)
@click.option(
    "--resource",
    "resources",
    metavar="NAME=N",
    multiple=True,
    help="A resource the task holds while running (repeatable).",
)
@click.option("--assignee", default="", metavar="WHO")
@click.option(
    "--type",
    "task_type",
    default="",
    metavar="TYPE",
    help="classification.type (feature, bugfix, refactor, ...).",
)
@json_option
@click.pass_context
def new(
    ctx: click.Context,
    title: str,
    task_id: str | None,
    depends_on: tuple[str, ...],
    estimate: str | None,
    effort: str,
    priority: str,
    milestone: str,
    status: str,
    resources: tuple[str, ...],
    assignee: str,
    task_type: str,
    as_json: bool,
) -> int:
    """Write a new task spec from the template and print its path."""
    from taskgov.repo import load_repo
    from taskgov.scaffold import NewTask, parse_estimate, parse_resource, write_new

    config = _env(ctx).config()
    repo = load_repo(config=config)
    request = NewTask(
        title=title,
        task_id=task_id,
        depends_on=tuple(dict.fromkeys(depends_on)),
        estimate=parse_estimate(estimate, config) if estimate else None,
        priority=priority,
        milestone=milestone,
        status=status,
        resources=tuple(parse_resource(r) for r in resources),
        effort=effort,
        assignee=assignee,
        task_type=task_type,
        created_by=_git_user(config.root),
    )
    known = {f.task_id: config.root / f.path for f in repo.files if f.task_id}
    created = write_new(request, config, known)
    relative = created.path.relative_to(config.root).as_posix()
    linked = [p.relative_to(config.root).as_posix() for p in created.linked]
    if as_json:
        ui.emit_json(
            {
                "id": created.task_id,
                "path": relative,
                "linked": linked,
                "notes": list(created.notes),
            }
        )
    else:
        ui.out(relative)
        for path in linked:
            ui.err(f"listed {created.task_id} in state.blocks of {path}")
    for note in created.notes:
        ui.err(f"taskgov: warning: {note}")
    return EXIT_OK


def _git_user(root: Path) -> str:
    from taskgov.git import config_value

    return config_value(root, "user.name") or ""


def _one_of(kind: str) -> Any:
    """A click callback that lower-cases the values and refuses any outside the model's list
    (a typo such as ``bloked`` would otherwise match nothing, silently)."""

    def check(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
        if not values:
            return values
        from taskgov.spec.model import PRIORITIES, STATUSES  # pydantic: only when filtering

        valid = STATUSES if kind == "status" else PRIORITIES
        lowered = tuple(v.strip().lower() for v in values)
        for given, value in zip(values, lowered, strict=True):
            if value not in valid:
                raise click.BadParameter(f"{given!r} is not a {kind} (one of: {', '.join(valid)})")
        return lowered

    return check


@cli.command(
    "list",
    epilog="""\b
Examples:
  taskgov list --status ready --milestone M3
  taskgov list --priority critical --priority high --json""",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="S",
    callback=_one_of("status"),
    help="Only tasks with this status, derived or as written (repeatable): draft, ready, "
    "assigned, in_progress, review, blocked, completed, cancelled.",
)
@click.option(
    "--milestone",
    "milestones",
    multiple=True,
    metavar="M",
    help="Only tasks of this milestone (repeatable); one that no task has is refused.",
)
@click.option(
    "--priority",
    "priorities",
    multiple=True,
    metavar="P",
    callback=_one_of("priority"),
    help="Only tasks with this priority (repeatable): critical, high, medium, low.",
)
@json_option
@click.pass_context
def list_command(
    ctx: click.Context,
    statuses: tuple[str, ...],
    milestones: tuple[str, ...],
    priorities: tuple[str, ...],
    as_json: bool,
) -> int:
    """List tasks, sorted by id.

    STATUS is the derived status: a task whose dependencies are not complete is "blocked"
    whatever its spec says, and a spec saying "blocked" with nothing left to wait for is
    "ready" (SPEC shows the spec's own status when it differs). A spec file that cannot be
    parsed is listed as "unreadable"; files not read whole are named on stderr.
    """
    from taskgov.commands import list_tasks

    repo, activity = _env(ctx).repo_and_history()
    _check_milestones(repo, milestones)
    data = list_tasks(repo, statuses, milestones, priorities, activity)
    if as_json:
        ui.emit_json(data)
        return EXIT_OK
    _say_unread(data["problems"])
    rows = [
        (
            t["id"],
            _status(t),
            t["priority"],
            t["milestone"] or None,
            t["estimate_hours"]["expected"] if t["estimate_hours"] else None,
            ", ".join(t["depends_on"]) or None,
            t["title"],
        )
        for t in data["tasks"]
    ]
    if rows:
        ui.print_table(
            ("ID", "STATUS", "PRIORITY", "MILESTONE", "HOURS", "DEPENDS ON", "TITLE"), rows
        )
    else:
        ui.out("no tasks")
    return EXIT_OK


def _say_unread(
    problems: list[dict[str, Any]], what: str = "listed as unreadable, never ready"
) -> None:
    """One stderr line per file (and cause) a read command could not read whole."""
    for problem in problems:
        where = problem["path"] + (f":{problem['line']}" if problem["line"] else "")
        subject = f"{problem['field']}: " if problem["field"] else ""
        if problem["read"] == "unreadable":
            ui.err(
                f"taskgov: could not read {where}: {problem['message']} ({problem['rule']}); {what}"
            )
        else:
            ui.err(
                f"taskgov: could not fully read {where}: {subject}{problem['message']} "
                f"({problem['rule']})"
            )


def _read_problems(repo: Any) -> list[dict[str, Any]]:
    from taskgov.commands import read_problems

    return read_problems(repo)


def _check_milestones(repo: Any, wanted: tuple[str, ...]) -> None:
    """Refuse a milestone no task has (exit 2): it is a typo far more often than a question."""
    from taskgov.spec.task import id_key

    known = {t.milestone for t in repo.tasks.values() if t.milestone}
    for milestone in wanted:
        if milestone not in known:
            names = ", ".join(sorted(known, key=id_key)) or "none"
            raise UsageError(f"no task has milestone {milestone!r} (milestones: {names})")


def _status(task: dict[str, Any]) -> str:
    if task["status"] == "unreadable":
        return "unreadable"
    if not task["valid"]:
        return f"{task['status']} (invalid spec)"
    if task["status"] != task["spec_status"]:
        return f"{task['status']} (spec: {task['spec_status']})"
    return str(task["status"])


@cli.command(epilog="Example: taskgov show TASK-2026-010 --json")
@click.argument("task_id", metavar="ID")
@json_option
@click.pass_context
def show(ctx: click.Context, task_id: str, as_json: bool) -> int:
    """Show one task with its resolved dependencies and dependents."""
    from taskgov.commands import show_task

    repo, activity = _env(ctx).repo_and_history()
    data = show_task(repo, task_id, activity)
    if as_json:
        ui.emit_json(data)
        return EXIT_OK
    _say_unread(data["problems"])
    estimate = data["estimate_hours"]
    lines = [
        f"{data['id']}  {ui.one_line(data['title'])}",
        f"  status     {_status(data)}"
        + (f"  ({data['state']['reason']})" if data["state"]["reason"] != "spec" else ""),
        f"  priority   {data['priority']}",
        f"  milestone  {ui.one_line(data['milestone'] or '-')}"
        + (f"  (target {ui.one_line(data['target_version'])})" if data["target_version"] else ""),
        f"  assignee   {ui.one_line(data['assignee'] or '-')}",
        "  estimate   "
        + (
            f"{estimate['expected']:.1f} h expected ({estimate['optimistic']:g} / "
            f"{estimate['likely']:g} / {estimate['pessimistic']:g}, from "
            f"{estimate['source']})"
            if estimate
            else "-"
        ),
        f"  file       {ui.one_line(data['path'])}",
    ]
    if data["resources"]:
        lines.append(
            "  resources  "
            + ", ".join(f"{ui.one_line(k)}={v:g}" for k, v in data["resources"].items())
        )
    spec = data["spec"] or {}
    objective = spec.get("objective")
    if isinstance(objective, str) and objective.strip():
        lines.append("  objective")
        # each line indented, so none of them can start a line of output of its own
        lines.extend(f"    {ui.one_line(line)}" for line in objective.strip().splitlines())
    criteria = spec.get("acceptance_criteria")
    if isinstance(criteria, list) and criteria:
        lines.append("  acceptance criteria")
        for item in criteria:
            text = item.get("criterion") if isinstance(item, dict) else item
            check = item.get("verification") if isinstance(item, dict) else None
            lines.append(
                f"    - {ui.one_line(text)}" + (f"  ({ui.one_line(check)})" if check else "")
            )
    for label, key in (("depends on", "dependencies"), ("needed by", "dependents")):
        entries = data[key]
        lines.append(f"  {label:<10} -" if not entries else f"  {label}")
        for entry in entries:
            soft = "" if entry["hard"] else " (soft)"
            lines.append(
                f"    {ui.one_line(entry['id'])}  [{entry['status']}]{soft}  via "
                + ", ".join(entry["sources"])
            )
    ui.out("\n".join(lines))
    return EXIT_OK


@cli.command(
    epilog="""\b
Examples:
  taskgov roadmap                        Markdown tables by milestone, on stdout
  taskgov roadmap --write                refresh docs/tasks/index.md between its markers
  taskgov roadmap --json | jq '.milestones[] | {name, progress}'"""
)
@click.option(
    "--write",
    is_flag=True,
    help="Refresh docs/tasks/index.md between <!-- taskgov:roadmap:start --> and "
    "<!-- taskgov:roadmap:end --> (text outside them is kept; the file is created if missing).",
)
@json_option
@click.pass_context
def roadmap(ctx: click.Context, write: bool, as_json: bool) -> int:
    """Tasks by milestone: derived status, what blocks them, target version and progress.

    Milestones are in natural order (M2 before M10); tasks without one are "Unscheduled".
    Progress counts completed tasks out of all but cancelled ones, and expected hours.
    """
    from taskgov.roadmap import render_roadmap, write_roadmap
    from taskgov.roadmap import roadmap as build

    repo, activity = _env(ctx).repo_and_history()
    data = build(repo, activity)
    problems = _read_problems(repo)
    if write:
        path = write_roadmap(repo.config, render_roadmap(data))
        ui.out(path.relative_to(repo.root).as_posix())
    elif as_json:
        ui.emit_json({**data, "problems": problems})
    else:
        ui.write(render_roadmap(data))
    if write or not as_json:
        _say_unread(problems)
    return EXIT_OK


@cli.command(
    epilog="""\b
Examples:
  taskgov validate                       every spec in the repository
  taskgov validate docs/tasks/active/TASK-2026-010.yaml
  taskgov validate --format github       annotations for GitHub Actions
  taskgov validate --json | jq '.problems[] | select(.severity == "error")'

\b
Rules (ids are stable; turn them off or change their level in policy.yaml `rules:`):
"""
    + "\n".join(f"  {r.id}  {r.name:<28} {r.severity.value}" for r in RULES.values())
    + "\n\n"
    + EXIT_CODES
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--strict", is_flag=True, help="Unknown keys are errors, not warnings.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default=None,
    help="Report format (default text).",
)
@json_option
@click.pass_context
def validate(
    ctx: click.Context, paths: tuple[str, ...], strict: bool, fmt: str | None, as_json: bool
) -> int:
    """Check specs: schema, ids, dependencies, cycles and quality rules.

    Every file is checked and reported; one broken file never hides the others. Exits 1 when
    errors are found (warnings alone exit 0), 2 when a file cannot be read, 3 on a cycle.
    """
    from taskgov.checks.report import validate as run

    if as_json and fmt not in (None, "json"):
        raise UsageError("--json and --format are exclusive")
    fmt = "json" if as_json else (fmt or "text")
    env = _env(ctx)
    repo, activity = env.repo_and_history()
    report = run(repo, list(paths), strict=strict, cwd=env.cwd, activity=activity)
    if fmt == "json":
        ui.emit_json(report.as_dict())
    elif fmt == "github":
        for problem in report.problems:
            ui.annotate(problem)
    else:
        for problem in report.problems:
            ui.out(ui.one_line(problem.render()))
        files = ui.plural(report.files, "file")
        summary = (
            f"{files} checked: {ui.plural(report.errors, 'error')}, "
            f"{ui.plural(report.warnings, 'warning')}"
        )
        ui.err(summary if report.problems else f"{files} checked: no problems")
    return report.exit_code


@cli.command(epilog="Example: taskgov ready --json | jq -r '.ready[0].id'")
@json_option
@click.pass_context
def ready(ctx: click.Context, as_json: bool) -> int:
    """List the frontier: ready tasks whose hard dependencies are all complete.

    Ranked by priority, then slack (hours a task can slip before the remaining work takes
    longer: 0 is on the critical path), then id. Tasks that are draft, in progress, completed,
    cancelled or waiting on another task are left out, and so are specs with errors.
    """
    from taskgov.spec.snapshot import cached_answer

    env = _env(ctx)

    def compute() -> dict[str, Any]:
        from taskgov.commands import ready_tasks

        return ready_tasks(*env.repo_and_history())

    def refresh(answer: Any, changed: list[Any]) -> Any:
        from taskgov.commands import refresh_ready

        return refresh_ready(answer, changed)

    data = cached_answer(env.config(), "ready", (), compute, refresh)
    if as_json:
        ui.emit_json(data)
        return EXIT_OK
    _say_unread(data["problems"])
    if not data["ready"]:
        ui.out("nothing is ready")
        return EXIT_OK
    rows = [
        (
            t["id"],
            t["priority"],
            t["milestone"] or None,
            t["estimate_hours"]["expected"] if t["estimate_hours"] else None,
            t["slack_hours"],
            t["title"],
        )
        for t in data["ready"]
    ]
    ui.print_table(("ID", "PRIORITY", "MILESTONE", "HOURS", "SLACK", "TITLE"), rows)
    return EXIT_OK


PLAN_FORMATS = ("text", "json", "md", "mermaid", "dot")


@cli.command(
    epilog="""\b
Examples:
  taskgov plan                              critical path, P50/P80/P95, waves, schedule
  taskgov plan --workers 3 --deadline 40    schedule for 3 workers; chance to finish in 40 h
  taskgov plan --out build/plan             write dag.json, waves.json and Plan.md
  taskgov plan --format mermaid             the dependency graph for a Markdown page"""
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
) -> int:
    """Plan the remaining work: critical path, honest estimates, waves and a schedule.

    Hours are the unit. The critical path comes from PERT means (o+4m+p)/6 of each task's
    three-point estimate (planning.estimate, else classification.estimated_effort, else
    estimates.default_hours). P50/P80/P95 come from a Monte Carlo simulation of the whole
    network with beta-PERT durations, so paths that merge make the estimate longer, as they
    do in reality. Waves are dependency layers split so no wave over-books a resource; the
    schedule respects policy.yaml's resources and --workers. Exits 3 on a dependency cycle.
    """
    from taskgov.commands import plan_data
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
    data = plan_data(repo, activity, options)
    problems = _read_problems(repo)  # beside the plan: the plan's id hashes what was planned
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
    ui.out(
        f"critical path ({data['expected_duration']:g} h on PERT means): "
        + " -> ".join(data["critical_path"])
    )
    ui.out(
        f"estimates ({estimates['samples']:,} samples, seed {estimates['seed']}): "
        f"P50 {estimates['p50']:g} h · P80 {estimates['p80']:g} h · P95 {estimates['p95']:g} h"
        f" (mean {estimates['mean']:g}, sd {data['stddev']:g})"
    )
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


@cli.group()
def hooks() -> None:
    """Install or remove the git hooks in .githooks/ (commit-msg checks the policy)."""


@hooks.command("install", epilog="Example: taskgov hooks install && git commit")
@click.option("--force", is_flag=True, help="Take over core.hooksPath from another manager.")
@json_option
@click.pass_context
def hooks_install(ctx: click.Context, force: bool, as_json: bool) -> int:
    """Point git at .githooks/ and record this Python for the hooks.

    Hooks installed before (in .git/hooks or a previous core.hooksPath) keep running: taskgov's
    scripts call them first. Works in worktrees and from GUI clients with a minimal PATH.
    """
    from taskgov.hooks.install import install

    setup = install(_env(ctx).config(), force=force)
    if as_json:
        ui.emit_json(setup.as_dict())
    else:
        ui.out(f"core.hooksPath = {setup.hooks_path}; hooks run with {setup.python}")
        if setup.chained:
            ui.out("still running first: " + ", ".join(setup.chained))
    return EXIT_OK


@hooks.command("uninstall")
@click.pass_context
def hooks_uninstall(ctx: click.Context) -> int:
    """Restore the hooks configuration from before `taskgov hooks install`."""
    from taskgov.hooks.install import uninstall

    previous = uninstall(_env(ctx).config())
    ui.out(f"core.hooksPath restored to {previous}" if previous else "core.hooksPath unset")
    return EXIT_OK


def _print_violations(violations: list[Any], as_json: bool) -> int:
    if as_json:
        ui.emit_json({"violations": [v.as_dict() for v in violations]})
    else:
        for violation in violations:
            ui.out(violation.render())
    return 1 if violations else EXIT_OK


@cli.command(epilog="Example: taskgov check --message-file .git/COMMIT_EDITMSG")
@click.option(
    "--message-file",
    "-F",
    required=True,
    type=click.Path(dir_okay=False),
    help="The commit message to check (what the commit-msg hook receives).",
)
@json_option
@click.pass_context
def check(ctx: click.Context, message_file: str, as_json: bool) -> int:
    """Check one commit message against the policy (the commit-msg hook's check).

    An AI-made commit (an agent environment variable from policy.yaml is set) needs a
    Co-Authored-By or Assisted-by naming an allowed agent; an agent must not add
    Signed-off-by; Task:/Closes:/Decision: must name things that exist; guarded paths need
    their trailer. Exit 1 when the policy is violated; each message says what to add.
    """
    from taskgov.hooks.run import check_message

    env = _env(ctx)
    path = env.cwd / message_file
    try:
        message = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise UsageError(f"{message_file}: {exc.strerror or exc}") from None
    return _print_violations(check_message(message, env.config()), as_json)


@cli.command("check-commits", epilog="Example (CI): taskgov check-commits origin/main..HEAD")
@click.argument("revision_range", metavar="RANGE")
@json_option
@click.pass_context
def check_commits_command(ctx: click.Context, revision_range: str, as_json: bool) -> int:
    """Check every commit in RANGE against the policy (for CI; catches --no-verify).

    Prints each violation, then "N commits checked: ok" (or the count of violations).
    JSON: {"checked": N, "violations": [{"commit", "rule", "message"}]}. Exit 1 when there is
    any violation, 2 when git cannot read RANGE (not a repository, a bad revision, git missing).
    """
    from taskgov.policy.audit import audit_commits

    audit = audit_commits(_env(ctx).config(), revision_range)
    if as_json:
        ui.emit_json(
            {"checked": audit.checked, "violations": [v.as_dict() for v in audit.violations]}
        )
        return 1 if audit.violations else EXIT_OK
    for violation in audit.violations:
        ui.out(violation.render())
    checked = f"{audit.checked} commit{'' if audit.checked == 1 else 's'} checked"
    count = len(audit.violations)
    ui.out(f"{checked}: " + (f"{count} violation{'' if count == 1 else 's'}" if count else "ok"))
    return 1 if audit.violations else EXIT_OK


@cli.group()
def decision() -> None:
    """Decision records (.claude/decisions/DECISION-YYYY-MM-DD-NNN.yaml): why, not just what.

    Dated ids never collide across branches. Markdown ADRs in docs/adr or docs/decisions
    (adr-tools, MADR) are listed and shown too, read-only.
    """


@decision.command("new", epilog='Example: taskgov decision new "Use CPM over PERT sampling"')
@click.argument("title")
@json_option
@click.pass_context
def decision_new(ctx: click.Context, title: str, as_json: bool) -> int:
    """Write a proposed record from the template; TITLE becomes the summary."""
    from taskgov.decisions.ops import new_decision

    config = _env(ctx).config()
    decision_id, path = new_decision(config, title)
    relative = path.relative_to(config.root).as_posix()
    if as_json:
        ui.emit_json({"id": decision_id, "path": relative})
    else:
        ui.out(relative)
    return EXIT_OK


@decision.command("list", epilog="Example: taskgov decision list --status accepted --json")
@click.option(
    "--status", type=click.Choice(["proposed", "accepted", "rejected", "superseded", "deprecated"])
)
@click.option("--task", metavar="ID", help="Only decisions that govern this task.")
@json_option
@click.pass_context
def decision_list(ctx: click.Context, status: str | None, task: str | None, as_json: bool) -> int:
    """List decision records (and Markdown ADRs), by id."""
    from taskgov.decisions.ops import list_decisions

    env = _env(ctx)
    data = list_decisions(env.config(), status, task)
    if task is not None and not data["decisions"] and task not in env.repo().known_ids:
        # a typo would otherwise read as "no decision governs it"
        paths = env.config().paths
        raise UsageError(f"no task {task!r} in {paths.active} or {paths.completed}")
    if as_json:
        ui.emit_json(data)
        return EXIT_OK
    if data["decisions"]:
        rows = [
            (d["id"], d["status"], d["timestamp"][:10] or None, d["summary"])
            for d in data["decisions"]
        ]
        ui.print_table(("ID", "STATUS", "DATE", "SUMMARY"), rows)
    else:
        ui.out("no decisions")
    _say_unread(data["problems"], "listed as unreadable")
    return EXIT_OK


@decision.command("show", epilog="Example: taskgov decision show DECISION-2026-01-23-001")
@click.argument("decision_id", metavar="ID")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "yaml", "json"]), default="md", show_default=True
)
@click.pass_context
def decision_show(ctx: click.Context, decision_id: str, fmt: str) -> int:
    """Show a record: Markdown for people (alternatives, pros and cons, the choice, impact,
    risks), or the YAML, or JSON."""
    from taskgov.decisions.ops import show_decision

    ui.write(show_decision(_env(ctx).config(), decision_id, fmt).rstrip("\n") + "\n")
    return EXIT_OK


@decision.command("accept")
@click.argument("decision_id", metavar="ID")
@click.pass_context
def decision_accept(ctx: click.Context, decision_id: str) -> int:
    """Mark a record accepted by you (status, decided_by, review).

    The policy requires a person by default (decisions.accept_requires_human): run by an agent
    (an agent environment variable, or an agent's git identity) it is refused with exit 1. An
    incomplete record (no summary, fewer than two alternatives, not exactly one selected) is
    refused with exit 1 too.
    """
    from taskgov.decisions.ops import accept_decision

    ui.out(accept_decision(_env(ctx).config(), decision_id))
    return EXIT_OK


@decision.command(
    "supersede",
    epilog="Example: taskgov decision supersede DECISION-2026-01-23-001 DECISION-2026-03-02-004",
)
@click.argument("old_id", metavar="OLD")
@click.argument("new_id", metavar="NEW")
@click.pass_context
def decision_supersede(ctx: click.Context, old_id: str, new_id: str) -> int:
    """Record that NEW replaces OLD, on both records (comments and layout kept).

    Refused (exit 2) when OLD already supersedes NEW, directly or through other records: a
    loop leaves no decision in force (validate reports such loops as TG179).
    """
    from taskgov.decisions.ops import supersede

    for path in supersede(_env(ctx).config(), old_id, new_id):
        ui.out(path)
    return EXIT_OK


@decision.command("index")
@click.option(
    "--write",
    is_flag=True,
    help="Refresh .claude/decisions/index.md between its markers (text outside them is kept).",
)
@click.pass_context
def decision_index(ctx: click.Context, write: bool) -> int:
    """A Markdown index of all decisions and a Mermaid graph of supersession and task links."""
    from taskgov.decisions.ops import index_markdown, write_index

    config = _env(ctx).config()
    if write:
        ui.out(write_index(config).relative_to(config.root).as_posix())
    else:
        ui.write(index_markdown(config))
    return EXIT_OK


@cli.group("log")
def log_group() -> None:
    """The contribution log: one JSON record per commit in .claude/contributions/YYYY-MM.jsonl.

    Derived from history, so it can always be rebuilt and verified. With `taskgov hooks
    install`, the pre-commit hook writes the records of the commits made so far and stages
    them into the commit being made: the work tree stays as git left it, and each commit's
    record arrives with the next commit. The branch and agent variables the hooks see are
    kept in the git directory until then. Records use the seed's field names (date, commit,
    type, summary, files_changed, lines_added, lines_removed, decision_id, human_approved,
    approver, task_id, branch, pr) plus author, co_authors, ai_assisted, agents, task_ids,
    closes, agent_env. `date` is the author date in UTC.
    """


@log_group.command("sync", epilog="Example: taskgov log sync && git add .claude/contributions")
@json_option
@click.pass_context
def log_sync(ctx: click.Context, as_json: bool) -> int:
    """Bring the log up to date now: a record for each commit not logged yet, records of
    amended or rebased commits moved to the new ones, duplicates folded. Idempotent and safe
    to run concurrently; the files are left for you to commit."""
    from taskgov.log.ops import sync

    result = sync(_env(ctx).config())
    if as_json:
        ui.emit_json(result.as_dict())
    else:
        for name in result.repaired:
            ui.err(f"repaired an interrupted write in {name}")
        parts = [ui.plural(len(result.added), "new commit")]
        if result.moved:
            parts.append(f"{ui.plural(len(result.moved), 'rewritten commit')} moved")
        if result.folded:
            parts.append(f"{ui.plural(result.folded, 'duplicate')} folded")
        ui.out("logged " + ", ".join(parts))
    if result.incomplete:
        ui.err(
            f"taskgov: warning: {ui.plural(len(result.incomplete), 'commit')} logged without "
            "line counts: their files are missing from this clone (a partial clone?), e.g. "
            f"{result.incomplete[0][:12]}"
        )
    return EXIT_OK


@log_group.command("rebuild", epilog="Example: taskgov log rebuild --json | jq .kept")
@click.option(
    "--force", is_flag=True, help="Drop records of commits that are not in HEAD's history."
)
@json_option
@click.pass_context
def log_rebuild(ctx: click.Context, force: bool, as_json: bool) -> int:
    """Rewrite the whole log from history, deterministically.

    Kept from the existing records: the branch and agent variables the hooks saw, and in
    hand-kept records (ones taskgov did not write) the fields people wrote, such as summary,
    decision_id, human_approved and approver; each kept value is listed. Records of commits
    not in HEAD's history are refused unless --force.
    """
    from taskgov.log.ops import rebuild

    result = rebuild(_env(ctx).config(), force=force)
    if as_json:
        ui.emit_json(result.as_dict())
        return EXIT_OK
    for item in result.kept:
        ui.out(
            f"kept {item['field']} of {str(item['commit'])[:12]}: {item['kept']!r} "
            f"(history says {item['history']!r})"
        )
    for commit in result.dropped:
        ui.out(f"dropped the record of {commit}: not in this history")
    files = result.files
    ui.out(
        f"rebuilt {ui.plural(len(files), 'file')}: " + ", ".join(files)
        if files
        else "the log was already up to date"
    )
    return EXIT_OK


@log_group.command("verify", epilog="Example: taskgov log verify --json | jq .mismatched")
@json_option
@click.pass_context
def log_verify(ctx: click.Context, as_json: bool) -> int:
    """Compare the log with history; exit 1 on a mismatch, a duplicate, a wrong branch, an
    unknown commit or a bad line.

    Hand-kept records (abbreviated ids accepted) are checked on the facts git holds: date,
    files_changed, lines_added, lines_removed. Records taskgov wrote are checked field by
    field. Commits not logged yet, and records of rewritten commits not moved yet, are
    reported, not failures: the next commit's hook (or `taskgov log sync`) takes care of them.
    """
    from taskgov.log.ops import verify

    report = verify(_env(ctx).config())
    if as_json:
        ui.emit_json(report)
    else:
        for item in report["mismatched"]:
            ui.out(
                f"{item['path']}:{item['line']}: {item['commit']}: {item['field']} is "
                f"{item['logged']!r} in the log, {item['actual']!r} in git"
            )
        for item in report["duplicates"]:
            ui.out(f"{item['path']}:{item['line']}: {item['commit']}: logged more than once")
        for item in report["wrong_branch"]:
            seen = f" (made on {item['observed']})" if item["observed"] else ""
            ui.out(
                f"{item['path']}:{item['line']}: {item['commit']}: logged on branch "
                f"{item['branch']!r}, which does not hold it{seen}"
            )
        for commit in report["unknown"]:
            ui.out(f"{commit}: logged, but not in this history")
        for item in report["invalid"]:
            ui.out(f"{item['path']}:{item['line']}: {item['reason']}")
        if report["ok"]:
            ui.out("the log matches history")
        if report["unlogged"]:
            ui.err(
                f"{ui.plural(len(report['unlogged']), 'commit')} not logged yet (the next "
                "commit's hook or taskgov log sync adds them)"
            )
        moving = len(report["pending"]) + len(report["foreign"])
        if moving:
            ui.err(
                f"{ui.plural(moving, 'record')} of rewritten or cherry-picked commits to move "
                "or drop (the next commit's hook or taskgov log sync does it)"
            )
    return EXIT_OK if report["ok"] else 1


@log_group.command("stats")
@json_option
@click.pass_context
def log_stats(ctx: click.Context, as_json: bool) -> int:
    """Commits, lines, AI share, per agent, per task and per month."""
    from taskgov.log.ops import stats

    data = stats(_env(ctx).config())
    if as_json:
        ui.emit_json(data)
        return EXIT_OK
    ui.out(
        f"{ui.plural(data['commits'], 'commit')}, "
        f"+{data['lines_added']} -{data['lines_removed']} lines, "
        f"{data['ai_assisted']} AI-assisted ({data['ai_share']:.0%}), "
        f"{data['human_approved']} human-approved"
    )
    for title, key in (
        ("per agent", "per_agent"),
        ("per task", "per_task"),
        ("per month", "per_month"),
    ):
        if data[key]:
            ui.out(f"{title}:")
            for name, count in data[key].items():
                ui.out(f"  {ui.one_line(name)}  {count}")
    return EXIT_OK


@cli.group("import")
def import_group() -> None:
    """Turn another tool's project file into a taskgov repository."""


@import_group.command(
    "psplib",
    epilog="Example: taskgov import psplib j30/j3010_1.sm --out j3010_1 && taskgov -C j3010_1 plan",
)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="The repository to create (must be absent or empty).",
)
@json_option
@click.pass_context
def import_psplib(ctx: click.Context, file: str, out_dir: str, as_json: bool) -> int:
    """Import a PSPLIB single-mode RCPSP instance (.sm) as a repository `plan` schedules.

    One task spec per real job (J2..Jn; the two dummy jobs are dropped) with its duration as
    a fixed estimate in hours, its resource demands and its precedences as blocked_by/blocks;
    the renewable resources and capacities in docs/governance/policy.yaml. DIR becomes a git
    repository with one commit (fixed identity and date: the same hashes everywhere). Never
    overwrites anything. A malformed file is reported as FILE:LINE.
    """
    from taskgov.git.history import rev_parse
    from taskgov.interop.psplib import read_sm, write_repository

    env = _env(ctx)
    instance = read_sm(env.cwd / file)
    root = env.cwd / out_dir
    written = write_repository(instance, root)
    commit = rev_parse(root, "HEAD") or ""
    files = [path.relative_to(root).as_posix() for path in written]
    resources = dict(zip(instance.resource_names, instance.capacities, strict=True))
    if as_json:
        ui.emit_json(
            {
                "instance": instance.name,
                "jobs": instance.jobs - 2,
                "resources": resources,
                "repository": str(root),
                "commit": commit,
                "files": files,
            }
        )
        return EXIT_OK
    capacities = ", ".join(f"{name} {value}" for name, value in resources.items())
    ui.out(
        f"imported {instance.name}: {ui.plural(instance.jobs - 2, 'job')}, resources {capacities}"
    )
    ui.out(
        f"wrote {files[0]} and {ui.plural(len(files) - 1, 'task spec')} in {out_dir} "
        f"(commit {commit[:7]})"
    )
    ui.out(f"next: taskgov -C {out_dir} plan")
    return EXIT_OK


@cli.command(epilog="Example: taskgov schema > .vscode/taskgov.schema.json")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file.")
@click.pass_context
def schema(ctx: click.Context, output: str | None) -> int:
    """Print the JSON Schema of a task spec, for editors (yaml-language-server)."""
    import json

    from taskgov.spec.model import json_schema

    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        from taskgov.spec.yamlio import atomic_write

        atomic_write(_env(ctx).cwd / output, text)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see ``taskgov --help``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("TASKGOV_DEBUG"))
    try:
        result = cli.main(args=args, prog_name="taskgov", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        ui.err("taskgov: interrupted")
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        ui.err(f"taskgov: error: {exc.format_message()}")
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            ui.err(f"Try '{exc.ctx.command_path} --help'.")
        return EXIT_USAGE
    except TaskgovError as exc:
        if debug:
            raise
        ui.err(f"taskgov: error: {exc.message}")
        return exc.exit_code
    except KeyboardInterrupt:
        ui.err("taskgov: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`taskgov list | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        if debug:
            raise
        ui.err(
            f"taskgov: internal error: {type(exc).__name__}: {exc} "
            "(rerun with --debug for the traceback, and please report it)"
        )
        return 70
    return int(result) if isinstance(result, int) else EXIT_OK
