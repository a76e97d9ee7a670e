"""Plain, immutable task objects: what the rest of taskgov receives after validation.

Nothing here imports pydantic or ruamel, so the cached (warm) path never pays for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from taskgov.spec.effort import Estimate

TERMINAL = frozenset({"completed", "cancelled"})
UNREADABLE = "unreadable"  # the status of a spec file that could not be parsed
_DIGITS = re.compile(r"(\d+)")


def id_key(task_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sort ids as people read them: TASK-2026-999 before TASK-2026-1000."""
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in _DIGITS.split(task_id))


def enum_word(text: str) -> str:
    """An enumeration value as people type it, normalised: "In Progress" -> "in_progress"."""
    return "_".join(text.strip().lower().replace("-", " ").split())


PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True)
class Dependency:
    """``dependent`` needs ``prerequisite`` first; declared in ``declared_in``'s spec."""

    dependent: str
    prerequisite: str
    source: str  # state.blocked_by | state.blocks | references | planning.depends_on | dependencies
    declared_in: str
    line: int | None = None
    type: str = "technical"
    confidence: float = 1.0
    hard: bool = True
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "task": self.prerequisite,
            "dependent": self.dependent,
            "source": self.source,
            "declared_in": self.declared_in,
            "type": self.type,
            "confidence": self.confidence,
            "hard": self.hard,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Task:
    """One task spec reduced to what planning, listing and validation need."""

    id: str
    title: str
    status: str
    priority: str
    path: str  # relative to the repository root, POSIX separators
    milestone: str = ""
    phase: str = ""
    target_version: str = ""
    type: str = ""
    complexity: str = ""
    assignee: str = ""
    effort: str = ""
    estimate: Estimate | None = None
    archived: bool = False  # the file sits in the completed/ directory
    declared: tuple[Dependency, ...] = ()  # every dependency this spec declares, either side
    blocked_by: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    resources: tuple[tuple[str, float], ...] = ()
    skills: tuple[str, ...] = ()
    acceptance_criteria: int = 0
    scenarios: int = 0
    risks: int = 0
    started_at: str = ""  # state.started_at / completed_at, as written
    completed_at: str = ""
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)
    valid: bool = True  # False: the spec has errors; built from its valid fields only
    unreadable: str = ""  # "file:line" where parsing failed: a placeholder, never ready

    def line(self, key: str) -> int | None:
        for name, number in self.lines:
            if name == key:
                return number
        return None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL or self.archived

    @property
    def priority_rank(self) -> int:
        return PRIORITY_RANK.get(self.priority, len(PRIORITY_RANK))
