"""The quality of the specs a pull request adds: verb-first titles, acceptance criteria,
estimates, scope, how many tasks each depends on, and near-duplicates of existing tasks.

Near-duplicates (the "MECE overlap" check of T.A.S.K.S planning): each spec's title and
objective become a set of lower-case word tokens (stop words left out), and two specs whose
sets have a Jaccard similarity |A & B| / |A | B| of at least ``DUPLICATE_THRESHOLD`` are
reported. "Add the login endpoint" and "Add a login endpoint" score 1.0; "Implement part 17"
and "Implement part 18" score 0.5 and are not flagged. Candidates are found with prefix
filtering (tokens ordered rarest first; two sets that reach the threshold share a token
among the first ``|A| - ceil(t |A|) + 1`` of each), so added specs are not compared with
every other spec.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from taskgov.checks import text as text_rules
from taskgov.checks.catalog import RULES
from taskgov.problems import Problem
from taskgov.review.revision import Side
from taskgov.spec.task import Task

DUPLICATE_THRESHOLD = 0.6
DENSE_PREREQUISITES = 8  # more direct prerequisites than this reads as "depends on everything"
MAX_COMPARISONS = 2_000_000  # a bound on the similarity search for huge generated plans
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# Words that say nothing about what a task is: left out before comparing.
STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it"}
    | {"its", "of", "on", "or", "so", "that", "the", "this", "to", "with", "we", "will", "all"}
)


@dataclass(frozen=True)
class SpecQuality:
    task: Task
    verb_first: bool
    acceptance_criteria: int
    estimate: bool
    scope: bool
    prerequisites: int
    similar: tuple[tuple[str, float], ...]  # (other id, Jaccard), best first

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.task.id,
            "path": self.task.path,
            "verb_first": self.verb_first,
            "acceptance_criteria": self.acceptance_criteria,
            "estimate": self.estimate,
            "scope": self.scope,
            "prerequisites": self.prerequisites,
            "similar": [{"id": other, "score": score} for other, score in self.similar],
        }


@dataclass(frozen=True)
class Quality:
    specs: tuple[SpecQuality, ...]
    density_before: float  # dependency edges per task
    density_after: float
    problems: tuple[Problem, ...]
    duplicate_search_complete: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "specs": [s.as_dict() for s in self.specs],
            "density": {"before": self.density_before, "after": self.density_after},
            "duplicate_threshold": DUPLICATE_THRESHOLD,
            "duplicate_search_complete": self.duplicate_search_complete,
        }


def tokens(text: str) -> frozenset[str]:
    return frozenset(word for word in _TOKEN.findall(text.casefold()) if word not in STOP_WORDS)


def jaccard(one: frozenset[str], other: frozenset[str]) -> float:
    if not one or not other:
        return 0.0
    shared = len(one & other)
    return shared / (len(one) + len(other) - shared)


def _document(side: Side, task: Task) -> frozenset[str]:
    data = side.data(task.path)
    objective = data.get("objective") if isinstance(data, dict) else None
    return tokens(f"{task.title} {objective if isinstance(objective, str) else ''}")


def similar_specs(
    side: Side, added: list[Task], threshold: float = DUPLICATE_THRESHOLD
) -> tuple[dict[str, list[tuple[str, float]]], bool]:
    """For each added task, the other tasks (added or not) at least ``threshold`` similar;
    and whether the search ran to its end (it stops after ``MAX_COMPARISONS``)."""
    documents = {t.id: _document(side, t) for t in side.repo.tasks.values() if not t.unreadable}
    frequency: Counter[str] = Counter(token for doc in documents.values() for token in doc)

    def prefix(doc: frozenset[str]) -> list[str]:
        ordered = sorted(doc, key=lambda token: (frequency[token], token))
        return ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]

    index: dict[str, list[str]] = defaultdict(list)
    for task_id, doc in documents.items():
        for token in prefix(doc):
            index[token].append(task_id)
    found: dict[str, list[tuple[str, float]]] = {}
    comparisons = 0
    for task in added:
        doc = documents.get(task.id, frozenset())
        if not doc:
            continue
        seen: set[str] = {task.id}
        matches = []
        for token in prefix(doc):
            for other in index[token]:
                if other in seen:
                    continue
                seen.add(other)
                comparisons += 1
                if comparisons > MAX_COMPARISONS:
                    return found, False
                score = jaccard(doc, documents[other])
                if score >= threshold:
                    matches.append((other, round(score, 2)))
        if matches:
            found[task.id] = sorted(matches, key=lambda m: (-m[1], m[0]))[:3]
    return found, True


def assess(base: Side, head: Side, added: tuple[Task, ...]) -> Quality:
    """The quality of the ``added`` specs (as ``head`` holds them)."""
    prerequisites = head.repo.graph.prerequisites()
    similar, complete = similar_specs(head, list(added)) if added else ({}, True)
    specs, problems = [], []
    added_ids = {t.id for t in added}
    for task in added:
        if task.unreadable:
            continue
        data = head.data(task.path)
        planning = data.get("planning") if isinstance(data, dict) else None
        scope = planning.get("scope") if isinstance(planning, dict) else None
        includes = scope.get("includes") if isinstance(scope, dict) else None
        waits = len(prerequisites.get(task.id, ()))
        quality = SpecQuality(
            task,
            text_rules.is_verb_first(task.title),
            task.acceptance_criteria,
            task.estimate is not None,
            bool(includes),
            waits,
            tuple(similar.get(task.id, ())),
        )
        specs.append(quality)
        if not quality.estimate:
            problems.append(
                _problem(
                    "TG302",
                    task,
                    task.line("classification"),
                    "no estimate: give classification.estimated_effort or planning.estimate",
                    "classification.estimated_effort",
                )
            )
        if not quality.scope:
            problems.append(
                _problem(
                    "TG303",
                    task,
                    task.line("planning") or task.line("task_id"),
                    "no planning.scope.includes: say which paths the work may touch",
                    "planning.scope",
                )
            )
        if waits > DENSE_PREREQUISITES:
            problems.append(
                _problem(
                    "TG304",
                    task,
                    task.line("state"),
                    f"depends directly on {waits} tasks (more than {DENSE_PREREQUISITES}): "
                    "keep the edges that order work, drop the transitive ones",
                    None,
                )
            )
        for other, score in quality.similar:
            if other in added_ids and other < task.id:
                continue  # a pair of added specs is reported once, at the later id
            problems.append(
                _problem(
                    "TG305",
                    task,
                    task.line("title"),
                    f"title and objective are {score:.0%} the same as {other}'s "
                    f"({head.repo.tasks[other].path}): merge them or say how they differ",
                    "title",
                )
            )
    return Quality(tuple(specs), _density(base), _density(head), tuple(problems), complete)


def _density(side: Side) -> float:
    tasks = len(side.repo.tasks)
    return round(len(side.repo.graph.edges) / tasks, 2) if tasks else 0.0


def _problem(rule: str, task: Task, line: int | None, message: str, field: str | None) -> Problem:
    return Problem(task.path, line, None, rule, RULES[rule].severity, message, task.id, field)
