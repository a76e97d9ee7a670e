"""Findings as data: every rule reports ``Problem`` values with a stable rule id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: which rule, how bad, where (file, line, column, field) and what."""

    path: str
    line: int | None
    column: int | None
    rule: str
    severity: Severity
    message: str
    task: str | None = None
    field: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def with_severity(self, severity: Severity) -> Problem:
        return replace(self, severity=severity)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "task": self.task,
            "field": self.field,
            "message": self.message,
        }

    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def render(self) -> str:
        """One line, in the ``file:line:col: severity RULE: message`` form editors understand."""
        subject = f"{self.field}: " if self.field else ""
        return f"{self.location()}: {self.severity.value} {self.rule}: {subject}{self.message}"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Stable report order: by file, then line, then rule."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0, p.rule, p.message))
