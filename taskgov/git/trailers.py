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

Pure Python and dependency-free: the commit-msg hook imports this on every commit.
"""

from __future__ import annotations

SEPARATORS = ":"
COMMENT = "#"
GIT_GENERATED_PREFIXES = ("Signed-off-by: ", "(cherry picked from commit ")
SCISSORS = "------------------------ >8 ------------------------"

# git's own ctype: ASCII only, whatever the locale.
_SPACE = frozenset(" \t\n\r")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


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
            key = _trim(line[:position])
            value = _unfold(line[position + 1 :])
            result.append((key, value))
    return result


# Characters that change how text is displayed without being seen: zero-width ones and the
# bidirectional overrides of "Trojan Source" (an id that reads right but is not).
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)


def has_control(value: str) -> bool:
    """Whether a trailer value holds a control character (an escape sequence, a NUL, an
    invisible or bidirectional-override character): such a value is never taken as an id,
    and the commit policy reports it."""
    return any((ord(c) < 32 and c != "\t") or 127 <= ord(c) < 160 or c in _INVISIBLE for c in value)


def format_trailers(trailers: list[tuple[str, str]]) -> str:
    """The trailers as ``git interpret-trailers --parse`` prints them."""
    return "".join(f"{key}: {value}\n" for key, value in trailers)


def find_separator(line: str) -> int:
    """Index of the ``:`` ending a trailer key in ``line``, or -1 (git's find_separator)."""
    whitespace_found = False
    for index, char in enumerate(line):
        if char in SEPARATORS:
            return index
        if not whitespace_found and (char in _ALNUM or char == "-"):
            continue
        if index != 0 and char in " \t":
            whitespace_found = True
            continue
        break
    return -1


def _trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    return text[start:end]


def _unfold(value: str) -> str:
    """Collapse each newline and the whitespace after it into one space, then trim."""
    out = []
    index = 0
    while index < len(value):
        char = value[index]
        index += 1
        if char == "\n":
            while index < len(value) and value[index] in _SPACE:
                index += 1
            out.append(" ")
        else:
            out.append(char)
    return _trim("".join(out))


def _lines(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, str]]:
    """(offset, line including its newline) for each line of text[start:end]."""
    end = len(text) if end is None else end
    result = []
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        stop = end if newline < 0 else newline + 1
        result.append((position, text[position:stop]))
        position = stop
    return result


def _patch_start(text: str) -> int:
    """Offset of the first ``---`` divider line (``---`` then whitespace), else the length."""
    for offset, line in _lines(text):
        if line.startswith("---") and len(line) > 3 and line[3] in _SPACE:
            return offset
    return len(text)


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
    run_start = None
    in_conflicts = False
    for offset, line in _lines(text, 0, cutoff):
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
    return all(char in _SPACE for char in line)


def _trailer_start(text: str, end: int) -> int:
    """Offset where the trailer block starts, or ``end`` when there is none."""
    lines = _lines(text, 0, end)
    end_of_title = end
    for offset, line in lines:
        if line.startswith(COMMENT):
            continue
        if _is_blank(line):
            end_of_title = offset
            break
    only_spaces = True
    recognized_prefix = False
    trailer_lines = non_trailer_lines = possible_continuation = 0
    for offset, line in reversed(lines):
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
    result: list[str] = []
    last_is_trailer = False
    for _, line in _lines(block):
        if last_is_trailer and line[0] in _SPACE:
            result[-1] += line
            continue
        result.append(line)
        last_is_trailer = find_separator(line) >= 1
    return result


def trailer_ids(trailers: list[tuple[str, str]], key: str) -> list[str]:
    """Ids in the trailers named ``key`` (case-insensitive): ``Closes: A, B`` gives both.
    Values with control characters give none."""
    ids: list[str] = []
    for name, value in trailers:
        if name.lower() == key and not has_control(value):
            ids.extend(value.replace(",", " ").split())
    return ids
