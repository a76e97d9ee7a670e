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
from taskgov.errors import CheckFailed, InputError, UsageError
from taskgov.git.activity import Activity
from taskgov.repo import Repository
from taskgov.spec.model import STATUSES
from taskgov.spec.task import Task, enum_word, id_key

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("ready", "assigned", "blocked", "cancelled"),
    "ready": ("draft", "assigned", "in_progress", "blocked", "completed", "cancelled"),
    "assigned": ("ready", "in_progress", "blocked", "completed", "cancelled"),
    "in_progress": ("review", "blocked", "completed", "ready", "assigned", "cancelled"),
    "review": ("in_progress", "completed", "blocked", "cancelled"),
    "blocked": ("ready", "assigned", "in_progress", "completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}
# Entering these means work is done on the task: its hard dependencies must be finished.
WORK = frozenset({"in_progress", "review", "completed"})
FORCE_SKIPS = ("transition", "dependencies")  # what ``force`` skips, as reported
STAMP = "%Y-%m-%dT%H:%M:%SZ"  # the template's timestamps: UTC, to the second


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
        _refuse_unreadable(repo, task)
        activity = read_activity(config.root, config.target_branch)
        spec = _Spec.read(config, task)
        current = spec.task.status
        if verb != "status" and current == target and not (move and not task.archived):
            raise CheckFailed(f"{task.id} is already {current}; {_legal(current, force=False)}")
        forced = _check(repo, task, current, target, activity, verb, force)
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


def _refuse_unreadable(repo: Repository, task: Task) -> None:
    if not task.unreadable:
        return
    from taskgov.checks.catalog import NOT_PARSED

    found = next(
        (p for p in repo.read_problems if p.path == task.path and p.rule in NOT_PARSED), None
    )
    why = f": {found.message} ({found.rule})" if found is not None else ""
    raise InputError(
        f"{task.id}: cannot change its status: {task.unreadable} cannot be read{why}; "
        "fix the spec first"
    )


def _check(
    repo: Repository,
    task: Task,
    current: str,
    target: str,
    activity: Activity,
    verb: str,
    force: bool,
) -> tuple[str, ...]:
    """The checks ``force`` skipped; raises ``CheckFailed`` for the first that refuses."""
    forced: list[str] = []
    closed = activity.closed.get(task.id)
    effective, why = current, ""
    if current != "completed" and target != "completed" and (task.archived or closed):
        # history or the completed directory already say it is done: leaving that is a reopen
        effective = "completed"
        why = (
            " (its spec sits in the completed directory)"
            if task.archived
            else f" (closed by {closed.commit[:12]})"
            if closed
            else ""
        )
    legal = TRANSITIONS.get(effective)
    if legal is not None and target not in legal and target != effective:
        if not force:
            action = "start it" if verb == "start" else f"make it {target}"
            raise CheckFailed(
                f"{task.id} is {effective}{why}: cannot {action}; {_legal(effective)}"
            )
        forced.append("transition")
    if target in WORK and target != current:
        unfinished = _unfinished(repo, task.id, activity)
        if unfinished:
            if not force:
                action = {"in_progress": "start", "completed": "be completed"}.get(
                    target, f"go to {target}"
                )
                raise CheckFailed(
                    f"{task.id} cannot {action}: hard dependencies unfinished: "
                    f"{', '.join(unfinished)}; finish them first, or use --force"
                )
            forced.append("dependencies")
    return tuple(forced)


def _legal(status: str, force: bool = True) -> str:
    """What ``status`` may become, for the one line that refuses a change."""
    legal = TRANSITIONS.get(status)
    if legal is None:
        return "its written status is not one taskgov knows: any status may replace it"
    if not legal:
        return f"{status} is final" + (" (use --force to reopen it)" if force else "")
    return f"from {status} it may go to {', '.join(legal)}" + (" (or use --force)" if force else "")


def _unfinished(repo: Repository, task_id: str, activity: Activity) -> list[str]:
    """Each unfinished hard prerequisite of ``task_id``, with its derived status."""
    from taskgov.state import derive_states

    done = {t.id for t in repo.tasks.values() if t.done} | set(activity.closed)
    waiting = {
        e.prerequisite
        for e in repo.graph.prerequisites().get(task_id, ())
        if e.hard and e.ordered and e.prerequisite not in done
    }
    missing = {d.prerequisite for d in repo.graph.missing_prerequisites(task_id) if d.hard}
    states = derive_states(repo, activity)
    return [
        f"{other} ({states[other].status if other in states else 'exists nowhere'})"
        for other in sorted(waiting | missing, key=id_key)
    ]


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


@dataclass(frozen=True)
class _Spec:
    """One spec file as read under the lock: its bytes, text and what it loads to."""

    root: Path
    path: Path
    shown: str
    bom: bytes
    text: str
    data: dict[str, Any]
    task: Task
    errors: frozenset[tuple[str, str]]

    @classmethod
    def read(cls, config: Config, task: Task) -> _Spec:
        from taskgov.spec.loader import parse_spec_text
        from taskgov.spec.yamlio import YamlProblem, decode, load, read_bytes

        path = config.root / task.path
        try:
            raw = read_bytes(path, config.root)
            text = decode(raw)
            data, _ = load(text)
        except YamlProblem as problem:
            line = f":{problem.line}" if problem.line else ""
            raise InputError(
                f"{task.id}: cannot change its status: {task.path}{line}: {problem.message} "
                f"({problem.rule}); fix the spec first"
            ) from None
        result = parse_spec_text(text, task.path, config, task.archived)
        if result.task is None or result.task.unreadable or not isinstance(data, dict):
            raise InputError(
                f"{task.id}: cannot change its status: {task.path} cannot be read; "
                "fix the spec first"
            )
        bom = raw[:3] if raw.startswith(b"\xef\xbb\xbf") else b""  # kept, like every byte
        errors = frozenset((p.rule, p.message) for p in result.problems if p.is_error)
        return cls(config.root, path, task.path, bom, text, data, result.task, errors)

    def edit(self, target: str, note: str, verb: str, config: Config) -> tuple[str, dict[str, Any]]:
        """The edited text and the fields written, checked by loading it again."""
        from taskgov.scaffold import now_utc
        from taskgov.spec.edit import EditError, add_section, append_entry, set_scalar

        now = now_utc()
        stamp = now.strftime(STAMP)
        state = self.data.get("state")
        state = state if isinstance(state, dict) else {}
        writes: list[tuple[str, str]] = [("status", target)]
        if target == "in_progress" and not _text(state.get("started_at")):
            writes.append(("started_at", stamp))
        if target == "completed":
            writes.append(("completed_at", stamp))
        elif self.task.status == "completed" and _text(state.get("completed_at")):
            writes.append(("completed_at", ""))  # reopened: it is not completed any more
        entry = [
            ("date", now.strftime("%Y-%m-%d")),
            ("author", _author(config.root)),
            ("note", note.strip() or _default_note(verb, self.task.status, target)),
        ]
        fields: dict[str, Any] = {}
        text = self.text
        try:
            if "state" not in self.data:
                text = add_section(text, "state", writes)
            else:
                for key, value in writes:
                    text = set_scalar(text, ("state", key), value, last=True)
            fields.update((f"state.{key}", value) for key, value in writes)
            if "updated_at" in self.data:
                text = set_scalar(text, ("updated_at",), stamp)
                fields["updated_at"] = stamp
            text = append_entry(text, "progress", entry, after="state")
            fields["progress"] = dict(entry)
        except EditError as exc:
            raise InputError(
                f"{self.shown}: cannot update it safely: {exc}; edit it by hand"
            ) from None
        self._verify(text, target, config)
        return text, fields

    def _verify(self, text: str, target: str, config: Config) -> None:
        from taskgov.spec.loader import parse_spec_text

        result = parse_spec_text(text, self.shown, config, self.task.archived)
        after = result.task
        errors = {(p.rule, p.message) for p in result.problems if p.is_error}
        if after is None or after.status != target or not errors <= self.errors:
            new = sorted(errors - self.errors)
            why = f": {new[0][1]} ({new[0][0]})" if new else ""
            raise InputError(f"{self.shown}: the edited spec would not validate{why}; not written")

    def write(self, text: str) -> None:
        from taskgov.fsops import Write, write_files

        write_files(self.root, [Write(self.path, self.bom + text.encode("utf-8"))])


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _author(root: Path) -> str:
    from taskgov.git import config_value

    return config_value(root, "user.name") or ""


def _default_note(verb: str, old: str, new: str) -> str:
    if verb == "start":
        return "Started"
    if verb == "done":
        return "Completed"
    return f"Status {old} -> {new}"
