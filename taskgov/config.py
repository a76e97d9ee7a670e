"""Repository configuration: the plain ``Config`` every layer reads, and its defaults.

Reading ``policy.yaml`` into a ``Config`` is ``taskgov.policy.load.load_config``: this module
sits below everything and imports no other part of taskgov at run time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from taskgov.problems import Severity

POLICY_PATH = "docs/governance/policy.yaml"
DEFAULT_ID_PREFIX = "TASK"


# NamedTuples, not dataclasses: the commit-msg hook loads a Config on every commit, and
# importing dataclasses (which imports inspect and ast) would cost it a sixth of its time.
class Paths(NamedTuple):
    active: str = "docs/tasks/active"
    completed: str = "docs/tasks/completed"
    template: str = "docs/tasks/templates/task-spec.yaml"
    decisions: str = ".claude/decisions"
    contributions: str = ".claude/contributions"
    hooks: str = ".githooks"


CLAUDE = "Claude <noreply@anthropic.com>"
DEFAULT_AGENT_ENV: tuple[tuple[str, str], ...] = (
    ("CLAUDECODE", CLAUDE),
    ("CLAUDE_CODE_ENTRYPOINT", CLAUDE),
    ("CURSOR_AGENT", "Cursor Agent <cursoragent@cursor.com>"),
    ("AIDER_MODEL", "aider <noreply@aider.chat>"),
    ("CODEX_SANDBOX", "Codex <noreply@openai.com>"),
    ("GEMINI_CLI", "Gemini CLI <noreply@google.com>"),
)
DEFAULT_AGENTS_ALLOWED: tuple[str, ...] = (
    "Claude",
    "Copilot",
    "Cursor",
    "aider",
    "Codex",
    "Gemini",
    "Devin",
    "noreply@anthropic.com",
)


# How commit messages name tasks in prose. ``{id}`` stands for a task id (the policy's id
# pattern); matching ignores case. "finish" patterns say a commit finished the task, "work"
# patterns that it was work on it (Task:/Closes: trailers always count).
DEFAULT_FINISH_MENTIONS = (
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?|complete[sd]?|finish(?:e[sd])?)\b:?\s+{id}",
)
DEFAULT_WORK_MENTIONS = (
    r"\b(?:implement(?:s|ed)?|continue[sd]?|start(?:s|ed)?|work(?:s|ed)? on|progress on"
    r"|part of|towards?|refs?)\b:?\s+{id}",
    r"^(?:\w+(?:\([^)]*\))?!?:\s*)?{id}\b",  # a subject that starts with the id
    r"[\[(]{id}[\])]",  # (TASK-2026-007) or [TASK-2026-007]
)

MENTION_GROUP = "taskgov_ids"


def mention_regex(pattern: str, id_core: str) -> re.Pattern[str]:
    """A policy mention pattern as it is matched: case ignored, ``^`` at any line's start,
    its first ``{id}`` the named group ``taskgov_ids``: one id, or a list of them (``fixes
    A, B and C``), none running into a longer word (``TASK-2026-010x`` is no id), later
    ``{id}``s any id. Raises ``re.error`` for a pattern that cannot be compiled."""
    one = f"(?<![\\w-]){id_core}(?![\\w-])"
    many = f"(?P<{MENTION_GROUP}>{one}(?:\\s*(?:,|&|\\band\\b)\\s*{one})*)"
    text = pattern.replace("{id}", many, 1).replace("{id}", one)
    return re.compile(text, re.IGNORECASE | re.MULTILINE)


class Config(NamedTuple):
    """Everything taskgov reads from ``policy.yaml``, with defaults filled in."""

    root: Path
    paths: Paths = Paths()
    id_prefix: str = DEFAULT_ID_PREFIX
    id_pattern: str = r"^TASK-\d{4}-\d{3,}$"
    target_branch: str = ""  # "": found in the repository (see git.refs.head_and_target)
    hours_per_day: float = 8.0
    days_per_week: float = 5.0
    default_hours: float = 8.0
    single_point_spread: tuple[float, float] = (0.75, 1.75)  # policy estimates.single_point_spread
    # Evidence-based estimates (policy estimates.actuals / estimates.calibration): commit
    # sessions, prose mentions of task ids, and when plan calibrates on its own.
    session_gap: float = 7200.0  # seconds: closer commits by one person are one session
    session_first: float = 7200.0  # seconds credited for a session's first commit
    mention_finish: tuple[str, ...] = DEFAULT_FINISH_MENTIONS
    mention_work: tuple[str, ...] = DEFAULT_WORK_MENTIONS
    calibrate_after: int = 10  # finished tasks with actuals before plan calibrates (0: never)
    calibrate_min_class: int = 5  # finished tasks a reference class needs
    resources: tuple[tuple[str, float], ...] = ()
    # Planning defaults (`taskgov plan` options override them).
    workers: int | None = None
    min_confidence: float = 0.5
    max_wave_size: int | None = None
    samples: int = 10_000
    seed: int = 0
    rule_levels: tuple[tuple[str, str], ...] = ()  # (rule id, "error"|"warning"|"off")
    min_acceptance_criteria: int = 0
    min_scenarios: int = 0
    min_risks: int = 0
    # AI agents: environment variables that mean "an agent is making this commit" and the
    # identity to credit, and the co-author names accepted as AI attribution.
    agent_env: tuple[tuple[str, str], ...] = DEFAULT_AGENT_ENV
    agents_allowed: tuple[str, ...] = DEFAULT_AGENTS_ALLOWED
    # Paths (globs) whose commits need a Task:/Closes:, a Decision:, or a human Approved-by:.
    require_task: tuple[str, ...] = ()
    require_decision: tuple[str, ...] = ()
    require_approval: tuple[str, ...] = ()
    decisions_need_human: bool = True  # `decision accept` refuses agents
    # Claims: where they live ("" origin or the only remote, else local; "local"; a remote's
    # name), the lease a claim gets, and the clock difference allowed before a lease is over.
    claims_remote: str = ""
    claims_lease: float = 7200.0
    claims_grace: float = 300.0
    source: str | None = None  # the policy file, relative to root, when one was read
    digest: str = ""  # content hash of the policy file ("" for defaults)

    def path(self, relative: str) -> Path:
        return self.root / relative

    @property
    def active_dir(self) -> Path:
        return self.root / self.paths.active

    @property
    def completed_dir(self) -> Path:
        return self.root / self.paths.completed

    def severity(self, rule_id: str, default: Severity) -> Severity | None:
        """The configured severity of a rule; ``None`` when the policy turns it off."""
        for rid, level in self.rule_levels:
            if rid == rule_id:
                return None if level == "off" else type(default)(level)
        return default

    def fingerprint(self) -> str:
        """What per-file results depend on, for cache keys."""
        import hashlib

        return hashlib.sha1(
            repr(
                (
                    self.id_pattern,
                    self.hours_per_day,
                    self.days_per_week,
                    self.min_acceptance_criteria,
                    self.min_scenarios,
                    self.min_risks,
                )
            ).encode()
        ).hexdigest()


def find_root(start: Path) -> Path:
    """The repository root for ``start``: the nearest directory holding ``.git`` or the
    policy file; ``start`` itself when there is neither. Raises ``InputError`` for a
    repository git would refuse (owned by another user and not in ``safe.directory``)."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            from taskgov.ownership import ensure_trusted

            ensure_trusted(candidate)
            return candidate
        if (candidate / POLICY_PATH).is_file():
            return candidate
    return start
