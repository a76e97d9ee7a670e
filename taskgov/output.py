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


def emit_json(data: Any) -> None:
    """Pretty, stable JSON on stdout."""
    out(json.dumps(data, indent=2, ensure_ascii=False, default=str))


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
