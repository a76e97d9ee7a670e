"""One spec as a lifecycle command reads it under the lock, and its edit: the state fields,
``updated_at`` and a progress entry, spliced in and checked by loading the result again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskgov.config import Config
from taskgov.errors import InputError
from taskgov.spec.task import Task

STAMP = "%Y-%m-%dT%H:%M:%SZ"  # the template's timestamps: UTC, to the second


@dataclass(frozen=True)
class SpecFile:
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
    def read(cls, config: Config, task: Task) -> SpecFile:
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
