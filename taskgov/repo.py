"""A repository's task specs, loaded once: the entry point of the library API."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from taskgov.checks.catalog import NOT_READ
from taskgov.checks.findings import apply_levels
from taskgov.config import Config, find_root
from taskgov.errors import NotFoundError
from taskgov.graph.deps import DependencyGraph, merge_dependencies
from taskgov.policy.load import load_config
from taskgov.problems import Problem
from taskgov.spec.blobs import cached_result, locate, read_spec
from taskgov.spec.cache import paused_gc
from taskgov.spec.files import spec_files
from taskgov.spec.loader import FileResult, parse_spec_bytes
from taskgov.spec.parsecache import SpecCache
from taskgov.spec.task import Task, id_key


@dataclass(frozen=True)
class Repository:
    """Every spec under the active and completed directories, parsed and checked per file."""

    config: Config
    files: tuple[FileResult, ...]

    @property
    def root(self) -> Path:
        return self.config.root

    @cached_property
    def tasks(self) -> Mapping[str, Task]:
        """Tasks by id (for a duplicated id, the first file in path order that could be read)."""
        result: dict[str, Task] = {}
        for file in self.files:
            task = file.task
            if task is not None:
                kept = result.setdefault(task.id, task)
                if kept.unreadable and not task.unreadable:
                    result[task.id] = task
        return dict(sorted(result.items(), key=lambda item: id_key(item[0])))

    @cached_property
    def known_ids(self) -> frozenset[str]:
        """Ids named by any spec, valid or not: references to them are not dangling."""
        return frozenset(f.task_id for f in self.files if f.task_id)

    @cached_property
    def graph(self) -> DependencyGraph:
        return merge_dependencies(self.tasks.values(), self.known_ids)

    @property
    def file_problems(self) -> Iterator[Problem]:
        for file in self.files:
            yield from file.problems

    @cached_property
    def read_problems(self) -> tuple[Problem, ...]:
        """What could not be read, one problem per cause: files that are placeholders
        (unparsable) and values that were dropped or guessed (policy levels applied)."""
        found = [p for p in self.file_problems if p.rule in NOT_READ]
        return tuple(apply_levels(self.config, found))

    def task(self, task_id: str) -> Task:
        """The task ``task_id`` names (case does not matter); ``NotFoundError`` suggests the
        closest id when there is none."""
        found = self.tasks.get(task_id)
        if found is not None:
            return found
        folded = {key.casefold(): task for key, task in self.tasks.items()}
        found = folded.get(task_id.casefold())
        if found is not None:
            return found
        import difflib

        message = (
            f"no task {task_id!r} in {self.config.paths.active} or {self.config.paths.completed}"
        )
        close = difflib.get_close_matches(task_id.casefold(), folded, n=1, cutoff=0.6)
        if close:
            message = f"no task {task_id!r}; did you mean {folded[close[0]].id}?"
        raise NotFoundError(message)


def load_repo(
    path: str | os.PathLike[str] = ".",
    *,
    config: Config | None = None,
    cache: bool = True,
) -> Repository:
    """Load the specs of the repository containing ``path``.

    Raises ``InputError`` when the active task directory does not exist or ``policy.yaml`` is
    malformed. Problems inside spec files do not raise: they are in ``Repository.files``.
    """
    if config is None:
        config = load_config(find_root(Path(path)))
    store = SpecCache.for_root(config.root, config.fingerprint(), enabled=cache)
    specs = spec_files(config)
    with paused_gc():  # 10,000 cached specs make 100,000 objects, none of them in a cycle
        store.load_all()
        located = locate(config, store, specs)
        results = [cached_result(store, found) for found in located]
    unparsed: Work = []
    for index, first in enumerate(located):
        found = first
        if results[index] is not None:
            if found.data is not None:  # read, and its content was cached: refresh the stat
                store.put(found.spec.relpath, str(found.blob), found.spec.stat, results[index])
            continue
        if found.data is None:  # the stat data named a blob the cache cannot give back
            found = located[index] = read_spec(config, found.spec)
            results[index] = cached_result(store, found)
        if results[index] is None and found.data is not None:
            unparsed.append((index, found.data, found.spec.relpath, found.spec.archived))
    for (index, *_), parsed in zip(unparsed, _parse_all(unparsed, config), strict=True):
        found = located[index]
        results[index] = parsed
        store.put(found.spec.relpath, str(found.blob), found.spec.stat, parsed)
    store.save({spec.relpath for spec in specs})
    return Repository(config, tuple(r for r in results if r is not None))


PARALLEL_MIN = 256  # below this many unparsed specs, a process pool costs more than it saves

Work = list[tuple[int, bytes, str, bool]]


def _jobs(count: int) -> int:
    wanted = os.environ.get("TASKGOV_JOBS", "")
    jobs = int(wanted) if wanted.isdigit() else (os.cpu_count() or 1)
    return max(1, min(jobs, count // (PARALLEL_MIN // 2)))


def _parse_all(work: Work, config: Config) -> list[FileResult]:
    """Parse what the cache could not answer, in several processes when there is a lot of it
    (a cold run on a fresh clone, CI's usual case)."""
    jobs = _jobs(len(work)) if len(work) >= PARALLEL_MIN else 1
    if jobs > 1:
        try:
            return _parse_in_processes(work, config, jobs)
        except (OSError, ImportError):  # no process pool on this platform: parse here
            pass
    return _parse_chunk(work, config)


def _parse_in_processes(work: Work, config: Config, jobs: int) -> list[FileResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = [work[i::jobs] for i in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        parts = list(pool.map(_parse_chunk, chunks, [config] * jobs))
    merged: list[FileResult] = [parts[0][0]] * len(work)
    for offset, part in enumerate(parts):
        merged[offset::jobs] = part
    return merged


def _parse_chunk(work: Work, config: Config) -> list[FileResult]:
    return [
        parse_spec_bytes(data, relpath, config, archived) for _, data, relpath, archived in work
    ]
