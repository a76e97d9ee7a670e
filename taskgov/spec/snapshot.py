"""Whole answers cached for an unchanged repository, so a warm ``ready`` reads one small file.

An answer depends on the spec files, the policy, and the commits HEAD and the target branch point
at. The snapshot digest covers them all: the stat of every spec file (path, size, mtime, ctime,
inode), the policy's content hash, both commit ids and taskgov's version. Any edit, commit,
checkout or policy change gives another digest, and the answer is computed again.

Like git's index, stat data is not trusted for files modified in the last two seconds ("racy"):
then there is no digest, and no answer is read from or written to ``NAME.answer``.

After an edit, most of the answer usually still holds. ``NAME.base`` keeps the last answer
with the blob id of every spec it was computed from. When the policy and the commits are the
same and the same files exist, only the files whose content changed are looked at (parsed, if
new): a ``refresh`` function given the old and new parse results of each brings the answer up
to date, or says it cannot (then it is computed again). This does not depend on stat data, so
it also serves the run right after an edit, while the edited file is racy. With a ``history``
digest, the last answer also holds across commits that change nothing the answer takes from
history (for ``ready``: no task closed or started), which is what most commits are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from taskgov.config import Config
from taskgov.spec.cache import RACY_NS, memo_get, memo_put
from taskgov.spec.files import SpecFile, spec_files

if TYPE_CHECKING:
    from taskgov.spec.loader import FileResult

# (old answer, [(old result, new result) for each changed file]) -> new answer, or None
Refresh = Callable[[Any, list[tuple["FileResult", "FileResult"]]], Any]
REFRESH_MAX = 64  # beyond this many changed files, computing the answer again is simpler


def snapshot_digest(config: Config) -> str | None:
    """The digest of everything a read command's answer depends on; ``None`` when it cannot
    be trusted (racy files, symbolic links, or not a git repository)."""
    commits = _commits(config)
    return None if commits is None else _digest(config, spec_files(config), commits)


def _digest(config: Config, specs: list[SpecFile], commits: str) -> str | None:
    import hashlib

    stats = [spec.stat for spec in specs]
    if any(stat is None for stat in stats):  # a symbolic link: its target can change unseen
        return None
    # Racy files first (right after an edit): then there is no digest to build at all.
    newest = max((max(st.st_mtime_ns, st.st_ctime_ns) for st in stats if st), default=0)
    if newest > time.time_ns() - RACY_NS:
        return None
    parts = [
        f"{spec.relpath}\0{int(spec.archived)}\0{st.st_size}\0{st.st_mtime_ns}"
        f"\0{st.st_ctime_ns}\0{st.st_ino}"
        for spec, st in zip(specs, stats, strict=True)
        if st is not None
    ]
    parts.append(f"{config.digest}\0{commits}")
    return hashlib.sha1("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def cached_answer(
    config: Config,
    name: str,
    options: object,
    compute: Callable[[], Any],
    refresh: Refresh | None = None,
    history: Callable[[], str] | None = None,
) -> Any:
    """``compute()``, or what it returned before for the same snapshot and ``options``; with
    ``refresh``, the last answer brought up to date when only a few specs changed.

    ``history``: a digest of everything the answer takes from the commits (for ``ready``, the
    tasks the history closes and starts). With it, the last answer also survives a commit
    that changes none of that (most commits), instead of being computed again."""
    commits = _commits(config)
    if commits is None:
        return compute()
    specs = spec_files(config)
    digest = _digest(config, specs, commits)
    if digest is not None:
        found = memo_get(config.root, f"{name}.answer", (digest, options))
        if found is not None:
            return found
    from taskgov.spec.parsecache import shared_caches

    base = (config.digest, _history(config, commits, history), options)
    with shared_caches():  # what _refreshed read, compute() does not read again
        answer, files = _refreshed(config, f"{name}.base", base, specs, refresh)
        if answer is None:
            answer = compute()
    if digest is not None:
        memo_put(config.root, f"{name}.answer", (digest, options), answer)
    if files is not None:
        memo_put(config.root, f"{name}.base", base, {"files": files, "answer": answer})
    return answer


def _history(config: Config, commits: str, history: Callable[[], str] | None) -> str:
    """What the last answer's validity takes from the commits: ``history()``, remembered for
    these commit ids (an edit between commits asks git nothing more), or the ids themselves."""
    if history is None:
        return commits
    found = memo_get(config.root, "history.digest", commits)
    if isinstance(found, str):
        return found
    value = history()
    memo_put(config.root, "history.digest", commits, value)
    return value


def _refreshed(
    config: Config, name: str, base: object, specs: list[SpecFile], refresh: Refresh | None
) -> tuple[Any, dict[str, str] | None]:
    """The last answer brought up to date (``None`` when it cannot be), and the blob id of
    every spec (``None`` when a file cannot be read)."""
    if refresh is None:
        return None, None
    from taskgov.spec.blobs import cached_result, locate, read_spec
    from taskgov.spec.cache import paused_gc
    from taskgov.spec.parsecache import SpecCache

    store = SpecCache.for_root(config.root, config.fingerprint())
    if store.location is None:
        return None, None
    located = locate(config, store, specs)
    files = {found.spec.relpath: found.blob for found in located if found.blob is not None}
    if len(files) != len(located):
        return None, None
    last = memo_get(config.root, name, base)
    before = last.get("files") if isinstance(last, dict) else None
    if not isinstance(before, dict) or before.keys() != files.keys():
        return None, files
    changed = [found for found in located if before[found.spec.relpath] != found.blob]
    if not changed:
        return last["answer"], files
    if len(changed) > REFRESH_MAX:
        return None, files
    pairs = []
    with paused_gc():
        for found in changed:
            old = store.get(found.spec.relpath, before[found.spec.relpath])
            new = cached_result(store, found)
            if new is None:
                new = _parse(config, store, found if found.data else read_spec(config, found.spec))
            if old is None or new is None:
                return None, files
            pairs.append((old, new))
    store.save(set(files), complete=False)
    return refresh(last["answer"], pairs), files


def _parse(config: Config, store: Any, found: Any) -> FileResult | None:
    from taskgov.spec.loader import parse_spec_bytes

    if found.data is None or found.blob is None:
        return None
    result = parse_spec_bytes(found.data, found.spec.relpath, config, found.spec.archived)
    store.put(found.spec.relpath, found.blob, found.spec.stat, result)
    return result


def _commits(config: Config) -> str | None:
    """HEAD's and the target branch's commit ids ("" for a repository without commits)."""
    from taskgov.git.history import head_and_target
    from taskgov.spec.cache import git_dir

    if git_dir(config.root) is None:
        return None
    return "\0".join(head_and_target(config.root, config.target_branch) or ("", ""))
