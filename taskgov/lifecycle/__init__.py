"""The task lifecycle: ``start``, ``done`` and ``status``, written into the spec.

Each change is a read-modify-write of one spec under the repository's write lock, made with
surgical edits (``taskgov.spec.edit``): ``state.status``, ``state.started_at`` (set on the
first start), ``state.completed_at`` (set on completion, emptied when a completed task is
reopened), ``updated_at`` when the spec has one, and an entry appended to ``progress``. Every
other byte of the file stays as it was; the result is parsed again and must load to the same
values except those, with no new error.

Which changes are legal (``TRANSITIONS``): completed and cancelled are final; draft must
become ready (or assigned) before work starts; entering in_progress, review or completed
needs every hard dependency finished. ``--force`` (``force=True``) skips exactly those two
checks, the table and the dependencies; never the others (an unknown task or status, a spec
that cannot be read or edited safely, a ``--move`` target that exists).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskgov.config import Config, find_root
from taskgov.errors import CheckFailed, UsageError
from taskgov.git.activity import Activity
from taskgov.lifecycle.rules import TRANSITIONS, WORK, check, legal, refuse_unreadable
from taskgov.lifecycle.specfile import SpecFile
from taskgov.repo import Repository
from taskgov.spec.task import Task, enum_word, id_key

__all__ = ["TRANSITIONS", "WORK", "Change", "finish_task", "set_status", "start_task"]


@dataclass(frozen=True)
class Change:
    """What one lifecycle command did to one spec."""

    task_id: str
    path: str  # where the spec is now, relative to the repository root
    old_status: str
    new_status: str
    fields: dict[str, Any] = field(default_factory=dict)  # dotted field -> value written
    moved_from: str | None = None
    git_mv: bool = False  # the move was recorded with ``git mv``
    forced: tuple[str, ...] = ()  # checks ``force`` skipped that would have refused
    now_ready: tuple[str, ...] = ()  # dependents this change made ready

    @property
    def changed(self) -> bool:
        return bool(self.fields) or self.moved_from is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.task_id,
            "path": self.path,
            "old_status": self.old_status,
            "new_status": self.new_status,
            "changed": self.changed,
            "fields": self.fields,
            "moved_from": self.moved_from,
            "git_mv": self.git_mv,
            "forced": list(self.forced),
            "now_ready": list(self.now_ready),
        }


def start_task(
    task_id: str,
    *,
    path: str | os.PathLike[str] = ".",
    config: Config | None = None,
    force: bool = False,
    note: str = "",
) -> Change:
    """Mark ``task_id`` in progress: ``state.status``, ``state.started_at`` (unless already
    set) and a progress entry. Refused (``CheckFailed``, exit 1) when the task is already in
    progress, when its status may not move to in_progress, or when a hard dependency is
    unfinished; ``force`` skips the last two."""
    return _change(_config(path, config), task_id, "in_progress", "start", force, note)


def finish_task(
    task_id: str,
    *,
    path: str | os.PathLike[str] = ".",
    config: Config | None = None,
    move: bool = False,
    force: bool = False,
    note: str = "",
) -> Change:
    """Mark ``task_id`` completed (``state.status``, ``state.completed_at``, a progress entry);
    with ``move``, also move the spec to the completed directory (``git mv`` when tracked;
    a spec already completed is only moved). Refused like ``start_task``."""
    return _change(_config(path, config), task_id, "completed", "done", force, note, move)


def set_status(
    task_id: str,
    status: str,
    *,
    path: str | os.PathLike[str] = ".",
    config: Config | None = None,
    force: bool = False,
    note: str = "",
) -> Change:
    """Set ``task_id``'s status to ``status`` (as people type it: "In Progress" is
    in_progress), with the timestamps ``start_task`` and ``finish_task`` write. The status
    the task already has changes nothing. ``UsageError`` for an unknown status."""
    from taskgov.spec.model import STATUSES  # pydantic: only here

    wanted = enum_word(status)
    if wanted not in STATUSES:
        from taskgov.policy.references import closest

        guess = closest(wanted, list(STATUSES))
        hint = f"; did you mean {guess}?" if guess else ""
        raise UsageError(f"{status!r} is not a status (one of: {', '.join(STATUSES)}){hint}")
    return _change(_config(path, config), task_id, wanted, "status", force, note)


def _config(path: str | os.PathLike[str], config: Config | None) -> Config:
    if config is not None:
        return config
    from taskgov.policy.load import load_config

    return load_config(find_root(Path(path)))


def _change(
    config: Config,
    task_id: str,
    target: str,
    verb: str,
    force: bool,
    note: str,
    move: bool = False,
) -> Change:
    from taskgov.fsops import locked
    from taskgov.git.activity import read_activity
    from taskgov.repo import load_repo

    with locked(config.root):  # no other writer between the read and the write
        repo = load_repo(config=config)
        task = repo.task(task_id)
        refuse_unreadable(repo, task)
        activity = read_activity(config.root, config.target_branch)
        spec = SpecFile.read(config, task)
        current = spec.task.status
        if verb != "status" and current == target and not (move and not task.archived):
            raise CheckFailed(f"{task.id} is already {current}; {legal(current, force=False)}")
        forced = check(repo, task, current, target, activity, verb, force)
        fields: dict[str, Any] = {}
        edited = spec.text
        if current != target:
            edited, fields = spec.edit(target, note, verb, config)
        destination = _destination(config, task) if move else None
        if fields:
            spec.write(edited)
        moved_from, recorded = None, False
        if destination is not None:
            moved_from, recorded = _move(config, task, destination)
        now_ready = _now_ready(config, repo, task, activity) if target == "completed" else ()
        where = destination if destination is not None else config.root / task.path
        return Change(
            task.id,
            where.relative_to(config.root).as_posix(),
            current,
            target,
            fields,
            moved_from,
            recorded,
            forced,
            now_ready,
        )


def _destination(config: Config, task: Task) -> Path | None:
    """Where ``--move`` puts the spec (the same place below the completed directory as below
    the active one); None when it is there already. Refused when the target exists."""
    if task.archived:
        return None
    source = config.root / task.path
    try:
        below = source.relative_to(config.active_dir)
    except ValueError:
        below = Path(source.name)
    target = config.completed_dir / below
    if os.path.lexists(target):
        shown = target.relative_to(config.root).as_posix()
        raise UsageError(f"{shown} already exists: {task.id} not changed, not moved")
    return target


def _move(config: Config, task: Task, destination: Path) -> tuple[str, bool]:
    from taskgov.fsops import move_file

    shown = destination.relative_to(config.root).as_posix()
    try:
        recorded = move_file(config.root, config.root / task.path, destination)
    except FileExistsError:  # created since the check: the spec is edited, not moved
        raise UsageError(f"{shown} already exists: {task.id} not moved") from None
    return task.path, recorded


def _now_ready(
    config: Config, before: Repository, task: Task, activity: Activity
) -> tuple[str, ...]:
    """The dependents of ``task`` that were waiting and are ready now."""
    from taskgov.repo import load_repo
    from taskgov.state import derive_states

    dependents = {e.dependent for e in before.graph.dependents().get(task.id, ())}
    if not dependents:
        return ()
    old = derive_states(before, activity)
    new = derive_states(load_repo(config=config), activity)
    return tuple(
        other
        for other in sorted(dependents, key=id_key)
        if other in new and new[other].status == "ready" and old[other].status != "ready"
    )
