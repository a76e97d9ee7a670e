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
from taskgov.hooks.run import agent_env_names

HOOKS = ("pre-commit", "commit-msg", "post-commit", "post-rewrite", "pre-push")

# The scripts earlier taskgov versions wrote (SHA-256): ours to upgrade, not foreign hooks.
EARLIER_SCRIPTS = frozenset(
    {
        "1694abb24bb4b76a58946b18b633f96355303b3a08da5658771504a46d076627",
        "1f82a2ab57b726af110c2236d8dd18bc9c46822949acca9523748cc9afc25bb8",
        "2bf476704a01d9c9320e4287549c2300f2ebe524d11e41482924453646e91da6",
        "3a83aa24476088194a372ffcdfba54443403693918355ff1a75fcc09018144d4",
        "3fbf785336847b3e8d34637571bdc5318993e07d8f518b3649da40dfbadc51cc",
        "41c1c92799cc6bb898bedbc35076c62ecb539d248e981d3c5b68d7469851bf1a",
        "43ddcfa3fcaefd5efc8d6c6a7a299be8f17f5eda75b27b59ccd4a053afeff97f",
        "48be1f6054a43e7de9062cf2b57cb03c21e8c4d8e77b9595f55ed952ecf9bcef",
        "548f945015558f74325e581e17bcfca96ec485264ffc024ed7645f06c6a0fab7",
        "5ad459a0f936c63fe5cad1f4fb5e2a42b8c304a4863d45184a7b0619c5e96735",
        "5ae22ac45a2112816b3aadafeeca595e37b3af4cf7e86c91b15ab227012e973e",
        "6cb586b1490a99a840fd7b31458c06559d6a21880ff1a76985633051eaf7dc1c",
        "6e256f48049faeb29b402fe6c49d32d6820ed8515b934249291b96ef5e8eaa10",
        "6fb2a6f65e7273533095cc253bad7148a2f02932ac375bc841091cd49a7f47c1",
        "7b78ce0c920fb07af9b3eaabbba4890cf9ca2d21cf53908fc220f2649b87d99d",
        "80422347d54e32deb30963d629ffcb8e2ccd76841a6bbe53a3f7917b8a024e51",
        "88c6630334503dd624b0e2a59471fd23f4c0e29688fc628fd33b9bb6eb070b7e",
        "a32fd51da9e5ce81a0366c1a699b510eff6ead5ee97c4d77f0830454f1226e7a",
        "b2c98c41c8030c76c111e4a960a78e62155d3dbf3b2949e596a6dc98a0556621",
        "b9a5f9bd403ca191a8e3ed59e67f213a027798fb0b13fdd6122a6724334972ec",
        "baab09c3f89e3b269fd65b1214bd84e0341e40e6646b4408164d99af06eb8cfa",
        "09fba44f708b959ee08d9f6d5f1317090279bcab0636d1e300e321e8d2babdec",
        "def470c2acf2def7428b331eaf128086843863d44cbe99069caf91925ac44d77",
        "e556682a94a9c146ad144165ab1d7f482adcf86dc059635d06315ba75d5ab38d",
    }
)


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
    local = _local_scripts(root / ours)
    if foreign and not force:
        raise UsageError(
            f"{ours}/ holds hooks taskgov did not write ({', '.join(foreign)}); read them, then "
            "rerun with --force to keep them as NAME.local, run first by taskgov's hooks"
        )
    if local and not force:
        raise UsageError(
            f"{ours}/ holds hook scripts that would run on every commit "
            f"({', '.join(local)}); read them, then rerun with --force to enable them"
        )
    for name in foreign:
        (root / ours / name).rename(root / ours / f"{name}.local")
    written = _ensure_scripts(root, root / ours)
    _accept_local(root, root / ours)
    interpreter = python or sys.executable
    settings = [
        ("core.hooksPath", ours),
        ("taskgov.python", str(Path(interpreter).absolute())),
        ("taskgov.chain", str(chain_dir) if chained else ""),
        ("taskgov.previousHooksPath", previous or ""),
        ("taskgov.agentEnv", agent_env_names(config)),
    ]
    legacy = _legacy_merge_driver(root)
    settings += [
        ("merge.taskgov-log.name", "taskgov contribution log (union of records)" if legacy else ""),
        (
            "merge.taskgov-log.driver",
            f"{_sh_quote(settings[1][1])} -m taskgov.log.merge %O %A %B" if legacy else "",
        ),
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
        "taskgov.agentEnv",
        "taskgov.chain",
        "taskgov.previousHooksPath",
        "merge.taskgov-log.name",
        "merge.taskgov-log.driver",
    ):
        _unset(root, key)
    with contextlib.suppress(GitError):  # nothing accepted
        run_git(root, "config", "--local", "--remove-section", "taskgov.local")
    return previous


def _accept_local(root: Path, directory: Path) -> None:
    """Record the git blob id of each ``NAME.local`` script as accepted: the hook scripts run
    one only while it is byte for byte what was accepted here (a script a later pull brings
    or changes is not run). Those not present any more are forgotten."""
    with contextlib.suppress(GitError):
        run_git(root, "config", "--local", "--remove-section", "taskgov.local")
    for script in _local_scripts(directory):
        blob = run_git(root, "hash-object", "--", str(directory / script)).strip()
        run_git(root, "config", "--local", f"taskgov.local.{script.removesuffix('.local')}", blob)


def _unset(root: Path, key: str) -> None:
    with contextlib.suppress(GitError):  # not set
        run_git(root, "config", "--local", "--unset", key)


def _digest(data: bytes | Path) -> str:
    import hashlib

    return hashlib.sha256(data.read_bytes() if isinstance(data, Path) else data).hexdigest()


def _ours(path: Path, name: str) -> bool:
    """A script taskgov wrote: this version's template, byte for byte, or an earlier one's."""
    from taskgov.templates import template_text

    digest = _digest(path)
    return digest == _digest(template_text(f"githooks/{name}").encode()) or (
        digest in EARLIER_SCRIPTS
    )


def _foreign_scripts(directory: Path) -> list[str]:
    """Hook scripts in ``directory`` that taskgov did not write."""
    return [
        name for name in HOOKS if (directory / name).is_file() and not _ours(directory / name, name)
    ]


def _local_scripts(directory: Path) -> list[str]:
    """Executable ``NAME.local`` scripts that taskgov's hooks would run first."""
    return [
        f"{name}.local"
        for name in HOOKS
        if (directory / f"{name}.local").is_file()
        and os.access(directory / f"{name}.local", os.X_OK)
    ]


def _legacy_merge_driver(root: Path) -> bool:
    """Whether .gitattributes still names the merge driver earlier versions registered (new
    repositories use git's built-in ``union``, which needs no configuration)."""
    try:
        text = (root / ".gitattributes").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "merge=taskgov-log" in text


def _sh_quote(text: str) -> str:
    """``text`` as one word for the shell git runs merge drivers with."""
    return "'" + text.replace("'", "'\\''") + "'"


def _ensure_scripts(root: Path, directory: Path) -> tuple[str, ...]:
    """Write the scripts that are missing or an earlier version's, through the contained
    writer: a committed ``.githooks`` link that leads out of the repository is refused."""
    from taskgov.fsops import Write, write_files
    from taskgov.templates import template_text

    written = []
    for name in HOOKS:
        target = directory / name
        if target.is_symlink():
            continue
        if target.exists() and not (target.is_file() and _digest(target) in EARLIER_SCRIPTS):
            continue
        write_files(root, [Write(target, template_text(f"githooks/{name}"))])
        target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(name)
    return tuple(written)
