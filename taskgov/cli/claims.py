"""Commands that take, renew, release and list claims: claim, release, claims."""

from __future__ import annotations

from typing import Any

import click

from taskgov import output as ui
from taskgov.cli.base import Env, _env, cli, json_option
from taskgov.errors import EXIT_OK, UsageError

WHERE_RULE = """\b
Where claims live: --local or --remote NAME; else claims.remote in policy.yaml
(a remote's name, or local); else origin; else the only remote; else, with no
remote, this repository (shared by all its worktrees). A remote that cannot be
reached is an error (exit 2), never a local claim."""

remote_option = click.option(
    "--remote", metavar="NAME", help="The remote that holds the claims (default: see below)."
)
local_option = click.option(
    "--local", is_flag=True, help="Claims in this repository's refs, not on a remote."
)


@cli.command(
    epilog=f"""\b
Examples:
  taskgov claim TASK-2026-008                 as your git identity, lease 2h
  taskgov claim TASK-2026-008 --as agent-3 --lease 30m
  taskgov claim --renew TASK-2026-008         extend the lease you hold

\b
Exit codes: 0 you hold the task now (claimed, renewed, or an expired lease
taken over) · 1 someone else holds it (who, since when, lease end) · 2 error:
unknown task, completed or unreadable task (--force), remote unreachable.

{WHERE_RULE}

\b
A lease is over when this machine's clock is past its recorded end by more than
claims.grace (5m): a clock ahead by less than that never takes a live lease."""
)
@click.argument("task_id", metavar="ID")
@click.option("--as", "holder", metavar="NAME", help="Hold it as NAME (default: git identity).")
@remote_option
@local_option
@click.option(
    "--lease",
    metavar="DURATION",
    help="How long the claim holds without renewal: 30m, 2h, 1d (policy claims.lease, 2h).",
)
@click.option("--renew", is_flag=True, help="Only renew a claim you already hold.")
@click.option(
    "--force", is_flag=True, help="Claim a task that is completed, unreadable or unknown."
)
@json_option
@click.pass_context
def claim(
    ctx: click.Context,
    task_id: str,
    holder: str | None,
    remote: str | None,
    local: bool,
    lease: str | None,
    renew: bool,
    force: bool,
    as_json: bool,
) -> int:
    """Take a task, atomically across every clone: exit 0 when you hold it now.

    The claim is the ref refs/taskgov/claims/ID on the remote, created only if absent
    (a compare-and-swap the git server enforces). Claiming again what you hold renews it.
    """
    from taskgov.claims.ops import claim_task

    env = _env(ctx)
    config = env.config()
    seconds = _duration(lease) if lease else None
    name, identity = _holder(env, holder)
    task_id = _claimable(env, task_id, force)
    outcome = claim_task(
        config.root,
        task_id,
        name,
        where=_where(env, remote, local),
        identity=identity,
        lease=seconds,
        grace=config.claims_grace,
        default_lease=config.claims_lease,
        renew_only=renew,
    )
    _report(outcome, config.claims_grace, as_json)
    return outcome.exit_code


@cli.command(
    epilog=f"""\b
Examples:
  taskgov release TASK-2026-008
  taskgov release TASK-2026-008 --force       someone else's claim, or one taskgov cannot read

\b
Exit codes: 0 released (or not claimed) · 1 someone else holds it (--force) · 2 error.

{WHERE_RULE}"""
)
@click.argument("task_id", metavar="ID")
@click.option("--as", "holder", metavar="NAME", help="Release as NAME (default: git identity).")
@remote_option
@local_option
@click.option("--force", is_flag=True, help="Release whoever holds it.")
@json_option
@click.pass_context
def release(
    ctx: click.Context,
    task_id: str,
    holder: str | None,
    remote: str | None,
    local: bool,
    force: bool,
    as_json: bool,
) -> int:
    """Give a claimed task back (compare-and-swap against the claim that was read)."""
    from taskgov.claims.ops import check_claim_id, release_task

    env = _env(ctx)
    config = env.config()
    name, _ = _holder(env, holder)
    task_id = check_claim_id(_known_id(env, task_id))
    outcome = release_task(
        config.root, task_id, name, where=_where(env, remote, local), force=force
    )
    _report(outcome, config.claims_grace, as_json)
    if outcome.action == "held" and not as_json:
        import shlex

        held_as = outcome.claim.holder if outcome.claim else ""
        mine = f"taskgov release {task_id} --as {shlex.quote(held_as)} if you claimed it so; "
        ui.err(
            ui.one_line(
                f"taskgov: {mine if held_as else ''}taskgov release --force {task_id} "
                "releases anyone's"
            )
        )
    return outcome.exit_code


@cli.command(
    "claims",
    epilog=f"""\b
Examples:
  taskgov claims --fetch                      what the remote holds now
  taskgov claims --json | jq -r '.claims[] | select(.expired | not) | .task'

{WHERE_RULE}""",
)
@click.option("--fetch", is_flag=True, help="Fetch the claims from the remote first.")
@remote_option
@local_option
@json_option
@click.pass_context
def claims_command(
    ctx: click.Context, fetch: bool, remote: str | None, local: bool, as_json: bool
) -> int:
    """List the claims this clone knows of, live and expired (--fetch: as the remote has them).

    Without --fetch, a clone shows the claims as it last saw them: its own claims and
    releases, and what the last --fetch brought.
    """
    import time

    from taskgov.claims.refs import read_claims

    env = _env(ctx)
    config = env.config()
    where = fetch_claims_for(env, remote, local) if fetch else None
    found = read_claims(config.root)
    now = time.time()
    rows = sorted(found.claims.values(), key=lambda c: c.task)
    if as_json:
        ui.emit_json(
            {
                "claims": [{"task": c.task, **c.as_dict(now, config.claims_grace)} for c in rows],
                "unreadable": [
                    {"task": task, "commit": sha, "message": why}
                    for task, (sha, why) in sorted(found.unreadable.items())
                ],
                "fetched_from": where.remote if where else None,
            }
        )
        return EXIT_OK
    for task, (_, why) in sorted(found.unreadable.items()):
        ui.err(f"taskgov: warning: {why}; taskgov release --force {task} removes it")
    if not rows:
        ui.out("no claims")
        return EXIT_OK
    from taskgov.claims.model import iso

    ui.print_table(
        ("TASK", "HOLDER", "SINCE", "LEASE UNTIL", "LEASE"),
        [
            (
                c.task,
                c.holder,
                iso(c.claimed_at),
                iso(c.lease_until),
                "expired" if c.expired(now, config.claims_grace) else "live",
            )
            for c in rows
        ],
    )
    return EXIT_OK


def fetch_claims_for(env: Env, remote: str | None = None, local: bool = False) -> Any:
    """Fetch the claims from where they live (``--fetch``); a note when that is here."""
    from taskgov.claims.refs import fetch_claims

    where = _where(env, remote, local)
    if where.remote is None:
        ui.err("taskgov: no remote to fetch claims from: they live in this repository")
    else:
        fetch_claims(env.config().root, where.remote)
    return where


def _where(env: Env, remote: str | None, local: bool) -> Any:
    from taskgov.claims.ops import claims_location

    return claims_location(env.config().root, env.config().claims_remote, remote, local)


def _duration(text: str) -> float:
    from taskgov.spec.effort import EffortError, parse_duration

    try:
        return parse_duration(text)
    except EffortError as exc:
        raise UsageError(f"--lease: {exc}") from None


def _holder(env: Env, given: str | None) -> tuple[str, str]:
    """The holder's name and the git identity of whoever runs the command."""
    from taskgov.claims.ops import check_holder, git_identity

    identity = git_identity(env.config().root)
    if given is not None:
        return check_holder(given), identity
    if not identity:
        raise UsageError("who holds the claim? set git user.name and user.email, or pass --as NAME")
    return identity, identity


def _known_id(env: Env, task_id: str) -> str:
    """The task's id as its spec spells it, when there is one (else as given)."""
    from taskgov.errors import NotFoundError

    try:
        return str(env.repo().task(task_id).id)
    except NotFoundError:
        return task_id


def _claimable(env: Env, task_id: str, force: bool) -> str:
    """The id to claim: a task that exists, is open and can be read, unless ``force``."""
    from taskgov.errors import NotFoundError
    from taskgov.state import derive_states

    repo, activity = env.repo_and_history()
    try:
        task = repo.task(task_id)
    except NotFoundError as exc:
        if not force:
            raise UsageError(f"{exc.message} (--force claims it all the same)") from None
        return task_id
    state = derive_states(repo, activity, {})[task.id]
    if force:
        return str(task.id)
    if state.status in ("completed", "cancelled"):
        raise UsageError(
            f"{task.id} is {state.status} ({state.reason}): nothing to claim (--force claims it)"
        )
    if state.status == "unreadable":
        raise UsageError(
            f"{task.id}: the spec cannot be read ({task.unreadable}); fix it first "
            "(--force claims it)"
        )
    return str(task.id)


def _report(outcome: Any, grace: float, as_json: bool) -> None:
    import time

    from taskgov.claims.model import iso

    if as_json:
        ui.emit_json(outcome.as_dict(time.time(), grace))
        return
    where = outcome.where.describe()
    now = outcome.claim
    task = outcome.task
    if outcome.action == "held":
        line = (
            f"{task} is held by {now.holder} since {iso(now.claimed_at)}, "
            f"lease until {iso(now.lease_until)} ({where})"
        )
        if now.holder != now.identity and now.identity:
            line += f"; claimed by {now.identity}"
        ui.out(ui.one_line(line))
    elif outcome.action == "released":
        ui.out(ui.one_line(f"released {task} ({where})"))
    elif outcome.action == "not_claimed":
        ui.out(ui.one_line(f"{task} was not claimed ({where})"))
    else:
        verb = "renewed" if outcome.action == "renewed" else "claimed"
        line = f"{verb} {task} as {now.holder}, lease until {iso(now.lease_until)} ({where})"
        if outcome.previous is not None:
            line += (
                f"; the lease of {outcome.previous.holder} ended "
                f"{iso(outcome.previous.lease_until)}"
            )
        ui.out(ui.one_line(line))
