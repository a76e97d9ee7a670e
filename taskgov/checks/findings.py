"""Collects problems for one file, applying the policy's rule levels."""

from __future__ import annotations

from taskgov.checks.catalog import RULES
from taskgov.config import Config
from taskgov.problems import Problem
from taskgov.spec.yamlio import Locations


class Findings:
    def __init__(self, config: Config, path: str, task: str | None = None) -> None:
        self.config = config
        self.path = path
        self.task = task
        self.problems: list[Problem] = []

    def add(
        self,
        rule_id: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        task: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                self.path,
                line,
                column,
                rule_id,
                RULES[rule_id].severity,
                message,
                task or self.task,
                field,
            )
        )

    def at(
        self,
        locations: Locations,
        rule_id: str,
        message: str,
        path: tuple[str | int, ...],
    ) -> None:
        """Add a problem located at ``path`` of the document (or its deepest parent)."""
        where = locations.find(path)
        self.add(
            rule_id,
            message,
            where[0] if where else None,
            where[1] if where else None,
            ".".join(str(p) for p in path) or None,
        )


def apply_levels(config: Config, problems: list[Problem], strict: bool = False) -> list[Problem]:
    """Apply ``policy.yaml`` rule levels (and ``--strict``) to raw problems."""
    result = []
    for problem in problems:
        severity = config.severity(problem.rule, problem.severity)
        if severity is None:
            continue
        if strict and problem.rule == "TG101":
            severity = severity.ERROR
        result.append(problem if severity is problem.severity else problem.with_severity(severity))
    return result
