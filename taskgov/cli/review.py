"""``taskgov review``: what a pull request does to the plan; ``taskgov ci comment``: post it."""

from __future__ import annotations

import click

from taskgov import output as ui
from taskgov.cli.base import _env, cli
from taskgov.errors import EXIT_OK, UsageError


@cli.command(
    epilog="Example (CI): taskgov review origin/main HEAD --format md > review.md",
)
@click.argument("base")
@click.argument("head", default="HEAD")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "md", "github"]),
    default="text",
    show_default=True,
    help="md: a pull-request comment; github: workflow annotations on the files' lines.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding of this severity (or worse) is found.",
)
@click.option(
    "--summary-url",
    default="",
    metavar="URL",
    help="md: where the full report is (the job summary), named when the comment is cut.",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=2_000),
    default=60_000,
    show_default=True,
    help="md: the body's size limit (a comment must stay under 65,536; a job summary 1 MiB).",
)
@click.pass_context
def review(
    ctx: click.Context,
    base: str,
    head: str,
    as_json: bool,
    form: str,
    fail_on: str,
    summary_url: str,
    max_chars: int,
) -> int:
    """Review what BASE..HEAD (HEAD defaults to HEAD) does to the specs and the plan.

    Specs, decision records and the policy are read at both revisions straight from git
    objects (no checkout; a shallow fetch of both commits is enough). Reports tasks added,
    removed and changed field by field, dependency edges added and removed, cycles the change
    closes, validation problems in the changed files, critical path, expected duration and
    P80 before and after, the frontier before and after, decision records added or changed,
    policy violations of the commits in BASE..HEAD, and the quality of the added specs
    (verb-first title, acceptance criteria, estimate, scope, dependency density,
    near-duplicates). Exit 1 when a finding at --fail-on level is found, 2 when a revision
    is missing or git cannot read it.
    """
    from taskgov.config import find_root
    from taskgov.review.report import review as run_review

    if as_json and form != "text":
        raise UsageError("--json and --format cannot be combined")
    result = run_review(find_root(_env(ctx).cwd), base, head, fail_on=fail_on)
    if as_json:
        ui.emit_json(result.as_dict())
    elif form == "md":
        from taskgov.review.markdown import render_markdown

        ui.write(render_markdown(result, summary_url=summary_url, limit=max_chars))
    elif form == "github":
        from taskgov.review.workflow import workflow_commands

        for line in workflow_commands(result):
            print(line)
    else:
        from taskgov.review.text import render_text

        for line in render_text(result):
            ui.out(line)
    return result.exit_code


@cli.group()
def ci() -> None:
    """Helpers for CI jobs: the pull-request comment."""


@ci.command(
    "comment",
    epilog="Example (GitHub Actions): taskgov ci comment --body-file review.md",
)
@click.option(
    "--body-file",
    required=True,
    type=click.Path(dir_okay=False),
    help="The comment's Markdown (from `taskgov review --format md`).",
)
@click.option("--repo", "repository", default="", help="owner/name (default: GITHUB_REPOSITORY).")
@click.option(
    "--pr", "number", type=int, default=None, help="Pull request number (default: from the event)."
)
@click.option(
    "--login",
    default="",
    help="The commenting account's login (default: asked from the API, else github-actions[bot]).",
)
@click.pass_context
def ci_comment(
    ctx: click.Context, body_file: str, repository: str, number: int | None, login: str
) -> int:
    """Create or update the one taskgov comment on a pull request (GitHub REST API).

    The comment is found by its hidden marker and the commenting account's login, searching
    every page of comments; it is updated in place, and left alone when its body is the
    same. Reads GITHUB_TOKEN, GITHUB_API_URL (default https://api.github.com),
    GITHUB_REPOSITORY and GITHUB_EVENT_PATH.
    """
    import os

    from taskgov.review.comment import GitHub, pull_request_number, upsert_comment

    path = _env(ctx).cwd / body_file
    try:
        body = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{body_file}: {exc.strerror or exc}") from None
    repository = repository or os.environ.get("GITHUB_REPOSITORY", "")
    if repository.count("/") != 1:
        raise UsageError("--repo owner/name is needed (or GITHUB_REPOSITORY)")
    if number is None:
        number = pull_request_number(os.environ.get("GITHUB_EVENT_PATH", ""))
    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        raise UsageError("GITHUB_TOKEN is not set")
    api = GitHub(os.environ.get("GITHUB_API_URL") or "https://api.github.com", token)
    outcome = upsert_comment(api, repository, number, body, login=login or None)
    ui.out(f"{outcome.action} comment {outcome.comment_id} on {repository}#{number}")
    return EXIT_OK
