"""Running git, and telling "git failed" apart from "git answered: nothing there".

Every caller that reads history relies on this distinction: a missing git, a directory git
does not recognise, a repository git refuses (``safe.directory``), a corrupt object store or
a bad revision raise ``GitError``; only a genuinely absent ref (a branch that does not exist,
HEAD before the first commit) is an empty answer. Nothing written from history may be written
after a failure, so a failure must never look like an empty history.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from taskgov.errors import EXIT_USAGE, TaskgovError

_OBJECT_ID = re.compile(r"[0-9a-fA-F]{4,64}")


class GitError(TaskgovError):
    """git could not answer. The one-line message carries git's own complaint, e.g.
    ``git: fatal: detected dubious ownership in repository at '/x'``. Exit code 2."""

    exit_code = EXIT_USAGE


class NotARepository(GitError):
    """The directory is not inside a git repository."""


def git_command(root: Path, *args: str) -> list[str]:
    return ["git", "-C", str(root), "-c", "core.quotePath=false", *args]


def complaint(stderr: bytes, fallback: str) -> GitError:
    """The error for a failed git process: its first ``fatal:``/``error:`` line (the advice
    git prints after it, such as the safe.directory hint, is left out)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    chosen = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    message = f"git: {chosen or (lines[0] if lines else fallback)}"
    kind = NotARepository if "not a git repository" in message else GitError
    return kind(message)


def cannot_run(exc: OSError) -> GitError:
    """The error for a git that cannot be started (not installed, not on PATH)."""
    return GitError(f"git: cannot run git ({exc.strerror or exc}); is git installed and on PATH?")


def run_git(root: Path, *args: str) -> str:
    """Run a short git command and return its standard output.

    Raises ``GitError`` whenever git exits non-zero or cannot be started, whatever the reason
    (``NotARepository`` outside a repository). Callers that accept a particular "no" (e.g.
    ``git config --get`` of an unset key, which exits 1 silently) use ``probe_git``.
    """
    returncode, stdout, stderr = _run(root, args)
    if returncode != 0:
        raise complaint(stderr, f"git {args[0]} failed")
    return stdout.decode("utf-8", "replace")


def probe_git(root: Path, *args: str) -> str | None:
    """Like ``run_git``, but ``None`` when git exits 1 with nothing on stderr: the quiet
    "no such thing" of ``rev-parse --verify -q``, ``config --get`` and ``symbolic-ref -q``.
    Every other failure raises ``GitError``."""
    returncode, stdout, stderr = _run(root, args)
    if returncode == 1 and not stderr.strip():
        return None
    if returncode != 0:
        raise complaint(stderr, f"git {args[0]} failed")
    return stdout.decode("utf-8", "replace")


def git_bytes(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Like ``run_git``, for output that is not text (object contents) or input on stdin."""
    returncode, stdout, stderr = _run(root, args, stdin)
    if returncode != 0:
        raise complaint(stderr, f"git {args[0]} failed")
    return stdout


def _run(root: Path, args: tuple[str, ...], stdin: bytes | None = None) -> tuple[int, bytes, bytes]:
    try:
        done = subprocess.run(
            git_command(root, *args), input=stdin, capture_output=True, check=False
        )
    except OSError as exc:
        raise cannot_run(exc) from None
    return done.returncode, done.stdout, done.stderr


def git_outcome(
    root: Path,
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of a git command whose "no" the caller reads itself (a
    push that a lease rejects exits 1 and says why on stdout). Only a git that cannot be
    started, or one still running after ``timeout`` seconds, raises ``GitError``."""
    import os

    try:
        done = subprocess.run(
            git_command(root, *args),
            input=stdin,
            capture_output=True,
            check=False,
            env={**os.environ, **env} if env else None,
            timeout=timeout,
        )
    except OSError as exc:
        raise cannot_run(exc) from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]}: no answer after {timeout:g} s") from None
    return (
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def is_ancestor(root: Path, commit: str, of: str) -> bool:
    """Whether ``commit`` is ``of`` or one of its ancestors. False also when this repository
    does not have ``commit`` (an id gone after a rebase); any other git failure raises
    ``GitError``."""
    code, _, err = git_outcome(root, "merge-base", "--is-ancestor", commit, of)
    if code in (0, 1):
        return code == 0
    if _OBJECT_ID.fullmatch(commit) and rev_parse(root, commit) is None:
        return False
    raise GitError(f"git: {err.strip() or 'merge-base failed'}")


def rev_parse(root: Path, name: str) -> str | None:
    """The commit id ``name`` resolves to.

    ``None`` only when git works, the repository is readable and ``name`` names no commit:
    no such branch, tag or object id (an id of a commit gone after a rebase), or HEAD before
    the first commit. Raises ``GitError`` when git
    is missing, ``root`` is not in a repository, git refuses the repository (dubious
    ownership), or ``name`` resolves to an object that is missing (a corrupt repository).
    """
    found = probe_git(root, "rev-parse", "--verify", "-q", "--end-of-options", name + "^{commit}")
    if found is not None:
        return found.strip() or None
    if _OBJECT_ID.fullmatch(name):
        return None  # an id of an object this repository does not have (gone after a rebase)
    # A ref may exist while the commit it names is missing: that is corruption, not absence.
    named = probe_git(root, "rev-parse", "--verify", "-q", "--end-of-options", name)
    if named is not None and named.strip():
        sha = named.strip()
        if probe_git(root, "cat-file", "-e", sha) is None:
            raise GitError(f"git: fatal: bad object {sha} ({name}): the repository is corrupt")
    return None


def is_partial_clone(root: Path) -> bool:
    """Whether the repository is a partial clone (objects may be missing by design)."""
    if (probe_git(root, "config", "--get", "extensions.partialClone") or "").strip():
        return True
    promisors = probe_git(root, "config", "--get-regexp", r"^remote\..*\.promisor$") or ""
    return any(line.split()[-1].lower() == "true" for line in promisors.splitlines() if line)
