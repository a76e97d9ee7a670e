"""The ``log`` command group: the contribution log."""

from __future__ import annotations

import click

from taskgov import output as ui
from taskgov.cli.base import _env, cli, json_option
from taskgov.errors import (
    EXIT_OK,
)


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
        f"rebuilt {ui.plural(len(files), 'file')}: " + ui.some(list(files), 6)
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


@log_group.command(
    "resolve",
    epilog="Example: git cherry-pick abc123; taskgov log resolve; git cherry-pick --continue",
)
@json_option
@click.pass_context
def log_resolve(ctx: click.Context, as_json: bool) -> int:
    """Settle conflicts git stopped on in the log's month files, and stage them.

    Git cannot merge a month file that one side lacks: cherry-picking or rebasing a commit onto
    a branch with no record of that month yet (a release branch cut the month before) stops
    with "CONFLICT (modify/delete)". This keeps the branch's own version (both versions' lines
    when both have the file; no file when only the other side has one). Nothing is lost: the
    next commit logs what the branch needs. Other conflicted files are left to you."""
    from taskgov.log.resolve import resolve

    result = resolve(_env(ctx).config())
    if as_json:
        ui.emit_json(result.as_dict())
        return EXIT_OK
    if not result.settled:
        ui.out("no conflicted log files")
    for item in result.settled:
        ui.out(f"{item.how}: {item.path}")
    if result.others:
        ui.out(
            f"{ui.plural(len(result.others), 'other conflicted file')} left to you, e.g. "
            f"{result.others[0]}"
        )
    elif result.settled:
        ui.out(f"now: {result.next_step}")
    return EXIT_OK
