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
