"""YAML reading with bounded cost and exact locations; round-trip writing that keeps comments.

Reading runs ruamel's C parser (when available) and builds plain Python values straight from
its event stream with a small constructor of our own (no node tree, no resolver objects).
That gives us, in one pass:

* line/column of every value (from the parser's event marks);
* duplicate-key detection with the line of the second key (an error, or with
  ``duplicates=`` a finding while the last value wins, as PyYAML does; ruamel.yaml's
  ``allow_duplicate_keys`` keeps the first instead);
* alias bombs and recursive aliases stopped by a node budget, so memory and time stay bounded;
* timestamps kept as the text the user wrote (no silent conversion to ``datetime``).
"""

from __future__ import annotations

import functools
import math
import os
import re
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 1 << 20
MAX_NODES = 100_000
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"


class YamlProblem(Exception):
    """A file that could not be read as YAML: which rule, where, and why. (A plain class: the
    hooks import this module, and a dataclass would make them import ``dataclasses``.)"""

    def __init__(
        self, rule: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(rule, message, line, column)
        self.rule = rule
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.message

    def __eq__(self, other: object) -> bool:
        return isinstance(other, YamlProblem) and self.args == other.args

    def __hash__(self) -> int:
        return hash(self.args)


def read_text(path: Path, root: Path | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file defensively; raise ``YamlProblem`` for anything unreadable."""
    return decode(read_bytes(path, root, max_bytes))


def read_bytes(path: Path, root: Path | None = None, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, refusing links out of ``root``, directories and oversized files."""
    if root is not None:
        # Resolve every component: a link anywhere on the way (the file or a directory above
        # it) may lead out of the repository.
        target = Path(os.path.realpath(path))
        real_root = _real(root)
        if target != real_root and real_root not in target.parents:
            raise YamlProblem("TG003", f"symbolic link points outside the repository ({target})")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except IsADirectoryError:
        if path.is_symlink():  # only links back up to a directory being read get here
            raise YamlProblem(
                "TG002", "symbolic link to a directory that holds it: not followed"
            ) from None
        raise YamlProblem("TG002", "is a directory, not a file") from None
    except FileNotFoundError:
        raise YamlProblem("TG002", "file not found (or a broken symbolic link)") from None
    except OSError as exc:
        raise YamlProblem("TG002", f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise YamlProblem("TG005", f"file is larger than {max_bytes // 1024} KiB")
    return data


@functools.lru_cache(maxsize=8)
def _real(root: Path) -> Path:
    return Path(os.path.realpath(root))


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); binary or badly encoded data raises ``YamlProblem``."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise YamlProblem(
            "TG002", "binary file (contains NUL bytes), not YAML", _line_of(data, nul)
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        raise YamlProblem(
            "TG002", f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line
        ) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


@functools.lru_cache(maxsize=1)
def _yaml_safe() -> Any:
    from ruamel.yaml import YAML

    try:
        return YAML(typ="safe", pure=False)
    except Exception:  # pragma: no cover - only without the C extension
        return YAML(typ="safe", pure=True)


def compose(text: str) -> Any:
    """Parse ``text`` into a ruamel node tree (or ``None`` for an empty document)."""
    try:
        return _yaml_safe().compose(text)
    except Exception as exc:
        raise _as_problem(exc, MAX_DEPTH) from None


def _as_problem(exc: Exception, max_depth: int) -> Exception:
    """A parser exception as the ``YamlProblem`` to report (anything else unchanged)."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "syntax error").strip()
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        return YamlProblem("TG001", f"YAML syntax error: {problem}", line, column)
    if isinstance(exc, YAMLError):
        return YamlProblem("TG001", f"YAML error: {str(exc).splitlines()[0]}")
    if isinstance(exc, RecursionError):
        return YamlProblem("TG004", f"YAML nested more than {max_depth} levels deep")
    return exc


Path_ = tuple[str | int, ...]


class Locations(dict[Path_, tuple[int, int]]):
    """1-based (line, column) of every value in a document, by path (mapping keys and list
    indexes). A mapping entry is located at its key, the line people read as "the field"."""

    def find(self, path: Path_) -> tuple[int, int] | None:
        """The location of ``path``, or of its deepest existing parent."""
        for end in range(len(path), -1, -1):
            found = self.get(path[:end])
            if found is not None:
                return found
        return None

    def line(self, path: Path_) -> int | None:
        found = self.get(path)
        return found[0] if found is not None else None


_PLAIN_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_PLAIN_BOOL = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_PLAIN_INT = re.compile(r"[-+]?(?:[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)")
_PLAIN_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def plain_scalar(text: str) -> Any:
    """Resolve an untagged plain scalar by the YAML 1.2 core schema, as ruamel does
    (timestamps stay text)."""
    if text in _PLAIN_NULL:
        return None
    if text[0] not in "0123456789+-.tTfF":
        return text
    if text in _PLAIN_BOOL:
        return _PLAIN_BOOL[text]
    if _PLAIN_INT.fullmatch(text):
        return _int(text)
    if text not in (".", "-.", "+.") and _PLAIN_FLOAT.fullmatch(text):
        return _float(text)
    return text


class _Builder:
    """Plain values from the parser's event stream, under a node budget, with the location
    of every value."""

    def __init__(
        self,
        events: Any,
        max_nodes: int,
        max_depth: int,
        duplicates: list[YamlProblem] | None = None,
    ) -> None:
        self.events = events
        self.duplicates = duplicates
        self.remaining = max_nodes
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded size)
        self.open_anchors: set[str] = set()
        self.locations = Locations()

    def spend(self, count: int, mark: Any) -> None:
        self.remaining -= count
        if self.remaining < 0:
            raise YamlProblem(
                "TG004",
                f"YAML aliases expand to more than {self.max_nodes} values (alias bomb?)",
                mark.line + 1,
            )

    def value(self, event: Any, path: Path_) -> tuple[Any, int]:
        """The value that starts with ``event``, and its expanded size in nodes."""
        kind = type(event).__name__
        mark = event.start_mark
        if len(path) > self.max_depth:
            raise YamlProblem(
                "TG004", f"YAML nested more than {self.max_depth} levels deep", mark.line + 1
            )
        if kind == "AliasEvent":
            return self.alias(event.anchor, mark)
        anchor = event.anchor
        if anchor:
            self.open_anchors.add(anchor)
        self.spend(1, mark)
        if kind == "ScalarEvent":
            tag = event.tag
            if tag is None:
                plain = not event.style  # the C parser reports plain style as ""
                result: Any = plain_scalar(event.value) if plain else event.value
            elif tag == "!":
                result = event.value  # the non-specific tag: a string
            else:
                result = scalar(str(tag), event.value)
            size = 1
        elif kind == "SequenceStartEvent":
            result, size = self.sequence(path)
        else:
            result, size = self.mapping(path)
        if anchor:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = (result, size)
        return result, size

    def alias(self, anchor: str, mark: Any) -> tuple[Any, int]:
        if anchor in self.open_anchors:
            raise YamlProblem("TG004", f"recursive alias *{anchor}", mark.line + 1)
        if anchor not in self.anchors:
            raise YamlProblem(
                "TG001",
                f"YAML syntax error: undefined alias *{anchor}",
                mark.line + 1,
                mark.column + 1,
            )
        stored, size = self.anchors[anchor]
        self.spend(size, mark)
        return stored, size

    def sequence(self, path: Path_) -> tuple[list[Any], int]:
        items: list[Any] = []
        size = 1
        for event in self.events:
            if type(event).__name__ == "SequenceEndEvent":
                break
            here = (*path, len(items))
            self.locations[here] = (event.start_mark.line + 1, event.start_mark.column + 1)
            item, count = self.value(event, here)
            items.append(item)
            size += count
        return items, size

    def mapping(self, path: Path_) -> tuple[dict[Any, Any], int]:
        result: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        size = 1
        for key_event in self.events:
            if type(key_event).__name__ == "MappingEndEvent":
                break
            mark = key_event.start_mark
            if _is_merge_key(key_event):
                merged, count = self.value(next(self.events), (*path, "<<"))
                size += count
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, dict):
                        for key, value in source.items():
                            result.setdefault(key, value)
                continue
            key, _ = self.value(key_event, (*path, "<key>"))
            if isinstance(key, (dict, list)):
                raise YamlProblem("TG001", "a mapping key must be a scalar", mark.line + 1)
            here = (*path, key)
            if key in seen:
                self.duplicate(key, seen[key], mark)
                self.forget(result.get(key), here)
            seen.setdefault(key, mark.line + 1)
            self.locations[here] = (mark.line + 1, mark.column + 1)
            value, count = self.value(next(self.events), here)
            result[key] = value
            size += count
        return result, size

    def duplicate(self, key: Any, first: int, mark: Any) -> None:
        """A repeated key: an error, or (when collecting) a finding while the last value wins."""
        message = f"duplicate key {key!r} (first defined on line {first})"
        if self.duplicates is None:
            raise YamlProblem("TG006", message, mark.line + 1, mark.column + 1)
        message += f": the value on line {mark.line + 1} is used (the last one, as PyYAML does)"
        self.duplicates.append(YamlProblem("TG006", message, mark.line + 1, mark.column + 1))

    def forget(self, replaced: Any, here: Path_) -> None:
        """Drop the locations inside a value a repeated key replaces: they point at text no
        longer in use. Walks the value itself, so the work is bounded by the node budget."""
        stack = [(replaced, here)]
        while stack:
            value, path = stack.pop()
            if isinstance(value, dict):
                items: Any = value.items()
            elif isinstance(value, list):
                items = enumerate(value)
            else:
                continue
            for part, child in items:
                inner = (*path, part)
                self.locations.pop(inner, None)
                stack.append((child, inner))


def _is_merge_key(event: Any) -> bool:
    return (
        type(event).__name__ == "ScalarEvent"
        and event.value == "<<"
        and not event.style
        and event.tag is None
    )


def scalar(tag: str, text: str) -> Any:
    """Convert a resolved YAML 1.2 scalar; timestamps and unknown tags stay text."""
    if tag == _TAG + "str":
        return text
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return text.lower() in ("true", "yes", "on", "y")
    if tag == _TAG + "int":
        return _int(text)
    if tag == _TAG + "float":
        return _float(text)
    return text


def _int(text: str) -> int | str:
    cleaned = text.replace("_", "")
    try:
        if cleaned.lower().startswith(("0x", "+0x", "-0x")):
            return int(cleaned, 16)
        if cleaned.lower().startswith(("0o", "+0o", "-0o")):
            return int(cleaned, 8)
        if cleaned.lower().startswith(("0b", "+0b", "-0b")):
            return int(cleaned, 2)
        return int(cleaned)
    except ValueError:
        return text


def _float(text: str) -> float | str:
    lowered = text.lower().replace("_", "")
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    try:
        return float(lowered)
    except ValueError:
        return text


def load(
    text: str,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
    *,
    duplicates: list[YamlProblem] | None = None,
) -> tuple[Any, Locations]:
    """Parse ``text`` into plain values and their locations; raises ``YamlProblem``.

    An empty document gives ``None``. A spec is one document: a second one is an error.
    A repeated mapping key raises too, unless ``duplicates`` is given: then each repeat is
    appended to it as a ``TG006`` problem and the last value wins."""
    events = iter(_yaml_safe().parse(text))
    builder = _Builder(events, max_nodes, max_depth, duplicates)
    data = None
    documents = 0
    try:
        for event in events:
            if type(event).__name__ != "DocumentStartEvent":
                continue
            documents += 1
            if documents > 1:
                raise YamlProblem(
                    "TG001",
                    "YAML syntax error: more than one document in a spec",
                    event.start_mark.line + 1,
                )
            first = next(events)
            if type(first).__name__ == "DocumentEndEvent":
                continue
            builder.locations[()] = (first.start_mark.line + 1, first.start_mark.column + 1)
            data, _ = builder.value(first, ())
    except YamlProblem:
        raise
    except Exception as exc:
        raise _as_problem(exc, max_depth) from None
    return data, builder.locations


# --------------------------------------------------------------------------- round trip


def roundtrip() -> Any:
    """A ruamel round-trip instance: loads with comments and order, dumps them back."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump_roundtrip(data: Any) -> str:
    import io

    stream = io.StringIO()
    roundtrip().dump(data, stream)
    return stream.getvalue()


def atomic_write(
    path: Path, text: str, *, exclusive: bool = False, root: Path | None = None
) -> None:
    """Write ``text`` to ``path`` all at once (see ``taskgov.fsops``); with ``exclusive``,
    never replace an existing file (raises ``FileExistsError``). With ``root``, refuse a path
    that leads outside that repository; a failed write is one ``InputError`` line."""
    from taskgov.fsops import Write, write_files

    write_files(root, [Write(path, text, exclusive)])
