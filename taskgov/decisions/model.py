"""The decision record format (``DECISION-YYYY-MM-DD-NNN.yaml``), as the seed writes it, plus
taskgov's lifecycle fields (status, supersession, task links, who decided)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from taskgov.spec.model import Text, TextList, _listed, _lowered, _sections

STATUSES = ("proposed", "accepted", "rejected", "superseded", "deprecated")
Status = Literal["proposed", "accepted", "rejected", "superseded", "deprecated"]


def _status(value: Any) -> Any:
    value = _lowered(value)
    return None if value in (None, "") else value


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Trigger(_Model):
    type: Text = ""
    content: Text = ""
    context: Text = ""


class Alternative(_Model):
    option: Text = ""
    pros: TextList = Field(default_factory=list)
    cons: TextList = Field(default_factory=list)
    selected: bool = False
    selected_reason: Text = ""
    rejected_reason: Text = ""


class Check(_Model):
    action: Text = ""
    result: Text = ""


class Risk(_Model):
    risk: Text = ""
    mitigation: Text = ""
    severity: Text = ""
    likelihood: Text = ""


class Reference(_Model):
    type: Text = ""
    path: Text = ""
    section: Text = ""
    url: Text = ""
    description: Text = ""


class Review(_Model):
    status: Text = ""
    reviewer: Text = ""
    reviewed_at: Text = ""
    comments: Text = ""
    modifications_required: TextList = Field(default_factory=list)


class FollowUp(_Model):
    action: Text = ""
    owner: Text = ""
    due_date: Text = ""
    status: Text = ""


def _checks(value: Any) -> Any:
    """``verification`` is a list of {action, result}; a mapping or text is accepted too."""
    if isinstance(value, dict):
        return [{"action": str(k), "result": str(v)} for k, v in value.items()]
    if isinstance(value, str):
        return [{"action": value}]
    return _listed(value)


def _items(value: Any) -> Any:
    return [{"risk": v} if isinstance(v, str) else v for v in _listed(value)]


class DecisionRecord(_Model):
    decision_id: str = Field(min_length=1)
    timestamp: Text = ""
    ai_model: Text = ""
    session_id: Text = ""
    status: Annotated[Status | None, BeforeValidator(_status)] = None
    decided_by: Text = ""
    tasks: TextList = Field(default_factory=list)
    supersedes: TextList = Field(default_factory=list)
    superseded_by: TextList = Field(default_factory=list)
    summary: Text = ""
    trigger: Annotated[Trigger, BeforeValidator(_sections)] = Trigger()
    alternatives: Annotated[list[Alternative], BeforeValidator(_listed)] = Field(
        default_factory=list
    )
    impact: Annotated[dict[str, Any], BeforeValidator(_sections)] = Field(default_factory=dict)
    verification: Annotated[list[Check], BeforeValidator(_checks)] = Field(default_factory=list)
    risks: Annotated[list[Risk], BeforeValidator(_items)] = Field(default_factory=list)
    references: Annotated[list[Reference], BeforeValidator(_listed)] = Field(default_factory=list)
    review: Annotated[Review, BeforeValidator(_sections)] = Review()
    follow_up: Annotated[list[FollowUp], BeforeValidator(_listed)] = Field(default_factory=list)

    def effective_status(self) -> str:
        """The status field, else what the review says (the seed's records have no status)."""
        if self.status:
            return self.status
        review = self.review.status.strip().lower()
        return {"approved": "accepted", "rejected": "rejected"}.get(review, "proposed")
