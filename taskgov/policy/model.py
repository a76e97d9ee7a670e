"""Pydantic model of ``policy.yaml``; turns a parsed file into a plain ``Config``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from taskgov.checks.catalog import lookup
from taskgov.config import (
    DEFAULT_AGENT_ENV,
    DEFAULT_AGENTS_ALLOWED,
    DEFAULT_FINISH_MENTIONS,
    DEFAULT_WORK_MENTIONS,
    Config,
    Paths,
    mention_regex,
)
from taskgov.spec.effort import MAX_HOURS, parse_duration

_DEFAULT_PATHS = Paths()


class PolicyIssue(Exception):
    """A value of ``policy.yaml`` the model rejects, at ``path`` (for the file:line)."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathsSection(_Section):
    active: str = _DEFAULT_PATHS.active
    completed: str = _DEFAULT_PATHS.completed
    template: str = _DEFAULT_PATHS.template
    decisions: str = _DEFAULT_PATHS.decisions
    contributions: str = _DEFAULT_PATHS.contributions
    hooks: str = _DEFAULT_PATHS.hooks

    @field_validator("*")
    @classmethod
    def _relative(cls, value: str) -> str:
        path = Path(value)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError("must be a path inside the repository (relative, without '..')")
        return value.rstrip("/") or "."


class TasksSection(_Section):
    id_prefix: str = "TASK"
    id_pattern: str | None = None

    @field_validator("id_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @field_validator("id_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value):
            raise ValueError("must be letters, digits or '_', starting with a letter")
        return value


class GitSection(_Section):
    target_branch: str = ""  # unset: the branch origin's HEAD names, else main, else master


def _checked_duration(value: str, *, allow_zero: bool) -> str:
    """``value`` if it reads as a duration (``2h``, ``30m``), else the reason as ValueError."""
    from taskgov.spec.effort import EffortError

    try:
        parse_duration(value, allow_zero=allow_zero)
    except EffortError as exc:
        raise ValueError(str(exc)) from None
    return value


class ActualsSection(_Section):
    """How history becomes actuals: commit sessions and prose mentions of task ids."""

    session_gap: str = "2h"  # commits by one person closer than this are one session
    first_commit: str = "2h"  # credited for each session's first commit (the work before it)
    finish_mentions: list[str] = Field(default_factory=lambda: list(DEFAULT_FINISH_MENTIONS))
    work_mentions: list[str] = Field(default_factory=lambda: list(DEFAULT_WORK_MENTIONS))

    @field_validator("session_gap", "first_commit")
    @classmethod
    def _duration(cls, value: str, info: ValidationInfo) -> str:
        return _checked_duration(value, allow_zero=info.field_name == "first_commit")

    @field_validator("finish_mentions", "work_mentions")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if "{id}" not in pattern:
                raise ValueError(f"{pattern!r} has no {{id}} (where the task id goes)")
            try:
                mention_regex(pattern, r"TASK-\d+")  # as it will be matched
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
        return value


class CalibrationSection(_Section):
    auto_after: int = Field(10, ge=0, strict=True)  # finished tasks with actuals; 0: never
    min_class: int = Field(5, ge=1, strict=True)  # finished tasks a reference class needs


class EstimatesSection(_Section):
    hours_per_day: float = Field(8.0, gt=0, le=24)
    days_per_week: float = Field(5.0, gt=0, le=7)
    default_hours: float = Field(8.0, gt=0, le=MAX_HOURS)  # the bound every estimate has
    # A single number (and the default) is read as the expected effort, spread from
    # optimistic = low x value to pessimistic = high x value; [1, 1] plans it as exact.
    single_point_spread: tuple[float, float] = (0.75, 1.75)
    actuals: ActualsSection = ActualsSection()
    calibration: CalibrationSection = CalibrationSection()

    @field_validator("single_point_spread")
    @classmethod
    def _spread(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not (0 < low <= 1 <= high <= 10):
            raise ValueError("needs [low, high] with 0 < low <= 1 <= high <= 10, e.g. [0.75, 1.75]")
        likely = (6 - low - high) / 4  # keeps the PERT mean at the value written
        if not low <= likely <= high:
            raise ValueError(
                f"[{low:g}, {high:g}] is too lopsided: the most likely value would fall outside it"
            )
        return value


class QualitySection(_Section):
    min_acceptance_criteria: int = Field(0, ge=0)
    min_scenarios: int = Field(0, ge=0)
    min_risks: int = Field(0, ge=0)


class AgentsSection(_Section):
    env: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_AGENT_ENV))
    allowed: list[str] = Field(default_factory=lambda: list(DEFAULT_AGENTS_ALLOWED))

    @field_validator("allowed")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        if any(not item.strip() for item in value):
            raise ValueError("agent names must not be empty")
        return value


class CommitsSection(_Section):
    require_task: list[str] = Field(default_factory=list)
    require_decision: list[str] = Field(default_factory=list)
    require_approval: list[str] = Field(default_factory=list)


class DecisionsSection(_Section):
    accept_requires_human: bool = True


class ClaimsSection(_Section):
    remote: str = ""  # "": origin, else the only remote, else this repository; or "local"
    lease: str = "2h"
    grace: str = "5m"

    @field_validator("lease", "grace")
    @classmethod
    def _duration(cls, value: str, info: ValidationInfo) -> str:
        return _checked_duration(value, allow_zero=info.field_name == "grace")


class PlanningSection(_Section):
    workers: int | None = Field(None, ge=1)
    min_confidence: float = Field(0.5, ge=0.0, le=1.0)
    max_wave_size: int | None = Field(None, ge=1)
    samples: int = Field(10_000, ge=100, le=1_000_000)
    seed: int = Field(0, ge=0)


class PolicyFile(BaseModel):
    """The sections of ``policy.yaml``. Sections other issues own are accepted as-is."""

    model_config = ConfigDict(extra="allow", frozen=True)

    version: int = 1
    paths: PathsSection = PathsSection()
    tasks: TasksSection = TasksSection()
    git: GitSection = GitSection()
    estimates: EstimatesSection = EstimatesSection()
    quality: QualitySection = QualitySection()
    agents: AgentsSection = AgentsSection()
    commits: CommitsSection = CommitsSection()
    decisions: DecisionsSection = DecisionsSection()
    planning: PlanningSection = PlanningSection()
    claims: ClaimsSection = ClaimsSection()
    resources: dict[str, float] = Field(default_factory=dict)
    rules: dict[str, Literal["error", "warning", "off"] | bool] = Field(default_factory=dict)

    @field_validator("resources")
    @classmethod
    def _capacities(cls, value: dict[str, float]) -> dict[str, float]:
        for name, capacity in value.items():
            if capacity < 0:
                raise ValueError(f"capacity of {name!r} cannot be negative")
        return value


def config_from_policy(root: Path, data: dict[str, Any], source: str, digest: str) -> Config:
    try:
        policy = PolicyFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        dotted = ".".join(str(p) for p in path)
        raise PolicyIssue(path, f"{dotted}: {error['msg']}") from None
    levels: list[tuple[str, str]] = []
    for key, level in policy.rules.items():
        rule = lookup(key)
        if rule is None:
            raise PolicyIssue(("rules", key), f"rules.{key}: no such rule")
        text = (
            ("warning" if rule.severity.value == "warning" else "error")
            if level is True
            else ("off" if level is False else level)
        )
        levels.append((rule.id, text))
    prefix = policy.tasks.id_prefix
    pattern = policy.tasks.id_pattern or rf"^{re.escape(prefix)}-\d{{4}}-\d{{3,}}$"
    return Config(
        root=root,
        paths=Paths(**policy.paths.model_dump()),
        id_prefix=prefix,
        id_pattern=pattern,
        target_branch=policy.git.target_branch,
        hours_per_day=policy.estimates.hours_per_day,
        days_per_week=policy.estimates.days_per_week,
        default_hours=policy.estimates.default_hours,
        single_point_spread=policy.estimates.single_point_spread,
        session_gap=parse_duration(policy.estimates.actuals.session_gap),
        session_first=parse_duration(policy.estimates.actuals.first_commit, allow_zero=True),
        mention_finish=tuple(policy.estimates.actuals.finish_mentions),
        mention_work=tuple(policy.estimates.actuals.work_mentions),
        calibrate_after=policy.estimates.calibration.auto_after,
        calibrate_min_class=policy.estimates.calibration.min_class,
        resources=tuple(sorted(policy.resources.items())),
        workers=policy.planning.workers,
        min_confidence=policy.planning.min_confidence,
        max_wave_size=policy.planning.max_wave_size,
        samples=policy.planning.samples,
        seed=policy.planning.seed,
        rule_levels=tuple(sorted(levels)),
        min_acceptance_criteria=policy.quality.min_acceptance_criteria,
        min_scenarios=policy.quality.min_scenarios,
        min_risks=policy.quality.min_risks,
        agent_env=tuple(sorted(policy.agents.env.items())),
        agents_allowed=tuple(policy.agents.allowed),
        require_task=tuple(policy.commits.require_task),
        require_decision=tuple(policy.commits.require_decision),
        require_approval=tuple(policy.commits.require_approval),
        decisions_need_human=policy.decisions.accept_requires_human,
        claims_remote=policy.claims.remote,
        claims_lease=parse_duration(policy.claims.lease),
        claims_grace=parse_duration(policy.claims.grace, allow_zero=True),
        source=source,
        digest=digest,
    )
