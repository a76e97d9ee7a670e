"""The commit-msg check, answered by the process that ran the pre-commit hook.

A commit runs two hooks that need Python: pre-commit (the log, before git takes the tree) and
commit-msg (the policy, once the message exists). Starting a second interpreter costs more
than the check itself, so when the pre-commit hook is done its process forks a small server
that waits for the commit-msg hook script to hand it the message. The script prints the
server's answer and exits with its code; no second interpreter starts.

The channel is a directory ``taskgov/commit-msg.<git pid>`` in the worktree's git directory
(private to the clone, named after the ``git commit`` process that runs both hooks), holding:

* ``pid``: the server's process id and a random token, written before the pre-commit hook
  returns;
* ``in``: a FIFO the script writes one request line to (``check PATH`` or ``refused``);
* ``out``: a FIFO the script reads the answer from: ``verdict:N``, the lines to print, and
  ``end:TOKEN``. Only a whole answer counts: the token cannot come from the text.

The script never waits on a server that is gone. The server holds ``out`` open for writing
from before the pre-commit hook returns until it exits. The script opens ``out`` read-write
(which never waits), reopens it read-only through ``/dev/fd`` and closes the first: from
then on the server is the only writer, so when it dies, however it dies (even ``kill -9``,
even left a zombie by an init that does not reap), the script's read ends. Where ``/dev/fd``
gives a copy instead of a new open (macOS), the script relies on checking that the server
is alive before it asks. Whatever goes wrong (no channel, a dead server, an answer that is
not whole), the script runs the check itself in a new interpreter, as it would without a
server: a server never makes a commit pass that the check would refuse.

The server lives until it has answered, until the ``git commit`` process exits, or for an
hour (an editor left open longer: the script then runs the check itself). When git exits
without asking (the editor failed, the message was empty, the commit was interrupted) and
HEAD has not moved, the commit was not made: the server takes back the log files the
pre-commit hook staged for it, so ``git status`` is as it was before ``git commit``.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from pathlib import Path

LIFETIME = 3600.0  # seconds a server waits for its commit-msg hook at most
LIMIT = 32_000  # bytes of answer text (a FIFO holds 64 KiB; the script reads as it comes)
PREFIX = "commit-msg."

Answer = Callable[[str], tuple[int, str]]  # request -> (exit code, text for stderr)


def offer(
    git_dir: Path,
    answer: Answer,
    aborted: Callable[[], object],
    head: str | None,
    git_pid: int | None = None,
) -> int | None:
    """Fork the server for the ``git commit`` running this hook (the hook's parent). Returns
    the server's pid in the hook's process, which goes on at once; ``None`` when the system
    has no FIFOs or fork (the commit-msg hook then starts its own interpreter)."""
    if not (hasattr(os, "fork") and hasattr(os, "mkfifo")):
        return None
    git_pid = git_pid or os.getppid()
    base = git_dir / "taskgov"
    base.mkdir(parents=True, exist_ok=True)
    sweep(base)
    channel = base / f"{PREFIX}{git_pid}"
    remove(channel)  # a channel left by an earlier process with this pid
    os.mkdir(channel, 0o700)
    token = os.urandom(8).hex()  # ends the answer: no line of the text can forge it
    ends: list[int] = []
    try:
        for name in ("in", "out"):
            os.mkfifo(channel / name, 0o600)
            # read-write opens of a FIFO do not wait for the other end
            ends.append(os.open(channel / name, os.O_RDWR | os.O_CLOEXEC))
        pid = os.fork()
    except OSError:
        for fd in ends:
            os.close(fd)
        remove(channel)
        return None
    if pid == 0:  # the server
        code = 0
        try:
            code = _serve(channel, ends[0], ends[1], git_pid, answer, aborted, head, token)
        except BaseException:  # nothing may escape into the copy of the hook's process
            code = 1
        finally:
            remove(channel)
            os._exit(code)
    for fd in ends:
        os.close(fd)
    written = channel / "pid.tmp"
    written.write_bytes(b"%d %s\n" % (pid, token.encode()))
    os.replace(written, channel / "pid")
    return pid


def _serve(
    channel: Path,
    requests: int,
    replies: int,
    git_pid: int,
    answer: Answer,
    aborted: Callable[[], object],
    head: str | None,
    token: str,
) -> int:
    import select
    import time

    _detach(requests, replies)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the editor: git's to handle
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)
    watch = _watch(git_pid)
    poller = select.poll()
    poller.register(requests, select.POLLIN)
    if watch is not None:
        poller.register(watch, select.POLLIN)
    deadline = time.monotonic() + LIFETIME
    pending = b""
    while b"\n" not in pending:
        left = deadline - time.monotonic()
        if left <= 0:
            return 0
        ready = {fd for fd, _ in poller.poll(min(left, 1.0) * 1000)}
        if requests in ready:
            pending += os.read(requests, 4096)
            continue
        if watch in ready or (watch is None and not _alive(git_pid)):
            if head is not None and _head() == head:
                aborted()  # git is gone and made no commit
            return 0  # the channel goes last: when it is gone, so is the work
    line = pending.split(b"\n", 1)[0].decode("utf-8", "surrogateescape")
    code, text = answer(line)
    remove(channel)  # from here the script reads what is in the FIFO, then the end
    said = text.encode("utf-8", "surrogateescape")[:LIMIT].decode("utf-8", "ignore")
    lines = [f"verdict:{code}", *said.splitlines(), f"end:{token}"]
    reply = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
    while reply:
        reply = reply[os.write(replies, reply) :]
    return 0


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(1)


def _detach(*keep: int) -> None:
    """Let go of the hook's standard streams and of every other inherited descriptor but the
    channel's: git (or a GUI reading git's output) must not wait for this process."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


def _watch(pid: int) -> int | None:
    """A descriptor that becomes readable when ``pid`` exits (Linux); else ``None``."""
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        return int(opener(pid))
    except OSError:
        return None


def _alive(pid: int) -> bool:
    from taskgov.fsops.files import alive  # only for stale channels, and where no pidfd

    return alive(pid)


def _head() -> str | None:
    from taskgov.git.process import probe_git

    try:
        found = probe_git(Path.cwd(), "rev-parse", "-q", "--verify", "HEAD^{commit}")
    except Exception:
        return None  # unknown is not "unchanged"
    return found.strip() if found else None


def remove(channel: Path) -> None:
    for name in ("in", "out", "pid", "pid.tmp"):
        with contextlib.suppress(OSError):
            os.unlink(channel / name)
    with contextlib.suppress(OSError):
        os.rmdir(channel)


def sweep(base: Path) -> None:
    """Remove channels whose ``git commit`` is gone (a server killed before it could)."""
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(PREFIX):
            pid = entry.name[len(PREFIX) :]
            if pid.isdigit() and not _alive(int(pid)):
                remove(Path(entry.path))
