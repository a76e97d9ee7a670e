"""What is left of a spec that cannot be read whole: its id, and every value that is valid.

A spec file is a task as far as ids go, whatever its content: references to it are never
dangling, and what depends on it waits. A file that cannot be parsed becomes a placeholder
task (status ``unreadable``, never ready); a file that parses but has wrong values keeps every
other value, so that one bad field does not change the plan.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from taskgov.spec.task import UNREADABLE, Task

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# A top-level ``task_id:`` line, read without a YAML parser (the file may not parse).
_RAW_ID = re.compile(
    r"""^task_id:[ \t]*(["']?)([A-Za-z0-9][A-Za-z0-9._-]*)\1[ \t]*(?:#.*)?$""", re.M
)
_RAW_TITLE = re.compile(r"""^title:[ \t]*(["']?)(.*?)\1[ \t]*$""", re.M)
NO_TITLE = "(no title)"


def id_from_name(relpath: str, id_pattern: str) -> str:
    """The task id a file name gives: the longest dash-separated prefix of its stem that
    matches the id pattern (``TASK-2026-010-some-slug.yaml`` -> ``TASK-2026-010``), else the
    whole stem."""
    stem = PurePosixPath(relpath).stem
    parts = stem.split("-")
    for end in range(len(parts), 0, -1):
        prefix = "-".join(parts[:end])
        if re.search(id_pattern, prefix):
            return prefix
    return stem


def guess_id(text: str | None, relpath: str, id_pattern: str) -> str:
    """The id of a spec whose content cannot give it: a top-level ``task_id:`` line found in
    the raw text, else the file name."""
    found = _RAW_ID.search(text) if text is not None else None
    if found is not None and SAFE_ID.match(found.group(2)) and ".." not in found.group(2):
        return found.group(2)
    return id_from_name(relpath, id_pattern)


def placeholder(
    text: str | None, relpath: str, id_pattern: str, archived: bool, line: int | None
) -> Task:
    """The task an unreadable spec stands for: listed, flagged, never ready."""
    title = _RAW_TITLE.search(text) if text is not None else None
    where = f"{relpath}:{line}" if line is not None else relpath
    return Task(
        id=guess_id(text, relpath, id_pattern),
        # an unclosed quote is what made the file unreadable, often: not part of the title
        title=title.group(2).strip().strip("\"'").strip() if title is not None else "",
        status=UNREADABLE,
        priority="unknown",
        path=relpath,
        archived=archived,
        valid=False,
        unreadable=where,
    )


_GONE = object()  # a dropped list item, removed once every path is dropped


def without(data: dict[str, Any], paths: Iterable[tuple[str | int, ...]]) -> dict[str, Any]:
    """A copy of ``data`` without the values at ``paths``, so the defaults take their place.

    A path to a missing required key drops the mapping that lacks it (an estimate without
    ``likely`` is no estimate); the top-level mapping itself is never dropped."""
    result = copy.deepcopy(data)
    for path in paths:
        _drop(result, path)
    return _clean(result)  # type: ignore[no-any-return]


def _drop(root: Any, path: tuple[str | int, ...]) -> None:
    parent: Any = None
    current = root
    key: str | int | None = None
    for part in path:
        if isinstance(current, dict) and part in current:
            parent, key, current = current, part, current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            parent, key, current = current, part, current[part]
        else:
            break  # the rest does not exist: drop what holds it
    if parent is None or key is None:
        return
    if isinstance(parent, list) and isinstance(key, int):
        parent[key] = _GONE
    elif isinstance(parent, dict):
        parent.pop(key, None)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value if v is not _GONE]
    return value
