"""Secrets out of exported text: every credential-looking string becomes ``[REDACTED]``.

Detection is the one ``validate`` uses for TG150 (:func:`taskgov.checks.text.secret_spans`:
private keys, cloud and API tokens, ``password=...`` assignments, passwords in URLs). An
export also redacts the whole value of a field whose name says it is a secret
(``password``, ``api_key``, ``token``...), however short. Redaction runs over the exported
data before it is serialised and hashed, so the content hashes are those of what is written.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[REDACTED]"
_SECRET_NAME = re.compile(
    r"(?i)^(?:.*[_-])?(password|passwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"auth[_-]?token|token|credentials?)$"
)


def redact_text(text: str) -> str:
    """``text`` with every credential-looking string replaced by ``[REDACTED]``. For a
    password in a URL only the password goes: ``https://user:[REDACTED]@host``."""
    from taskgov.checks.text import secret_spans

    spans = sorted(secret_spans(text))
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for found, until, kind in spans:
        start, end = found, until
        if kind == "password in URL":  # keep scheme://user: and @
            start = text.index(":", text.index("://", found) + 3, until) + 1
            end = until - 1
        parts.append(text[position:start])
        parts.append(REDACTED)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def is_secret_name(name: str) -> bool:
    """A field name that says its value is a secret (``password``, ``db_password``,
    ``api-key``, ``token``)."""
    return bool(_SECRET_NAME.match(name.strip()))


def redact_data(value: Any) -> Any:
    """A copy of JSON-like ``value`` with every string redacted (keys included) and the
    whole (non-empty string) value of a secret-named field replaced."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            name = redact_text(key) if isinstance(key, str) else key
            secret = isinstance(key, str) and is_secret_name(key)
            if secret and isinstance(item, str) and item:
                result[name] = REDACTED
            else:
                result[name] = redact_data(item)
        return result
    if isinstance(value, (list, tuple)):
        return [redact_data(item) for item in value]
    return value
