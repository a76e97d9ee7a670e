"""Typed values to and from plain data (lists, dicts, str, int, float, bool, None), for the
caches under ``.git/taskgov/``.

A cache must never be able to run code, so it holds JSON, and turning it back into objects is
driven by the type the reader asks for, never by the data: a dataclass or NamedTuple becomes
the list of its field values in field order, and is rebuilt from the field types. Nothing is
imported or called because a cache file names it. Classes are described generically from their
fields, so a field someone adds later round-trips without a change here; ``schema`` names
every field of every class involved, so a cache written for other fields is simply a miss.

A value of the wrong shape raises ``PlainError``: the caller treats it as a miss.
"""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

Decoder = Callable[[Any], Any]
_DECODERS: dict[Any, Decoder] = {}
_ENCODERS: dict[Any, Decoder] = {}
_FIELDS: dict[type, tuple[str, ...]] = {}


class PlainError(ValueError):
    """Plain data that does not have the shape of the type asked for."""


def fields_of(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass or NamedTuple; ``None`` for any other class."""
    found = _FIELDS.get(cls)
    if found is None:
        if hasattr(cls, "__dataclass_fields__"):
            import dataclasses

            found = tuple(f.name for f in dataclasses.fields(cls))
        elif issubclass(cls, tuple) and hasattr(cls, "_fields"):
            found = tuple(cls._fields)
        else:
            return None
        _FIELDS[cls] = found
    return found


def to_plain(value: Any) -> Any:
    """``value`` as data ``json.dumps`` takes: a record (dataclass or NamedTuple) as the list
    of its field values, converted by their declared types; anything else as it is."""
    names = fields_of(type(value))
    return value if names is None else encoder(type(value))(value)


def encoder(kind: Any) -> Decoder:
    """A function from ``kind`` to plain data, built once per type (the inverse of
    ``decoder``; tuples stay tuples, which ``json.dumps`` writes as lists)."""
    found = _ENCODERS.get(kind)
    if found is None:
        found = _ENCODERS[kind] = _build_encoder(kind)
    return found


def _build_encoder(kind: Any) -> Decoder:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return _optional(args, encoder)
    if origin in (tuple, list):
        parts = [encoder(a) for a in args if a is not Ellipsis]
        if all(part is _same for part in parts):
            return _same
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return lambda value: [f(v) for f, v in zip(parts, value, strict=True)]
        return lambda value: [parts[0](v) for v in value]
    if origin is dict:
        key, item = (encoder(a) for a in args) if args else (_same, _same)
        if key is _same and item is _same:
            return _same
        return lambda value: {key(k): item(v) for k, v in value.items()}
    if isinstance(kind, type):
        if issubclass(kind, Enum):
            return lambda value: value.value
        if issubclass(kind, Path):
            return str
        names = fields_of(kind)
        if names is not None:
            hints = _hints(kind)
            parts = [encoder(hints.get(name, Any)) for name in names]
            pairs = list(zip(names, parts, strict=True))
            return lambda value: [f(getattr(value, name)) for name, f in pairs]
    return _same


def schema(cls: type) -> dict[str, list[str]]:
    """The field names of ``cls`` and of every record type its fields hold, by class name."""
    found: dict[str, list[str]] = {}

    def visit(kind: Any) -> None:
        for arg in typing.get_args(kind):
            visit(arg)
        if isinstance(kind, type) and kind.__qualname__ not in found:
            names = fields_of(kind)
            if names is not None:
                found[kind.__qualname__] = list(names)
                for hint in _hints(kind).values():
                    visit(hint)

    visit(cls)
    return found


def from_plain(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` from what ``to_plain`` gave; ``PlainError`` when the
    data does not fit."""
    try:
        return decoder(kind)(data)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
        raise PlainError(str(error)) from None


def decoder(kind: Any) -> Decoder:
    """A function from plain data to ``kind``, built once per type."""
    found = _DECODERS.get(kind)
    if found is None:
        found = _DECODERS[kind] = _build(kind)
    return found


def _same(data: Any) -> Any:
    return data


def _optional(args: tuple[Any, ...], convert: Callable[[Any], Decoder]) -> Decoder:
    """``X | None`` converts ``X`` and keeps ``None``; other unions are kept as they are."""
    options = [a for a in args if a is not type(None)]
    inner = convert(options[0]) if len(options) == 1 else _same
    return inner if inner is _same else lambda value: None if value is None else inner(value)


def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules[cls.__module__]
    return typing.get_type_hints(cls, vars(module))


def _build(kind: Any) -> Decoder:
    # Scalars are taken as they come (checking 100,000 of them would double the load time);
    # every container and record is checked for its shape.
    if kind in (Any, object, str, int, float, bool, type(None)):
        return _same
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return _optional(args, decoder)
    if origin in (tuple, list):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            parts = [decoder(a) for a in args]
            if all(part is _same for part in parts):
                return tuple  # pairs such as (key, line): 50,000 of them in 10,000 specs
            return lambda data: tuple(f(d) for f, d in zip(parts, _list(data), strict=True))
        item = decoder(args[0]) if args else _same
        if item is _same:
            return lambda data: origin(data) if type(data) is list else _list(data)
        return lambda data: origin(map(item, data)) if type(data) is list else _list(data)
    if origin is dict:
        key, value = (decoder(a) for a in args) if args else (_same, _same)
        return lambda data: {key(k): value(v) for k, v in _dict(data).items()}
    if isinstance(kind, type):
        if issubclass(kind, Enum):
            return kind
        if issubclass(kind, Path):
            return lambda data: kind(data) if type(data) is str else _list(data)
        names = fields_of(kind)
        if names is not None:
            return _record(kind, names)
    return _same  # a type this module does not know: kept as the plain value


def _record(cls: type, names: tuple[str, ...]) -> Decoder:
    hints = _hints(cls)
    width = len(names)
    converted = [(n, f) for n in names if (f := decoder(hints.get(n, Any))) is not _same]

    def fields(data: Any) -> dict[str, Any]:
        if type(data) is not list or len(data) != width:
            raise PlainError(f"{cls.__qualname__}: expected a list of {width} fields")
        values = dict(zip(names, data, strict=False))  # the length is checked
        for name, convert in converted:
            values[name] = convert(values[name])
        return values

    if hasattr(cls, "_fields"):  # a NamedTuple
        return lambda data: cls(**fields(data))
    new = object.__new__
    # Like unpickling: an instance gets its fields' values without running __init__, which
    # for 100,000 frozen dataclass instances would cost more than reading the file.
    if not converted:

        def plain_record(data: Any) -> Any:
            if type(data) is not list or len(data) != width:
                raise PlainError(f"{cls.__qualname__}: expected a list of {width} fields")
            value: Any = new(cls)
            value.__dict__.update(zip(names, data, strict=False))
            return value

        return plain_record

    def record(data: Any) -> Any:
        value: Any = new(cls)
        value.__dict__.update(fields(data))
        return value

    return record


def _list(data: Any) -> list[Any]:
    if type(data) is not list:
        raise PlainError(f"expected a list, got {type(data).__name__}")
    return data


def _dict(data: Any) -> dict[Any, Any]:
    if type(data) is not dict:
        raise PlainError(f"expected a mapping, got {type(data).__name__}")
    return data
