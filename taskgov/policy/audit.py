"""``taskgov check-commits RANGE``: the commit policy over a range of history (for CI)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from taskgov.config import Config
from taskgov.errors import UsageError
from taskgov.git.history import GitError, walk
from taskgov.policy.commits import CommitFacts, Violation, check_commit
from taskgov.policy.lookup import decision_lookup, task_lookup


class Audit(NamedTuple):
    """How many commits were checked, and what they break."""

    checked: int
    violations: list[Violation]


def audit_commits(config: Config, revision_range: str | list[str]) -> Audit:
    """Check every commit in ``revision_range`` (e.g. ``origin/main..HEAD``, or a list of
    revision arguments), oldest first, reading history with one ``git log``. A range git
    cannot read (bad revision, not a repository, git missing) raises an error (exit 2):
    it never looks like a range without violations."""
    revisions = [revision_range] if isinstance(revision_range, str) else revision_range
    tasks = task_lookup(config)
    decisions = decision_lookup(config)
    try:
        commits = list(walk(config.root, revisions, numstat=True))
    except GitError as exc:
        raise UsageError(f"{' '.join(revisions)}: {exc}") from None
    from taskgov.log.ops import agent_commit_shas
    from taskgov.policy.commits import known_decisions, known_tasks

    observed = agent_commit_shas(config)  # what the post-commit hook saw
    task_ids = _once(lambda: known_tasks(config))
    decision_ids = _once(lambda: known_decisions(config))
    violations: list[Violation] = []
    for commit in reversed(commits):
        files = tuple(change.path for change in commit.changes)
        agent_env = tuple(observed.get(commit.sha) or ())
        author = f"{commit.author_name} <{commit.author_email}>"
        facts = CommitFacts(commit.message, files, agent_env, commit.sha, author)
        violations.extend(check_commit(facts, config, tasks, decisions, task_ids, decision_ids))
    return Audit(len(commits), violations)


def check_commits(config: Config, revision_range: str | list[str]) -> list[Violation]:
    """The violations of ``audit_commits`` (what the pre-push hook reports)."""
    return audit_commits(config, revision_range).violations


def _once(compute: Callable[[], Iterable[str]]) -> Callable[[], Iterable[str]]:
    """``compute``, called at most once however many commits ask."""
    cache: list[list[str]] = []

    def known() -> list[str]:
        if not cache:
            cache.append(list(compute()))
        return cache[0]

    return known
