"""A repository's task specs, loaded once: the entry point of the library API."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from taskgov.config import Config, find_root, load_config
from taskgov.errors import InputError, NotFoundError
from taskgov.graph.deps import DependencyGraph, merge_dependencies
from taskgov.problems import Problem
from taskgov.spec.cache import SpecCache, blob_id
from taskgov.spec.loader import FileResult, parse_spec_bytes
from taskgov.spec.task import Task
from taskgov.spec.yamlio import YamlProblem, read_bytes
from taskgov.validate.findings import Findings

SPEC_SUFFIXES = (".yaml", ".yml")


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
        """Tasks by id (for a duplicated id, the first file in path order)."""
        result: dict[str, Task] = {}
        for file in self.files:
            if file.task is not None:
                result.setdefault(file.task.id, file.task)
        return dict(sorted(result.items()))

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

    def task(self, task_id: str) -> Task:
        try:
            return self.tasks[task_id]
        except KeyError:
            for file in self.files:
                if file.task_id == task_id:
                    raise NotFoundError(
                        f"{task_id}: {file.path} is invalid (run `taskgov validate`)"
                    ) from None
            raise NotFoundError(
                f"no task {task_id!r} in {self.config.paths.active} or "
                f"{self.config.paths.completed}"
            ) from None


def spec_files(config: Config) -> list[tuple[Path, bool]]:
    """(path, archived) for every spec file, active first, each directory in name order."""
    active = config.active_dir
    if not active.is_dir():
        raise InputError(
            f"{config.paths.active}: no such directory (run `taskgov init`, or set paths.active "
            "in docs/governance/policy.yaml)"
        )
    found: list[tuple[Path, bool]] = []
    for directory, archived in ((active, False), (config.completed_dir, True)):
        if directory.is_dir():
            found.extend((path, archived) for path in _walk(directory))
    return found


def _walk(directory: Path) -> list[Path]:
    paths: list[Path] = []
    for base, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        paths.extend(
            Path(base, name)
            for name in sorted(names)
            if name.endswith(SPEC_SUFFIXES) and not name.startswith(".")
        )
    return paths


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
    root = config.root
    store = SpecCache.for_root(root, config.fingerprint(), enabled=cache)
    results = []
    live = set()
    for file, archived in spec_files(config):
        relpath = file.relative_to(root).as_posix()
        live.add(relpath)
        results.append(_load_one(file, relpath, archived, config, store))
    store.save(live)
    return Repository(config, tuple(results))


def _load_one(
    file: Path, relpath: str, archived: bool, config: Config, store: SpecCache
) -> FileResult:
    try:
        stat = file.stat() if not file.is_symlink() else None
    except OSError:
        stat = None
    if stat is not None:
        known = store.known_blob(relpath, stat)
        if known is not None:
            cached = store.get(relpath, known)
            if cached is not None:
                return cached  # type: ignore[no-any-return]
    try:
        data = read_bytes(file, config.root)
    except YamlProblem as problem:
        findings = Findings(config, relpath)
        findings.add(problem.rule, problem.message, problem.line, problem.column)
        return FileResult(relpath, None, None, tuple(findings.problems))
    blob = blob_id(data)
    cached = store.get(relpath, blob)
    if cached is None or (cached.task is not None and cached.task.archived != archived):
        cached = parse_spec_bytes(data, relpath, config, archived)
    store.put(relpath, blob, stat, cached)
    return cached  # type: ignore[no-any-return]
