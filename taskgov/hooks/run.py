"""What the git hooks run. This path is paid on every commit: it imports no click, pydantic,
ruamel, networkx, jinja2 or GitPython (a test holds it to that)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from taskgov.config import Config, find_root
from taskgov.errors import TaskgovError
from taskgov.policy.commits import CommitFacts, Violation, check_commit
from taskgov.policy.load import load_config


def agent_env(
    config: Config, environ: dict[str, str] | os._Environ[str] = os.environ
) -> tuple[str, ...]:
    """The agent environment variables the policy names that are set (and not empty)."""
    return tuple(name for name, _ in config.agent_env if environ.get(name, "").strip())


def task_lookup(config: Config) -> Callable[[str], bool]:
    """Whether a task exists: a file named after it first (one stat), the whole repository
    only when that fails (slugged names, nested directories)."""
    known: frozenset[str] | None = None

    def exists(task_id: str) -> bool:
        nonlocal known
        for directory in (config.active_dir, config.completed_dir):
            if any((directory / f"{task_id}{suffix}").is_file() for suffix in (".yaml", ".yml")):
                return True
        if known is None:
            from taskgov.repo import load_repo

            try:
                known = load_repo(config=config).known_ids
            except TaskgovError:
                known = frozenset()
        return task_id in known

    return exists


def decision_lookup(config: Config) -> Callable[[str], bool]:
    directory = config.root / config.paths.decisions

    def exists(decision_id: str) -> bool:
        safe = "/" not in decision_id and not decision_id.startswith(".")
        return safe and any((directory / f"{decision_id}{s}").is_file() for s in (".yaml", ".yml"))

    return exists


def staged_files(root: Path) -> tuple[str, ...]:
    import subprocess

    done = subprocess.run(
        ["git", "-C", str(root), "diff", "--cached", "--name-only", "-z"],
        capture_output=True,
        check=False,
    )
    return tuple(p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p)


def check_message(
    message: str,
    config: Config,
    files: tuple[str, ...] | None = None,
    environ: dict[str, str] | None = None,
) -> list[Violation]:
    """Policy violations of the commit about to be made with ``message``."""
    guarded = config.require_task or config.require_decision or config.require_approval
    if files is None:
        files = staged_files(config.root) if guarded else ()
    facts = CommitFacts(
        message, files, agent_env(config, environ if environ is not None else os.environ)
    )
    return check_commit(facts, config, task_lookup(config), decision_lookup(config))


def report(violations: list[Violation], config: Config) -> str:
    policy = config.source or "the default policy"
    lines = [f"taskgov: commit refused by {policy}:"]
    lines.extend(f"  {violation.render()}" for violation in violations)
    lines.append(
        "(to commit anyway: git commit --no-verify; taskgov check-commits in CI will "
        "still report it)"
    )
    return "\n".join(lines)


def commit_msg(message_file: str, cwd: Path) -> int:
    try:
        config = load_config(find_root(cwd))
        message = Path(message_file).read_text(encoding="utf-8", errors="surrogateescape")
    except (TaskgovError, OSError) as exc:
        print(f"taskgov: error: {exc}", file=sys.stderr)
        return 2
    violations = check_message(message, config)
    if violations:
        print(report(violations, config), file=sys.stderr)
        return 1
    return 0


def post_commit(cwd: Path) -> int:
    """Log the new commit, with the agent variables set while it was made."""
    try:
        config = load_config(find_root(cwd))
        from taskgov.git.history import rev_parse
        from taskgov.log.ops import observed_now, sync

        head = rev_parse(config.root, "HEAD")
        observed = observed_now(config, dict(os.environ))
        sync(config, {head: observed} if head and observed else None)
    except Exception as exc:  # a post-commit hook must never make a commit look failed
        print(f"taskgov: contribution log not updated: {exc}", file=sys.stderr)
    return 0


def post_rewrite(cwd: Path, lines: list[str]) -> int:
    """After amend or rebase: records follow the rewritten commits to their new ids."""
    try:
        config = load_config(find_root(cwd))
        from taskgov.log.ops import remap, sync

        pairs = [tuple(line.split()[:2]) for line in lines if len(line.split()) >= 2]
        remap(config, [(old, new) for old, new in pairs])
        sync(config)
    except Exception as exc:
        print(f"taskgov: contribution log not updated: {exc}", file=sys.stderr)
    return 0


ZERO = "0" * 40


def pre_push(cwd: Path, lines: list[str]) -> int:
    """Check the commits about to be pushed (what --no-verify let through locally)."""
    try:
        config = load_config(find_root(cwd))
    except TaskgovError as exc:
        print(f"taskgov: error: {exc}", file=sys.stderr)
        return 2
    from taskgov.policy.audit import check_commits

    violations: list[Violation] = []
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or parts[1] == ZERO:  # a deleted ref pushes no commits
            continue
        local, remote = parts[1], parts[3]
        revisions = [local, f"^{remote}"] if remote != ZERO else [local, "--not", "--remotes"]
        try:
            violations.extend(check_commits(config, revisions))
        except TaskgovError as exc:
            print(f"taskgov: pre-push check skipped: {exc}", file=sys.stderr)
    if violations:
        print("taskgov: push refused; these commits break the policy:", file=sys.stderr)
        for violation in violations:
            print(f"  {violation.render()}", file=sys.stderr)
        print(
            "(fix them with git commit --amend or git rebase -i, or push with --no-verify)",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: list[str]) -> int:
    """Dispatch a hook by name; hooks with nothing to do succeed."""
    if not argv:
        print("usage: python -m taskgov.hooks HOOK [ARGS...]", file=sys.stderr)
        return 2
    hook, args = argv[0], argv[1:]
    if hook == "commit-msg":
        if len(args) != 1:
            print("usage: python -m taskgov.hooks commit-msg MESSAGE_FILE", file=sys.stderr)
            return 2
        return commit_msg(args[0], Path.cwd())
    if hook == "post-commit":
        return post_commit(Path.cwd())
    if hook == "post-rewrite":
        return post_rewrite(Path.cwd(), sys.stdin.read().splitlines())
    if hook == "pre-push":
        return pre_push(Path.cwd(), sys.stdin.read().splitlines())
    return 0
