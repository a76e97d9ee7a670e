"""The rule catalogue: stable ids, names, default severities.

Ids never change meaning. ``policy.yaml`` can turn a rule off or change its severity by id or
by name (``rules: {TG140: off, placeholder-left: error}``).
"""

from __future__ import annotations

from dataclasses import dataclass

from taskgov.problems import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    unreadable: bool = False  # the input could not be read at all: exit code 2


E, W = Severity.ERROR, Severity.WARNING

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("TG001", "yaml-syntax", E, "the file is not valid YAML", unreadable=True),
        Rule("TG002", "unreadable-file", E, "binary, not UTF-8, or unreadable", unreadable=True),
        Rule(
            "TG003",
            "symlink-outside-repo",
            E,
            "a symbolic link leaving the repository",
            unreadable=True,
        ),
        Rule(
            "TG004",
            "yaml-too-complex",
            E,
            "alias bomb, recursive alias or deep nesting",
            unreadable=True,
        ),
        Rule("TG005", "file-too-large", E, "larger than the size limit", unreadable=True),
        Rule("TG006", "duplicate-key", E, "a mapping repeats a key"),
        Rule("TG010", "empty-spec", E, "the file holds no YAML document"),
        Rule("TG011", "not-a-mapping", E, "the document is not a mapping of fields"),
        Rule("TG100", "schema", E, "a field has the wrong type or value, or is missing"),
        Rule("TG101", "unknown-key", W, "a key the spec format does not define (error: --strict)"),
        Rule("TG102", "invalid-effort", W, "estimated_effort cannot be read as hours"),
        Rule("TG103", "effort-out-of-range", E, "an effort is negative, NaN or too large"),
        Rule("TG110", "duplicate-id", E, "two specs share a task id"),
        Rule("TG111", "id-filename-mismatch", E, "task_id differs from the file name"),
        Rule("TG112", "invalid-id", E, "task_id does not match the id pattern or is unsafe"),
        Rule("TG120", "dangling-reference", E, "a dependency names a task that exists nowhere"),
        Rule("TG121", "blocks-disagreement", W, "state.blocks and state.blocked_by disagree"),
        Rule("TG130", "dependency-cycle", E, "task dependencies form a cycle"),
        Rule("TG140", "title-not-verb-first", W, "the title does not start with a verb"),
        Rule("TG141", "no-acceptance-criteria", W, "acceptance_criteria is empty"),
        Rule("TG142", "too-few-acceptance-criteria", E, "fewer acceptance criteria than policy"),
        Rule("TG143", "too-few-scenarios", E, "fewer planning.scenarios than policy"),
        Rule("TG144", "too-few-risks", E, "fewer planning.risks than policy"),
        Rule("TG145", "placeholder-left", W, "a template placeholder was never filled in"),
        Rule("TG146", "control-character", E, "spec text holds a terminal control character"),
        Rule("TG147", "multi-line-title", W, "the title spans more than one line"),
        Rule("TG150", "secret-in-spec", E, "spec text contains what looks like a credential"),
        Rule("TG160", "stale-status", W, "history closed or started the task; the spec lags"),
        Rule("TG161", "unknown-task-in-history", W, "a Task:/Closes: trailer names no task"),
        Rule("TG162", "stale-blocked", W, "status blocked, but no hard dependency is unfinished"),
        # Claims (refs/taskgov/claims/*)
        Rule("TG165", "claim-of-finished-task", W, "a claim holds a completed or cancelled task"),
        Rule("TG166", "claim-of-unknown-task", W, "a claim names a task that exists nowhere"),
        # Decision records
        Rule("TG170", "decision-no-summary", E, "a decision record has an empty summary"),
        Rule(
            "TG171",
            "decision-few-alternatives",
            E,
            "fewer than two alternatives (warning while proposed)",
        ),
        Rule(
            "TG172",
            "decision-selection",
            E,
            "not exactly one alternative selected (warning while proposed)",
        ),
        Rule("TG173", "decision-id-filename-mismatch", E, "decision_id differs from the file name"),
        Rule("TG174", "decision-unknown-task", E, "a decision links a task that exists nowhere"),
        Rule("TG175", "decision-unknown-decision", E, "supersedes/superseded_by names no record"),
        Rule("TG176", "decision-one-sided-supersession", W, "supersession recorded on one side"),
        Rule("TG177", "unknown-decision-in-history", W, "a Decision: trailer names no record"),
        Rule("TG178", "duplicate-decision-id", E, "two records share a decision id"),
        Rule("TG179", "decision-supersession-cycle", E, "records supersede each other in a loop"),
        # Commit rules (taskgov check, check-commits, the commit-msg hook)
        Rule("TG201", "ai-attribution-missing", E, "an agent made the commit; no AI co-author"),
        Rule("TG202", "agent-not-allowed", E, "an AI co-author the policy does not allow"),
        Rule("TG203", "ai-signed-off", E, "an AI agent added Signed-off-by"),
        Rule("TG204", "unknown-task", E, "Task:/Closes: is not the id of an existing task"),
        Rule("TG205", "unknown-decision", E, "Decision: names a record that does not exist"),
        Rule("TG206", "task-required", E, "paths the policy guards need a Task:/Closes:"),
        Rule("TG207", "decision-required", E, "paths the policy guards need a Decision:"),
        Rule("TG208", "approval-required", E, "paths the policy guards need a person's approval"),
        # Pull-request review (taskgov review BASE HEAD)
        Rule("TG301", "cycle-introduced", E, "the change closes a dependency cycle"),
        Rule("TG302", "new-spec-no-estimate", W, "an added spec has no estimate"),
        Rule("TG303", "new-spec-no-scope", W, "an added spec has no planning.scope.includes"),
        Rule("TG304", "new-spec-dense", W, "an added spec depends on very many tasks"),
        Rule("TG305", "near-duplicate", W, "an added spec restates an existing one"),
    )
}

BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}
UNREADABLE: frozenset[str] = frozenset(r.id for r in RULES.values() if r.unreadable)
CYCLE_RULE = "TG130"
# Findings that mean part of a spec was not read: the file is a placeholder (unparsable,
# empty, not a mapping), a repeated key hid a value, or a rejected value was dropped.
NOT_PARSED: frozenset[str] = UNREADABLE | {"TG010", "TG011"}
NOT_READ: frozenset[str] = NOT_PARSED | {"TG006", "TG100"}


def lookup(key: str) -> Rule | None:
    """A rule by id (``TG140``) or name (``title-not-verb-first``)."""
    return RULES.get(key.upper()) or BY_NAME.get(key.lower())
