"""``taskgov check-commits RANGE``: the commit policy over a range of history (for CI)."""

from __future__ import annotations

from taskgov.config import Config
from taskgov.errors import UsageError
from taskgov.git.history import GitError, walk
from taskgov.policy.commits import CommitFacts, Violation, check_commit
from taskgov.policy.lookup import decision_lookup, task_lookup


def check_commits(config: Config, revision_range: str | list[str]) -> list[Violation]:
    """Violations of every commit in ``revision_range`` (e.g. ``origin/main..HEAD``, or a list
    of revision arguments), oldest first. Reads history with one ``git log``."""
    revisions = [revision_range] if isinstance(revision_range, str) else revision_range
    tasks = task_lookup(config)
    decisions = decision_lookup(config)
    violations: list[Violation] = []
    try:
        commits = list(walk(config.root, revisions, numstat=True))
    except GitError as exc:
        raise UsageError(f"{' '.join(revisions)}: {exc}") from None
    from taskgov.log.ops import agent_commit_shas

    observed = agent_commit_shas(config)  # what the post-commit hook saw
    for commit in reversed(commits):
        files = tuple(change.path for change in commit.changes)
        agent_env = tuple(observed.get(commit.sha) or ())
        facts = CommitFacts(commit.message, files, agent_env, commit.sha)
        violations.extend(check_commit(facts, config, tasks, decisions))
    return violations
