"""Which files are task specs: every ``.yaml``/``.yml`` under the active and completed
directories, with their stat data. Shared by the loader and the answer cache, and kept light:
a warm ``ready`` walks 10,000 specs through here without importing the loader."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from taskgov.config import Config
from taskgov.errors import InputError

SPEC_SUFFIXES = (".yaml", ".yml")


class SpecFile(NamedTuple):  # a NamedTuple: 10,000 of them are made on every warm run
    location: str  # absolute, as os.scandir gives it
    relpath: str  # relative to the repository root, POSIX separators
    archived: bool
    stat: os.stat_result | None  # None for a symbolic link (always read and checked)

    @property
    def path(self) -> Path:
        return Path(self.location)


def spec_files(config: Config) -> list[SpecFile]:
    """Every spec file, active first, each directory in name order."""
    active = config.active_dir
    if not active.is_dir():
        raise InputError(
            f"{config.paths.active}: no such directory (run `taskgov init`, or set paths.active "
            "in docs/governance/policy.yaml)"
        )
    found: list[SpecFile] = []
    root = str(config.root.resolve())
    for relative, archived in ((config.paths.active, False), (config.paths.completed, True)):
        directory = config.root / relative
        if directory.is_dir():
            prefix = relative.strip("/")
            walk = _Walk(root, archived, found)
            walk.directory(directory, "" if prefix in ("", ".") else prefix + "/")
    return found


class _Walk:
    """One directory tree's walk. A symbolic link to a directory inside the repository is
    followed, once; one that leads outside the repository, or back up to a directory being
    walked, is listed as a file, so that the reader reports it (TG003, TG002) instead of it
    being skipped unseen."""

    def __init__(self, root: str, archived: bool, found: list[SpecFile]) -> None:
        self.root = root
        self.archived = archived
        self.found = found
        self.seen: set[str] = set()

    def directory(self, directory: Path, prefix: str) -> None:
        self.seen.add(os.path.realpath(directory))
        _walk(directory, prefix, self.archived, self.found, self)

    def link(self, entry: os.DirEntry[str], relpath: str) -> None:
        target = os.path.realpath(entry.path)
        inside = target == self.root or target.startswith(self.root + os.sep)
        here = os.path.realpath(os.path.dirname(entry.path))
        upward = here == target or here.startswith(target + os.sep)
        if inside and not upward:
            if target not in self.seen:
                self.directory(Path(entry.path), relpath + "/")
        else:
            self.found.append(SpecFile(entry.path, relpath, self.archived, None))


def _walk(
    directory: Path, prefix: str, archived: bool, found: list[SpecFile], links: _Walk
) -> None:
    # os.scandir, not pathlib: on a warm run of 10,000 specs, Path objects cost more than
    # reading the cache.
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        relpath = prefix + name
        if entry.is_dir(follow_symlinks=False):
            _walk(Path(entry.path), relpath + "/", archived, found, links)
        elif entry.is_symlink() and entry.is_dir():
            links.link(entry, relpath)
        elif name.endswith(SPEC_SUFFIXES):
            link = entry.is_symlink()
            try:
                stat = None if link else entry.stat(follow_symlinks=False)
            except OSError:
                stat = None
            found.append(SpecFile(entry.path, relpath, archived, stat))
