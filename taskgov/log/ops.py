"""``taskgov log sync|rebuild|verify|stats`` and the hooks' log work."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from taskgov.config import Config
from taskgov.git.history import Commit, GitError, rev_parse, run_git, walk
from taskgov.log.records import DERIVED, OBSERVED, apply_observed, derive
from taskgov.log.store import BadLine, LogStore
from taskgov.spec.cache import git_dir

# Facts git itself holds: verified for every record, hand-kept ones included.
GIT_FACTS = ("date", "files_changed", "lines_added", "lines_removed")
NOT_VERIFIED = frozenset({"branch", *OBSERVED})


def store_for(config: Config) -> LogStore:
    directory = git_dir(config.root)
    return LogStore(
        config.root, config.paths.contributions, directory / "taskgov" if directory else None
    )


def _context(config: Config) -> tuple[str, str | None]:
    """(branch name, remote URL) recorded in new records."""
    try:
        branch = run_git(config.root, "rev-parse", "--abbrev-ref", "HEAD").strip()
    except GitError:
        branch = config.target_branch
    try:
        remote = run_git(config.root, "remote", "get-url", "origin").strip() or None
    except GitError:
        remote = None
    return (config.target_branch if branch == "HEAD" else branch), remote


V = TypeVar("V")


class ByCommit(Generic[V]):
    """Values keyed by commit id as the log writes it: full, or abbreviated as people typed it
    in hand-kept records. A lookup by full id costs one probe per abbreviation length."""

    def __init__(self, items: Iterable[tuple[str, V]]) -> None:
        self.full: dict[str, V] = {}
        self.short: dict[int, dict[str, V]] = {}
        for written, value in items:
            key = written.lower()
            bucket = self.full if len(key) == 40 else self.short.setdefault(len(key), {})
            bucket.setdefault(key, value)

    def get(self, sha: str) -> V | None:
        found = self.full.get(sha)
        if found is not None:
            return found
        for length, values in self.short.items():
            found = values.get(sha[:length])
            if found is not None:
                return found
        return None

    def __contains__(self, sha: str) -> bool:
        return self.get(sha) is not None


@dataclass(frozen=True)
class SyncResult:
    added: list[str]
    repaired: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # logged without line counts

    def as_dict(self) -> dict[str, object]:
        return {"added": self.added, "repaired": self.repaired, "incomplete": self.incomplete}


def sync(config: Config, observed: dict[str, dict[str, Any]] | None = None) -> SyncResult:
    """Append a record for every commit of HEAD's history that is not logged yet; idempotent.
    ``observed``: facts the hooks saw, by commit id (the agent variables set at commit time)."""
    store = store_for(config)
    with store.locked():
        repaired = store.repair()
        head = rev_parse(config.root, "HEAD")
        if head is None:
            return SyncResult([], repaired)
        records, _ = store.read()
        logged = ByCommit((str(r.record["commit"]), True) for r in records)
        branch, remote = _context(config)
        # Only what is new since the last sync, when that commit still exists.
        from taskgov.spec.cache import memo_get, memo_put

        # Only what is new since the last sync, if the files are exactly as that sync left
        # them (a checkout or a discarded change may have dropped records since).
        last = memo_get(config.root, "log-head.cache", _files_state(store))
        since = ["HEAD", f"^{last}"] if last and rev_parse(config.root, last) else ["HEAD"]
        new = []
        for commit in walk(config.root, since, numstat=True):
            if commit.sha in logged:
                continue
            record = derive(commit, config, branch, remote)
            seen = (observed or {}).get(commit.sha, {})
            apply_observed(record, list(seen.get("agent_env") or []), config)
            new.append(record)
        new.reverse()  # oldest first
        store.append(new)
        memo_put(config.root, "log-head.cache", _files_state(store), head)
    incomplete = [r["commit"] for r in new if r["lines_added"] is None]
    return SyncResult([r["commit"] for r in new], repaired, incomplete)


def _files_state(store: LogStore) -> tuple[tuple[str, int, int], ...]:
    states = []
    for path in store.files():
        stat = path.stat()
        states.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(states)


def rebuild(config: Config) -> list[str]:
    """Rewrite the log from history, deterministically; observations the hooks made (agent
    variables, branch) are carried over from the existing records."""
    store = store_for(config)
    with store.locked():
        store.repair()
        records, _ = store.read()
        carried = ByCommit((str(r.record["commit"]), r.record) for r in records)
        _, remote = _context(config)
        rebuilt = []
        for commit in walk(config.root, ["HEAD"], numstat=True):
            old = carried.get(commit.sha) or {}
            record = derive(commit, config, old.get("branch") or config.target_branch, remote)
            apply_observed(record, list(old.get("agent_env") or []), config)
            rebuilt.append(record)
        rebuilt.reverse()
        return store.rewrite(rebuilt)


def remap(config: Config, pairs: list[tuple[str, str]]) -> int:
    """After amend/rebase (post-rewrite): records of rewritten commits follow them to their new
    ids, recomputed, keeping what the hooks observed. Returns the records moved."""
    mapping = dict(pairs)
    store = store_for(config)
    with store.locked():
        store.repair()
        records, _ = store.read()
        if not any(str(r.record["commit"]) in mapping for r in records):
            return 0
        commits = {c.sha: c for c in walk(config.root, ["HEAD"], numstat=True)}
        _, remote = _context(config)
        result, moved, seen = [], 0, set()
        for logged in records:
            record = logged.record
            new_sha = mapping.get(str(record["commit"]))
            if new_sha is not None and new_sha in commits:
                if new_sha in seen:  # several commits squashed into one: one record
                    continue
                fresh = derive(commits[new_sha], config, record.get("branch") or "", remote)
                apply_observed(fresh, list(record.get("agent_env") or []), config)
                record, moved = fresh, moved + 1
            seen.add(str(record["commit"]))
            result.append(record)
        store.rewrite(result)
    return moved


def _resolve(sha_or_prefix: str, shas: list[str], by_full: dict[str, Commit]) -> str | None:
    key = sha_or_prefix.lower()
    if key in by_full:
        return key
    if len(key) < 4:
        return None
    matches = [s for s in shas if s.startswith(key)]
    return matches[0] if len(matches) == 1 else None


def verify(config: Config) -> dict[str, Any]:
    """Compare every record with history: git facts always; for records taskgov wrote (they
    carry ``author``), every derived field."""
    store = store_for(config)
    records, bad = store.read()
    commits = list(walk(config.root, ["HEAD"], numstat=True))
    by_full = {c.sha: c for c in commits}
    shas = [c.sha for c in commits]
    branch, remote = _context(config)
    mismatched, unknown, logged = [], [], set()
    for entry in records:
        record = entry.record
        sha = _resolve(str(record["commit"]), shas, by_full)
        if sha is None:
            unknown.append(record["commit"])
            continue
        logged.add(sha)
        commit = by_full[sha]
        actual = derive(commit, config, branch, remote)
        apply_observed(actual, list(record.get("agent_env") or []), config)
        fields = DERIVED if "author" in record else GIT_FACTS
        for name in fields:
            if name not in record or name in NOT_VERIFIED or name == "commit":
                continue
            if name == "date" and record[name] in (
                commit.author_date[:10],
                commit.committer_date[:10],
            ):
                continue
            if actual[name] is None:  # not knowable here (objects missing): not a mismatch
                continue
            if record[name] != actual[name]:
                mismatched.append(
                    {
                        "commit": record["commit"],
                        "field": name,
                        "logged": record[name],
                        "actual": actual[name],
                        "path": entry.path,
                        "line": entry.line,
                    }
                )
    unlogged = [c.sha for c in reversed(commits) if c.sha not in logged]
    return {
        "ok": not mismatched and not unknown and not bad,
        "mismatched": mismatched,
        "unknown": unknown,
        "unlogged": unlogged,
        "invalid": [_bad(b) for b in bad],
    }


def _bad(line: BadLine) -> dict[str, object]:
    return {"path": line.path, "line": line.line, "reason": line.reason}


def stats(config: Config) -> dict[str, Any]:
    records = [r.record for r in store_for(config).read()[0]]
    ai = [r for r in records if r.get("ai_assisted")]
    agents: Counter[str] = Counter()
    tasks: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for record in records:
        for agent in record.get("agents") or []:
            agents[agent] += 1
        for task in record.get("task_ids") or (
            [record["task_id"]] if record.get("task_id") else []
        ):
            tasks[task] += 1
        months[str(record.get("date", ""))[:7]] += 1
    return {
        "commits": len(records),
        "lines_added": sum(int(r.get("lines_added") or 0) for r in records),
        "lines_removed": sum(int(r.get("lines_removed") or 0) for r in records),
        "ai_assisted": len(ai),
        "ai_share": round(len(ai) / len(records), 4) if records else 0.0,
        "human_approved": sum(1 for r in records if r.get("human_approved")),
        "per_agent": dict(agents.most_common()),
        "per_task": dict(sorted(tasks.items())),
        "per_month": dict(sorted(months.items())),
    }


def agent_commit_shas(config: Config) -> ByCommit[list[str]]:
    """Commit id -> agent variables the post-commit hook saw, from the log."""
    records, _ = store_for(config).read()
    return ByCommit(
        (str(r.record["commit"]), list(r.record["agent_env"]))
        for r in records
        if r.record.get("agent_env")
    )


def observed_now(config: Config, environ: dict[str, str]) -> dict[str, Any]:
    names = [name for name, _ in config.agent_env if environ.get(name, "").strip()]
    return {"agent_env": names} if names else {}
