"""Replace one marked section of docs/performance.md (shared by the bench scripts)."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def write_section(name: str, title: str, body: str, doc: Path = DOC) -> None:
    """Put ``body`` between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``; a missing
    section is appended under ``## TITLE``. Text outside the markers is kept."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = doc.read_text(encoding="utf-8")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + start + "\n" + body + "\n" + end + rest.split(end, 1)[1]
    else:
        text += f"\n## {title}\n\n{start}\n{body}\n{end}\n"
    doc.write_text(text, encoding="utf-8")


def write_result(name: str, title: str, command: str, conditions: str, table: str) -> None:
    """Write a bench's table into its section, headed by the command that produced it, the
    date, the machine's CPU count and the conditions of the run."""
    import datetime as dt
    import os

    now = dt.datetime.now(dt.timezone.utc)
    body = (
        f"Command: `{command}`\n\n- Date: {now:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; "
        f"{conditions}\n\n{table}"
    )
    write_section(name, title, body)
