"""A git merge driver for the contribution log: two branches that both logged merge without a
conflict (union of records, one per commit, in date order).

Registered by ``taskgov init`` (``.gitattributes``) and ``taskgov hooks install`` (the driver
command in the clone's git config). git calls it with the ancestor, ours and theirs files; the
result goes into ours.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _records(path: Path) -> list[tuple[str, dict[str, Any] | None]]:
    """(line, parsed record or None) for each non-empty line."""
    result: list[tuple[str, dict[str, Any] | None]] = []
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return result
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        result.append((line, value if isinstance(value, dict) else None))
    return result


def merge(ancestor: Path, ours: Path, theirs: Path) -> int:
    merged: dict[str, tuple[str, str]] = {}  # commit -> (sort key, line)
    unparsed: list[str] = []
    for path in (ours, theirs):  # ours first: on a conflict, our version of a record wins
        for line, record in _records(path):
            if record is None or not isinstance(record.get("commit"), str):
                if line not in unparsed:
                    unparsed.append(line)
                continue
            commit = record["commit"]
            if commit not in merged:
                merged[commit] = (str(record.get("date", "")), line)
    ordered = [line for _, line in sorted(merged.values(), key=lambda item: item[0])]
    text = "\n".join([*ordered, *unparsed])
    ours.write_text(text + "\n" if text else "", encoding="utf-8", errors="surrogateescape")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m taskgov.log.merge ANCESTOR OURS THEIRS", file=sys.stderr)
        return 2
    return merge(*(Path(a) for a in argv))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
