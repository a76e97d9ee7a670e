"""``taskgov review BASE HEAD``: what a pull request does to the plan, as data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskgov.checks.findings import apply_levels
from taskgov.decisions.store import Decision
from taskgov.errors import EXIT_OK, EXIT_PROBLEMS, TaskgovError
from taskgov.policy.commits import Violation
from taskgov.problems import Problem, sort_problems
from taskgov.review.diff import SpecDiff, diff_sides
from taskgov.review.quality import Quality, assess
from taskgov.review.revision import ParseMemo, Side, read_side

FAIL_ON = ("error", "warning")


@dataclass(frozen=True)
class Review:
    base: Side
    head: Side
    diff: SpecDiff
    problems: tuple[Problem, ...]  # validation findings in changed files, and new ones
    quality: Quality
    plan_before: dict[str, Any]
    plan_after: dict[str, Any]
    frontier_before: tuple[str, ...]
    frontier_after: tuple[str, ...]
    decisions_added: tuple[Decision, ...]
    decisions_changed: tuple[Decision, ...]
    violations: tuple[Violation, ...]
    commits_checked: int
    fail_on: str = "error"

    @property
    def findings(self) -> list[Problem]:
        """Every finding with a file: validation, the cycles closed, the quality rules."""
        return sort_problems([*self.problems, *self.diff.cycle_problems, *self.quality.problems])

    @property
    def errors(self) -> int:
        return sum(1 for p in self.findings if p.is_error) + len(self.violations)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.findings if not p.is_error)

    @property
    def failed(self) -> bool:
        return bool(self.errors or (self.fail_on == "warning" and self.warnings))

    @property
    def exit_code(self) -> int:
        return EXIT_PROBLEMS if self.failed else EXIT_OK

    @property
    def plan_changed(self) -> bool:
        return not self.diff.empty or bool(self.decisions_added or self.decisions_changed)

    def verdict(self) -> str:
        """One line: whether the change may go in, and what it does to the plan."""
        d = self.diff
        if not self.plan_changed and not self.errors and not self.warnings:
            return "no change to the plan"
        parts = []
        counts = [
            f"{len(d.added)} added",
            f"{len(d.changed)} changed",
            f"{len(d.removed)} removed",
        ]
        parts.append(", ".join(counts))
        if d.cycles:
            parts.append(f"{len(d.cycles)} cycle{'s' if len(d.cycles) != 1 else ''} introduced")
        before, after = self.plan_before.get("p80"), self.plan_after.get("p80")
        if before != after:
            parts.append(f"P80 {_hours(before)} → {_hours(after)}")
        state = "fails" if self.failed else "passes"
        issues = f"{self.errors} error{'s' if self.errors != 1 else ''}, " + (
            f"{self.warnings} warning{'s' if self.warnings != 1 else ''}"
        )
        return f"{state} ({issues}): " + "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        d = self.diff
        return {
            "base": {"revision": self.base.revision, "commit": self.base.commit},
            "head": {"revision": self.head.revision, "commit": self.head.commit},
            "verdict": self.verdict(),
            "ok": not self.failed,
            "fail_on": self.fail_on,
            "errors": self.errors,
            "warnings": self.warnings,
            "added": [_task(t) for t in d.added],
            "removed": [_task(t) for t in d.removed],
            "changed": [
                {"id": t.id, "path": t.path, "fields": [f.as_dict() for f in fields]}
                for t, fields in d.changed
            ],
            "edges": {
                "added": [{"task": a, "depends_on": b} for a, b in d.edges_added],
                "removed": [{"task": a, "depends_on": b} for a, b in d.edges_removed],
            },
            "cycles": [list(c) for c in d.cycles],
            "problems": [p.as_dict() for p in self.findings],
            "critical_path": _pair(self.plan_before, self.plan_after, "critical_path"),
            "expected_duration": _pair(self.plan_before, self.plan_after, "expected_duration"),
            "p80": _pair(self.plan_before, self.plan_after, "p80"),
            "frontier": {
                "before": list(self.frontier_before),
                "after": list(self.frontier_after),
            },
            "decisions": {
                "added": [_decision(x) for x in self.decisions_added],
                "changed": [_decision(x) for x in self.decisions_changed],
            },
            "commits_checked": self.commits_checked,
            "violations": [v.as_dict() for v in self.violations],
            "quality": self.quality.as_dict(),
        }


def _pair(before: dict[str, Any], after: dict[str, Any], key: str) -> dict[str, Any]:
    return {"before": before.get(key), "after": after.get(key)}


def _hours(value: object) -> str:
    return "-" if value is None else f"{value:g} h"


def _task(task: Any) -> dict[str, Any]:
    return {"id": task.id, "title": task.title, "path": task.path, "status": task.status}


def _decision(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.id,
        "summary": decision.summary,
        "status": decision.status,
        "path": decision.path,
    }


def review(
    root: Path, base: str, head: str = "HEAD", *, fail_on: str = "error", commits: bool = True
) -> Review:
    """Compare revisions ``base`` and ``head`` of the repository at ``root``, from git
    objects alone. ``commits``: also check the commits of BASE..HEAD against the policy."""
    from taskgov.git.revision import open_repo

    memo: ParseMemo = {}
    with open_repo(root) as repository:
        before = read_side(repository, root, base, memo)
        after = read_side(repository, root, head, memo)
    diff = diff_sides(before, after)
    problems = _problems(before, after, diff)
    quality = assess(before, after, diff.added)
    added, changed = _decisions(before, after)
    violations: list[Violation] = []
    checked = 0
    if commits:
        from taskgov.policy.audit import audit_commits

        audit = audit_commits(after.config, f"{before.commit}..{after.commit}")
        violations, checked = audit.violations, audit.checked
    return Review(
        before,
        after,
        diff,
        tuple(problems),
        quality,
        _plan(before),
        _plan(after),
        _frontier(before),
        _frontier(after),
        added,
        changed,
        tuple(violations),
        checked,
        fail_on,
    )


def _all_problems(side: Side) -> list[Problem]:
    from taskgov.checks.decisions import decision_problems
    from taskgov.checks.graph import repository_problems

    found = [
        *side.repo.file_problems,
        *repository_problems(side.repo),
        *decision_problems(side.repo, side.decisions),
    ]
    # Cycles are reported once, as the change's TG301 at the line that closes them.
    return [p for p in apply_levels(side.config, found) if p.rule != "TG130"]


def _problems(base: Side, head: Side, diff: SpecDiff) -> list[Problem]:
    """The head's findings in the files the change adds or modifies, and every finding the
    base did not have (a removed task leaves references to it dangling elsewhere)."""
    changed = {path for path, blob in head.blobs.items() if base.blobs.get(path) != blob}

    def key(p: Problem) -> tuple[Any, ...]:
        return (p.path, p.rule, p.task, p.field, p.message)

    known = {key(p) for p in _all_problems(base)}
    return [p for p in _all_problems(head) if p.path in changed or key(p) not in known]


def _decisions(base: Side, head: Side) -> tuple[tuple[Decision, ...], tuple[Decision, ...]]:
    added, changed = [], []
    for decision in head.decisions.decisions:
        if decision.kind != "yaml":
            continue
        before = base.blobs.get(decision.path)
        if before is None:
            added.append(decision)
        elif before != head.blobs.get(decision.path):
            changed.append(decision)
    return tuple(added), tuple(changed)


def _plan(side: Side) -> dict[str, Any]:
    """Critical path, expected duration and P80 of the remaining work (``None``s when the
    graph has a cycle or cannot be planned)."""
    from taskgov.plan.build import PlanOptions, make_plan

    empty: dict[str, Any] = {"critical_path": None, "expected_duration": None, "p80": None}
    if not side.repo.tasks:
        return {"critical_path": [], "expected_duration": 0.0, "p80": 0.0}
    try:
        plan = make_plan(side.repo, side.states, PlanOptions())
    except TaskgovError as exc:
        return {**empty, "error": exc.message}
    if plan.get("cycles"):
        return {**empty, "error": "the dependencies form a cycle"}
    return {
        "critical_path": plan["critical_path"],
        "expected_duration": plan["expected_duration"],
        "p80": plan["estimates"]["p80"],
    }


def _frontier(side: Side) -> tuple[str, ...]:
    from taskgov.plan.frontier import frontier

    return tuple(t.id for t in frontier(side.repo, side.states))
