"""Commands that create, list, show and check task specs: init, new, list, show, roadmap,
validate, ready."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from taskgov import output as ui
from taskgov.checks.catalog import RULES
from taskgov.cli.base import EXIT_CODES, _env, _read_problems, _say_unread, cli, json_option
from taskgov.errors import (
    EXIT_OK,
    UsageError,
)


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

        valid = (*STATUSES, "claimed") if kind == "status" else PRIORITIES
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
    status = str(task["status"])
    if task.get("claim"):
        status = f"claimed by {task['claim']['holder']}"
    if not task["valid"]:
        return f"{status} (invalid spec)"
    if task["status"] != task["spec_status"]:
        return f"{status} (spec: {task['spec_status']})"
    return status


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
    claim = data["claim"]
    lines = [
        f"{data['id']}  {ui.one_line(data['title'])}",
        f"  status     {_status(data)}"
        + (
            f"  ({data['state']['reason']})"
            if data["state"]["reason"] not in ("spec",) and not claim
            else ""
        ),
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
    if claim:
        lines.insert(
            2,
            f"  claim      {ui.one_line(claim['holder'])} since {claim['claimed_at']}, "
            f"lease until {claim['lease_until']}",
        )
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


@cli.command(
    epilog="""\b
Examples:
  taskgov ready --json | jq -r '.ready[0].id'
  taskgov ready --fetch                  with the claims the remote holds now
  taskgov ready --all                    every open task, and why it is or is not ready"""
)
@click.option(
    "--all", "everything", is_flag=True, help="Every open task, with why it is not ready."
)
@click.option("--fetch", is_flag=True, help="Fetch the claims from the remote first.")
@json_option
@click.pass_context
def ready(ctx: click.Context, everything: bool, fetch: bool, as_json: bool) -> int:
    """List the frontier: ready tasks whose hard dependencies are all complete.

    Ranked by priority, then slack (hours a task can slip before the remaining work takes
    longer: 0 is on the critical path), then id. Tasks that are draft, claimed, in progress,
    completed, cancelled or waiting on another task are left out, and so are specs with
    errors. Claims are this clone's copy of the remote's (--fetch brings it up to date).
    """
    from taskgov.claims.refs import repository_claims
    from taskgov.spec.snapshot import cached_answer

    env = _env(ctx)
    config = env.config()
    if fetch:
        from taskgov.cli.claims import fetch_claims_for

        fetch_claims_for(env)
    claims = repository_claims(config.root, config.claims_grace)

    def compute() -> dict[str, Any]:
        from taskgov.commands import ready_all, ready_tasks

        if everything:
            return ready_all(*env.repo_and_history(), claims)
        return ready_tasks(*env.repo_and_history(), claims)

    def refresh(answer: Any, changed: list[Any]) -> Any:
        from taskgov.commands import refresh_ready

        return refresh_ready(answer, changed)

    # The answer holds while the same claims are live (a lease running out changes it too).
    live = tuple(sorted((task, c.sha) for task, c in claims.items()))

    def history() -> str:
        from taskgov.git.activity import activity_digest, read_activity

        return activity_digest(read_activity(config.root, config.target_branch))

    data = (
        compute() if everything else cached_answer(config, "ready", live, compute, refresh, history)
    )
    if as_json:
        ui.emit_json(data)
        return EXIT_OK
    _say_unread(data["problems"])
    if everything:
        _print_all(data)
        return EXIT_OK
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


def _print_all(data: dict[str, Any]) -> None:
    """``ready --all``: the frontier first, then every other open task with why."""
    rows = [
        (t["id"], "ready", t["priority"], t["milestone"] or None, "can start now", t["title"])
        for t in data["ready"]
    ] + [
        (
            t["id"],
            t["status"] if t["claim"] else _status(t),  # the holder is in WHY
            t["priority"],
            t["milestone"] or None,
            t["why"],
            t["title"],
        )
        for t in data["not_ready"]
    ]
    if not rows:
        ui.out("no open tasks")
        return
    ui.print_table(("ID", "STATUS", "PRIORITY", "MILESTONE", "WHY", "TITLE"), rows)
