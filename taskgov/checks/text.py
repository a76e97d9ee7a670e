"""Rules over the words of a spec: verb-first titles, leaked credentials, unfilled placeholders."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

# Imperative verbs that start task titles. Lower case; inflections are matched below.
VERBS = frozenset(
    """
    accept adapt add adjust adopt align allow analyse analyze annotate apply archive assemble
    assess audit automate backfill backport benchmark bind block boot bootstrap bound build
    bump burn cache calculate calibrate call cancel capture centralize centralise change check
    clarify clean cleanup clear close collect combine compare compile complete compose compute
    configure connect consolidate containerize convert copy correct create cut debug decide
    decompose decouple deduplicate define delete deliver deploy deprecate derive describe
    design detect determine develop diagnose disable discover dispatch display document
    downgrade draft drop dump edit eliminate embed emit enable encode enforce enhance ensure
    establish estimate evaluate examine expand experiment explain explore export expose extend
    extract finalize finalise find fit fix flag flatten fold forbid format freeze gate
    generalize generate group guard handle harden hide hook identify implement import improve
    include increase index inline inspect install instrument integrate introduce investigate
    isolate keep label land launch lay limit link lint list load localize lock log lower
    maintain make manage map mark measure merge migrate minimize mirror mock model modernize
    modularize monitor move name normalize normalise notify obtain onboard open optimize
    optimise orchestrate organize organise outline overhaul package parallelize parameterize
    parse patch pin plan polish populate port prepare present preserve prevent print prioritize
    probe process produce profile program propagate propose protect prototype provide provision
    prune publish pull purge push query queue raise read rebase rebuild receive record recover
    redesign reduce refactor refine register reimplement reject release relocate remove rename
    render reorder reorganize repair replace report reproduce request require research reset
    resolve restore restrict restructure resume retire retry return reuse review revise revert
    rewrite rollback roll rotate route run sample sanitize save scaffold scale scan schedule
    scope script search secure seed select send separate serialize serve set settle setup share
    ship show shrink simplify simulate skip slim sort specify speed split spike stabilize
    stabilise standardize start stop store streamline strengthen stress strip structure stub
    submit summarize support surface swap switch sync synchronize tag test tidy time toggle
    trace track train transform translate triage trim troubleshoot tune turn unblock unify
    uninstall unlock untangle update upgrade upload use validate verify version vet visualize
    visualise warn watch widen wire wrap write
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# A label before the title proper: "[P1] ", "(WIP) ", "Phase 0: ", "M0.5: ", "TASK-2026-001: ",
# "Step 2 - ", "WIP: ", or an id as spec-kit writes it ("T001 ").
_LABEL = re.compile(
    r"""[ \t]*(?:
        \[[^\]\n]{1,40}\]
      | \([^)\n]{1,40}\)
      | (?:[A-Za-z]+[ \t])?[A-Za-z]*[-_]?\d[\w.-]*[ \t]*(?::|[ \t][-–—](?=[ \t]))
      | [A-Z][A-Z0-9]*-?\d[\w.-]*(?=[ \t])
      | [A-Z]{2,}:
    )[ \t]*""",
    re.VERBOSE,
)


def strip_labels(title: str) -> str:
    """``title`` without the labels in front of it ("[P1] Phase 0: Fix X" -> "Fix X")."""
    rest = title
    for _ in range(6):
        match = _LABEL.match(rest)
        if match is None or not match.group(0).strip():
            break
        rest = rest[match.end() :]
    return rest if rest.strip() else title


def first_word(title: str) -> str:
    """The first word of ``title`` (lower case, labels skipped), "" when it starts otherwise."""
    title = strip_labels(title)
    match = _WORD.search(title)
    return match.group(0).lower() if match and match.start() == _leading(title) else ""


def _leading(title: str) -> int:
    return len(title) - len(title.lstrip(" \t\"'`*_([{"))


def is_verb_first(title: str) -> bool:
    """Whether ``title`` starts with an imperative verb ("Implement X", not "X implementation"),
    after any labels ("Phase 0: Implement X", "[P1] Fix Y")."""
    word = first_word(title)
    if not word:
        return False
    if word in VERBS:
        return True
    # "Re-run", "Auto-generate": judge the part after the prefix.
    if "-" in word:
        tail = word.rsplit("-", 1)[1]
        return tail in VERBS
    return False


# --------------------------------------------------------------------------- secrets

# Each pattern starts with a literal, so the regex engine can skip straight to candidates
# (a leading \b would defeat that and cost ~40x); word boundaries are checked by hand.
_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("AWS access key id", re.compile(r"AKIA[0-9A-Z]{16}(?![0-9A-Za-z])")),
    ("AWS access key id", re.compile(r"ASIA[0-9A-Z]{16}(?![0-9A-Za-z])")),
    ("GitHub token", re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}")),
    ("GitHub token", re.compile(r"github_pat_[A-Za-z0-9_]{40,}")),
    ("GitLab token", re.compile(r"glpat-[A-Za-z0-9_-]{20,}")),
    ("Slack token", re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}")),
    ("Anthropic API key", re.compile(r"sk-ant-[A-Za-z0-9_-]{20,}")),
    ("OpenAI API key", re.compile(r"sk-(?!ant-)(?:proj-)?[A-Za-z0-9_-]{20,}")),
    ("Google API key", re.compile(r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
    ("Stripe key", re.compile(r"_live_[0-9A-Za-z]{20,}")),
    (
        "JSON web token",
        re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ),
)
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s:@]{3,}@")
_ASSIGNMENT = re.compile(
    r"(?i)\b(password|passwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token|token)"
    r"[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+_=.-]{16,})"
)
_ASSIGNMENT_WORDS = ("password", "passwd", "secret", "key", "token")


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def redact(secret: str) -> str:
    return f"{secret[:4]}…{secret[-2:]}" if len(secret) > 8 else "…"


def find_secrets(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(line, column, kind, redacted) for every credential-looking string in ``text``, each
    reported once."""
    lines = _LineIndex(text)
    for start, end, kind in secret_spans(text):
        yield (*lines.position(start), kind, redact(text[start:end]))


def secret_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of every credential-looking string in ``text``, none overlapping.
    For a password in a URL the span is the whole ``scheme://user:password@``."""
    reported: list[tuple[int, int]] = []

    def found(kind: str, start: int, end: int) -> Iterator[tuple[int, int, str]]:
        if _overlaps((start, end), reported):
            return
        reported.append((start, end))
        yield start, end, kind

    for kind, pattern in _SECRET_PATTERNS:
        for match in pattern.finditer(text):
            start = match.start()
            if kind == "Stripe key":
                start -= 2  # the sk_/rk_ before _live_
                if start < 0 or text[start : start + 2] not in ("sk", "rk"):
                    continue
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue  # inside a longer word
            yield from found(kind, start, match.end())
    if "://" in text and "@" in text:
        for match in _URL_PASSWORD.finditer(text):
            yield from found("password in URL", match.start(), match.end())
    lowered = text.lower()
    if any(word in lowered for word in _ASSIGNMENT_WORDS):
        for match in _ASSIGNMENT.finditer(text):
            value = match.group(2)
            if _entropy(value) >= 3.5 and any(c.isdigit() for c in value):
                yield from found(f"{match.group(1)} value", match.start(2), match.end(2))


class _LineIndex:
    """Offsets to 1-based (line, column), computed only when something was found."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        if self.starts is None:
            self.starts = [0, *(i + 1 for i, c in enumerate(self.text) if c == "\n")]
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


# --------------------------------------------------------------------------- hygiene


def hygiene(data: object) -> Iterator[tuple[str, tuple[str | int, ...], str]]:
    """(rule, field path, message) for text that would garble a terminal or a table: control
    characters anywhere (keys included), a title of more than one line."""
    from taskgov.output import CONTROL

    stack: list[tuple[tuple[str | int, ...], object]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append(((*path, str(key)), item))
                if isinstance(key, str) and CONTROL.search(key):
                    yield _control(path, key, "key")
        elif isinstance(value, list):
            stack.extend(((*path, i), item) for i, item in enumerate(value))
        elif isinstance(value, str) and CONTROL.search(value):
            yield _control(path, value, "value")
    title = data.get("title") if isinstance(data, dict) else None
    if isinstance(title, str) and "\n" in title.strip():
        yield (
            "TG147",
            ("title",),
            f"the title spans {len(title.strip().splitlines())} lines; one line reads in "
            'every table (write `title: "..."`, or `>-` to fold)',
        )


def _control(
    path: tuple[str | int, ...], text: str, what: str
) -> tuple[str, tuple[str | int, ...], str]:
    from taskgov.output import CONTROL, one_line

    char = CONTROL.search(text)
    assert char is not None
    code = f"U+{ord(char.group(0)):04X}"
    return (
        "TG146",
        path,
        f"the {what} {one_line(text)[:60]!r} holds the control character {code}: terminals "
        "act on it; remove it",
    )


# --------------------------------------------------------------------------- placeholders

PLACEHOLDERS = re.compile(r"YYYY-(?:MM|NNN)|HH:MM(?::SS)?|\bTASK-YYYY\b")


def find_placeholders(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, placeholder) outside comments."""
    if PLACEHOLDERS.search(text) is None:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        content = _strip_comment(line)
        for match in PLACEHOLDERS.finditer(content):
            yield number, match.start() + 1, match.group(0)


def _strip_comment(line: str) -> str:
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line
