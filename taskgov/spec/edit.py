"""Surgical edits of spec files: change one value, leave every other byte as it was.

A round-trip dump would re-indent and re-wrap a file people wrote by hand; these edits splice
the new text into the exact span of the old value (found from the composed node's marks) and
verify the result by parsing it again.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from taskgov.spec.yamlio import YamlProblem, compose, load

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_NULL = "tag:yaml.org,2002:null"


class EditError(Exception):
    """The edit cannot be made safely; the file is left alone."""


def append_to_list(text: str, section: str | None, key: str, value: str) -> str:
    """``text`` with ``value`` appended to the list ``section.key`` (``key`` at the top level
    when ``section`` is None), created if missing. Unchanged when the value is already there."""
    data, root = _parse(text)
    name = key if section is None else f"{section}.{key}"
    container = data if section is None else (data.get(section) or {})
    if not isinstance(container, dict):
        raise EditError(f"{section} is not a mapping")
    existing = container.get(key)
    if isinstance(existing, list) and value in existing:
        return text
    if existing is not None and not isinstance(existing, list):
        raise EditError(f"{name} is not a list")
    if section is None:
        edited = _splice_list(text, root, key, value)
    else:
        edited = _splice(text, root, section, key, value)
    path = (key,) if section is None else (section, key)
    return _checked(data, edited, path, [*(existing or []), value], f"add {value} to {name}")


def _parse(text: str) -> tuple[dict[str, Any], Any]:
    """(plain data, composed node tree) of a document that must be a mapping."""
    try:
        data, _ = load(text)
        root = compose(text)
    except YamlProblem as problem:
        raise EditError(problem.message) from None
    if not isinstance(data, dict):
        raise EditError("the file is not a mapping")
    return data, root


def _checked(
    before: dict[str, Any], edited: str, path: tuple[str, ...], value: Any, action: str
) -> str:
    """``edited``, if it parses to ``before`` with only ``path`` set to ``value``."""
    expected = copy.deepcopy(before)
    cursor = expected
    for part in path[:-1]:
        if not isinstance(cursor.get(part), dict):
            cursor[part] = {}
        cursor = cursor[part]
    cursor[path[-1]] = value
    try:
        after, _ = load(edited)
    except YamlProblem:
        after = None
    if after != expected:
        raise EditError(f"could not {action} safely")
    return edited


def _find(node: Any, key: str) -> tuple[Any, Any] | None:
    if node is None or node.tag != _MAP:
        return None
    for key_node, value_node in node.value:
        if key_node.value == key:
            return key_node, value_node
    return None


def _splice(text: str, root: Any, section: str, key: str, value: str) -> str:
    quoted = json.dumps(value)
    found_section = _find(root, section)
    if found_section is None:
        return text.rstrip("\n") + f"\n\n{section}:\n  {key}: [{quoted}]\n"
    _, section_node = found_section
    found = _find(section_node, key)
    if found is None:
        if section_node.tag != _MAP or not section_node.value:
            raise EditError(f"{section} is empty or not a block mapping")
        if section_node.flow_style:
            raise EditError(f"{section} is written in flow style")
        indent = section_node.value[0][0].start_mark.column
        last_value = section_node.value[-1][1]
        return _insert_line(text, last_value.end_mark, " " * indent + f"{key}: [{quoted}]")
    return _splice_list(text, section_node, key, value)


def _dash_column(text: str, mark: Any) -> int:
    line_start = text.rfind("\n", 0, mark.index) + 1
    dash = text.rfind("-", line_start, mark.index)
    if dash < 0:
        raise EditError("unexpected list layout")
    return dash - line_start


def _insert_line(text: str, end_mark: Any, line: str) -> str:
    """Insert ``line`` after the line on which a value ends (keeping its trailing comment)."""
    index = end_mark.index
    if end_mark.column == 0 and index > 0:
        index -= 1  # a block value ends at the start of the next line
    line_end = text.find("\n", index)
    if line_end < 0:
        return text + "\n" + line + "\n"
    return text[: line_end + 1] + line + "\n" + text[line_end + 1 :]


def _splice_list(text: str, mapping: Any, key: str, value: str) -> str:
    """Append to the list at ``mapping[key]`` (a composed node), creating the key if needed."""
    quoted = json.dumps(value)
    found = _find(mapping, key)
    if found is None:
        return _insert_key(text, mapping, f"{key}: [{quoted}]")
    _, list_node = found
    if list_node.tag == _NULL:
        start, end = list_node.start_mark.index, list_node.end_mark.index
        spacer = "" if start > 0 and text[start - 1] == " " else " "
        return text[:start] + f"{spacer}[{quoted}]" + text[end:]
    if list_node.tag != _SEQ:
        raise EditError(f"{key} is not a list")
    if list_node.flow_style:
        close = list_node.end_mark.index - 1
        while close > 0 and text[close] != "]":
            close -= 1
        inner = text[list_node.start_mark.index + 1 : close]
        separator = ", " if inner.strip() else ""
        insert_at = list_node.start_mark.index + 1 + len(inner.rstrip())
        return text[:insert_at] + f"{separator}{quoted}" + text[insert_at:]
    dash_column = _dash_column(text, list_node.value[0].start_mark)
    return _insert_line(text, list_node.value[-1].end_mark, " " * dash_column + f"- {quoted}")


def _insert_key(text: str, mapping: Any, line: str) -> str:
    """Add ``line`` (``key: value``) after the first entry of a block mapping, indented like
    it (the first entry is the id in records and specs: new fields land beside it)."""
    if mapping is None or mapping.tag != _MAP or not mapping.value or mapping.flow_style:
        raise EditError("no block mapping to add the key to")
    first_key, first_value = mapping.value[0]
    return _insert_line(text, first_value.end_mark, " " * first_key.start_mark.column + line)


def set_scalar(text: str, path: tuple[str, ...], value: str) -> str:
    """``text`` with the scalar at ``path`` (mapping keys) set to ``value``; a missing key is
    added to its mapping (which must exist). Everything else stays byte for byte."""
    data, node = _parse(text)
    for part in path[:-1]:
        found = _find(node, part)
        if found is None:
            raise EditError(f"{'.'.join(path[:-1])} does not exist")
        node = found[1]
    quoted = json.dumps(value, ensure_ascii=False)
    found = _find(node, path[-1])
    if found is None:
        edited = _insert_key(text, node, f"{path[-1]}: {quoted}")
    else:
        target = found[1]
        if target.tag in (_MAP, _SEQ):
            raise EditError(f"{'.'.join(path)} is not a single value")
        start, end = target.start_mark.index, target.end_mark.index
        if target.tag == _NULL and start == end:
            edited = text[:start] + (" " if text[start - 1] == ":" else "") + quoted + text[end:]
        else:
            edited = text[:start] + quoted + text[end:]
    return _checked(data, edited, path, value, f"set {'.'.join(path)}")
