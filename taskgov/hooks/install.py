"""``taskgov hooks install|uninstall``: point git at ``.githooks/`` and remember the Python
that runs them, chaining hooks that were installed before."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from taskgov.config import Config
from taskgov.errors import UsageError
from taskgov.git import config_value
from taskgov.git.history import GitError, NotARepository, run_git

HOOKS = ("commit-msg", "post-commit", "post-rewrite", "pre-push")


@dataclass(frozen=True)
class HookSetup:
    hooks_path: str
    python: str
    chained: tuple[str, ...]  # hooks from the previous hooks directory that still run
    written: tuple[str, ...]  # hook scripts created because they were missing

    def as_dict(self) -> dict[str, object]:
        return {
            "hooks_path": self.hooks_path,
            "python": self.python,
            "chained": list(self.chained),
            "written": list(self.written),
        }


def install(config: Config, force: bool = False, python: str | None = None) -> HookSetup:
    root = config.root
    try:
        hooks_default = run_git(root, "rev-parse", "--git-path", "hooks").strip()
    except NotARepository as exc:
        raise UsageError(f"{root}: not a git repository ({exc})") from None
    ours = config.paths.hooks
    current = config_value(root, "core.hooksPath")
    if current not in (None, ours) and not force:
        raise UsageError(
            f"core.hooksPath is already {current!r} (another hook manager?); rerun with "
            "--force to use taskgov's hooks and run those from them"
        )
    if current == ours:  # installing again: keep what the first install found
        previous = config_value(root, "taskgov.previousHooksPath")
    else:
        previous = current
    chain_dir = (root / (previous or hooks_default)).resolve()
    chained = tuple(
        name
        for name in HOOKS
        if (chain_dir / name).is_file()
        and os.access(chain_dir / name, os.X_OK)
        and chain_dir != (root / ours).resolve()
    )
    foreign = _foreign_scripts(root / ours)
    if foreign and not force:
        raise UsageError(
            f"{ours}/ holds hooks taskgov did not write ({', '.join(foreign)}); rerun with "
            "--force to keep them as NAME.local, run first by taskgov's hooks"
        )
    for name in foreign:
        (root / ours / name).rename(root / ours / f"{name}.local")
    written = _ensure_scripts(root / ours)
    interpreter = python or sys.executable
    settings = [
        ("core.hooksPath", ours),
        ("taskgov.python", str(Path(interpreter).absolute())),
        ("taskgov.chain", str(chain_dir) if chained else ""),
        ("taskgov.previousHooksPath", previous or ""),
    ]
    settings += [
        ("merge.taskgov-log.name", "taskgov contribution log (union of records)"),
        ("merge.taskgov-log.driver", f"'{settings[1][1]}' -m taskgov.log.merge %O %A %B"),
    ]
    for key, value in settings:
        if value:
            run_git(root, "config", "--local", key, value)
        else:
            _unset(root, key)
    return HookSetup(ours, settings[1][1], chained, written)


def uninstall(config: Config) -> str | None:
    """Undo ``install``: restore the previous ``core.hooksPath``; returns it (None if unset)."""
    root = config.root
    previous = config_value(root, "taskgov.previousHooksPath")
    if config_value(root, "core.hooksPath") == config.paths.hooks:
        if previous:
            run_git(root, "config", "--local", "core.hooksPath", previous)
        else:
            _unset(root, "core.hooksPath")
    for key in (
        "taskgov.python",
        "taskgov.chain",
        "taskgov.previousHooksPath",
        "merge.taskgov-log.name",
        "merge.taskgov-log.driver",
    ):
        _unset(root, key)
    return previous


def _unset(root: Path, key: str) -> None:
    with contextlib.suppress(GitError):  # not set
        run_git(root, "config", "--local", "--unset", key)


MARKER = "taskgov"


def _foreign_scripts(directory: Path) -> list[str]:
    """Hook scripts in ``directory`` that taskgov did not write."""
    foreign = []
    for name in HOOKS:
        path = directory / name
        if path.is_file():
            head = path.read_text(encoding="utf-8", errors="replace")[:400]
            if MARKER not in head:
                foreign.append(name)
    return foreign


def _ensure_scripts(directory: Path) -> tuple[str, ...]:
    from taskgov.templates import template_text

    written = []
    directory.mkdir(parents=True, exist_ok=True)
    for name in HOOKS:
        target = directory / name
        if target.exists():
            continue
        target.write_text(template_text(f"githooks/{name}"), encoding="utf-8")
        target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(name)
    return tuple(written)
