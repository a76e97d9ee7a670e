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
    return _insert_after(text, index, line)


def _newline(text: str) -> str:
    """The file's line ending: CRLF when its first line ends so, else LF."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _insert_after(text: str, index: int, line: str) -> str:
    """Insert ``line`` (one or more lines joined by LF) after the line holding ``index``,
    with the file's own line ending; a file without a final newline still ends without one."""
    newline = _newline(text)
    line = line.replace("\n", newline)
    line_end = text.find("\n", index)
    if line_end < 0:
        return text + newline + line
    return text[: line_end + 1] + line + newline + text[line_end + 1 :]


def _content_end(text: str, node: Any) -> int:
    """Where the last line of a node's own text is: the end of its last leaf, without the
    blank lines and comments a block collection's mark runs on to (and a block scalar's
    trailing blank lines)."""
    while node.tag in (_MAP, _SEQ) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if node.tag == _MAP else last
    start: int = node.start_mark.index
    end: int = node.end_mark.index
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return max(end - 1, start)


def _splice_list(text: str, mapping: Any, key: str, value: str) -> str:
    """Append to the list at ``mapping[key]`` (a composed node), creating the key if needed."""
    return _splice_list_text(text, mapping, key, json.dumps(value))


def _splice_list_text(text: str, mapping: Any, key: str, quoted: str) -> str:
    """Append the item written ``quoted`` (one line of YAML) to the list ``mapping[key]``."""
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
    return _insert_after(text, _content_end(text, list_node), " " * dash_column + f"- {quoted}")


def _insert_key(text: str, mapping: Any, line: str) -> str:
    """Add ``line`` (``key: value``) after the first entry of a block mapping, indented like
    it (the first entry is the id in records and specs: new fields land beside it)."""
    if mapping is None or mapping.tag != _MAP or not mapping.value or mapping.flow_style:
        raise EditError("no block mapping to add the key to")
    first_key, first_value = mapping.value[0]
    return _insert_line(text, first_value.end_mark, " " * first_key.start_mark.column + line)


def set_scalar(text: str, path: tuple[str, ...], value: str, *, last: bool = False) -> str:
    """``text`` with the scalar at ``path`` (mapping keys) set to ``value``; a missing key is
    added to its mapping (which must exist), after its first entry, or after its last one
    with ``last``. Everything else stays byte for byte."""
    data, node = _parse(text)
    for part in path[:-1]:
        found = _find(node, part)
        if found is None:
            raise EditError(f"{'.'.join(path[:-1])} does not exist")
        node = found[1]
    quoted = json.dumps(value, ensure_ascii=False)
    found = _find(node, path[-1])
    if found is None and last:
        edited = _append_key(text, node, f"{path[-1]}: {quoted}")
    elif found is None:
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


def _append_key(text: str, mapping: Any, line: str) -> str:
    """Add ``line`` (``key: value``) after the last entry of a block mapping, indented like
    its keys."""
    if mapping is None or mapping.tag != _MAP or not mapping.value or mapping.flow_style:
        raise EditError("no block mapping to add the key to")
    column = mapping.value[0][0].start_mark.column
    return _insert_after(text, _content_end(text, mapping), " " * column + line)


def add_section(text: str, key: str, entries: list[tuple[str, str]]) -> str:
    """``text`` with a new top-level mapping ``key`` of quoted scalars added at the end (the
    key must be absent; the rest of the file is kept byte for byte)."""
    data, _ = _parse(text)
    if key in data:
        raise EditError(f"{key} already exists")
    body = "\n".join(
        [f"{key}:", *(f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in entries)]
    )
    newline = _newline(text)
    ending = newline if text.endswith("\n") else ""
    separator = newline * (1 if ending else 2) if text else ""  # one blank line before it
    edited = text + separator + body.replace("\n", newline) + ending
    return _checked(data, edited, (key,), dict(entries), f"add {key}")


def append_entry(
    text: str, key: str, entry: list[tuple[str, str]], after: str | None = None
) -> str:
    """``text`` with the mapping ``entry`` (quoted scalars, in order) appended to the top-level
    list ``key``: in block style like the items before it, in flow style for a flow or empty
    list. A missing list is added after the top-level section ``after`` (else at the end)."""
    data, root = _parse(text)
    existing = data.get(key)
    if existing is not None and not isinstance(existing, list):
        raise EditError(f"{key} is not a list")
    value = dict(entry)
    flow = "{" + ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in entry) + "}"
    found = _find(root, key)
    if found is None:
        block = "\n".join(
            [
                f"{key}:",
                *(
                    f"{'  - ' if n == 0 else '    '}{k}: {json.dumps(v, ensure_ascii=False)}"
                    for n, (k, v) in enumerate(entry)
                ),
            ]
        )
        section = _find(root, after) if after is not None else None
        if section is not None:
            edited = _insert_after(text, _content_end(text, section[1]), block)
        else:
            newline = _newline(text)
            ending = newline if text.endswith("\n") else ""
            edited = text + newline * (1 if ending else 2) + block.replace("\n", newline) + ending
    else:
        list_node = found[1]
        if list_node.tag == _NULL or (list_node.tag == _SEQ and list_node.flow_style):
            edited = _splice_list_text(text, root, key, flow)
        elif list_node.tag != _SEQ or not list_node.value:
            raise EditError(f"{key} is not a list")
        else:
            edited = _insert_after(
                text, _content_end(text, list_node), _block_item(text, list_node, entry)
            )
    return _checked(data, edited, (key,), [*(existing or []), value], f"add an entry to {key}")


def _block_item(text: str, list_node: Any, entry: list[tuple[str, str]]) -> str:
    """``entry`` as a block list item, indented like the list's first item."""
    first = list_node.value[0]
    dash = _dash_column(text, first.start_mark)
    column = dash + 2
    if first.tag == _MAP and first.value and not first.flow_style:
        column = max(first.value[0][0].start_mark.column, dash + 2)
    lines = []
    for n, (k, v) in enumerate(entry):
        lead = " " * dash + "-" + " " * (column - dash - 1) if n == 0 else " " * column
        lines.append(f"{lead}{k}: {json.dumps(v, ensure_ascii=False)}")
    return "\n".join(lines)
