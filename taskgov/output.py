"""All printing goes through here: JSON, tables, problem reports, and the neutralising of
whatever the user wrote before it reaches a terminal or a Markdown document.

Text from specs, records and commits can hold terminal escape sequences, line breaks and
Markdown. Printed as is, ``\\x1b]...`` rewrites the terminal title, ``\\n::error ...::`` becomes
a GitHub Actions workflow command and ``[x](javascript:...)`` a link in a rendered page. So
every line printed here has its control characters shown as escapes (``\\x1b``), a line that
would start with ``::`` is defused, table cells are one line each, and Markdown cells have
``|``, HTML, ``@mentions`` and links escaped.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from taskgov.problems import Problem

# C0 (but tab and newline), DEL, C1, bidirectional overrides and isolates, line separators.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_SPACE = re.compile(r"[ \t]+")
# A line GitHub Actions reads as a workflow command (leading whitespace is skipped).
_COMMAND = re.compile(r"^([ \t]*)(?=::)", re.MULTILINE)
LINE_BREAK = " ⏎ "  # shown where a value had a line break, in one-line renderings
ELLIPSIS = "…"


def _escape(match: re.Match[str]) -> str:
    # \u from DEL on: such characters can sit raw inside a JSON string (json escapes C0
    # itself), and \u009b there means what the raw character meant.
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x7F else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """``text`` safe to print: control characters as visible escapes (``\\x1b``), and no line
    starting with ``::`` (a backslash goes in front). Tabs and newlines are kept."""
    if CONTROL.search(text):
        text = CONTROL.sub(_escape, text)
    if "::" in text:
        text = _COMMAND.sub(r"\1\\", text)
    return text


def one_line(value: object) -> str:
    """``value`` as one printable line: line breaks become `` ⏎ ``, runs of spaces and tabs
    one space, control characters visible escapes; leading and trailing blanks dropped."""
    text = str(value)
    if text.isprintable():  # no line break, tab or control character: the common case
        return " ".join(text.split()) if "  " in text else text.strip()
    if _BREAK.search(text):
        text = LINE_BREAK.join(p.strip() for p in _BREAK.split(text) if p.strip())
    text = _SPACE.sub(" ", text).strip()
    return CONTROL.sub(_escape, text) if CONTROL.search(text) else text


def out(text: str = "", stream: TextIO | None = None) -> None:
    print(terminal_text(text), file=stream or sys.stdout)


def err(text: str) -> None:
    print(terminal_text(text), file=sys.stderr)


PROGRESS_FROM = 200  # items: fewer finish before a progress line would be worth reading


class Progress:
    """``label n/total`` on one stderr line, redrawn at most every percent, only on a
    terminal and only for ``PROGRESS_FROM`` items or more; ``done()`` clears it."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.total = total
        self.shown = -1
        self.active = total >= PROGRESS_FROM and _isatty(self.stream)

    def __call__(self, count: int) -> None:
        if not self.active:
            return
        percent = count * 100 // max(self.total, 1)
        if percent != self.shown:
            self.shown = percent
            self.stream.write(f"\r{self.label} {count}/{self.total} ({percent}%)")
            self.stream.flush()

    def done(self) -> None:
        if self.active and self.shown >= 0:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def write(text: str) -> None:
    """Write a whole document (Markdown, YAML) to stdout as it is, but neutralised."""
    sys.stdout.write(terminal_text(text))


def emit_json(data: Any, *, rows: bool = False) -> None:
    """Pretty, stable JSON on stdout.

    ``rows``: a mapping whose lists hold one compact element per line. For large outputs (a
    plan of 10,000 tasks) this is still easy to read and diff, and it is written by json's C
    encoder, where full indentation takes the pure-Python one (ten times slower).
    """
    if rows and isinstance(data, dict):
        text = _rows(data)
    else:
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    out(text)


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


# --------------------------------------------------------------------------- tables

MIN_FREE = 12  # the free column is never cut below this many characters
_STATUS_COLOURS = {
    "ready": "32",
    "in_progress": "33",
    "review": "33",
    "blocked": "31",
    "completed": "2",
    "cancelled": "2",
    "accepted": "32",
    "proposed": "33",
    "rejected": "31",
    "superseded": "2",
    "deprecated": "2",
}


def terminal_width(stream: TextIO | None = None) -> int | None:
    """The width to cut table rows to: the terminal's (``COLUMNS`` wins) when ``stream`` is a
    terminal, else None: pipes and files get whole rows."""
    import shutil

    stream = stream or sys.stdout
    if not _isatty(stream):
        return None
    return shutil.get_terminal_size().columns or None


def colour_enabled(stream: TextIO | None = None) -> bool:
    """Colour only on a terminal, never when ``NO_COLOR`` is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return _isatty(stream or sys.stdout)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    width: int | None = None,
    colour: bool = False,
) -> str:
    """Aligned columns, one line per row; the last column is the free one (unpadded).

    ``width``: rows longer than this have the free column cut with an ellipsis (None: never
    cut). ``colour``: status words in a STATUS column in ANSI colour.
    """
    text_rows = [list(headers), *([_cell(c) for c in row] for row in rows)]
    measured = [
        [len(cell) if cell.isascii() else display_width(cell) for cell in row]  # once per cell
        for row in text_rows
    ]
    free = len(headers) - 1
    widths = [max(row[i] for row in measured) for i in range(free)]
    fixed = sum(widths) + 2 * free  # columns and gaps before the free one
    room = None if width is None else max(width - fixed, MIN_FREE)
    status = headers.index("STATUS") if colour and "STATUS" in headers else None
    lines = []
    for number, (row, sizes) in enumerate(zip(text_rows, measured, strict=True)):
        cells = [cell + " " * (widths[i] - sizes[i]) for i, cell in enumerate(row[:free])]
        last = row[free]
        if room is not None and sizes[free] > room:
            last = cut(last, room)
        line = "  ".join([*cells, last]).rstrip()
        if width is not None and fixed + min(sizes[free], room or 0) > width:
            line = cut(line, width)  # even the fixed columns are too wide
        if status is not None and number:
            offset = sum(len(c) for c in cells[:status]) + 2 * status
            word = row[status]
            if line[offset : offset + len(word)] == word:
                line = line[:offset] + _paint(word) + line[offset + len(word) :]
        lines.append(line)
    return "\n".join(lines)


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """``table`` on stdout, cut to the terminal's width and coloured when it is one."""
    text = table(headers, rows, width=terminal_width(), colour=colour_enabled())
    # The cells are neutralised already; only our own colour codes are left to print.
    print(_COMMAND.sub(r"\1\\", text) if "::" in text else text)


def _paint(word: str) -> str:
    code = _STATUS_COLOURS.get(word.split(" ", 1)[0])
    return word if code is None else f"\x1b[{code}m{word}\x1b[0m"


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    if isinstance(value, str) and value.isprintable() and "  " not in value:
        return value.strip()  # one_line's common case, inlined: tables call this per cell
    return one_line(value)


# Where characters two columns wide or of no width may be (most of Unicode is neither).
_UNEVEN = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0e31-\u0e4e"
    "\u1100-\u115f\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u20d0-\u20ff\u2300-\u23ff"
    "\u2600-\u27bf\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe00-\ufe6f\uff00-\uffee"
    "\U0001f000-\U0001faff\U00020000-\U0003fffd]"
)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide (CJK) characters count two, combining ones none."""
    if text.isascii() or _UNEVEN.search(text) is None:
        return len(text)
    import unicodedata

    return sum(_char_width(c, unicodedata) for c in text)


def _char_width(char: str, unicodedata: Any) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` terminal columns, ending in an ellipsis when it was cut."""
    if display_width(text) <= limit:
        return text
    if text.isascii() or _UNEVEN.search(text) is None:
        return text[: limit - 1].rstrip() + ELLIPSIS
    import unicodedata

    used, kept = 0, []
    for char in text:
        used += _char_width(char, unicodedata)
        if used > limit - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS


# --------------------------------------------------------------------------- Markdown

# An even run of backslashes (none included) escapes nothing: escape what follows it.
_MD_SPECIAL = re.compile(r"(?<!\\)((?:\\\\)*)([|\[\]])")
_MD_RISKY = re.compile(r"[|\[\]<>@]|^\s*::")
_MENTION = re.compile(r"(?<![\w@`])@(?=[A-Za-z0-9])")


def md_text(value: object) -> str:
    """``value`` safe inside a Markdown document, line breaks kept: HTML tags shown as text,
    ``|`` and link brackets escaped (no ``[x](javascript:...)``), ``@mentions`` that notify
    nobody, control characters visible, no line a workflow command."""
    text = str(value)
    if text.isprintable() and _MD_RISKY.search(text) is None:
        return one_line(text)  # nothing to escape: the common case, kept fast for Plan.md
    lines = [one_line(line) for line in _BREAK.split(text)]
    text = "\n".join(lines)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\1\\\2", text)
    text = _MENTION.sub("@&#8203;", text)
    return _COMMAND.sub(r"\1\\", text) if "::" in text else text


def md_line(value: object) -> str:
    """``value`` on one line, escaped as ``md_text`` escapes. Escaping twice changes nothing."""
    text = str(value)
    if text.isprintable() and _MD_RISKY.search(text) is None:
        return " ".join(text.split()) if "  " in text else text.strip()
    return md_text(one_line(text))


def md_cell(value: object) -> str:
    """``value`` as the text of one Markdown table cell (or heading): ``md_line``, and ``-``
    when empty."""
    if value is None:
        return "-"
    return md_line(value) or "-"


# --------------------------------------------------------------------------- annotations


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command, so findings show inline on the pull request."""
    level = "error" if problem.is_error else "warning"
    subject = f"{problem.field}: " if problem.field else ""
    return workflow_command(
        level,
        subject + problem.message,
        file=problem.path,
        line=problem.line,
        col=problem.column,
        title=problem.rule,
    )


def workflow_command(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    """``::level file=...,line=...,title=...::message`` with GitHub's escaping: ``%``, CR and
    LF in the message; those and ``:`` and ``,`` in property values."""
    props = []
    if file is not None:
        props.append(f"file={_escape_property(file)}")
    if line is not None:
        props.append(f"line={line}")
    if col is not None:
        props.append(f"col={col}")
    if title is not None:
        props.append(f"title={_escape_property(title)}")
    head = f"{level} {','.join(props)}" if props else level
    return f"::{head}::{_escape_data(message)}"


def annotate(problem: Problem) -> None:
    """Print ``problem`` as a workflow command (the one line allowed to start with ``::``)."""
    print(CONTROL.sub(_escape, github_annotation(problem)))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 commit``, ``2 commits`` (``many`` for irregular plurals)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def some(ids: Sequence[str], limit: int) -> str:
    """The first ``limit`` of ``ids``, comma-separated, and how many more there are."""
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
