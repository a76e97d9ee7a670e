"""Policy rules for one commit: AI attribution, references to tasks and decisions, guarded
paths. Pure functions over plain values; the commit-msg hook imports this on every commit, so
it imports nothing heavy.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

from taskgov.config import Config
from taskgov.git.trailers import parse_trailers
from taskgov.policy.references import check_references, task_shape

# The id of a decision record (as taskgov.decisions names them).
DECISION_PATTERN = r"^DECISION-\d{4}-\d{2}-\d{2}-\d{3,}$"

AI_TRAILERS = ("co-authored-by", "assisted-by")


class CommitFacts(NamedTuple):
    """What the rules look at. ``sha`` is None for the commit being made."""

    message: str
    files: tuple[str, ...] = ()
    agent_env: tuple[str, ...] = ()  # agent environment variables set when it was made
    sha: str | None = None
    # "Name <email>" of the commit's author; None for the commit being made: git is asked
    # (only when an approval has to be judged).
    author: str | None = None


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
    pattern = _agent_words(tuple(allowed))
    return pattern is not None and pattern.search(value.lower()) is not None


@lru_cache(maxsize=16)
def _agent_words(allowed: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for all the allowed names: a message with thousands of co-authors compiles
    nothing per value."""
    if not allowed:
        return None
    names = "|".join(re.escape(name.lower()) for name in allowed)
    return re.compile(rf"(?<![a-z0-9])(?:{names})(?![a-z0-9])")


def _values(trailers: list[tuple[str, str]], *keys: str) -> list[str]:
    return [value for key, value in trailers if key.lower() in keys]


def name_of(identity: str) -> str:
    """The name of ``Name <email>`` (``Claude <noreply@anthropic.com>`` -> ``Claude``); the
    value itself when it has no name part."""
    return identity.split("<", 1)[0].strip() or identity.strip()


def _identity(value: str) -> tuple[str, str]:
    """(name, email) of ``Name <email>``, both case-folded; email "" when there is none."""
    name, _, rest = value.partition("<")
    email = rest.split(">", 1)[0].strip() if rest else ""
    return name.strip().casefold(), email.casefold()


def same_person(one: str, other: str) -> bool:
    """Whether two ``Name <email>`` identities are one person: the same email (any case), or,
    when either has no email, the same name."""
    name, email = _identity(one)
    other_name, other_email = _identity(other)
    if email and other_email:
        return email == other_email
    return bool(name) and name == other_name


def human_approvals(
    trailers: list[tuple[str, str]], author: str, agents_allowed: Iterable[str]
) -> list[str]:
    """The ``Approved-by:`` then ``Reviewed-by:`` values that count as a person's approval:
    not an AI agent the policy knows, not the commit's own author."""
    allowed = tuple(agents_allowed)
    return [
        value
        for value in _values(trailers, "approved-by") + _values(trailers, "reviewed-by")
        if value.strip() and not is_agent(value, allowed) and not same_person(value, author)
    ]


def _guarded(files: tuple[str, ...], patterns: tuple[str, ...]) -> list[str]:
    return [f for f in files if any(fnmatch.fnmatchcase(f, p) for p in patterns)]


def check_commit(
    facts: CommitFacts,
    config: Config,
    task_exists: Callable[[str], bool],
    decision_exists: Callable[[str], bool],
    list_tasks: Callable[[], Iterable[str]] | None = None,
    list_decisions: Callable[[], Iterable[str]] | None = None,
) -> list[Violation]:
    """Every policy violation of one commit, each saying exactly what to add.

    ``list_tasks``/``list_decisions`` list existing ids for "did you mean" suggestions (by
    default read from the repository, and only when a reference is wrong)."""
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
    default_pattern = rf"^{re.escape(config.id_prefix)}-\d{{4}}-\d{{3,}}$"
    tasks = check_references(
        trailers,
        ("task", "closes"),
        "task",
        config.id_pattern,
        task_shape(config.id_prefix, config.id_pattern, default_pattern),
        task_exists,
        list_tasks or (lambda: known_tasks(config)),
    )
    for problem in tasks.problems:
        violate(
            "TG204", f"{problem} (tasks live in {config.paths.active} or {config.paths.completed})"
        )
    decisions = check_references(
        trailers,
        ("decision",),
        "decision",
        DECISION_PATTERN,
        "DECISION-YYYY-MM-DD-NNN",
        decision_exists,
        list_decisions or (lambda: known_decisions(config)),
    )
    for problem in decisions.problems:
        violate("TG205", f"{problem} (records live in {config.paths.decisions})")
    approvals, refused = _approvals(facts, trailers, config)
    guarded = (
        ("TG206", config.require_task, bool(tasks.valid), "Task: TASK-YYYY-NNN"),
        (
            "TG207",
            config.require_decision,
            bool(decisions.valid),
            "Decision: DECISION-YYYY-MM-DD-NNN",
        ),
        (
            "TG208",
            config.require_approval,
            approvals is None or bool(approvals),
            "Approved-by: Name <email>  (a person, not an AI agent and not the author)"
            + "".join(f"\n    ({note})" for note in refused),
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


def _approvals(
    facts: CommitFacts, trailers: list[tuple[str, str]], config: Config
) -> tuple[list[str] | None, list[str]]:
    """The approvals that count when the policy needs one for this commit (``None`` when it
    does not), and why each of the others does not count."""
    if not config.require_approval or not _guarded(facts.files, config.require_approval):
        return None, []
    offered = _values(trailers, "approved-by", "reviewed-by")
    if not offered:
        return [], []
    author = facts.author
    if author is None:
        from taskgov.git.refs import author_identity

        author = author_identity(config.root)
    counted = human_approvals(trailers, author, config.agents_allowed)
    refused = [
        f"'{value}' does not count: "
        + ("an AI agent" if is_agent(value, config.agents_allowed) else "the commit's author")
        for value in offered
        if value.strip() and value not in counted
    ]
    return counted, refused


def known_tasks(config: Config) -> frozenset[str]:
    """Every task id the repository's specs name (none when the specs cannot be read)."""
    from taskgov.errors import TaskgovError
    from taskgov.repo import load_repo

    try:
        return load_repo(config=config).known_ids
    except TaskgovError:
        return frozenset()


def known_decisions(config: Config) -> list[str]:
    """The ids of the decision records in the decisions directory."""
    directory = config.root / config.paths.decisions
    try:
        names = [entry.name for entry in directory.iterdir()]
    except OSError:
        return []
    return [name.rsplit(".", 1)[0] for name in names if name.endswith((".yaml", ".yml"))]
