"""Rules over decision records: completeness, links, supersession, and history's trailers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from taskgov.checks.catalog import RULES
from taskgov.decisions.store import Decision, DecisionSet
from taskgov.git.activity import Activity
from taskgov.output import plural
from taskgov.problems import Problem, Severity
from taskgov.repo import Repository


def _problem(
    rule: str,
    decision: Decision,
    message: str,
    field: str | None = None,
    severity: Severity | None = None,
) -> Problem:
    line = decision.line(field.split(".")[0]) if field else decision.line("decision_id")
    return Problem(
        decision.path,
        line,
        None,
        rule,
        severity or RULES[rule].severity,
        message,
        decision.id,
        field,
    )


def decision_problems(
    repo: Repository, decisions: DecisionSet, activity: Activity | None = None
) -> Iterator[Problem]:
    yield from decisions.problems
    records = [d for d in decisions.decisions if d.kind == "yaml" and not d.unreadable]
    known = {d.id for d in decisions.decisions}
    counts = Counter(d.id for d in records)
    for decision in records:
        proposed = Severity.WARNING if decision.status == "proposed" else None
        if counts[decision.id] > 1:
            yield _problem(
                "TG178",
                decision,
                f"decision id {decision.id} is used by {counts[decision.id]} records",
            )
        if not decision.summary:
            yield _problem(
                "TG170", decision, "the summary is empty: say what was decided", "summary"
            )
        if decision.alternatives < 2:
            yield _problem(
                "TG171",
                decision,
                f"{plural(decision.alternatives, 'alternative')}; "
                "document at least two, even if one was obvious",
                "alternatives",
                proposed,
            )
        if decision.selected != 1:
            yield _problem(
                "TG172",
                decision,
                f"{plural(decision.selected, 'alternative')} selected; "
                "exactly one must be (selected: true)",
                "alternatives",
                proposed,
            )
        for task_id in decision.tasks:
            if task_id not in repo.known_ids:
                yield _problem(
                    "TG174", decision, f"links task {task_id}, which exists nowhere", "tasks"
                )
        for field, others in (
            ("supersedes", decision.supersedes),
            ("superseded_by", decision.superseded_by),
        ):
            for other_id in others:
                other = decisions.get(other_id)
                if other is None:
                    yield _problem(
                        "TG175",
                        decision,
                        f"{field} names {other_id}, which is no decision record",
                        field,
                    )
                    continue
                mirror = other.superseded_by if field == "supersedes" else other.supersedes
                if other.kind == "yaml" and decision.id not in mirror:
                    back = "superseded_by" if field == "supersedes" else "supersedes"
                    yield _problem(
                        "TG176",
                        decision,
                        f"{field} names {other_id}, but "
                        f"{other_id}'s {back} does not name {decision.id}",
                        field,
                    )
    yield from _supersession_cycles(decisions)
    yield from _control_characters(records, decisions)
    if activity is not None:
        directory = repo.config.paths.decisions
        for decision_id, mention in sorted(activity.decisions.items()):
            if decision_id not in known:
                yield Problem(
                    directory,
                    None,
                    None,
                    "TG177",
                    RULES["TG177"].severity,
                    f"commit {mention.commit[:12]} ({mention.subject!r}) says "
                    f"'Decision: {decision_id}', but there is no such record",
                    decision_id,
                )


def _supersession_cycles(decisions: DecisionSet) -> Iterator[Problem]:
    from taskgov.decisions.supersession import cycles, supersedes_graph

    for loop in cycles(supersedes_graph(decisions.decisions)):
        first = next(filter(None, map(decisions.get, loop)), None)
        if first is None:
            continue
        yield _problem(
            "TG179",
            first,
            "supersession loop " + " -> ".join([*loop, loop[0]]) + ": no record in it is in "
            "force; remove one of the links",
            "supersedes" if first.supersedes else "superseded_by",
        )


def _control_characters(records: list[Decision], decisions: DecisionSet) -> Iterator[Problem]:
    """TG146 in records as in specs: a terminal would act on the character when listing it."""
    from taskgov.checks.text import hygiene

    for decision in records:
        for rule, path, message in hygiene(decisions.documents.get(decision.id)):
            yield _problem(rule, decision, message, str(path[0]) if path else None)
