"""What the git hooks run. This path is paid on every commit: it imports no click, pydantic,
ruamel, networkx, jinja2 or GitPython (a test holds it to that)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from taskgov.config import Config, find_root
from taskgov.errors import TaskgovError
from taskgov.policy.commits import CommitFacts, Violation, check_commit
from taskgov.policy.load import load_config
from taskgov.policy.lookup import decision_lookup, task_lookup


def agent_env(
    config: Config, environ: dict[str, str] | os._Environ[str] = os.environ
) -> tuple[str, ...]:
    """The agent environment variables the policy names that are set (and not empty)."""
    return tuple(name for name, _ in config.agent_env if environ.get(name, "").strip())


def staged_files(root: Path) -> tuple[str, ...]:
    """The paths the commit being made changes; ``GitError`` when git cannot tell."""
    from taskgov.git.process import git_bytes

    listed = git_bytes(root, "diff", "--cached", "--name-only", "-z")
    return tuple(p for p in listed.decode("utf-8", "surrogateescape").split("\0") if p)


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
    code, text = verdict(message_file, cwd)
    if text:
        print(text, file=sys.stderr)
    return code


def verdict(message_file: str, cwd: Path) -> tuple[int, str]:
    """The commit-msg hook's exit code and what it says on stderr; a refused or empty
    message also takes back the log files pre-commit staged for the commit."""
    try:
        config = load_config(find_root(cwd))
        message = Path(message_file).read_text(encoding="utf-8", errors="surrogateescape")
    except (TaskgovError, OSError) as exc:
        return 2, f"taskgov: error: {exc}"
    try:
        violations = check_message(message, config)
    except TaskgovError as exc:  # fail closed: what cannot be checked is not committed
        return 2, f"taskgov: error: {exc}"
    if violations:
        commit_refused(cwd, config)
        return 1, report(violations, config)
    if _empty(message):  # git will abort the commit after this hook
        commit_refused(cwd, config)
    return 0, ""


def _empty(message: str) -> bool:
    """Whether git's default clean-up leaves nothing of ``message`` (it then aborts)."""
    return all(not line.strip() or line.startswith("#") for line in message.splitlines())


def commit_refused(cwd: Path, config: Config | None = None) -> int:
    """The commit will not be made: take back the log files pre-commit staged for it, so the
    index and the work tree are as they were (a branch switch must not stumble on them)."""
    try:
        config = config or load_config(find_root(cwd))
        from taskgov.log.ops import unstage

        unstage(config)
    except Exception as exc:  # never turn a refusal into another failure
        print(
            f"taskgov: log files staged for the commit not restored: {_one_line(exc)}",
            file=sys.stderr,
        )
    return 0


def pre_commit(cwd: Path, environ: dict[str, str] | os._Environ[str] = os.environ) -> int:
    """Write the records of the commits made so far and stage them into this commit, so the
    commit leaves the work tree clean. Never refuses a commit."""
    try:
        config = load_config(find_root(cwd))
        from taskgov.git.context import repo_context
        from taskgov.log.ops import stage

        repo = repo_context(config.root)
        _keep_agent_env_current(config, repo.state_dir)
        result = stage(config, environ.get("GIT_INDEX_FILE"), amending(), repo)
        if result.skipped and "unstaged" in result.skipped:
            print(f"taskgov: contribution log not staged: {result.skipped}", file=sys.stderr)
    except Exception as exc:  # the log must never stand in the way of a commit
        print(f"taskgov: contribution log not updated: {_one_line(exc)}", file=sys.stderr)
        return 0
    # Taking staged files back when git exits without asking needs to know it was git.
    staged = bool(result.files or result.added) and run_by_git()
    staged_on = result.head if staged else None
    with contextlib.suppress(Exception):  # without it the commit-msg hook checks by itself
        serve_commit_msg(cwd, repo.git_dir, staged_on)
    return 0


def serve_commit_msg(cwd: Path, git_dir: Path, staged_on: str | None) -> None:
    """Leave a server that answers this commit's commit-msg hook from this process, already
    started and with the policy's modules imported (see ``taskgov.hooks.serve``).
    ``staged_on``: the HEAD the log files were staged on, or ``None`` when none were."""
    from taskgov.hooks.serve import offer

    def answer(request: str) -> tuple[int, str]:
        verb, _, path = request.partition(" ")
        if verb == "check" and path:
            return verdict(path, cwd)
        if verb == "refused":
            return commit_refused(cwd), ""
        return 2, f"taskgov: error: unknown request {request!r}"

    offer(git_dir, answer, lambda: commit_refused(cwd), staged_on)


def agent_env_names(config: Config) -> str:
    """The policy's agent variables, for the post-commit script (``taskgov.agentEnv``)."""
    return " ".join(name for name, _ in config.agent_env)


def _keep_agent_env_current(config: Config, state_dir: Path) -> None:
    """The post-commit script reads the policy's agent variables from git config: keep them as
    the policy says (a policy change reaches the clone with the next commit). Costs one small
    file read when nothing changed."""
    from taskgov.git.process import probe_git, run_git

    state = state_dir / "agent-env"
    wanted = agent_env_names(config)
    try:
        if state.read_text(encoding="utf-8") == wanted:
            return
    except OSError:
        pass
    if wanted:
        run_git(config.root, "config", "--local", "taskgov.agentEnv", wanted)
    else:
        probe_git(config.root, "config", "--local", "--unset-all", "taskgov.agentEnv")
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(wanted, encoding="utf-8")


def post_commit(cwd: Path, environ: dict[str, str] | os._Environ[str] = os.environ) -> int:
    """Note, in the git directory, the branch and the agent variables of the commit just made:
    history cannot tell them later. Writes nothing in the work tree."""
    try:
        config = load_config(find_root(cwd))
        from taskgov.git.context import repo_context
        from taskgov.git.history import run_git
        from taskgov.log.journal import record_commit

        context = repo_context(config.root)
        head = run_git(config.root, "rev-parse", "--verify", "HEAD^{commit}").strip()
        record_commit(context.state_dir, head, context.branch, agent_env(config, environ))
        (context.state_dir / "staged.json").unlink(missing_ok=True)  # it is in the commit
    except Exception as exc:  # a post-commit hook must never make a commit look failed
        print(f"taskgov: commit not noted for the log: {_one_line(exc)}", file=sys.stderr)
    return 0


def post_rewrite(cwd: Path, how: str, lines: list[str]) -> int:
    """After amend or rebase: note which commit replaced which, so records and observations
    follow them (the next commit's pre-commit hook moves the records)."""
    try:
        config = load_config(find_root(cwd))
        from taskgov.git.context import repo_context
        from taskgov.log.journal import record_rewrites

        pairs = [(p[0], p[1]) for p in (line.split() for line in lines) if len(p) >= 2]
        record_rewrites(repo_context(config.root).state_dir, pairs, how or "rebase")
    except Exception as exc:
        print(f"taskgov: rewrite not noted for the log: {_one_line(exc)}", file=sys.stderr)
    return 0


_VALUED = frozenset(
    {
        "-m",
        "-F",
        "-c",
        "-C",
        "-t",
        "--message",
        "--file",
        "--author",
        "--date",
        "--cleanup",
        "--fixup",
        "--squash",
        "--trailer",
        "--template",
        "--reuse-message",
        "--reedit-message",
    }
)


def amending(parent: int | None = None) -> bool:
    """Whether the ``git commit`` that runs this hook is an ``--amend``: its HEAD is about to
    be replaced, so HEAD must not be logged now. Read from the parent's command line where
    the system shows it (Linux /proc); elsewhere False, and the record of the replaced commit
    is moved at the next commit instead."""
    words = parent_command(parent)
    for index, word in enumerate(words):
        if word == "--":
            return False
        if word == "--amend" and (index == 0 or words[index - 1] not in _VALUED):
            return True
    return False


def parent_command(parent: int | None = None) -> list[str]:
    """The command line of the process that ran this hook, where the system shows it (Linux
    /proc); else empty."""
    try:
        raw = Path(f"/proc/{parent or os.getppid()}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode("utf-8", "surrogateescape").split("\0")


def run_by_git(parent: int | None = None) -> bool:
    """Whether git itself ran this hook (not a hook manager's script between them), as far
    as the system shows: only then is the hook's parent the ``git commit`` to wait for."""
    words = parent_command(parent)
    return bool(words) and os.path.basename(words[0]) in ("git", "git.exe")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _is_null(sha: str) -> bool:
    """git's "no commit" id, in any hash's length (SHA-1: 40 zeros, SHA-256: 64)."""
    return bool(sha) and set(sha) == {"0"}


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
        if len(parts) < 4 or _is_null(parts[1]):  # a deleted ref pushes no commits
            continue
        local, remote = parts[1], parts[3]
        revisions = [local, f"^{remote}"] if not _is_null(remote) else [local, "--not", "--remotes"]
        try:
            violations.extend(check_commits(config, revisions))
        except TaskgovError as exc:  # fail closed: what cannot be checked is not pushed
            print(
                f"taskgov: push refused, its commits could not be checked: {exc}", file=sys.stderr
            )
            return 2
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


def run() -> None:
    """What the hook scripts call: run the hook ``sys.argv`` names, then exit at once, without
    the interpreter's teardown (a few milliseconds of every commit). Every file a hook writes
    is closed before it returns; only the standard streams need flushing."""
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


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
    if hook == "pre-commit":
        return pre_commit(Path.cwd())
    if hook == "commit-refused":
        return commit_refused(Path.cwd())
    if hook == "post-commit":
        return post_commit(Path.cwd())
    if hook == "post-rewrite":
        return post_rewrite(Path.cwd(), args[0] if args else "", sys.stdin.read().splitlines())
    if hook == "pre-push":
        return pre_push(Path.cwd(), sys.stdin.read().splitlines())
    return 0
