"""Commit message trailers, found exactly as ``git interpret-trailers --parse`` finds them.

The rules, as git applies them (trailer.c, git 2.39):

* The message ends at a ``---`` divider line, at a scissors line (``# --- >8 ---``), and before
  any trailing run of comment and blank lines (``Conflicts:`` blocks of old merges included).
* The first paragraph is the title and never holds trailers.
* The trailer block is the last paragraph. It counts when all of its lines are trailers (or
  continuation lines of one), or when it holds a git-generated trailer (``Signed-off-by: ``,
  ``(cherry picked from commit ``) and at least 25% of its lines are trailers.
* A trailer line is ``Key: value`` where the key is letters, digits and ``-`` (whitespace may
  follow it before the colon). Lines starting with whitespace continue the previous trailer and
  are unfolded into one space. Keys keep their spelling; compare them case-insensitively.

Pure Python and dependency-free: the commit-msg hook imports this on every commit. Every pass
is linear in the message (string methods and anchored regexes do the per-character work), and
the passes that look for the end of the message walk back from it, so a 400,000-line message
costs about what git's own parse does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

SEPARATORS = ":"
COMMENT = "#"
GIT_GENERATED_PREFIXES = ("Signed-off-by: ", "(cherry picked from commit ")
SCISSORS = "------------------------ >8 ------------------------"

# git's own ctype: ASCII only, whatever the locale.
_SPACE = " \t\n\r"
# git's find_separator: a key of letters, digits and "-", whitespace (not first), then ":".
_SEPARATOR = re.compile(r"(?:[A-Za-z0-9-]+[ \t]*)?:")
# A ``---`` divider line: ``---`` then whitespace, at the start of a line.
_DIVIDER = re.compile(r"^---[ \t\n\r]", re.MULTILINE)
_FOLD = re.compile(r"\n[ \t\n\r]*")


def parse_trailers(message: str, *, divider: bool = True) -> list[tuple[str, str]]:
    """The trailers of ``message`` as (key, value) pairs, in order, as git parses them.

    ``divider=False`` is git's ``--no-divider``: a ``---`` line does not end the message.
    """
    text = message
    end = _patch_start(text) if divider else len(text)
    end = _trailer_end(text, end)
    start = _trailer_start(text, end)
    result = []
    for line in _logical_lines(text[start:end]):
        if line.startswith(COMMENT):
            continue
        position = find_separator(line)
        if position >= 1:
            key = line[:position].strip(_SPACE)
            value = _FOLD.sub(" ", line[position + 1 :]).strip(_SPACE)
            result.append((key, value))
    return result


# Characters that change how text is displayed without being seen: zero-width ones and the
# bidirectional overrides of "Trojan Source" (an id that reads right but is not); with the C0
# controls but tab, DEL and the C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def has_control(value: str) -> bool:
    """Whether a trailer value holds a control character (an escape sequence, a NUL, an
    invisible or bidirectional-override character): such a value is never taken as an id,
    and the commit policy reports it."""
    return _CONTROL.search(value) is not None


def format_trailers(trailers: list[tuple[str, str]]) -> str:
    """The trailers as ``git interpret-trailers --parse`` prints them."""
    return "".join(f"{key}: {value}\n" for key, value in trailers)


def find_separator(line: str) -> int:
    """Index of the ``:`` ending a trailer key in ``line``, or -1 (git's find_separator)."""
    match = _SEPARATOR.match(line)
    return -1 if match is None else match.end() - 1


def _lines(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, line including its newline) for each line of text[start:end], first to last."""
    end = len(text) if end is None else end
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        stop = end if newline < 0 else newline + 1
        yield position, text[position:stop]
        position = stop


def _lines_back(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    """The same lines, last to first: the trailer block is found from the end of the message,
    so only its last paragraph is read."""
    stop = end
    while stop > start:
        newline = text.rfind("\n", start, stop - 1)
        begin = start if newline < 0 else newline + 1
        yield begin, text[begin:stop]
        stop = begin


def _patch_start(text: str) -> int:
    """Offset of the first ``---`` divider line (``---`` then whitespace), else the length."""
    match = _DIVIDER.search(text)
    return len(text) if match is None else match.start()


def _scissors_cutoff(text: str, end: int) -> int:
    """Offset of a scissors line, from which git ignores everything.

    git searches the whole message; a scissors line after a ``---`` divider makes git 2.39 loop
    forever (its cut-off lies past the end and an unsigned subtraction wraps). There the
    divider ends the message, the only reading that terminates."""
    marker = f"{COMMENT} {SCISSORS}\n"
    if text.startswith(marker):
        return 0
    found = text.find("\n" + marker)
    return end if found < 0 else min(found + 1, end)


def _trailer_end(text: str, end: int) -> int:
    """``end`` less trailing comments, blank lines and old ``Conflicts:`` blocks (git's
    ignore_non_trailer)."""
    cutoff = _scissors_cutoff(text, end)
    # Any line that can belong to such a run starts with "#", "\n", "Conflicts:" or a tab; the
    # last line that cannot ends every run before it, so the run is sought after it alone.
    begin = 0
    for offset, line in _lines_back(text, 0, cutoff):
        if line[0] not in "#\n\t" and not line.startswith("Conflicts:\n"):
            begin = offset + len(line)
            break
    run_start = None
    in_conflicts = False
    for offset, line in _lines(text, begin, cutoff):
        first = line[0]
        if first in (COMMENT, "\n"):
            if run_start is None:
                run_start = offset
        elif line.startswith("Conflicts:\n"):
            in_conflicts = True
            if run_start is None:
                run_start = offset
        elif in_conflicts and first == "\t":
            pass
        elif run_start is not None:
            run_start = None
            in_conflicts = False
    return run_start if run_start is not None else cutoff


def _is_blank(line: str) -> bool:
    return not line.strip(_SPACE)


def _trailer_start(text: str, end: int) -> int:
    """Offset where the trailer block starts, or ``end`` when there is none."""
    end_of_title = end
    for offset, line in _lines(text, 0, end):
        if line.startswith(COMMENT):
            continue
        if _is_blank(line):
            end_of_title = offset
            break
    only_spaces = True
    recognized_prefix = False
    trailer_lines = non_trailer_lines = possible_continuation = 0
    for offset, line in _lines_back(text, 0, end):
        if offset < end_of_title:
            break
        if line.startswith(COMMENT):
            non_trailer_lines += possible_continuation
            possible_continuation = 0
            continue
        if _is_blank(line):
            if only_spaces:
                continue
            non_trailer_lines += possible_continuation
            next_line = offset + len(line)
            if recognized_prefix and trailer_lines * 3 >= non_trailer_lines:
                return next_line
            if trailer_lines and not non_trailer_lines:
                return next_line
            return end
        only_spaces = False
        if line.startswith(GIT_GENERATED_PREFIXES):
            trailer_lines += 1
            possible_continuation = 0
            recognized_prefix = True
            continue
        if find_separator(line) >= 1 and line[0] not in _SPACE:
            trailer_lines += 1
            possible_continuation = 0
        elif line[0] in _SPACE:
            possible_continuation += 1
        else:
            non_trailer_lines += 1 + possible_continuation
            possible_continuation = 0
    return end


def _logical_lines(block: str) -> list[str]:
    """Lines of the trailer block with continuation lines joined to the trailer above them."""
    result: list[list[str]] = []
    last_is_trailer = False
    for _, line in _lines(block):
        if last_is_trailer and line[0] in _SPACE:
            result[-1].append(line)
            continue
        result.append([line])
        last_is_trailer = find_separator(line) >= 1
    return ["".join(parts) for parts in result]


def trailer_ids(trailers: list[tuple[str, str]], key: str) -> list[str]:
    """Ids in the trailers named ``key`` (case-insensitive): ``Closes: A, B`` gives both.
    Values with control characters give none."""
    ids: list[str] = []
    for name, value in trailers:
        if name.lower() == key and not has_control(value):
            ids.extend(value.replace(",", " ").split())
    return ids
