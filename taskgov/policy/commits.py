"""Policy rules for one commit: AI attribution, references to tasks and decisions, guarded
paths. Pure functions over plain values; the commit-msg hook imports this on every commit, so
it imports nothing heavy.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from taskgov.config import Config
from taskgov.git.trailers import parse_trailers

AI_TRAILERS = ("co-authored-by", "assisted-by")


class CommitFacts(NamedTuple):
    """What the rules look at. ``sha`` is None for the commit being made."""

    message: str
    files: tuple[str, ...] = ()
    agent_env: tuple[str, ...] = ()  # agent environment variables set when it was made
    sha: str | None = None


class Violation(NamedTuple):
    rule: str
    message: str
    commit: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"commit": self.commit, "rule": self.rule, "message": self.message}

    def render(self) -> str:
        """``[commit] RULE name: message``, the line every report prints."""
        from taskgov.checks.catalog import RULES

        where = f"{self.commit[:12]} " if self.commit else ""
        return f"{where}{self.rule} {RULES[self.rule].name}: {self.message}"


def is_agent(value: str, allowed: Iterable[str]) -> bool:
    """Whether a co-author (``Name <email>``) or ``Assisted-by`` value names an AI agent the
    policy knows: a case-insensitive match of any allowed name as a word."""
    lowered = value.lower()
    return any(
        re.search(rf"(?<![a-z0-9]){re.escape(name.lower())}(?![a-z0-9])", lowered)
        for name in allowed
    )


def _values(trailers: list[tuple[str, str]], *keys: str) -> list[str]:
    return [value for key, value in trailers if key.lower() in keys]


def _ids(values: list[str]) -> list[str]:
    return [token for value in values for token in re.split(r"[,\s]+", value) if token]


def _guarded(files: tuple[str, ...], patterns: tuple[str, ...]) -> list[str]:
    return [f for f in files if any(fnmatch.fnmatchcase(f, p) for p in patterns)]


def check_commit(
    facts: CommitFacts,
    config: Config,
    task_exists: Callable[[str], bool],
    decision_exists: Callable[[str], bool],
) -> list[Violation]:
    """Every policy violation of one commit, each saying exactly what to add."""
    trailers = parse_trailers(facts.message)
    violations: list[Violation] = []

    def violate(rule: str, message: str) -> None:
        violations.append(Violation(rule, message, facts.sha))

    attributions = _values(trailers, *AI_TRAILERS)
    agents = [value for value in attributions if is_agent(value, config.agents_allowed)]
    if facts.agent_env and not agents:
        identity = dict(config.agent_env).get(facts.agent_env[0], "Claude <noreply@anthropic.com>")
        violate(
            "TG201",
            f"an AI agent made this commit ({facts.agent_env[0]} is set) but no co-author "
            f"names it; add this line at the end of the message:\n    Co-Authored-By: {identity}",
        )
    for value in _values(trailers, "assisted-by"):
        if not is_agent(value, config.agents_allowed):
            violate(
                "TG202",
                f"'Assisted-by: {value}' names an agent the policy does not allow (agents."
                f"allowed: {', '.join(config.agents_allowed)})",
            )
    for value in _values(trailers, "signed-off-by"):
        if is_agent(value, config.agents_allowed):
            violate(
                "TG203",
                f"'Signed-off-by: {value}': an AI agent cannot certify the Developer "
                "Certificate of Origin; remove the line (a person signs off, the agent is "
                "credited with Co-Authored-By)",
            )
    task_ids = _ids(_values(trailers, "task", "closes"))
    for task_id in task_ids:
        if re.search(config.id_pattern, task_id) and not task_exists(task_id):
            violate(
                "TG204",
                f"'{task_id}' is not a task in {config.paths.active} or {config.paths.completed}",
            )
    decision_ids = _ids(_values(trailers, "decision"))
    for decision_id in decision_ids:
        if not decision_exists(decision_id):
            violate(
                "TG205", f"'Decision: {decision_id}' names no record in {config.paths.decisions}"
            )
    guarded = (
        ("TG206", config.require_task, bool(task_ids), "Task: TASK-YYYY-NNN"),
        ("TG207", config.require_decision, bool(decision_ids), "Decision: DECISION-YYYY-MM-DD-NNN"),
        (
            "TG208",
            config.require_approval,
            bool(_values(trailers, "approved-by")),
            "Approved-by: Name <email>",
        ),
    )
    for rule, patterns, present, line in guarded:
        touched = _guarded(facts.files, patterns) if patterns and not present else []
        if touched:
            shown = ", ".join(touched[:3]) + (
                f" and {len(touched) - 3} more" if len(touched) > 3 else ""
            )
            violate(
                rule,
                f"changes to {shown} need a trailer; add this line at the end of the "
                f"message:\n    {line}",
            )
    if not violations:
        return violations
    from taskgov.problems import Severity

    return [v for v in violations if config.severity(v.rule, Severity.ERROR) is not None]
