"""The task spec: one pydantic model for the real template plus taskgov's ``planning:`` section.

Unknown keys are kept (``extra="allow"``) so that they can be reported as warnings with their
location instead of failing the whole file; :func:`unknown_keys` lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from taskgov.spec.task import enum_word

STATUSES = (
    "draft",
    "ready",
    "assigned",
    "in_progress",
    "review",
    "blocked",
    "completed",
    "cancelled",
)
PRIORITIES = ("critical", "high", "medium", "low")
DEPENDENCY_TYPES = (
    "technical",
    "sequential",
    "infrastructure",
    "knowledge",
    "mutual_exclusion",
    "resource_limited",
)

Status = Literal[
    "draft", "ready", "assigned", "in_progress", "review", "blocked", "completed", "cancelled"
]
Priority = Literal["critical", "high", "medium", "low"]
DependencyType = Literal[
    "technical", "sequential", "infrastructure", "knowledge", "mutual_exclusion", "resource_limited"
]


def _text(value: Any) -> Any:
    """Empty (null) is ""; numbers people write unquoted (version 1.0) become their text."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _listed(value: Any) -> Any:
    """Null is an empty list; a single value is a one-item list."""
    if value is None or value == "":
        return []
    if isinstance(value, (str, dict)):
        return [value]
    return value


def _lowered(value: Any) -> Any:
    """Enumerations as people type them: "In Progress", "in-progress" -> "in_progress"."""
    return enum_word(value) if isinstance(value, str) else value


def _default_if_empty(default: str) -> Any:
    def convert(value: Any) -> Any:
        value = _lowered(value)
        return default if value in (None, "") else value

    return convert


Text = Annotated[str, BeforeValidator(_text)]
TextList = Annotated[list[Text], BeforeValidator(_listed)]
Hours = Annotated[float | str, BeforeValidator(_text)]
IdList = Annotated[list[str], BeforeValidator(_listed)]  # task ids: text only, never numbers


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Ownership(_Model):
    created_by: Text = ""
    assignee: Text = ""
    reviewer: Text = ""
    stakeholders: TextList = Field(default_factory=list)


class Classification(_Model):
    type: Text = ""
    priority: Annotated[Priority, BeforeValidator(_default_if_empty("medium"))] = "medium"
    milestone: Text = ""
    phase: Text = ""
    target_version: Text = ""
    estimated_effort: Annotated[str, BeforeValidator(_text)] = ""
    complexity: Text = ""


class Deliverable(_Model):
    path: Text = ""
    type: Text = ""
    description: Text = ""
    acceptance: Text = ""


class ModuleDependency(_Model):
    """An entry of ``dependencies``: a code module, an external system, or (seen in real specs)
    another task."""

    module: Text = ""
    classes: TextList = Field(default_factory=list)
    version_constraint: Text = ""
    description: Text = ""
    task: Text = ""
    external: Text = ""


class Interface(_Model):
    name: Text = ""
    signature: Text = ""
    module: Text = ""
    description: Text = ""


def _criterion(value: Any) -> Any:
    return {"criterion": value} if isinstance(value, str) else value


class AcceptanceCriterion(_Model):
    criterion: Text = ""
    verification: Text = ""


class TestRequirement(_Model):
    required: bool = False
    coverage_target: float | None = None
    location: Text = ""
    instructions: Text = ""

    @field_validator("coverage_target", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return None if value == "" else value


class Testing(_Model):
    unit_tests: TestRequirement | None = None
    integration_tests: TestRequirement | None = None
    validation_tests: TestRequirement | None = None
    manual_testing: TestRequirement | None = None


class Documentation(_Model):
    code_comments: bool = False
    docstrings: bool = False
    readme_update: bool = False
    user_guide: bool = False
    api_reference: bool = False


class State(_Model):
    status: Annotated[Status, BeforeValidator(_default_if_empty("draft"))] = "draft"
    blocked_by: IdList = Field(default_factory=list)
    blocks: IdList = Field(default_factory=list)
    started_at: Text = ""
    completed_at: Text = ""


class ProgressNote(_Model):
    date: Text = ""
    author: Text = ""
    note: Text = ""


class Review(_Model):
    pull_request: Text = ""
    review_status: Text = ""
    review_comments: Text = ""
    merged_at: Text = ""
    merge_commit: Text = ""


class Reference(_Model):
    type: Text = ""
    url: Text = ""
    path: Text = ""
    section: Text = ""
    description: Text = ""
    task_id: Text = ""
    relationship: Text = ""


class ThreePointEstimate(_Model):
    """Hours (numbers) or effort strings ("2d") for each point."""

    optimistic: Hours
    likely: Hours
    pessimistic: Hours

    @model_validator(mode="after")
    def _ordered(self, info: ValidationInfo) -> ThreePointEstimate:
        from taskgov.spec.effort import EffortError, parse_effort

        context = info.context or {}
        hours = []
        for name in ("optimistic", "likely", "pessimistic"):
            try:
                estimate = parse_effort(
                    getattr(self, name),
                    hours_per_day=context.get("hours_per_day", 8.0),
                    days_per_week=context.get("days_per_week", 5.0),
                )
            except EffortError as exc:
                raise ValueError(f"{name}: {exc}") from None
            if estimate is None:
                raise ValueError(f"{name} is empty")
            hours.append(estimate.likely)
        if not hours[0] <= hours[1] <= hours[2]:
            raise ValueError("needs optimistic <= likely <= pessimistic")
        return self


def _dependency(value: Any) -> Any:
    return {"task": value} if isinstance(value, str) else value


class TypedDependency(_Model):
    task: str = Field(min_length=1)
    type: Annotated[DependencyType, BeforeValidator(_default_if_empty("technical"))] = "technical"
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    hard: bool = True
    reason: Text = ""


class Scope(_Model):
    includes: TextList = Field(default_factory=list)
    excludes: TextList = Field(default_factory=list)


class Scenario(_Model):
    name: Text = ""
    given: Text = ""
    when: Text = ""
    then: Text = ""


class Risk(_Model):
    risk: Text = ""
    likelihood: Text = ""
    impact: Text = ""
    mitigation: Text = ""


class Planning(_Model):
    """taskgov's own section: what the template lacks for planning and dispatch."""

    estimate: ThreePointEstimate | None = None
    depends_on: Annotated[
        list[Annotated[TypedDependency, BeforeValidator(_dependency)]], BeforeValidator(_listed)
    ] = Field(default_factory=list)
    resources: dict[str, float] = Field(default_factory=dict)
    skills: TextList = Field(default_factory=list)
    scope: Scope | None = None
    stop_when: TextList = Field(default_factory=list)
    scenarios: Annotated[list[Scenario | str], BeforeValidator(_listed)] = Field(
        default_factory=list
    )
    risks: Annotated[list[Risk | str], BeforeValidator(_listed)] = Field(default_factory=list)

    @field_validator("resources")
    @classmethod
    def _amounts(cls, value: dict[str, float]) -> dict[str, float]:
        for name, amount in value.items():
            if amount < 0:
                raise ValueError(f"amount of {name!r} cannot be negative")
        return value


def _sections(value: Any) -> Any:
    return {} if value is None else value


class TaskSpec(_Model):
    """A task spec file (``docs/tasks/active/TASK-2026-008.yaml``)."""

    task_id: str = Field(min_length=1, description="Unique id, also the file name")
    title: str = Field(min_length=1, description="Verb-first, one line")
    version: Text = ""
    created_at: Text = ""
    updated_at: Text = ""
    ownership: Annotated[Ownership, BeforeValidator(_sections)] = Ownership()
    classification: Annotated[Classification, BeforeValidator(_sections)] = Classification()
    objective: Text = ""
    motivation: Text = ""
    deliverables: Annotated[list[Deliverable], BeforeValidator(_listed)] = Field(
        default_factory=list
    )
    dependencies: Annotated[list[ModuleDependency], BeforeValidator(_listed)] = Field(
        default_factory=list
    )
    interfaces_provided: Annotated[list[Interface], BeforeValidator(_listed)] = Field(
        default_factory=list
    )
    interfaces_consumed: Annotated[list[Interface], BeforeValidator(_listed)] = Field(
        default_factory=list
    )
    acceptance_criteria: Annotated[
        list[Annotated[AcceptanceCriterion, BeforeValidator(_criterion)]],
        BeforeValidator(_listed),
    ] = Field(default_factory=list)
    constraints: TextList = Field(default_factory=list)
    testing: Annotated[Testing, BeforeValidator(_sections)] = Testing()
    documentation: Annotated[Documentation, BeforeValidator(_sections)] = Documentation()
    state: Annotated[State, BeforeValidator(_sections)] = State()
    progress: Annotated[list[ProgressNote], BeforeValidator(_listed)] = Field(default_factory=list)
    review: Annotated[Review, BeforeValidator(_sections)] = Review()
    references: Annotated[list[Reference], BeforeValidator(_listed)] = Field(default_factory=list)
    planning: Planning | None = None

    @field_validator("task_id", "title", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value


def unknown_keys(
    model: BaseModel, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every key the model does not define, as (path to its mapping, key)."""
    for key in model.model_extra or {}:
        yield path, str(key)
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from unknown_keys(value, (*path, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from unknown_keys(item, (*path, name, index))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a task spec, for editors (``taskgov schema``)."""
    schema = TaskSpec.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "taskgov task spec"
    return schema
