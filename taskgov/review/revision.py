"""One side of a review: the policy, specs and decision records of a revision, read from git
objects and parsed exactly as ``load_repo`` parses files on disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskgov.config import POLICY_PATH, Config
from taskgov.decisions.store import DecisionSet, decisions_from_texts
from taskgov.git.revision import read_revision
from taskgov.repo import Repository
from taskgov.spec.loader import FileResult, parse_spec_bytes
from taskgov.state import TaskState, derive_states

if TYPE_CHECKING:
    import git

# (relpath, blob id, archived, config fingerprint) -> the parse result: a spec both sides
# hold unchanged is parsed once.
ParseMemo = dict[tuple[str, str, bool, str], FileResult]


@dataclass
class Side:
    """A revision's specs (``repo``), decision records and the blob id of each file."""

    revision: str
    commit: str
    config: Config
    repo: Repository
    decisions: DecisionSet
    blobs: dict[str, str]  # path -> blob id, specs and decision records
    texts: dict[str, bytes] = field(repr=False)  # path -> content, specs only
    links: tuple[str, ...] = ()

    @cached_property
    def states(self) -> dict[str, TaskState]:
        """Derived states from the specs alone (history is not read: a shallow clone has
        none, and the review compares what the pull request's files say)."""
        return derive_states(self.repo)

    def data(self, path: str) -> Any:
        """The parsed YAML of the spec at ``path`` (``None`` when it cannot be parsed)."""
        from taskgov.spec.yamlio import YamlProblem, decode, load

        raw = self.texts.get(path)
        if raw is None:
            return None
        try:
            return load(decode(raw))[0]
        except YamlProblem:
            return None


def read_side(repo: git.Repo, root: Path, revision: str, memo: ParseMemo | None = None) -> Side:
    """The revision ``revision`` of the repository at ``root``."""
    from taskgov.policy.load import config_from_bytes

    policy = read_revision(repo, revision, (), (POLICY_PATH,))
    raw_policy = policy.files.get(POLICY_PATH)
    config = config_from_bytes(root, raw_policy[1]) if raw_policy else Config(root=root)
    paths = config.paths
    read = read_revision(repo, policy.commit, (paths.active, paths.completed, paths.decisions))
    memo = {} if memo is None else memo
    fingerprint = config.fingerprint()
    results: list[FileResult] = []
    decision_texts: dict[str, str] = {}
    blobs: dict[str, str] = {}
    texts: dict[str, bytes] = {}
    for path, (blob, data) in sorted(read.files.items(), key=lambda item: _order(item[0], paths)):
        if _inside(path, paths.decisions):
            name = path.rsplit("/", 1)[-1]
            if name.startswith(".") or name.rsplit(".", 1)[0] == "template":
                continue
            if "/" in path[len(paths.decisions.strip("/")) + 1 :]:
                continue  # records sit directly in the directory, as load_decisions reads it
            blobs[path] = blob
            decision_texts[path] = data.decode("utf-8", "replace")
            continue
        archived = not _inside(path, paths.active) and _inside(path, paths.completed)
        key = (path, blob, archived, fingerprint)
        result = memo.get(key)
        if result is None:
            result = memo[key] = parse_spec_bytes(data, path, config, archived)
        results.append(result)
        blobs[path] = blob
        texts[path] = data
    decisions = decisions_from_texts(config, decision_texts)
    return Side(
        revision,
        read.commit,
        config,
        Repository(config, tuple(results)),
        decisions,
        blobs,
        texts,
        read.links,
    )


def _inside(path: str, directory: str) -> bool:
    prefix = directory.strip("/")
    return prefix in ("", ".") or path.startswith(prefix + "/")


def _order(path: str, paths: Any) -> tuple[int, str]:
    """Active specs first, then completed ones, each in path order (as ``spec_files``)."""
    return (0 if _inside(path, paths.active) else 1, path)
