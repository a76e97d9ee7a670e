"""YAML reading with bounded cost and exact locations; round-trip writing that keeps comments.

Reading composes the document with ruamel's C parser (when available) and builds plain Python
values with a small constructor of our own. That gives us, in one pass:

* line/column of every value (the composed nodes carry marks), looked up only when a problem
  must be reported;
* duplicate-key detection with the line of the second key;
* alias bombs and recursive aliases stopped by a node budget, so memory and time stay bounded;
* timestamps kept as the text the user wrote (no silent conversion to ``datetime``).
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 1 << 20
MAX_NODES = 100_000
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class YamlProblem(Exception):
    """A file that could not be read as YAML: which rule, where, and why."""

    rule: str
    message: str
    line: int | None = None
    column: int | None = None


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
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return _yaml_safe().compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "syntax error").strip()
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        raise YamlProblem("TG001", f"YAML syntax error: {problem}", line, column) from None
    except YAMLError as exc:
        raise YamlProblem("TG001", f"YAML error: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise YamlProblem("TG004", f"YAML nested more than {MAX_DEPTH} levels deep") from None


class _Builder:
    """Turns composed nodes into plain values under a node budget."""

    def __init__(self, max_nodes: int, max_depth: int) -> None:
        self.remaining = max_nodes
        self.max_nodes = max_nodes
        self.max_depth = max_depth

    def build(self, node: Any, depth: int = 0) -> Any:
        self.remaining -= 1
        if self.remaining < 0:
            raise YamlProblem(
                "TG004",
                f"YAML aliases expand to more than {self.max_nodes} values (alias bomb?)",
                node.start_mark.line + 1,
            )
        if depth > self.max_depth:
            raise YamlProblem(
                "TG004",
                f"YAML nested more than {self.max_depth} levels deep (recursive alias?)",
                node.start_mark.line + 1,
            )
        tag = node.tag
        if tag == _TAG + "map" or tag == _TAG + "omap":
            return self._mapping(node, depth)
        if tag == _TAG + "seq":
            return [self.build(item, depth + 1) for item in node.value]
        if isinstance(node.value, list):
            # An unknown tag on a collection: keep its structure, ignore the tag.
            if node.value and isinstance(node.value[0], tuple):
                return self._mapping(node, depth)
            return [self.build(item, depth + 1) for item in node.value]
        return scalar(tag, node.value)

    def _mapping(self, node: Any, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged = self.build(value_node, depth + 1)
                sources = merged if isinstance(merged, list) else [merged]
                for source in sources:
                    if isinstance(source, dict):
                        for key, value in source.items():
                            result.setdefault(key, value)
                continue
            key = self.build(key_node, depth + 1)
            if isinstance(key, (dict, list)):
                raise YamlProblem(
                    "TG001", "a mapping key must be a scalar", key_node.start_mark.line + 1
                )
            line = key_node.start_mark.line + 1
            if key in seen:
                raise YamlProblem(
                    "TG006",
                    f"duplicate key {key!r} (first defined on line {seen[key]})",
                    line,
                    key_node.start_mark.column + 1,
                )
            seen[key] = line
            result[key] = self.build(value_node, depth + 1)
        return result


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


def build(node: Any, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> Any:
    """Plain Python values for a composed node tree, within the node and depth budgets."""
    if node is None:
        return None
    try:
        return _Builder(max_nodes, max_depth).build(node)
    except RecursionError:
        raise YamlProblem("TG004", "YAML nested too deeply") from None


def load(text: str) -> tuple[Any, Any]:
    """Parse ``text``: returns ``(data, root_node)``; raises ``YamlProblem``."""
    node = compose(text)
    return build(node), node


def locate(node: Any, path: tuple[str | int, ...]) -> tuple[int, int] | None:
    """1-based (line, column) for ``path`` (mapping keys and list indexes).

    A mapping field points at its key (the line people read as "the field"), a list item at the
    item. A path that does not exist resolves to its deepest existing parent."""
    if node is None:
        return None
    current, mark_node = node, node
    for part in path:
        found = None
        if _is_mapping(current):
            for key_node, value_node in current.value:
                if key_node.value == part or str(key_node.value) == str(part):
                    found = (value_node, key_node)
                    break
        elif (
            isinstance(current.value, list)
            and isinstance(part, int)
            and 0 <= part < len(current.value)
        ):
            found = (current.value[part], current.value[part])
        if found is None:
            break
        current, mark_node = found
    return mark_node.start_mark.line + 1, mark_node.start_mark.column + 1


def _is_mapping(node: Any) -> bool:
    return isinstance(node.value, list) and bool(node.value) and isinstance(node.value[0], tuple)


def key_line(node: Any, key: str) -> int | None:
    """Line of a top-level ``key:`` in a mapping node, or ``None``."""
    if node is None or not isinstance(node.value, list):
        return None
    for item in node.value:
        if isinstance(item, tuple) and item[0].value == key:
            return int(item[0].start_mark.line) + 1
    return None


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


def atomic_write(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write ``text`` to ``path`` via a temporary file and rename; with ``exclusive``, never
    replace an existing file (raises ``FileExistsError``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        if not exclusive:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path exists: no check-then-write race
            except FileExistsError:
                raise
            except OSError:  # a filesystem without hard links
                with path.open("x", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
    finally:
        if tmp.exists():
            tmp.unlink()
