"""``taskgov log sync|rebuild|verify|stats`` and the hooks' log work.

Where the log lives and when it is written (decision record in .claude/decisions/): the
month files in ``.claude/contributions/`` are committed like any other file, and the records
of the commits made so far are written *and staged* by the pre-commit hook, into the commit
being made. Nothing is written after a commit, so git always finds the work tree as it left
it. What the hooks see and history cannot recreate goes to the journal in the git directory
(``taskgov.log.journal``) until a record carries it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from taskgov.config import Config
from taskgov.errors import UsageError
from taskgov.git.context import RepoContext, repo_context
from taskgov.git.history import Commit, GitError, rev_parse, run_git, walk
from taskgov.git.objects import blob_bytes, commits_present
from taskgov.log.journal import Journal, Observation
from taskgov.log.reconcile import CommitIndex, Reconciled, carry, hand_kept, reconcile
from taskgov.log.records import DERIVED, OBSERVED, apply_observed, derive, utc_date
from taskgov.log.store import BadLine, LoggedRecord, LogStore

# Facts git itself holds: verified for every record, hand-kept ones included.
GIT_FACTS = ("date", "files_changed", "lines_added", "lines_removed")
NOT_VERIFIED = frozenset({"branch", *OBSERVED})
STATE_MEMO = "log-state.json"  # the last sync: its HEAD, for the files as it left them


def store_for(config: Config, context: RepoContext | None = None) -> LogStore:
    try:
        lock_dir = (context or repo_context(config.root)).state_dir
    except GitError:
        lock_dir = None
    return LogStore(config.root, config.paths.contributions, lock_dir)


class LogContext:
    """Everything deriving a record needs, gathered once per command."""

    def __init__(self, config: Config, repo: RepoContext | None = None) -> None:
        self.config = config
        self.repo = repo or repo_context(config.root)
        self.journal = Journal.load(self.repo.state_dir)
        self._remote: list[str | None] = []

    def remote(self) -> str | None:
        """origin's URL (for links to pull requests), asked of git only when needed."""
        if not self._remote:
            try:
                url = run_git(self.config.root, "config", "--get", "remote.origin.url").strip()
            except GitError:  # no origin: not an error
                url = ""
            self._remote.append(url or None)
        return self._remote[0]

    @property
    def branch(self) -> str:
        return self.repo.branch or self.config.target_branch

    def derive(self, commits: Iterable[Commit]) -> dict[str, dict[str, Any]]:
        """Fresh records, with the branch and agent variables the hooks saw (if they did)."""
        commits = list(commits)
        seen = self.journal.observations(c.sha for c in commits)
        records = {}
        for commit in commits:
            observation = seen.get(commit.sha, Observation())
            record = derive(commit, self.config, observation.branch or self.branch, self.remote)
            apply_observed(record, list(observation.agent_env), self.config)
            records[commit.sha] = record
        return records

    def deriver(self, known: dict[str, Commit] | None = None) -> Any:
        def derive_shas(shas: list[str]) -> dict[str, dict[str, Any]]:
            if known is not None:
                return self.derive(known[s] for s in shas)
            return self.derive(self.commits(shas))

        return derive_shas

    def reconcile(
        self,
        logged: list[LoggedRecord],
        history: CommitIndex,
        known: dict[str, Commit] | None = None,
        skip: frozenset[str] = frozenset(),
    ) -> Reconciled:
        """``reconcile`` with what this repository knows: the journal's rewrites, fresh
        records (from ``known`` commits when given), which commits the store has."""
        final = {old: self.journal.final(old) for old in self.journal.rewrites}
        present = functools.partial(commits_present, self.config.root)
        return reconcile(logged, history, final, self.deriver(known), present, skip)

    def walk(self, revisions: list[str], extra: Sequence[str] = ()) -> Iterator[Commit]:
        """Commits with line counts, the log's own month files left undiffed (records do not
        count them, and diffing a large month file would make every commit pay for the size
        of the log)."""
        return walk(
            self.config.root, revisions, numstat=True, extra=extra, attributes=self.attributes()
        )

    def commits(self, shas: list[str]) -> list[Commit]:
        """Those commits with their line counts, from one ``git log``."""
        if not shas:
            return []
        if len(shas) > 2000:  # a long command line: walk the history instead, and keep those
            wanted = set(shas)
            return [c for c in self.walk(["HEAD"]) if c.sha in wanted]
        return list(self.walk(shas, ["--no-walk=unsorted"]))

    def attributes(self) -> Path | None:
        path = self.repo.state_dir / "log.gitattributes"
        wanted = f"/{self.config.paths.contributions.strip('/')}/*.jsonl -diff\n"
        try:
            if path.read_text(encoding="utf-8") == wanted:
                return path
        except OSError:
            pass
        try:
            _write_text(path, wanted)
        except OSError:  # no place for it: the month files are diffed, and still not counted
            return None
        return path


def history_ids(root: Path) -> list[str]:
    """HEAD's history, newest first; empty only in a repository with no commits yet. Any
    other failure of git raises (nothing may be written on a history git could not read)."""
    try:
        return run_git(root, "rev-list", "HEAD", "--").split()
    except GitError:
        if rev_parse(root, "HEAD") is None:  # raises itself when git cannot answer
            return []
        raise


V = TypeVar("V")


class ByCommit(Generic[V]):
    """Values keyed by commit id as the log writes it: full, or abbreviated as people typed it
    in hand-kept records. A lookup by full id costs one probe per abbreviation length."""

    def __init__(self, items: Iterable[tuple[str, V]]) -> None:
        self.full: dict[str, V] = {}
        self.short: dict[int, dict[str, V]] = {}
        for written, value in items:
            key = written.lower()
            bucket = self.full if len(key) in (40, 64) else self.short.setdefault(len(key), {})
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


class SyncResult(NamedTuple):
    added: Sequence[str]
    repaired: Sequence[str] = ()
    incomplete: Sequence[str] = ()  # logged without line counts
    moved: Sequence[tuple[str, str]] = ()
    folded: int = 0
    dropped: Sequence[str] = ()  # other branches' commits
    skipped: str | None = None  # why nothing was written
    files: Sequence[str] = ()  # month files written
    head: str | None = None  # the commit HEAD was on (None: not read)

    def as_dict(self) -> dict[str, object]:
        return {
            "added": list(self.added),
            "moved": [{"from": old, "to": new} for old, new in self.moved],
            "folded": self.folded,
            "dropped": list(self.dropped),
            "repaired": list(self.repaired),
            "incomplete": list(self.incomplete),
            "skipped": self.skipped,
            "files": list(self.files),
        }


def sync(
    config: Config, *, skip_head: bool = False, context: LogContext | None = None
) -> SyncResult:
    """Make the log hold one record for every commit of HEAD's history: append what is new,
    move records of rewritten commits, fold duplicates. Idempotent; concurrent runs wait for
    each other. ``skip_head``: HEAD is about to be replaced (an amend): do not log it."""
    context = context or LogContext(config)
    store = store_for(config, context.repo)
    with store.locked():
        repaired = store.repair()
        quick = None if skip_head or repaired else _fast_path(context, store)
        head: str | None
        if quick is not None:
            head, new = quick
            if not new:
                return SyncResult([], head=head)
            records = context.derive(new)
            store.append([records[c.sha] for c in new])
            result = SyncResult(
                [c.sha for c in new], repaired, _incomplete(records.values()), head=head
            )
        else:
            history = CommitIndex(history_ids(config.root))
            head = history.order[0] if history.order else None
            logged, _ = store.read()
            skip = frozenset([history.order[0]]) if skip_head and history.order else frozenset()
            plan = context.reconcile(logged, history, skip=skip)
            files = store.rewrite(plan.records) if plan.changed else []
            result = _result(plan, repaired, files)._replace(head=head)
        if head and not skip_head:
            _save_state(context, store, head)
    return result


def _result(plan: Reconciled, repaired: list[str], files: list[str]) -> SyncResult:
    appended = {r["commit"]: r for r in plan.records if r["commit"] in set(plan.appended)}
    return SyncResult(
        plan.appended,
        repaired,
        _incomplete(appended.values()),
        plan.moved,
        len(plan.folded),
        [str(e.record["commit"]) for e in plan.foreign],
        files=files,
    )


def _incomplete(records: Iterable[dict[str, Any]]) -> list[str]:
    return [str(r["commit"]) for r in records if r.get("lines_added") is None]


# --------------------------------------------------------------------------- fast path


def _state_key(context: LogContext, store: LogStore) -> list[object]:
    files = []
    for path in store.files():
        stat = path.stat()
        files.append([path.name, stat.st_size, stat.st_mtime_ns, stat.st_ino])
    try:
        rewritten = (context.repo.state_dir / "rewritten.jsonl").stat().st_size
    except OSError:
        rewritten = 0
    return [store.relative, files, rewritten]


def _fast_path(context: LogContext, store: LogStore) -> tuple[str, list[Commit]] | None:
    """HEAD and the commits to append (oldest first) when the log is exactly as the last sync
    left it (same files, no rewrite since) and HEAD descends from the commit it synced: then
    nothing older needs looking at. ``None``: reconcile the whole log. One ``git log`` finds
    the new commits and reads what their records need."""
    from taskgov.spec.cache import memo_get

    last = memo_get(context.config.root, STATE_MEMO, _state_key(context, store))
    if not isinstance(last, str) or len(last) not in (40, 64):
        return None
    try:
        commits = list(context.walk(["HEAD", f"^{last}"]))
    except GitError:  # the synced commit is gone, or no commits: the slow, careful way
        return None
    if not commits:  # HEAD is the commit last synced, or an ancestor of it (a reset)
        head = run_git(context.config.root, "rev-parse", "--verify", "HEAD^{commit}").strip()
        return (last, []) if head == last else None
    # ``last`` is an ancestor of HEAD exactly when it is a parent of one of these commits.
    if not any(last in commit.parents for commit in commits):
        return None
    return commits[0].sha, commits[::-1]


def _save_state(context: LogContext, store: LogStore, head: str) -> None:
    from taskgov.spec.cache import memo_put

    memo_put(context.config.root, STATE_MEMO, _state_key(context, store), head)


# --------------------------------------------------------------------------- pre-commit


def stage(
    config: Config, index_file: str | None, amending: bool, repo: RepoContext | None = None
) -> SyncResult:
    """The pre-commit hook's work: bring the log up to date and stage it into the commit
    being made, so that the commit leaves the work tree clean.

    Nothing is written when the commit uses a temporary index (``git commit PATH``: staging
    there would leave the real index behind), when the log directory is absent (the
    repository keeps no log), or when the log files have changes the person has not staged
    (those stay theirs to commit). The records wait for the next commit; nothing is lost,
    since they are derived from history and the journal."""
    if index_file and Path(index_file).name not in ("index", "index.lock"):
        return SyncResult([], skipped="a commit of selected paths (records wait for the next)")
    context = LogContext(config, repo)
    store = store_for(config, context.repo)
    if not store.directory.is_dir():
        return SyncResult([], skipped=f"{store.relative}/ does not exist")
    store.check_inside()
    before, unstaged = _index_state(config.root, store.relative)
    if unstaged:
        return SyncResult(
            [], skipped=f"{store.relative}/ has unstaged changes (records wait for the next)"
        )
    result = sync(config, skip_head=amending, context=context)
    if result.files or result.added:
        months = sorted(
            {p for p in before if p.endswith(".jsonl")}
            | {p.relative_to(config.root).as_posix() for p in store.files()}
        )
        try:
            run_git(config.root, "add", "-A", "--", *months)
        except GitError as exc:
            if "ignored" not in str(exc):
                raise
            # The repository ignores its log: it is kept in the work tree, never committed.
        else:
            after = _index_entries(config.root, store.relative)
            changed = {
                path: [before.get(path), blob]
                for path, blob in after.items()
                if before.get(path) != blob
            }
            changed.update(
                {path: [blob, None] for path, blob in before.items() if path not in after}
            )
            _write_json(context.repo.state_dir / STAGED_FILE, {"files": changed})
    return result


STAGED_FILE = "staged.json"


def _index_state(
    root: Path, directory: str, modified: bool = True
) -> tuple[dict[str, str], set[str]]:
    """path -> blob id of the index entries under ``directory`` and, with ``modified``, the
    paths among them whose file differs from the index (changed or deleted), as git tells
    them: from the stat data it keeps, re-reading only files changed too recently for it to
    be sure. One process; filters and line-ending settings are git's to apply."""
    asked = ("-t", "-m") if modified else ()
    listed = run_git(root, "ls-files", "-s", *asked, "-z", "--", directory)
    entries, unstaged = {}, set()
    for item in listed.split("\0"):
        if item:
            info, _, path = item.partition("\t")
            tag, _, fields = info.partition(" ") if modified else ("H", "", info)
            if tag == "C":
                unstaged.add(path)
            else:
                entries[path] = fields.split()[1]
    return entries, unstaged


def _index_entries(root: Path, directory: str) -> dict[str, str]:
    """path -> blob id of the index entries under ``directory``."""
    return _index_state(root, directory, modified=False)[0]


def unstage(config: Config) -> list[str]:
    """Take back what the pre-commit hook staged for a commit that will not be made (a
    commit-msg hook refused it, or its message is empty): each log file goes back to what
    the index and the work tree held before, unless it changed since. Returns the files."""
    context = repo_context(config.root)
    path = context.state_dir / STAGED_FILE
    try:
        staged = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    path.unlink(missing_ok=True)
    files = staged.get("files") if isinstance(staged, dict) else None
    if not isinstance(files, dict):
        return []
    store = store_for(config, context)
    store.check_inside()
    now = _index_entries(config.root, store.relative)
    restored = []
    for name, pair in sorted(files.items()):
        if not (isinstance(pair, list) and len(pair) == 2 and name.startswith(store.relative)):
            continue
        before, after = pair
        if now.get(name) != after:
            continue  # changed since: no longer ours to take back
        target = config.root / name
        if before is None:
            run_git(config.root, "rm", "-q", "--cached", "--ignore-unmatch", "--", name)
            target.unlink(missing_ok=True)
        else:
            content = blob_bytes(config.root, str(before))
            run_git(config.root, "update-index", "--cacheinfo", f"100644,{before},{name}")
            from taskgov.spec.yamlio import atomic_write

            atomic_write(target, content.decode("utf-8", "surrogateescape"), root=config.root)
        restored.append(name)
    return restored


def _write_json(path: Path, value: object) -> None:
    with contextlib.suppress(OSError):  # state that can always be recomputed
        _write_text(path, json.dumps(value))


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- rebuild


class RebuildResult(NamedTuple):
    files: list[str]
    kept: list[dict[str, object]]  # hand-kept values history cannot know, carried over
    dropped: list[str]  # records of commits not in history (only with force)

    def as_dict(self) -> dict[str, object]:
        return {"files": self.files, "kept": self.kept, "dropped": self.dropped}


def rebuild(config: Config, force: bool = False) -> RebuildResult:
    """Rewrite the log from history, deterministically. What history cannot know is carried
    over from the existing records: the branch and agent variables the hooks saw, and in
    hand-kept records the fields people wrote (summary, decision_id, human_approved,
    approver, ...), each one reported. Records of commits that are not in HEAD's history
    would be lost: refused unless ``force``."""
    context = LogContext(config)
    store = store_for(config, context.repo)
    with store.locked():
        store.repair()
        logged, _ = store.read()
        history = CommitIndex(history_ids(config.root))
        if not history.order and logged and not force:
            raise UsageError(
                f"no commits in this history, but {store.relative}/ holds {len(logged)} "
                "record(s): refusing to empty the log (--force to do it anyway)"
            )
        carried: dict[str, LoggedRecord] = {}
        unknown = []
        for entry in logged:
            sha = history.resolve(str(entry.record["commit"]))
            if sha is None:
                sha = context.journal.final(str(entry.record["commit"]).lower())
                sha = sha if sha in history.known else None
            if sha is None:
                unknown.append(entry)
            else:
                carried.setdefault(sha, entry)
        if unknown and not force:
            first = unknown[0]
            raise UsageError(
                f"{first.path}:{first.line}: {len(unknown)} record(s) name commits that are not "
                f"in HEAD's history (first: {first.record['commit']}); rebuild would drop them "
                "(--force to drop them)"
            )
        fresh = context.derive(context.walk(["HEAD"])) if history.order else {}
        rebuilt: list[dict[str, Any]] = []
        kept: list[dict[str, object]] = []
        for sha in reversed(history.order):
            record = fresh[sha]
            old = carried.get(sha)
            if old is not None:
                merged = carry(old.record, record)
                kept.extend(
                    {"commit": sha, "field": name, "kept": merged[name], "history": record[name]}
                    for name in merged.get("hand_kept") or ()
                )
                record = merged
            rebuilt.append(record)
        files = store.rewrite(rebuilt)
    return RebuildResult(files, kept, [str(e.record["commit"]) for e in unknown])


# --------------------------------------------------------------------------- verify


def verify(config: Config) -> dict[str, Any]:
    """Compare every record with history: git facts always; for records taskgov wrote (they
    carry ``author``), every derived field. Also: duplicates, records of rewritten commits
    not moved yet, records on a branch that does not hold their commit."""
    context = LogContext(config)
    store = store_for(config, context.repo)
    logged, bad = store.read()
    history = CommitIndex(history_ids(config.root))
    commits = {c.sha: c for c in context.walk(["HEAD"])} if history.order else {}
    plan = context.reconcile(logged, history, commits)
    resolved = [history.resolve(str(entry.record["commit"])) for entry in logged]
    logged_shas = {sha for sha in resolved if sha is not None}
    actual = context.derive(commits[sha] for sha in logged_shas)  # one read of the journal
    seen = context.journal.observations(logged_shas)
    mismatched, wrong_branch = [], []
    holds = _branch_members(config.root, {str(e.record.get("branch") or "") for e in logged})
    for entry, sha in zip(logged, resolved, strict=True):
        record = entry.record
        if sha is None:
            continue
        mismatched.extend(_mismatches(entry, commits[sha], actual[sha]))
        branch = record.get("branch")
        observed = seen.get(sha)
        members = holds.get(str(branch))
        if (
            isinstance(branch, str)
            and branch
            and (
                (observed is not None and observed.branch and observed.branch != branch)
                or (members is not None and sha not in members)
            )
        ):
            wrong_branch.append(
                {
                    "commit": record["commit"],
                    "branch": branch,
                    "observed": observed.branch if observed else None,
                    "path": entry.path,
                    "line": entry.line,
                }
            )
    duplicates = [_where(logged, r) for r in plan.folded]
    return {
        "ok": not (mismatched or plan.unknown or bad or duplicates or wrong_branch),
        "mismatched": mismatched,
        "unknown": [e.record["commit"] for e in plan.unknown],
        "duplicates": duplicates,
        "wrong_branch": wrong_branch,
        "pending": [{"from": old, "to": new} for old, new in plan.moved],
        "foreign": [e.record["commit"] for e in plan.foreign],
        "unlogged": plan.appended,
        "invalid": [_bad(b) for b in bad],
    }


def _mismatches(entry: LoggedRecord, commit: Commit, actual: dict[str, Any]) -> list[Any]:
    record = entry.record
    fields = DERIVED if "author" in record else GIT_FACTS
    people = set(hand_kept(record)) if "author" in record else set()
    found = []
    for name in fields:
        if name not in record or name in NOT_VERIFIED or name == "commit" or name in people:
            continue
        if name == "date" and record[name] in _dates(commit):
            continue  # local or UTC, author or committer: a convention, not a mismatch
        if actual[name] is None:  # not knowable here (objects missing): not a mismatch
            continue
        if record[name] != actual[name]:
            found.append(
                {
                    "commit": record["commit"],
                    "field": name,
                    "logged": record[name],
                    "actual": actual[name],
                    "path": entry.path,
                    "line": entry.line,
                }
            )
    return found


def _dates(commit: Commit) -> set[str]:
    stamps = (commit.author_date, commit.committer_date)
    return {s[:10] for s in stamps} | {utc_date(s) for s in stamps}


def _branch_members(root: Path, names: set[str]) -> dict[str, set[str]]:
    """For each branch name that exists here (a local branch, else origin's), the commits
    it holds. Branches that no longer exist are not judged."""
    members: dict[str, set[str]] = {}
    for name in sorted(n for n in names if n):
        for ref in (f"refs/heads/{name}", f"refs/remotes/origin/{name}"):
            try:
                members[name] = set(run_git(root, "rev-list", ref, "--").split())
            except GitError:
                continue
            break
    return members


def _where(logged: list[LoggedRecord], record: dict[str, Any]) -> dict[str, object]:
    for entry in logged:
        if entry.record is record:
            return {"commit": record["commit"], "path": entry.path, "line": entry.line}
    return {"commit": record["commit"], "path": None, "line": None}


def _bad(line: BadLine) -> dict[str, object]:
    return {"path": line.path, "line": line.line, "reason": line.reason}


# --------------------------------------------------------------------------- stats


def stats(config: Config) -> dict[str, Any]:
    """Counts over the log. A hand-kept record that does not say whether the commit was
    AI-assisted is judged from the commit's own trailers, as a record taskgov writes is."""
    records = [r.record for r in store_for(config).read()[0]]
    if any("ai_assisted" not in r for r in records):
        _fill_ai(config, records)
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


def _fill_ai(config: Config, records: list[dict[str, Any]]) -> None:
    history = CommitIndex(history_ids(config.root))
    if not history.order:
        return
    commits = {c.sha: c for c in walk(config.root, ["HEAD"])}
    for record in records:
        if "ai_assisted" in record:
            continue
        sha = history.resolve(str(record["commit"]))
        if sha is None:
            continue
        derived = derive(commits[sha], config, "", None)
        record["ai_assisted"] = derived["ai_assisted"]
        record.setdefault("agents", derived["agents"])


# --------------------------------------------------------------------------- evidence


def agent_commit_shas(config: Config) -> ByCommit[list[str]]:
    """Commit id -> agent variables the post-commit hook saw: from the journal in the git
    directory (kept whatever happens to the work tree) and from the log's records."""
    items: list[tuple[str, list[str]]] = []
    try:
        context = repo_context(config.root)
    except GitError:
        context = None
    if context is not None:
        journal = Journal.load(context.state_dir)
        items += [(s, list(o.agent_env)) for s, o in journal.observations().items() if o.agent_env]
    records, _ = store_for(config, context).read()
    items += [
        (str(r.record["commit"]), list(r.record["agent_env"]))
        for r in records
        if r.record.get("agent_env")
    ]
    return ByCommit(items)


def observed_now(config: Config, environ: dict[str, str]) -> list[str]:
    """The agent variables the policy names that are set (and not empty) right now."""
    return [name for name, _ in config.agent_env if environ.get(name, "").strip()]
