"""A spec document checked against the schema, keeping every value the schema accepts.

Each rejected value becomes a ``TG100`` problem at its file:line and dotted field path, in
words a spec author reads ("should be text, not number 3"), and is then dropped so that the
rest of the spec still counts.
"""

from __future__ import annotations

from typing import Any

from taskgov.checks.findings import Findings
from taskgov.config import Config
from taskgov.spec.salvage import NO_TITLE, without
from taskgov.spec.yamlio import Locations


def kind_of(value: Any) -> str:
    """What a YAML value is, in a spec author's words ("text", "number", "list")."""
    return {list: "list", str: "text", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


REPAIR_ROUNDS = 3  # then, for values that fail only together, keep the id and title alone


def validate_spec(
    data: dict[str, Any], where: Locations, config: Config, findings: Findings, task_id: str
) -> tuple[Any, set[tuple[str | int, ...]] | None]:
    """The validated spec and, when the schema rejected values, the paths dropped to get it
    (``None`` when nothing was).

    Every rejected value is reported, then dropped (its default takes its place) and the rest
    validated again, so that a wrong ``state.status`` keeps ``planning.estimate``."""
    from pydantic import ValidationError

    from taskgov.spec.model import TaskSpec, unknown_keys

    context = {"hours_per_day": config.hours_per_day, "days_per_week": config.days_per_week}
    dropped: set[tuple[str | int, ...]] | None = None
    current = data
    spec: Any = None
    for attempt in range(REPAIR_ROUNDS + 1):
        try:
            spec = TaskSpec.model_validate(current, context=context)
            break
        except ValidationError as exc:
            paths = [
                _strip_union_tags(tuple(p for p in e["loc"] if isinstance(p, (str, int))), current)
                for e in exc.errors(include_url=False)
            ]
            if dropped is None:
                for error, path in zip(exc.errors(include_url=False), paths, strict=True):
                    findings.at(where, "TG100", _message(error), path)
                dropped = set()
            dropped.update(paths)
            current = without(current, paths)
            if attempt == REPAIR_ROUNDS:
                current = {}
            current.setdefault("task_id", task_id)
            current.setdefault("title", NO_TITLE)
    for path, key in unknown_keys(spec):
        message = f"unknown key {key!r} (not in the task spec format)"
        findings.at(where, "TG101", message, (*path, key))
    return spec, dropped


def _strip_union_tags(path: tuple[str | int, ...], data: Any) -> tuple[str | int, ...]:
    """Pydantic error paths, reduced to real keys and indexes of the document.

    Unions add their member names to a path ("str", "Scenario"); a missing required key is
    the last part of a path and absent from the data. Both are told apart by position."""
    kept: list[str | int] = []
    current = data
    for position, part in enumerate(path):
        last = position == len(path) - 1
        if isinstance(current, dict) and part in current:
            kept.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            kept.append(part)
            current = current[part]
        elif last and isinstance(current, dict):
            kept.append(part)  # a required key that is missing
        elif not isinstance(current, (dict, list)):
            break
    return tuple(kept)


def _message(error: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{value!r} is not allowed; expected one of {expected}"
    if kind in (
        "string_type",
        "list_type",
        "dict_type",
        "bool_type",
        "float_type",
        "int_type",
        "model_type",
        "float_parsing",
        "bool_parsing",
        "int_parsing",
    ):
        wanted = {
            "string": "text",
            "list": "a list",
            "dict": "a mapping",
            "bool": "true or false",
            "float": "a number",
            "int": "a whole number",
            "model": "a mapping",
        }
        base = kind.split("_")[0]
        return f"should be {wanted.get(base, base)}, not {kind_of(value)} {_short(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
