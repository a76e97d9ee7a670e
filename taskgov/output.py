"""All printing goes through here: JSON, tables, problem reports."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from taskgov.problems import Problem


def out(text: str = "", stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout)


def err(text: str) -> None:
    print(text, file=sys.stderr)


def emit_json(data: Any, *, rows: bool = False) -> None:
    """Pretty, stable JSON on stdout.

    ``rows``: a mapping whose lists hold one compact element per line. For large outputs (a
    plan of 10,000 tasks) this is still easy to read and diff, and it is written by json's C
    encoder, where full indentation takes the pure-Python one (ten times slower).
    """
    if rows and isinstance(data, dict):
        out(_rows(data))
    else:
        out(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _rows(data: dict[str, Any]) -> str:
    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))

    lines = ["{"]
    for number, (key, value) in enumerate(data.items()):
        comma = "," if number < len(data) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"  {compact(key)}: [")
            lines.extend(
                f"    {compact(item)}{',' if i < len(value) - 1 else ''}"
                for i, item in enumerate(value)
            )
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {compact(key)}: {compact(value)}{comma}")
    lines.append("}")
    return "\n".join(lines)


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, last_free: bool = True
) -> str:
    """Plain aligned columns (the last column is left unpadded)."""
    text_rows = [[_cell(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in [list(headers), *text_rows]:
        cells = [
            cell if (last_free and i == len(row) - 1) else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command, so findings show inline on the pull request."""
    level = "error" if problem.is_error else "warning"
    props = [f"file={_escape_property(problem.path)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
    if problem.column is not None:
        props.append(f"col={problem.column}")
    props.append(f"title={_escape_property(problem.rule)}")
    subject = f"{problem.field}: " if problem.field else ""
    return f"::{level} {','.join(props)}::{_escape_data(subject + problem.message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 commit``, ``2 commits`` (``many`` for irregular plurals)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
