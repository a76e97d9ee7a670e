"""Whole answers cached for an unchanged repository, so a warm ``ready`` reads one small file.

An answer depends on the spec files, the policy, and the commits HEAD and the target branch point
at. The snapshot digest covers them all: the stat of every spec file (path, size, mtime, ctime,
inode), the policy's content hash, both commit ids and taskgov's version. Any edit, commit,
checkout or policy change gives another digest, and the answer is computed again.

Like git's index, stat data is not trusted for files modified in the last two seconds ("racy"):
then there is no digest, and nothing is read from or written to the cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from taskgov.config import Config
from taskgov.spec.cache import RACY_NS, memo_get, memo_put
from taskgov.spec.files import spec_files


def snapshot_digest(config: Config) -> str | None:
    """The digest of everything a read command's answer depends on; ``None`` when it cannot
    be trusted (racy files, symbolic links, or not a git repository)."""
    import hashlib

    parts: list[str] = []
    newest = 0
    for spec in spec_files(config):
        stat = spec.stat
        if stat is None:  # a symbolic link: its target can change under the same stat data
            return None
        newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
        parts.append(
            f"{spec.relpath}\0{int(spec.archived)}\0{stat.st_size}\0{stat.st_mtime_ns}"
            f"\0{stat.st_ctime_ns}\0{stat.st_ino}"
        )
    if newest > time.time_ns() - RACY_NS:
        return None
    commits = _commits(config)
    if commits is None:
        return None
    parts.append(f"{config.digest}\0{commits}")
    return hashlib.sha1("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def cached_answer(config: Config, name: str, options: object, compute: Callable[[], Any]) -> Any:
    """``compute()``, or what it returned before for the same snapshot and ``options``."""
    digest = snapshot_digest(config)
    if digest is None:
        return compute()
    key = (digest, options)
    found = memo_get(config.root, f"{name}.answer", key)
    if found is not None:
        return found
    answer = compute()
    memo_put(config.root, f"{name}.answer", key, answer)
    return answer


def _commits(config: Config) -> str | None:
    """HEAD's and the target branch's commit ids ("" for a repository without commits)."""
    from taskgov.git.history import head_and_target
    from taskgov.spec.cache import git_dir

    if git_dir(config.root) is None:
        return None
    return "\0".join(head_and_target(config.root, config.target_branch) or ("", ""))
