"""Running git, and telling "git failed" apart from "git answered: nothing there".

Every caller that reads history relies on this distinction: a missing git, a directory git
does not recognise, a repository git refuses (``safe.directory``), a corrupt object store or
a bad revision raise ``GitError``; only a genuinely absent ref (a branch that does not exist,
HEAD before the first commit) is an empty answer. Nothing written from history may be written
after a failure, so a failure must never look like an empty history.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
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
    running = Running(git_command(root, *args), stdin)
    stdout = b"".join(running.output())
    return running.returncode, stdout, running.stderr


class Running:
    """A git process whose standard output is read as it comes (``output``) while its
    standard error is collected, and whose input, if any, is fed alongside: no threads, and
    no wait on a full pipe. It is started with ``posix_spawnp`` and read with ``poll``, not
    through the ``subprocess`` module, whose import alone costs the hooks more than running
    a git command; where those calls do not exist (Windows), ``subprocess`` runs it.
    ``stdin``: bytes to feed, or ``None`` for none (an empty input).

    A git that cannot be started raises ``GitError``."""

    def __init__(self, argv: list[str], stdin: bytes | None = None) -> None:
        self.argv, self.stdin = argv, stdin or b""
        self.returncode = -1
        self.stderr = b""

    def output(self) -> Iterator[bytes]:
        """Chunks of standard output, in order; ``returncode`` and ``stderr`` are set once
        the last one has been read (or the reader stopped early: the process is then ended
        and waited for)."""
        import select

        if not (hasattr(os, "posix_spawnp") and hasattr(select, "poll")):
            yield from self._subprocess()
            return
        pipes = [os.pipe() for _ in range(3)]  # stdin, stdout, stderr (close-on-exec ends)
        actions = [
            (os.POSIX_SPAWN_DUP2, pipes[0][0], 0),
            (os.POSIX_SPAWN_DUP2, pipes[1][1], 1),
            (os.POSIX_SPAWN_DUP2, pipes[2][1], 2),
        ]
        try:
            pid = os.posix_spawnp(self.argv[0], self.argv, os.environ, file_actions=actions)
        except OSError as exc:
            for pair in pipes:
                os.close(pair[0])
                os.close(pair[1])
            raise cannot_run(exc) from None
        for end in (pipes[0][0], pipes[1][1], pipes[2][1]):
            os.close(end)
        feed, out, err = pipes[0][1], pipes[1][0], pipes[2][0]
        os.set_blocking(feed, False)
        poller = select.poll()
        poller.register(out, select.POLLIN)
        poller.register(err, select.POLLIN)
        poller.register(feed, select.POLLOUT)
        open_fds, pending, errors = {out, err, feed}, memoryview(self.stdin), []
        try:
            while out in open_fds or err in open_fds:
                for fd, _ in poller.poll():
                    if fd == feed:
                        try:
                            pending = pending[os.write(feed, pending[: 1 << 16]) :]
                        except BrokenPipeError:  # it stopped reading: nothing more to give
                            pending = pending[:0]
                        if not pending:
                            self._close(poller, open_fds, feed)
                        continue
                    data = os.read(fd, 1 << 16)
                    if not data:
                        self._close(poller, open_fds, fd)
                    elif fd == out:
                        yield data
                    else:
                        errors.append(data)
        finally:
            if out in open_fds:  # the reader stopped early
                import signal

                os.kill(pid, signal.SIGTERM)
            for fd in list(open_fds):
                self._close(poller, open_fds, fd)
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            self.stderr = b"".join(errors)

    @staticmethod
    def _close(poller: object, open_fds: set[int], fd: int) -> None:
        poller.unregister(fd)  # type: ignore[attr-defined]
        os.close(fd)
        open_fds.discard(fd)

    def _subprocess(self) -> Iterator[bytes]:
        import subprocess

        try:
            done = subprocess.run(self.argv, input=self.stdin, capture_output=True, check=False)
        except OSError as exc:
            raise cannot_run(exc) from None
        self.returncode, self.stderr = done.returncode, done.stderr
        yield done.stdout


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
    import subprocess

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
