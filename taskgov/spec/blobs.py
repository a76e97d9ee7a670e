"""Which content each spec file holds (its git blob id), from the cache's stat data where it
can be trusted and by reading the file where not. Shared by ``load_repo`` and the answer cache,
which needs the blob ids of every file but the parse results of the changed ones only."""

from __future__ import annotations

from typing import NamedTuple

from taskgov.config import Config
from taskgov.spec.cache import blob_id
from taskgov.spec.files import SpecFile
from taskgov.spec.loader import FileResult, unreadable_file
from taskgov.spec.parsecache import SpecCache
from taskgov.spec.yamlio import YamlProblem, read_bytes


class Located(NamedTuple):
    spec: SpecFile
    blob: str | None  # None when the file cannot be read: ``failed`` says why
    data: bytes | None  # the file's bytes, when it had to be read
    failed: FileResult | None = None


def locate(config: Config, store: SpecCache, specs: list[SpecFile]) -> list[Located]:
    """The blob id of every spec, reading only the files whose stat data changed."""
    located = []
    for spec in specs:
        blob = store.known_blob(spec.relpath, spec.stat) if spec.stat else None
        located.append(Located(spec, blob, None) if blob else read_spec(config, spec))
    return located


def read_spec(config: Config, spec: SpecFile) -> Located:
    """``spec`` read from disk; for a file that cannot be read, the problem as its result."""
    try:
        data = read_bytes(spec.path, config.root)
    except YamlProblem as problem:  # still a task as far as ids go: listed, never ready
        failed = unreadable_file(spec.relpath, config, spec.archived, problem)
        return Located(spec, None, None, failed)
    return Located(spec, blob_id(data), data)


def cached_result(store: SpecCache, found: Located) -> FileResult | None:
    """The cached result for ``found``'s content, unless it was parsed for the other
    directory (a spec moved between active and completed)."""
    if found.failed is not None:
        return found.failed
    if found.blob is None:
        return None
    result = store.get(found.spec.relpath, found.blob)
    if result is None or (result.task is not None and result.task.archived != found.spec.archived):
        return None
    return result  # type: ignore[no-any-return]
